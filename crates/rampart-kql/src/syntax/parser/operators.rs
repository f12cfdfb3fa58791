//! Tabular operators (what follows a `|`).

use super::{PResult, Parser};
use crate::syntax::ast::{ColumnPattern, Expr, Ident, MvExpandItem, Operator, OperatorKind, ParseElem, SortKey};
use crate::syntax::lexer::string_value;
use crate::syntax::token::TokenKind;

/// Operators Rampart recognises by name but does not run yet; their text is skipped.
const UNSUPPORTED: &[&str] = &[
    "top-hitters",
    "fork",
    "facet",
    "reduce",
    "consume",
    "scan",
    "parse-kv",
    "project-smart",
    "sample-distinct",
    "find",
    "lookup-hint",
    "graph-match",
    "make-graph",
    "assert-schema",
    "execute-and-cache",
];

impl<'a> Parser<'a> {
    /// The operator name at the cursor, joining hyphenated names (`project-away`).
    fn operator_name(&mut self) -> PResult<(String, usize)> {
        if !self.at(TokenKind::Ident) {
            return Err(self.expected("an operator name after `|`"));
        }
        let start = self.peek().span.start;
        let mut name = self.text_of(self.peek()).to_string();
        self.bump();
        while self.at(TokenKind::Minus) && self.touches_prev() && self.nth_kind(1) == TokenKind::Ident && self.adjacent(0) {
            self.bump();
            let t = self.bump();
            name.push('-');
            name.push_str(self.text_of(&t));
        }
        Ok((name, start))
    }

