//! The lexer: query text to tokens. It never fails; unreadable input becomes an
//! [`TokenKind::Error`] token plus a diagnostic, and lexing continues after it.

use super::token::{Span, Token, TokenKind};

/// Timespan literal suffixes and how many microseconds one unit is (ticks are 0.1 µs).
pub const TIMESPAN_UNITS: &[(&str, f64)] = &[
    ("d", 86_400e6),
    ("day", 86_400e6),
    ("days", 86_400e6),
    ("h", 3_600e6),
    ("hr", 3_600e6),
    ("hrs", 3_600e6),
    ("hour", 3_600e6),
    ("hours", 3_600e6),
    ("m", 60e6),
    ("min", 60e6),
    ("minute", 60e6),
    ("minutes", 60e6),
    ("s", 1e6),
    ("sec", 1e6),
    ("second", 1e6),
    ("seconds", 1e6),
    ("ms", 1e3),
    ("milli", 1e3),
    ("millis", 1e3),
    ("millisecond", 1e3),
    ("milliseconds", 1e3),
    ("microsecond", 1.0),
    ("microseconds", 1.0),
    ("tick", 0.1),
    ("ticks", 0.1),
];

/// Microseconds per unit of a timespan suffix, if `suffix` is one (case-insensitive).
pub fn timespan_unit(suffix: &str) -> Option<f64> {
    TIMESPAN_UNITS.iter().find(|(s, _)| s.eq_ignore_ascii_case(suffix)).map(|&(_, us)| us)
}

/// A lexer problem: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub span: Span,
    pub message: String,
}

