//! Script mode: split a file that holds several queries separated by blank lines.
//!
//! Query editors (Log Analytics, Kusto Explorer) run the block under the cursor, with blank
//! lines as separators, so published hunting files often hold a "Sentinel" and an "Advanced
//! Hunting" variant one after the other. A blank line does not always separate queries,
//! though: `let` statements, pipes and open brackets continue across it. The rule here:
//! a blank line starts a new query unless the text before it is unfinished (ends in `;`
//! after only `let`s, `|`, `,`, an open bracket or a binary operator) or the text after it
//! continues (starts with `|`, `)`, `,`, `and`, `or`, …).

use std::ops::Range;

use super::lexer::lex;
use super::parser::parse;
use super::ast::Statement;
use super::token::TokenKind;

/// Byte ranges of the queries in `text`, in order; comment-only blocks are dropped.
/// Text that parses as one query is returned whole.
pub fn split_script(text: &str) -> Vec<Range<usize>> {
    if parse(text).diagnostics.is_empty() {
        let whole = 0..text.len();
        return if has_tokens(text) { vec![whole] } else { Vec::new() };
    }
    let mut blocks: Vec<Range<usize>> = Vec::new();
    let mut current: Option<Range<usize>> = None;
    for seg in segments(text) {
        let seg_text = &text[seg.clone()];
        if !has_tokens(seg_text) {
            if let Some(c) = current.as_mut() {
                c.end = seg.end;
            }
            continue;
        }
        match current.take() {
            None => current = Some(seg),
            Some(c) => {
                if unfinished(&text[c.clone()]) || continues(seg_text) {
                    current = Some(c.start..seg.end);
                } else {
                    blocks.push(c);
                    current = Some(seg);
                }
            }
        }
    }
    blocks.extend(current);
    blocks
}

/// Runs of non-blank lines.
fn segments(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match (blank, start) {
            (false, None) => start = Some(offset),
            (true, Some(s)) => {
                out.push(s..offset);
                start = None;
            }
            _ => {}
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

fn has_tokens(text: &str) -> bool {
    lex(text).0.iter().any(|t| t.kind != TokenKind::Eof)
}

const BINARY_WORDS: &[&str] = &[
    "and", "or", "has", "contains", "in", "has_any", "has_all", "startswith", "endswith", "on", "by", "with", "matches",
];

fn unfinished(text: &str) -> bool {
    let (tokens, _) = lex(text);
    let significant: Vec<_> = tokens.iter().filter(|t| t.kind != TokenKind::Eof).collect();
    let Some(last) = significant.last() else { return true };
    let mut depth = 0i32;
    for t in &significant {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
            _ => {}
        }
    }
    if depth > 0 {
        return true;
    }
    match last.kind {
        TokenKind::Semi => parse(text).query.statements.iter().all(|s| !matches!(s, Statement::Expr(_))),
        TokenKind::Pipe
        | TokenKind::Comma
        | TokenKind::Eq
        | TokenKind::EqEq
        | TokenKind::BangEq
        | TokenKind::EqTilde
        | TokenKind::Plus
        | TokenKind::Minus
        | TokenKind::Star
        | TokenKind::Slash => true,
        TokenKind::Ident => BINARY_WORDS.contains(&&text[last.span.clone()]) || &text[last.span.clone()] == "let",
        _ => false,
    }
}

fn continues(text: &str) -> bool {
    let (tokens, _) = lex(text);
    let Some(first) = tokens.first() else { return false };
    match first.kind {
        TokenKind::Pipe | TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace | TokenKind::Comma | TokenKind::Semi => true,
        TokenKind::EqEq | TokenKind::BangEq | TokenKind::EqTilde | TokenKind::Plus | TokenKind::Star | TokenKind::Slash => true,
        TokenKind::Ident => BINARY_WORDS.contains(&&text[first.span.clone()]),
        _ => false,
    }
}
