//! Expressions: precedence climbing over `or` < `and` < comparisons and string predicates
//! < `+ -` < `* / %` < unary < postfix (`.name`, `[index]`, calls).

use super::{Failed, PResult, Parser};
use crate::syntax::ast::{
    BinaryOp, DynLit, Expr, ExprKind, Ident, ListOp, Literal, NamedExpr, Operator, StrOp, StrPredicate, UnaryOp,
};
use crate::syntax::lexer::{string_value, timespan_unit};
use crate::syntax::token::TokenKind;

const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_CMP: u8 = 3;
const PREC_ADD: u8 = 4;
const PREC_MUL: u8 = 5;

enum Infix {
    Binary(BinaryOp),
    List(ListOp),
    Between(bool),
}

/// The words that are string predicates, with (op, negated, case-sensitive).
const STRING_OPS: &[(&str, StrOp, bool, bool)] = &[
    ("has", StrOp::Has, false, false),
    ("has_cs", StrOp::Has, false, true),
    ("hasprefix", StrOp::HasPrefix, false, false),
    ("hasprefix_cs", StrOp::HasPrefix, false, true),
    ("hassuffix", StrOp::HasSuffix, false, false),
    ("hassuffix_cs", StrOp::HasSuffix, false, true),
    ("contains", StrOp::Contains, false, false),
    ("contains_cs", StrOp::Contains, false, true),
    ("containscs", StrOp::Contains, false, true),
    ("notcontains", StrOp::Contains, true, false),
    ("notcontainscs", StrOp::Contains, true, true),
    ("nothas", StrOp::Has, true, false),
    ("startswith", StrOp::StartsWith, false, false),
    ("startswith_cs", StrOp::StartsWith, false, true),
    ("endswith", StrOp::EndsWith, false, false),
    ("endswith_cs", StrOp::EndsWith, false, true),
    ("like", StrOp::Like, false, false),
    ("likecs", StrOp::Like, false, true),
    ("notlike", StrOp::Like, true, false),
    ("notlikecs", StrOp::Like, true, true),
];

fn string_op(word: &str) -> Option<StrPredicate> {
    STRING_OPS
        .iter()
        .find(|(w, ..)| *w == word)
        .map(|&(_, op, negated, case_sensitive)| StrPredicate { op, negated, case_sensitive })
}

impl<'a> Parser<'a> {
    /// An expression that may continue with `| operator …` (a tabular expression).
    pub(crate) fn pipe_expr(&mut self) -> PResult<Expr> {
        let start = self.peek().span.start;
        let mut input = self.expr()?;
        while self.at(TokenKind::Pipe) {
            self.bump();
            match self.operator() {
                Ok(op) => {
                    input = Expr { span: self.span_from(start), kind: ExprKind::Pipe { input: Box::new(input), op: Box::new(op) } };
                }
                Err(Failed) => self.recover(true),
            }
        }
        Ok(input)
    }

    /// A sequence of operators without a source (`mv-apply … on (where … | take 1)`).
    pub(crate) fn operator_chain(&mut self) -> PResult<Vec<Operator>> {
        let mut ops = Vec::new();
        self.eat(TokenKind::Pipe);
        ops.push(self.operator()?);
        while self.eat(TokenKind::Pipe) {
            ops.push(self.operator()?);
        }
        Ok(ops)
    }

