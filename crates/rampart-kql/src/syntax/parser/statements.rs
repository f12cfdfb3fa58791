//! Statements: `let`, `set`, `declare`, and the query expression; function definitions.

use super::{Failed, PResult, Parser};
use crate::syntax::ast::{Body, FunctionDef, LetStmt, LetValue, Param, ParamType, Query, Statement};
use crate::syntax::token::TokenKind;

impl<'a> Parser<'a> {
    pub(super) fn query(&mut self) -> Query {
        let mut statements = Vec::new();
        loop {
            while self.eat(TokenKind::Semi) {}
            if self.at(TokenKind::Eof) {
                break;
            }
            let before = self.pos;
            match self.statement() {
                Ok(s) => statements.push(s),
                Err(Failed) => self.recover(false),
            }
            if self.at(TokenKind::Eof) {
                break;
            }
            if !self.eat(TokenKind::Semi) {
                let span = self.peek().span.clone();
                let message = if matches!(statements.last(), Some(Statement::Expr(_))) {
                    let hint = if self.at(TokenKind::Eq) { " (use `==` to compare)" } else { "" };
                    format!("expected `|` or `;` after the query, found {}{hint}", self.found())
                } else {
                    format!("expected `;`, found {}", self.found())
                };
                self.error_at(span, message);
                self.recover(false);
                if self.pos == before {
                    self.bump();
                }
            }
        }
        Query { statements }
    }

    fn statement(&mut self) -> PResult<Statement> {
        let start = self.peek().span.start;
        if self.at_word("let") && self.nth_kind(1) != TokenKind::Eq {
            return Ok(Statement::Let(self.let_stmt()?));
        }
        if self.at_word("set") && self.nth_kind(1) == TokenKind::Ident && !self.at_pipe_after(1) {
            self.bump();
            let name = self.dotted_ident("an option name")?;
            if self.eat(TokenKind::Eq) {
                self.primary()?;
            }
            return Ok(Statement::Set { name, span: self.span_from(start) });
        }
        if self.at_word("declare") && self.nth_is_word(1, "query_parameters") {
            self.skip_clause();
            return Ok(Statement::Declare { span: self.span_from(start) });
        }
        Ok(Statement::Expr(self.pipe_expr()?))
    }

    fn at_pipe_after(&self, n: usize) -> bool {
        self.nth_kind(n + 1) == TokenKind::Pipe
    }

    pub(super) fn let_stmt(&mut self) -> PResult<LetStmt> {
        let start = self.expect_word("let")?.span.start;
        let name = self.ident("a name after `let`")?;
        self.expect(TokenKind::Eq)?;
        let value = if self.at_function_def() {
            LetValue::Function(self.function_def()?)
        } else {
            LetValue::Expr(self.pipe_expr()?)
        };
        Ok(LetStmt { name, value, span: self.span_from(start) })
    }

    /// `(…) {` or `(name: …` or `view (…)`.
    fn at_function_def(&self) -> bool {
        if self.at_word("view") && self.nth_kind(1) == TokenKind::LParen {
            return true;
        }
        if !self.at(TokenKind::LParen) {
            return false;
        }
        match self.nth_kind(1) {
            TokenKind::RParen => self.nth_kind(2) == TokenKind::LBrace,
            TokenKind::Ident => self.nth_kind(2) == TokenKind::Colon,
            TokenKind::LBracket => self.nth_kind(4) == TokenKind::Colon,
            _ => false,
        }
    }

    fn function_def(&mut self) -> PResult<FunctionDef> {
        let start = self.peek().span.start;
        let is_view = self.eat_word("view");
        self.expect(TokenKind::LParen)?;
        let mut params = Vec::new();
        while !self.at(TokenKind::RParen) {
            params.push(self.param()?);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RParen)?;
        let body = self.body()?;
        Ok(FunctionDef { params, body, is_view, span: self.span_from(start) })
    }

    fn param(&mut self) -> PResult<Param> {
        let name = self.ident("a parameter name")?;
        self.expect(TokenKind::Colon)?;
        let ty = if self.eat(TokenKind::LParen) {
            let mut columns = Vec::new();
            if !self.eat(TokenKind::Star) {
                while !self.at(TokenKind::RParen) {
                    let c = self.ident("a column name")?;
                    self.expect(TokenKind::Colon)?;
                    let t = self.ident("a type name")?;
                    columns.push((c, t));
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
            }
            self.expect(TokenKind::RParen)?;
            ParamType::Tabular(columns)
        } else {
            ParamType::Scalar(self.ident("a type name")?)
        };
        let default = if self.eat(TokenKind::Eq) { Some(self.expr()?) } else { None };
        Ok(Param { name, ty, default })
    }

    /// `{ let …; …; expr }`.
    pub(super) fn body(&mut self) -> PResult<Body> {
        self.expect(TokenKind::LBrace)?;
        let mut lets = Vec::new();
        loop {
            while self.eat(TokenKind::Semi) {}
            if self.at_word("let") {
                lets.push(self.let_stmt()?);
                if !self.at(TokenKind::RBrace) {
                    self.expect(TokenKind::Semi)?;
                }
                continue;
            }
            break;
        }
        let expr = self.pipe_expr()?;
        while self.eat(TokenKind::Semi) {}
        self.expect(TokenKind::RBrace)?;
        Ok(Body { lets, expr })
    }

    /// `a.b.c` as one name (option names such as `hint.strategy`).
    pub(super) fn dotted_ident(&mut self, what: &str) -> PResult<crate::syntax::ast::Ident> {
        let mut id = self.ident(what)?;
        while self.at(TokenKind::Dot) && self.nth_kind(1) == TokenKind::Ident {
            self.bump();
            let next = self.bump();
            id.name.push('.');
            id.name.push_str(self.text_of(&next));
            id.span.end = next.span.end;
        }
        Ok(id)
    }
}
