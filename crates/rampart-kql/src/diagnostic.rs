//! Diagnostics: what went wrong, and where in the query text.

use std::fmt;
use std::ops::Range;

/// One problem found in a query: its byte span, 1-based line and column (in characters), and
/// a lowercase message that names the offending token and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub span: Range<usize>,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at `span` of `text`.
    pub fn new(text: &str, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, column) = line_column(text, span.start);
        Diagnostic { span, line, column, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// 1-based line and character column of byte offset `at` (clamped to the text).
pub fn line_column(text: &str, at: usize) -> (u32, u32) {
    let mut at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
}
