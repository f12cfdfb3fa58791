//! String predicates: `has` (term-based), `contains`, `startswith`, `endswith`, `=~`,
//! `has_any`, `has_all`, `in~`, with and without case sensitivity.
//!
//! Case-insensitive matching of an ASCII needle lowercases each row into one reused buffer
//! and searches it with `memchr::memmem` (SIMD), so no row allocates. A non-ASCII needle
//! falls back to Unicode lowercasing.

use std::collections::HashSet;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ColumnarValue;
use memchr::memmem;

use super::KqlUdf;
use super::common::{StrArg, arity, map_bools};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Has,
    HasPrefix,
    HasSuffix,
    Contains,
    StartsWith,
    EndsWith,
    Equals,
}

/// Whether a byte belongs to a term. Terms are runs of ASCII letters and digits; bytes of
/// non-ASCII characters count as term characters too (conservative: no false matches inside
/// accented words).
#[inline]
fn is_term_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// A compiled predicate for one needle.
pub struct Matcher {
    op: Op,
    case_sensitive: bool,
    /// Lowercased unless case-sensitive.
    needle: Vec<u8>,
    /// The needle is ASCII (the fast case-insensitive path applies).
    ascii: bool,
    finder: memmem::Finder<'static>,
    /// The needle starts/ends with a term character, so a match must start/end at a term boundary.
    bounded_start: bool,
    bounded_end: bool,
}

impl Matcher {
    pub fn new(op: Op, case_sensitive: bool, needle: &str) -> Matcher {
        let ascii = needle.is_ascii();
        let needle: Vec<u8> = if case_sensitive {
            needle.as_bytes().to_vec()
        } else if ascii {
            needle.bytes().map(|b| b.to_ascii_lowercase()).collect()
        } else {
            needle.to_lowercase().into_bytes()
        };
        let bounded_start = needle.first().is_some_and(|&b| is_term_byte(b));
        let bounded_end = needle.last().is_some_and(|&b| is_term_byte(b));
        let finder = memmem::Finder::new(&needle).into_owned();
        Matcher { op, case_sensitive, needle, ascii, finder, bounded_start, bounded_end }
    }

    /// Tests `hay`; `buf` is scratch space reused across rows.
    pub fn matches(&self, hay: &str, buf: &mut Vec<u8>) -> bool {
        if self.case_sensitive {
            return self.test(hay.as_bytes());
        }
        if self.ascii {
            match self.op {
                Op::Equals => return hay.len() == self.needle.len() && hay.as_bytes().eq_ignore_ascii_case(&self.needle),
                Op::StartsWith => {
                    return hay.len() >= self.needle.len() && hay.as_bytes()[..self.needle.len()].eq_ignore_ascii_case(&self.needle);
                }
                Op::EndsWith => {
                    return hay.len() >= self.needle.len()
                        && hay.as_bytes()[hay.len() - self.needle.len()..].eq_ignore_ascii_case(&self.needle);
                }
                _ => {}
            }
            buf.clear();
            buf.extend(hay.bytes().map(|b| b.to_ascii_lowercase()));
            return self.test(buf);
        }
        let lowered = hay.to_lowercase();
        self.test(lowered.as_bytes())
    }

    fn test(&self, hay: &[u8]) -> bool {
        let n = &self.needle;
        match self.op {
            Op::Equals => hay == n.as_slice(),
            Op::StartsWith => hay.starts_with(n),
            Op::EndsWith => hay.ends_with(n),
            Op::Contains => self.finder.find(hay).is_some(),
            Op::Has | Op::HasPrefix | Op::HasSuffix => {
                if n.is_empty() {
                    return true;
                }
                let check_start = self.bounded_start && self.op != Op::HasSuffix;
                let check_end = self.bounded_end && self.op != Op::HasPrefix;
                let mut from = 0;
                while from <= hay.len() {
                    let Some(i) = self.finder.find(&hay[from..]) else { return false };
                    let start = from + i;
                    let end = start + n.len();
                    let start_ok = !check_start || start == 0 || !is_term_byte(hay[start - 1]);
                    let end_ok = !check_end || end == hay.len() || !is_term_byte(hay[end]);
                    if start_ok && end_ok {
                        return true;
                    }
                    from = start + 1;
                }
                false
            }
        }
    }
}