    /// A scalar expression (stops at `|`).
    pub(crate) fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.binary(PREC_OR);
        self.leave();
        r
    }

    fn binary(&mut self, min: u8) -> PResult<Expr> {
        let start = self.peek().span.start;
        let mut lhs = self.unary()?;
        while let Some((infix, prec, width)) = self.peek_infix() {
            if prec < min {
                break;
            }
            for _ in 0..width {
                self.bump();
            }
            lhs = match infix {
                Infix::Binary(op) => {
                    let rhs = self.binary(prec + 1)?;
                    Expr { span: self.span_from(start), kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) } }
                }
                Infix::List(op) => {
                    let list = self.list_operand()?;
                    Expr { span: self.span_from(start), kind: ExprKind::ListPredicate { op, expr: Box::new(lhs), list } }
                }
                Infix::Between(negated) => {
                    self.expect(TokenKind::LParen)?;
                    let low = self.expr()?;
                    self.expect(TokenKind::DotDot)?;
                    let high = self.expr()?;
                    self.expect(TokenKind::RParen)?;
                    let kind = ExprKind::Between { expr: Box::new(lhs), low: Box::new(low), high: Box::new(high), negated };
                    Expr { span: self.span_from(start), kind }
                }
            };
        }
        Ok(lhs)
    }

    /// The parenthesised list after `in`/`has_any`; a bare name or call is accepted too.
    fn list_operand(&mut self) -> PResult<Vec<Expr>> {
        if !self.eat(TokenKind::LParen) {
            return Ok(vec![self.postfix()?]);
        }
        let mut list = Vec::new();
        while !self.at(TokenKind::RParen) {
            list.push(self.pipe_expr()?);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RParen)?;
        Ok(list)
    }

    /// The infix operator at the current position: what it is, its precedence, and how
    /// many tokens it spans.
    fn peek_infix(&self) -> Option<(Infix, u8, usize)> {
        use TokenKind as T;
        let cmp = |op| Some((Infix::Binary(op), PREC_CMP, 1));
        match self.kind() {
            T::EqEq => cmp(BinaryOp::Eq),
            T::BangEq | T::LtGt => cmp(BinaryOp::Ne),
            T::EqTilde => cmp(BinaryOp::EqCi),
            T::BangTilde => cmp(BinaryOp::NeCi),
            T::Lt => cmp(BinaryOp::Lt),
            T::Le => cmp(BinaryOp::Le),
            T::Gt => cmp(BinaryOp::Gt),
            T::Ge => cmp(BinaryOp::Ge),
            T::Plus => Some((Infix::Binary(BinaryOp::Add), PREC_ADD, 1)),
            T::Minus => Some((Infix::Binary(BinaryOp::Sub), PREC_ADD, 1)),
            T::Star => Some((Infix::Binary(BinaryOp::Mul), PREC_MUL, 1)),
            T::Slash => Some((Infix::Binary(BinaryOp::Div), PREC_MUL, 1)),
            T::Percent => Some((Infix::Binary(BinaryOp::Mod), PREC_MUL, 1)),
            T::Ident => self.word_infix(),
            T::Bang if self.nth_kind(1) == T::Ident && self.adjacent(0) => self.negated_word_infix(),
            _ => None,
        }
    }

    fn word_infix(&self) -> Option<(Infix, u8, usize)> {
        let word = self.text_of(self.peek());
        let tilde = self.nth_kind(1) == TokenKind::Tilde && self.adjacent(0);
        let r = match word {
            "or" => (Infix::Binary(BinaryOp::Or), PREC_OR, 1),
            "and" => (Infix::Binary(BinaryOp::And), PREC_AND, 1),
            "in" if tilde => (Infix::List(ListOp::InCi), PREC_CMP, 2),
            "in" => (Infix::List(ListOp::In), PREC_CMP, 1),
            "has_any" => (Infix::List(ListOp::HasAny), PREC_CMP, 1),
            "has_all" => (Infix::List(ListOp::HasAll), PREC_CMP, 1),
            "between" => (Infix::Between(false), PREC_CMP, 1),
            "notbetween" => (Infix::Between(true), PREC_CMP, 1),
            "matches" if self.nth_is_word(1, "regex") => {
                let p = StrPredicate { op: StrOp::MatchesRegex, negated: false, case_sensitive: true };
                (Infix::Binary(BinaryOp::Str(p)), PREC_CMP, 2)
            }
            _ => (Infix::Binary(BinaryOp::Str(string_op(word)?)), PREC_CMP, 1),
        };
        Some(r)
    }

    fn negated_word_infix(&self) -> Option<(Infix, u8, usize)> {
        let word = self.text_of(self.nth(1));
        let tilde = self.nth_kind(2) == TokenKind::Tilde && self.adjacent(1);
        let r = match word {
            "in" if tilde => (Infix::List(ListOp::NotInCi), PREC_CMP, 3),
            "in" => (Infix::List(ListOp::NotIn), PREC_CMP, 2),
            "between" => (Infix::Between(true), PREC_CMP, 2),
            _ => {
                let mut p = string_op(word)?;
                if p.negated || p.op == StrOp::Like {
                    return None;
                }
                p.negated = true;
                (Infix::Binary(BinaryOp::Str(p)), PREC_CMP, 2)
            }
        };
        Some(r)
    }

    pub(crate) fn unary_expr(&mut self) -> PResult<Expr> {
        self.unary()
    }

    fn unary(&mut self) -> PResult<Expr> {
        let start = self.peek().span.start;
        let op = match self.kind() {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Plus => UnaryOp::Plus,
            _ => return self.postfix(),
        };
        self.bump();
        self.enter()?;
        let inner = self.unary();
        self.leave();
        let inner = inner?;
        // Fold `-5` into a literal so that `-9223372036854775808` and `dynamic` values work.
        if op == UnaryOp::Neg {
            if let ExprKind::Literal(Literal::Int(v)) = inner.kind {
                return Ok(Expr { kind: ExprKind::Literal(Literal::Int(v.wrapping_neg())), span: self.span_from(start) });
            }
            if let ExprKind::Literal(Literal::Real(v)) = inner.kind {
                return Ok(Expr { kind: ExprKind::Literal(Literal::Real(-v)), span: self.span_from(start) });
            }
            if let ExprKind::Literal(Literal::Timespan(v)) = inner.kind {
                return Ok(Expr { kind: ExprKind::Literal(Literal::Timespan(-v)), span: self.span_from(start) });
            }
        }
        Ok(Expr { kind: ExprKind::Unary { op, expr: Box::new(inner) }, span: self.span_from(start) })
    }

    /// A primary followed by `.name`, `[index]`.
    pub(crate) fn postfix(&mut self) -> PResult<Expr> {
        let start = self.peek().span.start;
        let mut e = self.primary()?;
        loop {
            if self.at(TokenKind::Dot) && self.nth_kind(1) == TokenKind::LBracket && self.nth_kind(2) != TokenKind::String {
                self.bump();
            } else if self.at(TokenKind::Dot) {
                self.bump();
                let name = self.member_name()?;
                e = Expr { span: self.span_from(start), kind: ExprKind::Member { expr: Box::new(e), name } };
            } else if self.at(TokenKind::LBracket) {
                self.bump();
                let index = self.expr()?;
                self.expect(TokenKind::RBracket)?;
                e = Expr { span: self.span_from(start), kind: ExprKind::Index { expr: Box::new(e), index: Box::new(index) } };
            } else {
                break;
            }
        }
        Ok(e)
    }

    /// After `.`: a name (keywords allowed), a bracketed name, or a number-like key.
    fn member_name(&mut self) -> PResult<Ident> {
        if matches!(self.kind(), TokenKind::Int) {
            let t = self.bump();
            return Ok(Ident { name: self.text_of(&t).to_string(), span: t.span });
        }
        self.ident("a property name after `.`")
    }

    pub(crate) fn primary(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.primary_inner();
        self.leave();
        r
    }

    fn primary_inner(&mut self) -> PResult<Expr> {
        let start = self.peek().span.start;
        let lit = |kind| Ok(Expr { kind: ExprKind::Literal(kind), span: start..start });
        match self.kind() {
            TokenKind::Int => {
                let t = self.bump();
                let text = self.text_of(&t).trim_end_matches(['l', 'L']);
                let value = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                    i64::from_str_radix(hex, 16).ok()
                } else {
                    text.parse::<i64>().ok()
                };
                let Some(v) = value else {
                    let message = format!("integer literal `{text}` is out of range");
                    self.error_at(t.span.clone(), message);
                    return Err(Failed);
                };
                self.finish(start, lit(Literal::Int(v)))
            }
            TokenKind::Real => {
                let t = self.bump();
                let v = self.text_of(&t).parse::<f64>().unwrap_or(f64::NAN);
                self.finish(start, lit(Literal::Real(v)))
            }
            TokenKind::Timespan => {
                let t = self.bump();
                let micros = timespan_micros(self.text_of(&t));
                self.finish(start, lit(Literal::Timespan(micros)))
            }
            TokenKind::String => {
                let mut s = String::new();
                while self.at(TokenKind::String) {
                    let t = self.bump();
                    s.push_str(&string_value(self.text_of(&t)));
                }
                self.finish(start, lit(Literal::String(s)))
            }
            TokenKind::RawLiteral => {
                let t = self.bump();
                let text = self.text_of(&t);
                let open = text.find('(').unwrap_or(0);
                let raw = text[open + 1..text.len().saturating_sub(1)].trim().to_string();
                let literal = match text[..open].trim_end() {
                    "guid" => Literal::Guid(raw),
                    "timespan" | "time" => Literal::RawTimespan(raw),
                    _ => Literal::Datetime(raw),
                };
                self.finish(start, lit(literal))
            }
            TokenKind::LParen => {
                self.bump();
                let mut inner = self.pipe_expr()?;
                self.expect(TokenKind::RParen)?;
                inner.span = self.span_from(start);
                Ok(inner)
            }
            TokenKind::LBracket if self.nth_kind(1) == TokenKind::String => {
                let id = self.ident("a name")?;
                Ok(Expr { span: id.span.clone(), kind: ExprKind::Name(id) })
            }
            TokenKind::Star => {
                self.bump();
                Ok(Expr { kind: ExprKind::Star, span: self.span_from(start) })
            }
            TokenKind::Ident => self.word_primary(),
            _ => Err(self.expected("an expression")),
        }
    }

    fn finish(&self, start: usize, e: PResult<Expr>) -> PResult<Expr> {
        e.map(|mut e| {
            e.span = self.span_from(start);
            e
        })
    }

    /// A primary that starts with a word: a literal keyword, a source keyword, a call or a name.
    fn word_primary(&mut self) -> PResult<Expr> {
        let start = self.peek().span.start;
        let word = self.text_of(self.peek());
        let next = self.nth_kind(1);
        match word {
            "true" | "false" if next != TokenKind::LParen => {
                self.bump();
                let kind = ExprKind::Literal(Literal::Bool(word == "true"));
                return Ok(Expr { kind, span: self.span_from(start) });
            }
            "dynamic" if next == TokenKind::LParen => {
                self.bump();
                self.bump();
                let value = self.dyn_value()?;
                self.expect(TokenKind::RParen)?;
                return Ok(Expr { kind: ExprKind::Dynamic(value), span: self.span_from(start) });
            }
            "datatable" if next == TokenKind::LParen => return self.datatable(),
            "externaldata" if next == TokenKind::LParen => return self.externaldata(),
            "range" if next == TokenKind::Ident && self.nth_is_word(2, "from") => return self.range(),
            "print" | "Print" if self.starts_expr(1) => return self.print(),
            "union" if self.nth_kind(1) == TokenKind::Ident || next == TokenKind::LParen => {
                self.bump();
                let u = self.union_body()?;
                return Ok(Expr { kind: ExprKind::Union(u), span: self.span_from(start) });
            }
            "search" if self.starts_expr(1) => {
                self.bump();
                let s = self.search_body()?;
                return Ok(Expr { kind: ExprKind::Search(s), span: self.span_from(start) });
            }
            "find" if self.starts_expr(1) || self.nth_is_word(1, "in") || self.nth_is_word(1, "where") || self.nth_is_word(1, "withsource") => {
                self.bump();
                let f = self.find_body()?;
                return Ok(Expr { kind: ExprKind::Find(f), span: self.span_from(start) });
            }
            _ => {}
        }
        let t = self.bump();
        let name = Ident { name: word.to_string(), span: t.span };
        if self.at(TokenKind::LParen) {
            self.bump();
            let mut args = Vec::new();
            while !self.at(TokenKind::RParen) {
                args.push(self.pipe_expr()?);
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            self.expect(TokenKind::RParen)?;
            return Ok(Expr { kind: ExprKind::Call { name, args }, span: self.span_from(start) });
        }
        Ok(Expr { span: name.span.clone(), kind: ExprKind::Name(name) })
    }

    /// Whether the `n`th token can begin an expression (used to tell the `print` keyword
    /// from a column called `print`).
    fn starts_expr(&self, n: usize) -> bool {
        use TokenKind as T;
        match self.nth_kind(n) {
            T::Ident => {
                let w = self.text_of(self.nth(n));
                !matches!(w, "and" | "or" | "by" | "on" | "asc" | "desc") && string_op(w).is_none()
            }
            T::Int | T::Real | T::Timespan | T::String | T::RawLiteral | T::LParen | T::Minus | T::Star => true,
            T::LBracket => self.nth_kind(n + 1) == T::String,
            _ => false,
        }
    }

    /// The value inside `dynamic(…)`: JSON-like, plus Kusto literals.
    fn dyn_value(&mut self) -> PResult<DynLit> {
        self.enter()?;
        let r = self.dyn_value_inner();
        self.leave();
        r
    }

    fn dyn_value_inner(&mut self) -> PResult<DynLit> {
        match self.kind() {
            TokenKind::LBracket => {
                self.bump();
                let mut items = Vec::new();
                while !self.at(TokenKind::RBracket) {
                    items.push(self.dyn_value()?);
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect(TokenKind::RBracket)?;
                Ok(DynLit::Array(items))
            }
            TokenKind::LBrace => {
                self.bump();
                let mut props = Vec::new();
                while !self.at(TokenKind::RBrace) {
                    let key = match self.kind() {
                        TokenKind::String => {
                            let t = self.bump();
                            string_value(self.text_of(&t))
                        }
                        TokenKind::Ident => {
                            let t = self.bump();
                            self.text_of(&t).to_string()
                        }
                        _ => return Err(self.expected("a property name")),
                    };
                    self.expect(TokenKind::Colon)?;
                    props.push((key, self.dyn_value()?));
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect(TokenKind::RBrace)?;
                Ok(DynLit::Object(props))
            }
            TokenKind::Ident if self.at_word("null") => {
                self.bump();
                Ok(DynLit::Null)
            }
            _ => {
                let e = self.unary()?;
                match e.kind {
                    ExprKind::Literal(Literal::Bool(b)) => Ok(DynLit::Bool(b)),
                    ExprKind::Literal(Literal::Int(v)) => Ok(DynLit::Int(v)),
                    ExprKind::Literal(Literal::Real(v)) => Ok(DynLit::Real(v)),
                    ExprKind::Literal(Literal::String(s)) => Ok(DynLit::String(s)),
                    ExprKind::Literal(Literal::Timespan(v)) => Ok(DynLit::Timespan(v)),
                    ExprKind::Literal(Literal::Datetime(s)) => Ok(DynLit::Datetime(s)),
                    ExprKind::Literal(Literal::Guid(s)) => Ok(DynLit::String(s)),
                    ExprKind::Call { ref name, ref args } if args.len() == 1 => match (&args[0].kind, name.name.as_str()) {
                        (ExprKind::Literal(Literal::String(s)), "datetime") => Ok(DynLit::Datetime(s.clone())),
                        (ExprKind::Literal(Literal::Int(v)), "long" | "int") => Ok(DynLit::Int(*v)),
                        (ExprKind::Literal(Literal::Real(v)), "real" | "double") => Ok(DynLit::Real(*v)),
                        (ExprKind::Literal(Literal::Int(v)), "real" | "double") => Ok(DynLit::Real(*v as f64)),
                        _ => Err(self.dyn_error(e.span.clone())),
                    },
                    _ => Err(self.dyn_error(e.span.clone())),
                }
            }
        }
    }

    fn dyn_error(&mut self, span: std::ops::Range<usize>) -> Failed {
        self.error_at(span, "expected a constant inside `dynamic(…)`: an array, a property bag, a string, a number, a bool or null");
        Failed
    }

    /// `name = expr`, `['a b'] = expr`, `(a, b) = expr` or a bare `expr`.
    pub(crate) fn named_expr(&mut self) -> PResult<NamedExpr> {
        if self.at(TokenKind::Ident) && self.nth_kind(1) == TokenKind::Eq {
            let name = self.ident("a name")?;
            self.bump();
            return Ok(NamedExpr { names: vec![name], expr: self.expr()? });
        }
        if self.at(TokenKind::LBracket) && self.nth_kind(1) == TokenKind::String && self.nth_kind(2) == TokenKind::RBracket && self.nth_kind(3) == TokenKind::Eq {
            let name = self.ident("a name")?;
            self.bump();
            return Ok(NamedExpr { names: vec![name], expr: self.expr()? });
        }
        if self.at(TokenKind::LParen) && self.at_tuple_target() {
            self.bump();
            let mut names = Vec::new();
            loop {
                names.push(self.ident("a name")?);
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            self.expect(TokenKind::RParen)?;
            self.expect(TokenKind::Eq)?;
            return Ok(NamedExpr { names, expr: self.expr()? });
        }
        Ok(NamedExpr { names: Vec::new(), expr: self.expr()? })
    }

    /// `(a, b, …) =` ahead.
    fn at_tuple_target(&self) -> bool {
        let mut n = 1;
        loop {
            if self.nth_kind(n) != TokenKind::Ident {
                return false;
            }
            match self.nth_kind(n + 1) {
                TokenKind::Comma => n += 2,
                TokenKind::RParen => return self.nth_kind(n + 2) == TokenKind::Eq,
                _ => return false,
            }
        }
    }

    pub(crate) fn named_list(&mut self) -> PResult<Vec<NamedExpr>> {
        let mut items = vec![self.named_expr()?];
        while self.eat(TokenKind::Comma) {
            items.push(self.named_expr()?);
        }
        Ok(items)
    }

    pub(crate) fn expr_list(&mut self) -> PResult<Vec<Expr>> {
        let mut items = vec![self.expr()?];
        while self.eat(TokenKind::Comma) {
            items.push(self.expr()?);
        }
        Ok(items)
    }

    pub(crate) fn name_expr(id: Ident) -> Expr {
        Expr { span: id.span.clone(), kind: ExprKind::Name(id) }
    }
}

/// Microseconds in a timespan literal such as `1.5h` (rounded to the nearest microsecond).
pub(crate) fn timespan_micros(text: &str) -> i64 {
    let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    let n: f64 = num.parse().unwrap_or(0.0);
    let per = timespan_unit(unit).unwrap_or(1.0);
    (n * per).round() as i64
}
