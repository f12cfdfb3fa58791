//! Tokens produced by the lexer.

use std::fmt;

/// A byte range into the query text.
pub type Span = std::ops::Range<usize>;

/// What kind of token a [`Token`] is. Keywords are [`TokenKind::Ident`]s: Kusto keywords are
/// contextual, so the parser decides what a word means where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A name: letters, digits and `_`, not starting with a digit; `$left`/`$right` included.
    Ident,
    /// An integer literal (`42`, `0x2A`).
    Int,
    /// A real literal (`1.5`, `1e3`).
    Real,
    /// A timespan literal (`7d`, `1.5h`, `100ms`).
    Timespan,
    /// A string literal in any of its forms (`"a"`, `'a'`, `@"a"`, `h"a"`, ```` ```a``` ````).
    String,
    /// `datetime(…)`/`guid(…)`/`timespan(…)` whose content is unquoted raw text.
    RawLiteral,
    Pipe,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Dot,
    DotDot,
    Colon,
    Eq,
    EqEq,
    BangEq,
    LtGt,
    Lt,
    Le,
    Gt,
    Ge,
    EqTilde,
    BangTilde,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    Tilde,
    FatArrow,
    Question,
    At,
    /// A character or literal the lexer could not read; a diagnostic was recorded.
    Error,
    Eof,
}

impl TokenKind {
    /// How the token is named in "expected …, found …" messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Ident => "a name",
            TokenKind::Int => "an integer",
            TokenKind::Real => "a number",
            TokenKind::Timespan => "a timespan",
            TokenKind::String => "a string",
            TokenKind::RawLiteral => "a literal",
            TokenKind::Pipe => "`|`",
            TokenKind::LParen => "`(`",
            TokenKind::RParen => "`)`",
            TokenKind::LBracket => "`[`",
            TokenKind::RBracket => "`]`",
            TokenKind::LBrace => "`{`",
            TokenKind::RBrace => "`}`",
            TokenKind::Comma => "`,`",
            TokenKind::Semi => "`;`",
            TokenKind::Dot => "`.`",
            TokenKind::DotDot => "`..`",
            TokenKind::Colon => "`:`",
            TokenKind::Eq => "`=`",
            TokenKind::EqEq => "`==`",
            TokenKind::BangEq => "`!=`",
            TokenKind::LtGt => "`<>`",
            TokenKind::Lt => "`<`",
            TokenKind::Le => "`<=`",
            TokenKind::Gt => "`>`",
            TokenKind::Ge => "`>=`",
            TokenKind::EqTilde => "`=~`",
            TokenKind::BangTilde => "`!~`",
            TokenKind::Plus => "`+`",
            TokenKind::Minus => "`-`",
            TokenKind::Star => "`*`",
            TokenKind::Slash => "`/`",
            TokenKind::Percent => "`%`",
            TokenKind::Bang => "`!`",
            TokenKind::Tilde => "`~`",
            TokenKind::FatArrow => "`=>`",
            TokenKind::Question => "`?`",
            TokenKind::At => "`@`",
            TokenKind::Error => "an invalid token",
            TokenKind::Eof => "the end of the query",
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// One token: its kind and where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}
