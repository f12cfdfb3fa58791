//! A hand-written recursive-descent parser. It checks syntax only (names and types are the
//! binder's business), never panics, and recovers from an error by skipping to the next `|`
//! or `;`, so one query can report several problems.

mod expr;
mod operators;
mod sources;
mod statements;

use super::ast::{Ident, Query};
use super::lexer::{lex, string_value};
use super::token::{Span, Token, TokenKind};
use crate::diagnostic::Diagnostic;

/// Deepest nesting of expressions the parser accepts before giving up on a query.
const MAX_DEPTH: u32 = 200;

/// A parse error; its diagnostic has already been recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Failed;

pub(crate) type PResult<T> = Result<T, Failed>;

/// The result of parsing: a tree and what was wrong with the text (empty when it is valid).
#[derive(Debug, Clone, PartialEq)]
pub struct Parse {
    pub query: Query,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses a query. Never fails: problems are reported as diagnostics next to a best-effort tree.
pub fn parse(text: &str) -> Parse {
    let (tokens, lex_errors) = lex(text);
    let mut p = Parser { text, tokens, pos: 0, diagnostics: Vec::new(), depth: 0 };
    for e in lex_errors {
        p.diagnostics.push(Diagnostic::new(text, e.span, e.message));
    }
    let query = p.query();
    let mut diagnostics = p.diagnostics;
    diagnostics.sort_by_key(|d| d.span.start);
    diagnostics.dedup_by(|a, b| a.span.start == b.span.start);
    Parse { query, diagnostics }
}

pub(crate) struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    diagnostics: Vec<Diagnostic>,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn nth(&self, n: usize) -> &Token {
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[(self.pos + n).min(last)]
    }

    fn peek(&self) -> &Token {
        self.nth(0)
    }

    fn kind(&self) -> TokenKind {
        self.peek().kind
    }

    fn nth_kind(&self, n: usize) -> TokenKind {
        self.nth(n).kind
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.kind() == kind
    }

    fn text_of(&self, t: &Token) -> &'a str {
        &self.text[t.span.clone()]
    }

    /// Whether the `n`th token is the word `w` (keywords are case-sensitive, as in Kusto).
    fn nth_is_word(&self, n: usize, w: &str) -> bool {
        let t = self.nth(n);
        t.kind == TokenKind::Ident && self.text_of(t) == w
    }

    fn at_word(&self, w: &str) -> bool {
        self.nth_is_word(0, w)
    }

    /// Whether tokens `n` and `n + 1` touch (no space between them), as in `project-away`.
    fn adjacent(&self, n: usize) -> bool {
        self.nth(n).span.end == self.nth(n + 1).span.start
    }

    /// Whether the current token starts right where the previous one ended.
    fn touches_prev(&self) -> bool {
        self.pos > 0 && self.tokens[self.pos - 1].span.end == self.peek().span.start
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.kind != TokenKind::Eof {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, kind: TokenKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.at_word(w) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// The end of the previous token: where a node that ends here ends.
    fn prev_end(&self) -> usize {
        if self.pos == 0 { 0 } else { self.tokens[self.pos - 1].span.end }
    }

    fn span_from(&self, start: usize) -> Span {
        start..self.prev_end().max(start)
    }

    /// How the current token is named in a message.
    fn found(&self) -> String {
        let t = self.peek();
        match t.kind {
            TokenKind::Eof => "the end of the query".to_string(),
            _ => {
                let text = self.text_of(t);
                let short: String = text.chars().take(40).collect();
                let dots = if short.len() < text.len() { "…" } else { "" };
                format!("`{short}{dots}`")
            }
        }
    }

    fn error_at(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(self.text, span, message));
    }

    /// Records "expected X, found Y" at the current token.
    fn expected(&mut self, what: &str) -> Failed {
        let span = self.peek().span.clone();
        let message = format!("expected {what}, found {}", self.found());
        self.error_at(span, message);
        Failed
    }

    fn expect(&mut self, kind: TokenKind) -> PResult<Token> {
        if self.at(kind) { Ok(self.bump()) } else { Err(self.expected(kind.describe())) }
    }

    fn expect_word(&mut self, w: &str) -> PResult<Token> {
        if self.at_word(w) { Ok(self.bump()) } else { Err(self.expected(&format!("`{w}`"))) }
    }

    /// A plain name or a bracketed one (`['a b']`, `["x"]`).
    fn ident(&mut self, what: &str) -> PResult<Ident> {
        if self.at(TokenKind::Ident) {
            let t = self.bump();
            return Ok(Ident { name: self.text_of(&t).to_string(), span: t.span });
        }
        if self.at(TokenKind::LBracket) && self.nth_kind(1) == TokenKind::String {
            let start = self.bump().span.start;
            let s = self.bump();
            let name = string_value(self.text_of(&s));
            self.expect(TokenKind::RBracket)?;
            return Ok(Ident { name, span: self.span_from(start) });
        }
        Err(self.expected(what))
    }

    fn at_ident(&self) -> bool {
        self.at(TokenKind::Ident) || (self.at(TokenKind::LBracket) && self.nth_kind(1) == TokenKind::String)
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.peek().span.clone();
            self.error_at(span, "the query is nested too deeply");
            return Err(Failed);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips tokens up to (not including) the next `|` or `;` outside brackets, or an
    /// unmatched closing bracket, or the end.
    fn recover(&mut self, stop_at_pipe: bool) {
        let mut depth = 0i32;
        loop {
            match self.kind() {
                TokenKind::Eof => return,
                TokenKind::Pipe if depth == 0 && stop_at_pipe => return,
                TokenKind::Semi if depth == 0 => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// Skips a balanced run of tokens up to the next `|`, `;` or unmatched closer (for
    /// operators and sources that are recognised but not parsed in detail).
    fn skip_clause(&mut self) {
        let mut depth = 0i32;
        loop {
            match self.kind() {
                TokenKind::Eof => return,
                TokenKind::Pipe | TokenKind::Semi if depth == 0 => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.bump();
        }
    }
}

#[cfg(test)]
mod tests;
