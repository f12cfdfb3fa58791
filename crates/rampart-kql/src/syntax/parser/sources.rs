//! Query sources that start with a keyword: `datatable`, `externaldata`, `range`, `print`,
//! `union` and `search`; and `name=value` options.

use super::{PResult, Parser};
use crate::syntax::ast::{Expr, ExprKind, Ident, OptionArg, Search, Union};
use crate::syntax::token::TokenKind;

impl<'a> Parser<'a> {
    /// `(name:type, …)`.
    fn column_schema(&mut self) -> PResult<Vec<(Ident, Ident)>> {
        self.expect(TokenKind::LParen)?;
        let mut columns = Vec::new();
        while !self.at(TokenKind::RParen) {
            let name = self.ident("a column name")?;
            self.expect(TokenKind::Colon)?;
            let ty = self.ident("a type name")?;
            columns.push((name, ty));
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RParen)?;
        Ok(columns)
    }

    pub(super) fn datatable(&mut self) -> PResult<Expr> {
        let start = self.bump().span.start;
        let columns = self.column_schema()?;
        self.expect(TokenKind::LBracket)?;
        let mut values = Vec::new();
        while !self.at(TokenKind::RBracket) {
            values.push(self.expr()?);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RBracket)?;
        Ok(Expr { kind: ExprKind::Datatable { columns, values }, span: self.span_from(start) })
    }