/// Splits `text` into tokens; the last token is always [`TokenKind::Eof`].
pub fn lex(text: &str) -> (Vec<Token>, Vec<LexError>) {
    let mut lx = Lexer { text, bytes: text.as_bytes(), pos: 0, tokens: Vec::new(), errors: Vec::new() };
    lx.run();
    (lx.tokens, lx.errors)
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<LexError>,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl<'a> Lexer<'a> {
    fn peek_char(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn byte_at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token { kind, span: start..self.pos });
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(LexError { span, message: message.into() });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek_char() {
            let start = self.pos;
            if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' {
                self.pos += c.len_utf8();
                continue;
            }
            if c == '/' && self.byte_at(self.pos + 1) == b'/' {
                while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                    self.pos += 1;
                }
                continue;
            }
            if c == '"' || c == '\'' {
                self.string(start, false);
                continue;
            }
            if c == '`' && self.text[self.pos..].starts_with("```") {
                self.multiline_string(start);
                continue;
            }
            if c == '@' && matches!(self.byte_at(self.pos + 1), b'"' | b'\'') {
                self.pos += 1;
                self.string(start, true);
                continue;
            }
            if c == '$' && self.text[self.pos + 1..].chars().next().is_some_and(is_ident_start) {
                self.pos += 1;
                self.ident_tail();
                self.push(TokenKind::Ident, start);
                continue;
            }
            if is_ident_start(c) {
                self.ident(start);
                continue;
            }
            if c.is_ascii_digit() {
                self.number(start);
                continue;
            }
            self.punct(start, c);
        }
        let end = self.text.len();
        self.tokens.push(Token { kind: TokenKind::Eof, span: end..end });
    }

    fn ident_tail(&mut self) {
        while let Some(c) = self.peek_char() {
            if !is_ident_continue(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn ident(&mut self, start: usize) {
        self.ident_tail();
        let word = &self.text[start..self.pos];
        // Obfuscated strings: h"…", H'…', h@"…".
        if word.eq_ignore_ascii_case("h") {
            match self.byte_at(self.pos) {
                b'"' | b'\'' => return self.string(start, false),
                b'@' if matches!(self.byte_at(self.pos + 1), b'"' | b'\'') => {
                    self.pos += 1;
                    return self.string(start, true);
                }
                _ => {}
            }
        }
        if matches!(word, "datetime" | "guid" | "timespan" | "time") && self.raw_literal(start) {
            return;
        }
        self.push(TokenKind::Ident, start);
    }

    /// `datetime(2020-01-01 10:00)`, `guid(…)`: unquoted content up to `)` is one token.
    /// Returns false (consuming nothing) when the parentheses hold something else.
    fn raw_literal(&mut self, start: usize) -> bool {
        let mut i = self.pos;
        while matches!(self.byte_at(i), b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if self.byte_at(i) != b'(' {
            return false;
        }
        i += 1;
        while matches!(self.byte_at(i), b' ' | b'\t') {
            i += 1;
        }
        let first = self.byte_at(i);
        if matches!(first, b'"' | b'\'' | b')' | b'@' | 0) {
            return false;
        }
        let Some(close) = self.text[i..].find(')') else { return false };
        let content = &self.text[i..i + close];
        if content.contains(['(', '\n', ',', '"', '\'']) {
            return false;
        }
        let word = &self.text[start..self.pos];
        // `timespan(1d)` and `time(1h)` lex fine as tokens; only raw forms with `:` or `.` need this.
        if matches!(word, "timespan" | "time") && !content.contains(':') {
            return false;
        }
        self.pos = i + close + 1;
        self.push(TokenKind::RawLiteral, start);
        true
    }

    fn number(&mut self, start: usize) {
        let b = self.bytes;
        let mut kind = TokenKind::Int;
        if b[self.pos] == b'0' && matches!(self.byte_at(self.pos + 1), b'x' | b'X') {
            self.pos += 2;
            while self.byte_at(self.pos).is_ascii_hexdigit() {
                self.pos += 1;
            }
            self.push(TokenKind::Int, start);
            return;
        }
        while self.byte_at(self.pos).is_ascii_digit() {
            self.pos += 1;
        }
        if self.byte_at(self.pos) == b'.' && self.byte_at(self.pos + 1).is_ascii_digit() {
            kind = TokenKind::Real;
            self.pos += 1;
            while self.byte_at(self.pos).is_ascii_digit() {
                self.pos += 1;
            }
        }
        if matches!(self.byte_at(self.pos), b'e' | b'E') {
            let mut i = self.pos + 1;
            if matches!(self.byte_at(i), b'+' | b'-') {
                i += 1;
            }
            if self.byte_at(i).is_ascii_digit() {
                while self.byte_at(i).is_ascii_digit() {
                    i += 1;
                }
                self.pos = i;
                kind = TokenKind::Real;
            }
        }
        if self.peek_char().is_some_and(is_ident_start) {
            let suffix_start = self.pos;
            self.ident_tail();
            let suffix = &self.text[suffix_start..self.pos];
            if timespan_unit(suffix).is_some() {
                kind = TokenKind::Timespan;
            } else if matches!(suffix, "l" | "L") {
                // `10L`: a long literal.
            } else {
                let message = format!("invalid number literal `{}`", &self.text[start..self.pos]);
                self.error(start..self.pos, message);
                kind = TokenKind::Error;
            }
        }
        self.push(kind, start);
    }

    /// A quoted string; `self.pos` is at the opening quote. `verbatim` strings (`@"…"`) take
    /// backslashes literally and escape a quote by doubling it.
    fn string(&mut self, start: usize, verbatim: bool) {
        let quote = self.bytes[self.pos];
        self.pos += 1;
        loop {
            match self.bytes.get(self.pos) {
                None | Some(b'\n') if !verbatim => {
                    self.pos = self.pos.min(self.bytes.len());
                    self.error(start..self.pos, "unterminated string literal");
                    self.push(TokenKind::Error, start);
                    return;
                }
                None => {
                    self.pos = self.bytes.len();
                    self.error(start..self.pos, "unterminated string literal");
                    self.push(TokenKind::Error, start);
                    return;
                }
                Some(b'\\') if !verbatim => self.pos += 2,
                Some(&c) if c == quote => {
                    self.pos += 1;
                    if verbatim && self.byte_at(self.pos) == quote {
                        self.pos += 1;
                        continue;
                    }
                    break;
                }
                Some(_) => self.pos += 1,
            }
        }
        self.pos = self.pos.min(self.bytes.len());
        self.push(TokenKind::String, start);
    }

    fn multiline_string(&mut self, start: usize) {
        self.pos += 3;
        match self.text[self.pos..].find("```") {
            Some(i) => {
                self.pos += i + 3;
                self.push(TokenKind::String, start);
            }
            None => {
                self.pos = self.text.len();
                self.error(start..self.pos, "unterminated multi-line string literal");
                self.push(TokenKind::Error, start);
            }
        }
    }

    fn punct(&mut self, start: usize, c: char) {
        let next = self.byte_at(self.pos + 1);
        let (kind, len) = match (c, next) {
            ('|', _) => (TokenKind::Pipe, 1),
            ('(', _) => (TokenKind::LParen, 1),
            (')', _) => (TokenKind::RParen, 1),
            ('[', _) => (TokenKind::LBracket, 1),
            (']', _) => (TokenKind::RBracket, 1),
            ('{', _) => (TokenKind::LBrace, 1),
            ('}', _) => (TokenKind::RBrace, 1),
            (',', _) => (TokenKind::Comma, 1),
            (';', _) => (TokenKind::Semi, 1),
            ('.', b'.') => (TokenKind::DotDot, 2),
            ('.', _) => (TokenKind::Dot, 1),
            (':', _) => (TokenKind::Colon, 1),
            ('=', b'=') => (TokenKind::EqEq, 2),
            ('=', b'~') => (TokenKind::EqTilde, 2),
            ('=', b'>') => (TokenKind::FatArrow, 2),
            ('=', _) => (TokenKind::Eq, 1),
            ('!', b'=') => (TokenKind::BangEq, 2),
            ('!', b'~') => (TokenKind::BangTilde, 2),
            ('!', _) => (TokenKind::Bang, 1),
            ('<', b'=') => (TokenKind::Le, 2),
            ('<', b'>') => (TokenKind::LtGt, 2),
            ('<', _) => (TokenKind::Lt, 1),
            ('>', b'=') => (TokenKind::Ge, 2),
            ('>', _) => (TokenKind::Gt, 1),
            ('+', _) => (TokenKind::Plus, 1),
            ('-', _) => (TokenKind::Minus, 1),
            ('*', _) => (TokenKind::Star, 1),
            ('/', _) => (TokenKind::Slash, 1),
            ('%', _) => (TokenKind::Percent, 1),
            ('~', _) => (TokenKind::Tilde, 1),
            ('?', _) => (TokenKind::Question, 1),
            ('@', _) => (TokenKind::At, 1),
            _ => {
                self.pos += c.len_utf8();
                self.error(start..self.pos, format!("unexpected character `{c}`"));
                self.push(TokenKind::Error, start);
                return;
            }
        };
        self.pos += len;
        self.push(kind, start);
    }
}

/// The value of a string token's text (quotes removed, escapes resolved).
pub fn string_value(token_text: &str) -> String {
    let mut s = token_text;
    if let Some(rest) = s.strip_prefix(['h', 'H']) {
        s = rest;
    }
    if let Some(body) = s.strip_prefix("```") {
        return body.strip_suffix("```").unwrap_or(body).to_string();
    }
    let verbatim = s.starts_with('@');
    if verbatim {
        s = &s[1..];
    }
    let Some(quote) = s.chars().next() else { return String::new() };
    let body = s.strip_prefix(quote).unwrap_or(s);
    let body = body.strip_suffix(quote).unwrap_or(body);
    if verbatim {
        let doubled: String = [quote, quote].iter().collect();
        return body.replace(&doubled, &quote.to_string());
    }
    unescape(body)
}

fn unescape(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