    pub(crate) fn operator(&mut self) -> PResult<Operator> {
        let (name, start) = self.operator_name()?;
        let kind = match name.as_str() {
            "where" | "filter" => OperatorKind::Where(self.expr()?),
            "project" => OperatorKind::Project(self.named_list()?),
            "extend" => OperatorKind::Extend(self.named_list()?),
            "project-away" => OperatorKind::ProjectAway(self.patterns()?),
            "project-keep" => OperatorKind::ProjectKeep(self.patterns()?),
            "project-rename" => OperatorKind::ProjectRename(self.renames()?),
            "project-reorder" => OperatorKind::ProjectReorder(self.reorder()?),
            "summarize" => self.summarize()?,
            "top" => {
                let count = self.expr()?;
                self.expect_word("by")?;
                OperatorKind::Top { count, by: self.sort_keys()? }
            }
            "take" | "limit" => OperatorKind::Take(self.expr()?),
            "sort" | "order" => {
                self.expect_word("by")?;
                OperatorKind::Sort(self.sort_keys()?)
            }
            "distinct" => {
                if self.eat(TokenKind::Star) {
                    OperatorKind::Distinct(Vec::new())
                } else {
                    OperatorKind::Distinct(self.named_list()?)
                }
            }
            "count" => OperatorKind::Count,
            "join" => {
                let options = self.options(&["kind", "hint.", "withsource"])?;
                let right = self.right_table()?;
                let on = self.join_on()?;
                OperatorKind::Join { options, right, on }
            }
            "lookup" => {
                let options = self.options(&["kind", "hint."])?;
                let right = self.right_table()?;
                let on = self.join_on()?;
                OperatorKind::Lookup { options, right, on }
            }
            "mv-expand" | "mvexpand" => {
                let options = self.options(&["kind", "bagexpansion", "with_itemindex", "itemindex"])?;
                let items = self.mv_items()?;
                let limit = if self.eat_word("limit") { Some(self.expr()?) } else { None };
                OperatorKind::MvExpand { options, items, limit }
            }
            "mv-apply" | "mvapply" => {
                let options = self.options(&["with_itemindex", "itemindex"])?;
                let items = self.mv_items()?;
                if self.eat_word("limit") {
                    self.expr()?;
                }
                self.expect_word("on")?;
                self.expect(TokenKind::LParen)?;
                let subquery = self.operator_chain()?;
                self.expect(TokenKind::RParen)?;
                OperatorKind::MvApply { options, items, subquery }
            }
            "parse" | "parse-where" => {
                let options = self.options(&["kind", "flags"])?;
                let source = self.expr()?;
                self.expect_word("with")?;
                let pattern = self.parse_pattern()?;
                OperatorKind::Parse { options, source, pattern, filter: name == "parse-where" }
            }
            "evaluate" => {
                let options = self.options(&["hint."])?;
                let call = self.postfix()?;
                OperatorKind::Evaluate { options, call }
            }
            "render" => {
                let chart = self.ident("a visualization name")?;
                let mut properties = Vec::new();
                if self.eat_word("with") {
                    self.expect(TokenKind::LParen)?;
                    while !self.at(TokenKind::RParen) {
                        properties.push(self.option_arg()?);
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                    self.expect(TokenKind::RParen)?;
                } else {
                    // Legacy form: `render timechart kind=stacked title="x" ycolumns=a, b`.
                    while self.at(TokenKind::Ident) && self.nth_kind(1) == TokenKind::Eq {
                        properties.push(self.option_arg()?);
                        while self.at(TokenKind::Comma) && self.nth_kind(1) == TokenKind::Ident && self.nth_kind(2) != TokenKind::Eq {
                            self.bump();
                            self.bump();
                        }
                    }
                }
                OperatorKind::Render { chart, properties }
            }
            "invoke" => OperatorKind::Invoke(self.postfix()?),
            "as" => {
                self.options(&["hint."])?;
                OperatorKind::As(self.ident("a name after `as`")?)
            }
            "union" => OperatorKind::Union(self.union_body()?),
            "search" => OperatorKind::Search(self.search_body()?),
            "getschema" => OperatorKind::Getschema,
            "serialize" => {
                if self.at(TokenKind::Pipe) || self.at(TokenKind::Eof) || self.at(TokenKind::Semi) || self.at(TokenKind::RParen) {
                    OperatorKind::Serialize(Vec::new())
                } else {
                    OperatorKind::Serialize(self.named_list()?)
                }
            }
            "sample" => OperatorKind::Sample(self.expr()?),
            "top-nested" => self.top_nested()?,
            "partition" => {
                self.options(&["hint.", "kind"])?;
                self.expect_word("by")?;
                let key = self.ident("a column name")?;
                let by = Expr { span: key.span.clone(), kind: crate::syntax::ast::ExprKind::Name(key) };
                self.options(&["hint."])?;
                if self.at(TokenKind::LParen) {
                    self.bump();
                    let subquery = self.operator_chain()?;
                    self.expect(TokenKind::RParen)?;
                    OperatorKind::Partition { by, subquery }
                } else {
                    // `partition by K { … }` (the subquery names the partition as a table).
                    self.skip_clause();
                    OperatorKind::Unsupported("partition … { … }".into())
                }
            }
            "make-series" => self.make_series()?,
            other if UNSUPPORTED.contains(&other) => {
                self.skip_clause();
                OperatorKind::Unsupported(other.to_string())
            }
            other => {
                let span = start..self.prev_end();
                self.error_at(span, format!("unknown operator `{other}` after `|`"));
                return Err(super::Failed);
            }
        };
        Ok(Operator { kind, span: self.span_from(start) })
    }

    fn top_nested(&mut self) -> PResult<OperatorKind> {
        let mut levels = Vec::new();
        loop {
            let count = if self.at_word("of") { None } else { Some(self.expr()?) };
            self.expect_word("of")?;
            let of = self.named_expr()?;
            let others = if self.at_word("with") && self.nth_is_word(1, "others") {
                self.bump();
                self.bump();
                self.expect(TokenKind::Eq)?;
                Some(self.expr()?)
            } else {
                None
            };
            self.expect_word("by")?;
            let by = self.named_expr()?;
            let desc = if self.eat_word("desc") {
                Some(true)
            } else if self.eat_word("asc") {
                Some(false)
            } else {
                None
            };
            levels.push(crate::syntax::ast::TopNestedLevel { count, of, others, by, desc });
            // `, top-nested …` continues the chain.
            if self.at(TokenKind::Comma) && self.nth_is_word(1, "top") && self.nth_kind(2) == TokenKind::Minus {
                self.bump();
                self.operator_name()?;
                continue;
            }
            break;
        }
        Ok(OperatorKind::TopNested(levels))
    }

    fn make_series(&mut self) -> PResult<OperatorKind> {
        let options = self.options(&["kind", "hint."])?;
        let mut aggs = Vec::new();
        loop {
            let agg = self.named_expr()?;
            let default = if self.at_word("default") && self.nth_kind(1) == TokenKind::Eq {
                self.bump();
                self.bump();
                Some(self.expr()?)
            } else {
                None
            };
            aggs.push((agg, default));
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect_word("on")?;
        let axis = self.postfix()?;
        let (mut from, mut to, step);
        let range_syntax = self.at_word("in") && self.nth_is_word(1, "range");
        if range_syntax {
            self.bump();
            self.bump();
            self.expect(TokenKind::LParen)?;
            from = Some(self.expr()?);
            self.expect(TokenKind::Comma)?;
            to = Some(self.expr()?);
            self.expect(TokenKind::Comma)?;
            step = self.expr()?;
            self.expect(TokenKind::RParen)?;
        } else {
            from = None;
            to = None;
            if self.eat_word("from") {
                from = Some(self.expr()?);
            }
            if self.eat_word("to") {
                to = Some(self.expr()?);
            }
            self.expect_word("step")?;
            step = self.expr()?;
        }
        let by = if self.eat_word("by") { self.named_list()? } else { Vec::new() };
        Ok(OperatorKind::MakeSeries(Box::new(crate::syntax::ast::MakeSeries { options, aggs, axis, from, to, step, range_syntax, by })))
    }

    fn summarize(&mut self) -> PResult<OperatorKind> {
        let options = self.options(&["hint."])?;
        let aggs = if self.at_word("by") { Vec::new() } else { self.named_list()? };
        let by = if self.eat_word("by") { self.named_list()? } else { Vec::new() };
        Ok(OperatorKind::Summarize { options, aggs, by })
    }

    /// A join's right side: a parenthesised query, or a name/call.
    fn right_table(&mut self) -> PResult<Expr> {
        if self.at(TokenKind::LParen) {
            let start = self.bump().span.start;
            let mut e = self.pipe_expr()?;
            self.expect(TokenKind::RParen)?;
            e.span = self.span_from(start);
            return Ok(e);
        }
        self.postfix()
    }

    fn join_on(&mut self) -> PResult<Vec<Expr>> {
        self.expect_word("on")?;
        self.expr_list()
    }

    fn sort_keys(&mut self) -> PResult<Vec<SortKey>> {
        let mut keys = Vec::new();
        loop {
            let expr = self.expr()?;
            let desc = if self.eat_word("desc") {
                Some(true)
            } else if self.eat_word("asc") {
                Some(false)
            } else {
                None
            };
            let nulls_first = if self.eat_word("nulls") {
                if self.eat_word("first") {
                    Some(true)
                } else {
                    self.expect_word("last")?;
                    Some(false)
                }
            } else {
                None
            };
            keys.push(SortKey { expr, desc, nulls_first });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        Ok(keys)
    }

    /// A column name pattern: words and `*` written together (`Initiating*`, `*Id`).
    fn pattern(&mut self) -> PResult<ColumnPattern> {
        let start = self.peek().span.start;
        if self.at(TokenKind::LBracket) {
            let id = self.ident("a column name")?;
            return Ok(ColumnPattern { pattern: id.name, span: id.span });
        }
        let mut pattern = String::new();
        loop {
            match self.kind() {
                TokenKind::Ident => {
                    let t = self.bump();
                    pattern.push_str(self.text_of(&t));
                }
                TokenKind::Star => {
                    self.bump();
                    pattern.push('*');
                }
                _ => break,
            }
            if !self.touches_prev() || !matches!(self.kind(), TokenKind::Ident | TokenKind::Star) {
                break;
            }
        }
        if pattern.is_empty() {
            return Err(self.expected("a column name"));
        }
        Ok(ColumnPattern { pattern, span: self.span_from(start) })
    }

    fn patterns(&mut self) -> PResult<Vec<ColumnPattern>> {
        let mut items = vec![self.pattern()?];
        while self.eat(TokenKind::Comma) {
            items.push(self.pattern()?);
        }
        Ok(items)
    }

    fn renames(&mut self) -> PResult<Vec<(Ident, Ident)>> {
        let mut items = Vec::new();
        loop {
            let new = self.ident("a new column name")?;
            self.expect(TokenKind::Eq)?;
            let old = self.ident("the column to rename")?;
            items.push((new, old));
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        Ok(items)
    }

    fn reorder(&mut self) -> PResult<Vec<(ColumnPattern, Option<bool>)>> {
        let mut items = Vec::new();
        loop {
            let p = self.pattern()?;
            let order = if self.eat_word("asc") {
                Some(false)
            } else if self.eat_word("desc") {
                Some(true)
            } else {
                None
            };
            items.push((p, order));
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        Ok(items)
    }

    fn mv_items(&mut self) -> PResult<Vec<MvExpandItem>> {
        let mut items = Vec::new();
        loop {
            let named = self.named_expr()?;
            let to_type = if self.at_word("to") && self.nth_is_word(1, "typeof") {
                self.bump();
                self.bump();
                self.expect(TokenKind::LParen)?;
                let t = self.ident("a type name")?;
                self.expect(TokenKind::RParen)?;
                Some(t)
            } else {
                None
            };
            items.push(MvExpandItem { name: named.names.into_iter().next(), expr: named.expr, to_type });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        Ok(items)
    }

    /// The pattern of `parse … with`: `*`, string literals and `Name[:type]` columns.
    fn parse_pattern(&mut self) -> PResult<Vec<ParseElem>> {
        let mut elems = Vec::new();
        loop {
            match self.kind() {
                TokenKind::Star => {
                    self.bump();
                    elems.push(ParseElem::Star);
                }
                TokenKind::String => {
                    let mut s = String::new();
                    while self.at(TokenKind::String) {
                        let t = self.bump();
                        s.push_str(&string_value(self.text_of(&t)));
                    }
                    elems.push(ParseElem::Literal(s));
                }
                TokenKind::Ident | TokenKind::LBracket if self.at_ident() => {
                    let name = self.ident("a column name")?;
                    let ty = if self.eat(TokenKind::Colon) { Some(self.ident("a type name")?) } else { None };
                    elems.push(ParseElem::Column { name, ty });
                }
                _ => break,
            }
        }
        if elems.is_empty() {
            return Err(self.expected("a parse pattern"));
        }
        Ok(elems)
    }
}