    pub(super) fn externaldata(&mut self) -> PResult<Expr> {
        let start = self.bump().span.start;
        let columns = self.column_schema()?;
        self.expect(TokenKind::LBracket)?;
        let mut urls = Vec::new();
        while !self.at(TokenKind::RBracket) {
            urls.push(self.expr()?);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RBracket)?;
        if self.eat_word("with") {
            self.expect(TokenKind::LParen)?;
            while !self.at(TokenKind::RParen) {
                self.option_arg()?;
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            self.expect(TokenKind::RParen)?;
        }
        Ok(Expr { kind: ExprKind::Externaldata { columns, urls }, span: self.span_from(start) })
    }

    pub(super) fn range(&mut self) -> PResult<Expr> {
        let start = self.bump().span.start;
        let column = self.ident("a column name")?;
        self.expect_word("from")?;
        let from = self.expr()?;
        self.expect_word("to")?;
        let to = self.expr()?;
        self.expect_word("step")?;
        let step = self.expr()?;
        let kind = ExprKind::Range { column, from: Box::new(from), to: Box::new(to), step: Box::new(step) };
        Ok(Expr { kind, span: self.span_from(start) })
    }

    pub(super) fn print(&mut self) -> PResult<Expr> {
        let start = self.bump().span.start;
        let items = self.named_list()?;
        Ok(Expr { kind: ExprKind::Print(items), span: self.span_from(start) })
    }

    /// After `union`: options, then tables (names, `Prefix*` patterns or parenthesised queries).
    pub(crate) fn union_body(&mut self) -> PResult<Union> {
        let options = self.options(&["kind", "withsource", "isfuzzy", "hint."])?;
        let mut tables = Vec::new();
        loop {
            tables.push(self.union_table()?);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        Ok(Union { options, tables })
    }

    fn union_table(&mut self) -> PResult<Expr> {
        let start = self.peek().span.start;
        if self.at(TokenKind::Ident) && self.nth_kind(1) == TokenKind::Star && self.adjacent(0) {
            let t = self.bump();
            self.bump();
            let name = format!("{}*", self.text_of(&t));
            return Ok(Self::name_expr(Ident { name, span: self.span_from(start) }));
        }
        if self.at(TokenKind::Star) {
            self.bump();
            return Ok(Self::name_expr(Ident { name: "*".into(), span: self.span_from(start) }));
        }
        self.postfix()
    }

    /// After `search`: options, `in (tables)`, then the predicate.
    pub(crate) fn search_body(&mut self) -> PResult<Search> {
        let options = self.options(&["kind"])?;
        let mut tables = Vec::new();
        if self.at_word("in") && self.nth_kind(1) == TokenKind::LParen {
            self.bump();
            self.bump();
            while !self.at(TokenKind::RParen) {
                tables.push(self.union_table()?);
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            self.expect(TokenKind::RParen)?;
        }
        let predicate = self.search_predicate()?;
        Ok(Search { options, tables, predicate: Box::new(predicate) })
    }

    /// After `find`: options, `in (tables)`, `where` predicate, `project-smart` or `project`.
    pub(crate) fn find_body(&mut self) -> PResult<crate::syntax::ast::Find> {
        let options = self.options(&["withsource"])?;
        let mut tables = Vec::new();
        if self.at_word("in") && self.nth_kind(1) == TokenKind::LParen {
            self.bump();
            self.bump();
            while !self.at(TokenKind::RParen) {
                tables.push(self.union_table()?);
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            self.expect(TokenKind::RParen)?;
        }
        self.eat_word("where");
        let predicate = Box::new(self.search_predicate()?);
        let mut project = None;
        let mut pack_all = false;
        if self.at_word("project-smart") || (self.at_word("project") && self.nth_kind(1) == TokenKind::Minus) {
            self.bump();
            if self.eat(TokenKind::Minus) {
                self.bump();
            }
        } else if self.eat_word("project") {
            let mut cols = Vec::new();
            loop {
                if self.at_word("pack_all") && self.nth_kind(1) == TokenKind::LParen {
                    self.bump();
                    self.bump();
                    self.expect(TokenKind::RParen)?;
                    pack_all = true;
                } else {
                    let name = self.ident("a column name")?;
                    let ty = if self.eat(TokenKind::Colon) { Some(self.ident("a type name")?) } else { None };
                    cols.push((name, ty));
                }
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            project = Some(cols);
        }
        Ok(crate::syntax::ast::Find { options, tables, predicate, project, pack_all })
    }

    /// `search` accepts `Column:"term"` besides ordinary predicates.
    fn search_predicate(&mut self) -> PResult<Expr> {
        if self.at(TokenKind::Ident) && self.nth_kind(1) == TokenKind::Colon {
            let start = self.peek().span.start;
            let column = self.ident("a column name")?;
            self.bump();
            let value = self.postfix()?;
            let op = crate::syntax::ast::BinaryOp::Str(crate::syntax::ast::StrPredicate {
                op: crate::syntax::ast::StrOp::Has,
                negated: false,
                case_sensitive: false,
            });
            let kind = ExprKind::Binary { op, lhs: Box::new(Self::name_expr(column)), rhs: Box::new(value) };
            return Ok(Expr { kind, span: self.span_from(start) });
        }
        self.expr()
    }

    /// Leading `name=value` options whose name is in `allowed` (an entry ending in `.` allows
    /// every name with that prefix).
    pub(crate) fn options(&mut self, allowed: &[&str]) -> PResult<Vec<OptionArg>> {
        let mut options = Vec::new();
        while self.at(TokenKind::Ident) {
            let mut n = 1;
            let mut name = self.text_of(self.peek()).to_string();
            while self.nth_kind(n) == TokenKind::Dot && self.nth_kind(n + 1) == TokenKind::Ident {
                name.push('.');
                name.push_str(self.text_of(self.nth(n + 1)));
                n += 2;
            }
            if self.nth_kind(n) != TokenKind::Eq {
                break;
            }
            let ok = allowed.iter().any(|a| if a.ends_with('.') { name.starts_with(a) } else { name == *a });
            if !ok {
                break;
            }
            options.push(self.option_arg()?);
        }
        Ok(options)
    }

    pub(crate) fn option_arg(&mut self) -> PResult<OptionArg> {
        let name = self.dotted_ident("an option name")?;
        self.expect(TokenKind::Eq)?;
        let value = self.unary_option_value()?;
        Ok(OptionArg { name, value })
    }

    fn unary_option_value(&mut self) -> PResult<Expr> {
        if self.at(TokenKind::Ident) {
            let t = self.bump();
            let id = Ident { name: self.text_of(&t).to_string(), span: t.span };
            return Ok(Self::name_expr(id));
        }
        if self.at(TokenKind::Minus) {
            return self.unary_expr();
        }
        self.primary()
    }
}