fn predicate(op: Op, cs: bool, args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("string predicate", args, 2, 2)?;
    let hay = StrArg::new(&args[0])?;
    let needle = StrArg::new(&args[1])?;
    let mut buf = Vec::new();
    if let StrArg::Const(n) = needle {
        let m = Matcher::new(op, cs, n.unwrap_or(""));
        return Ok(map_bools(rows, |i| m.matches(hay.get_or_empty(i), &mut buf)));
    }
    Ok(map_bools(rows, |i| Matcher::new(op, cs, needle.get_or_empty(i)).matches(hay.get_or_empty(i), &mut buf)))
}

/// The strings of a JSON array (non-string elements as their JSON text); a non-array
/// value is a one-element list.
pub fn json_string_list(json: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Array(items)) => items.into_iter().filter_map(element_text).collect(),
        Ok(v) => element_text(v).into_iter().collect(),
        Err(_) => vec![json.to_string()],
    }
}

fn element_text(v: serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

fn any_all(all: bool, args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("has_any/has_all", args, 2, 2)?;
    let hay = StrArg::new(&args[0])?;
    let terms = StrArg::new(&args[1])?;
    let mut buf = Vec::new();
    let build = |json: Option<&str>| -> Vec<Matcher> {
        json.map(json_string_list).unwrap_or_default().iter().map(|t| Matcher::new(Op::Has, false, t)).collect()
    };
    let test = |ms: &[Matcher], h: &str, buf: &mut Vec<u8>| {
        if ms.is_empty() {
            return false;
        }
        if all { ms.iter().all(|m| m.matches(h, buf)) } else { ms.iter().any(|m| m.matches(h, buf)) }
    };
    if let StrArg::Const(j) = terms {
        let ms = build(j);
        return Ok(map_bools(rows, |i| test(&ms, hay.get_or_empty(i), &mut buf)));
    }
    Ok(map_bools(rows, |i| test(&build(terms.get(i)), hay.get_or_empty(i), &mut buf)))
}

/// `has_any_index(s, terms)`: position of the first term `s` has, or -1.
fn has_any_index(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("has_any_index", args, 2, 2)?;
    let hay = StrArg::new(&args[0])?;
    let terms = StrArg::new(&args[1])?;
    let mut buf = Vec::new();
    Ok(super::common::map_i64(rows, |i| {
        let ms: Vec<Matcher> = terms.get(i).map(json_string_list).unwrap_or_default().iter().map(|t| Matcher::new(Op::Has, false, t)).collect();
        let h = hay.get_or_empty(i);
        Some(ms.iter().position(|m| m.matches(h, &mut buf)).map_or(-1, |p| p as i64))
    }))
}

/// A set of strings matched without case.
pub struct CiSet {
    values: HashSet<String>,
}

impl CiSet {
    pub fn new(items: impl IntoIterator<Item = String>) -> CiSet {
        CiSet { values: items.into_iter().map(|s| s.to_lowercase()).collect() }
    }

    pub fn contains(&self, s: &str, buf: &mut Vec<u8>) -> bool {
        if s.is_ascii() {
            buf.clear();
            buf.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
            return std::str::from_utf8(buf).is_ok_and(|l| self.values.contains(l));
        }
        self.values.contains(&s.to_lowercase())
    }
}

/// `kql_in_ci(s, json_array)`: `s in~ (…)`.
fn in_ci(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("kql_in_ci", args, 2, 2)?;
    let hay = StrArg::new(&args[0])?;
    let list = StrArg::new(&args[1])?;
    let mut buf = Vec::new();
    let StrArg::Const(j) = list else {
        return Ok(map_bools(rows, |i| {
            CiSet::new(list.get(i).map(json_string_list).unwrap_or_default()).contains(hay.get_or_empty(i), &mut buf)
        }));
    };
    let set = CiSet::new(j.map(json_string_list).unwrap_or_default());
    Ok(map_bools(rows, |i| set.contains(hay.get_or_empty(i), &mut buf)))
}

macro_rules! pred {
    ($v:ident, $name:literal, $op:expr, $cs:expr) => {
        $v.push(KqlUdf::new($name, DataType::Boolean, |a, n| predicate($op, $cs, a, n)));
    };
}

pub fn register(v: &mut Vec<KqlUdf>) {
    pred!(v, "kql_has", Op::Has, false);
    pred!(v, "kql_has_cs", Op::Has, true);
    pred!(v, "kql_hasprefix", Op::HasPrefix, false);
    pred!(v, "kql_hasprefix_cs", Op::HasPrefix, true);
    pred!(v, "kql_hassuffix", Op::HasSuffix, false);
    pred!(v, "kql_hassuffix_cs", Op::HasSuffix, true);
    pred!(v, "kql_contains", Op::Contains, false);
    pred!(v, "kql_contains_cs", Op::Contains, true);
    pred!(v, "kql_startswith", Op::StartsWith, false);
    pred!(v, "kql_startswith_cs", Op::StartsWith, true);
    pred!(v, "kql_endswith", Op::EndsWith, false);
    pred!(v, "kql_endswith_cs", Op::EndsWith, true);
    pred!(v, "kql_eq_ci", Op::Equals, false);
    v.push(KqlUdf::new("kql_has_any", DataType::Boolean, |a, n| any_all(false, a, n)));
    v.push(KqlUdf::new("kql_has_all", DataType::Boolean, |a, n| any_all(true, a, n)));
    v.push(KqlUdf::new("kql_in_ci", DataType::Boolean, in_ci));
    v.push(KqlUdf::new("kql_has_any_index", DataType::Int64, has_any_index));
}

/// Guards against a UDF being called with a non-string first argument.
pub fn expect_str(args: &[ColumnarValue]) -> Result<()> {
    match args.first().map(|a| a.data_type()) {
        Some(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null) => Ok(()),
        other => exec_err!("expected a string, got {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Matcher, Op};

    fn m(op: Op, cs: bool, needle: &str, hay: &str) -> bool {
        Matcher::new(op, cs, needle).matches(hay, &mut Vec::new())
    }

    #[test]
    fn has_is_term_based() {
        assert!(m(Op::Has, false, "america", "North America"));
        assert!(!m(Op::Has, false, "amer", "North America"));
        assert!(m(Op::Has, false, "cmd.exe", "C:\\Windows\\cmd.exe /c"));
        assert!(!m(Op::Has, false, "cmd.exe", "xcmd.exe"));
        assert!(m(Op::Has, false, "a-a", "xa-a-a"));
        assert!(m(Op::Has, false, "-encodedcommand", "powershell -EncodedCommand x"));
        assert!(!m(Op::Has, false, "-enc", "powershell -EncodedCommand"));
        assert!(!m(Op::Has, true, "America", "north america"));
        assert!(m(Op::HasPrefix, false, "amer", "North America"));
        assert!(m(Op::HasSuffix, false, "rica", "North America"));
        assert!(!m(Op::HasSuffix, false, "amer", "North America"));
    }

    #[test]
    fn contains_and_friends() {
        assert!(m(Op::Contains, false, "AMER", "North America"));
        assert!(!m(Op::Contains, true, "AMER", "North America"));
        assert!(m(Op::StartsWith, false, "north", "North America"));
        assert!(m(Op::EndsWith, false, "ICA", "North America"));
        assert!(m(Op::Equals, false, "ÄBC", "äbc"));
        assert!(m(Op::Contains, false, "É", "café"));
    }
}
