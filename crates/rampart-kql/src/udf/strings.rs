//! String predicates: `has` (term-based), `contains`, `startswith`, `endswith`, `=~`,
//! `has_any`, `has_all`, `in~`, with and without case sensitivity.
//!
//! `has`, `contains` and their prefix/suffix forms with a constant needle over a Utf8 column
//! search the column's whole values buffer at once with `memchr::memmem` (SIMD), lowercased
//! in one pass when matching without case, and map each hit to its row through the offsets
//! (a hit that crosses into the next row is skipped). Other cases test row by row, lowering
//! an ASCII needle's haystack into one reused buffer, so no row allocates. A non-ASCII needle
//! falls back to Unicode lowercasing.

use std::collections::HashSet;

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, GenericStringArray, OffsetSizeTrait};
use datafusion::arrow::buffer::{BooleanBuffer, MutableBuffer};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::bit_util;
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
                let mut from = 0;
                while from <= hay.len() {
                    let Some(i) = self.finder.find(&hay[from..]) else { return false };
                    let start = from + i;
                    if self.at_boundaries(hay, start, 0, hay.len()) {
                        return true;
                    }
                    from = start + 1;
                }
                false
            }
        }
    }

    /// Whether a hit at `start` in `hay[lo..hi]` (one row) begins and ends where this
    /// operator needs a term boundary.
    #[inline]
    fn at_boundaries(&self, hay: &[u8], start: usize, lo: usize, hi: usize) -> bool {
        let end = start + self.needle.len();
        let check_start = self.bounded_start && matches!(self.op, Op::Has | Op::HasPrefix);
        let check_end = self.bounded_end && matches!(self.op, Op::Has | Op::HasSuffix);
        (!check_start || start == lo || !is_term_byte(hay[start - 1])) && (!check_end || end == hi || !is_term_byte(hay[end]))
    }

    /// Whether [`Matcher::scan`] applies: a substring or term search with a non-empty
    /// needle that is matched bytewise (case-sensitive, or ASCII).
    fn scans(&self) -> bool {
        matches!(self.op, Op::Has | Op::HasPrefix | Op::HasSuffix | Op::Contains)
            && !self.needle.is_empty()
            && (self.case_sensitive || self.ascii)
    }

    /// Tests every row of a Utf8/LargeUtf8 column in one pass over its values buffer
    /// (lowercased once into `lowered` unless case-sensitive). Null rows read as "" and so
    /// never match a non-empty needle. Only for matchers where [`Matcher::scans`] holds.
    fn scan<O: OffsetSizeTrait>(&self, a: &GenericStringArray<O>, lowered: &mut Vec<u8>) -> BooleanArray {
        debug_assert!(self.scans());
        let offsets = a.value_offsets();
        let base = offsets[0].as_usize();
        let raw = &a.value_data()[base..offsets[a.len()].as_usize()];
        let hay: &[u8] = if self.case_sensitive {
            raw
        } else {
            lowered.clear();
            lowered.extend(raw.iter().map(u8::to_ascii_lowercase));
            lowered
        };
        let mut bits = MutableBuffer::from_len_zeroed(a.len().div_ceil(8));
        let (mut row, mut from) = (0, 0);
        while from < hay.len() {
            let Some(i) = self.finder.find(&hay[from..]) else { break };
            let start = from + i;
            while offsets[row + 1].as_usize() - base <= start {
                row += 1;
            }
            let (lo, hi) = (offsets[row].as_usize() - base, offsets[row + 1].as_usize() - base);
            if start + self.needle.len() > hi {
                // Crosses into the next row: no later hit in this row can fit either.
                from = hi;
            } else if self.at_boundaries(hay, start, lo, hi) {
                bit_util::set_bit(bits.as_slice_mut(), row);
                from = hi;
            } else {
                from = start + 1;
            }
        }
        let values = BooleanBuffer::new(bits.into(), 0, a.len());
        let values = match a.nulls() {
            Some(n) => &values & n.inner(),
            None => values,
        };
        BooleanArray::new(values, None)
    }
}

fn predicate(op: Op, cs: bool, args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("string predicate", args, 2, 2)?;
    let hay = StrArg::new(&args[0])?;
    let needle = StrArg::new(&args[1])?;
    let mut buf = Vec::new();
    if let StrArg::Const(n) = needle {
        let m = Matcher::new(op, cs, n.unwrap_or(""));
        if let ColumnarValue::Array(a) = &args[0]
            && let Some(result) = scan_column(&m, a, &mut buf)
        {
            return Ok(ColumnarValue::Array(Arc::new(result)));
        }
        return Ok(map_bools(rows, |i| m.matches(hay.get_or_empty(i), &mut buf)));
    }
    Ok(map_bools(rows, |i| Matcher::new(op, cs, needle.get_or_empty(i)).matches(hay.get_or_empty(i), &mut buf)))
}

/// [`Matcher::scan`] over a Utf8 or LargeUtf8 column, when the matcher allows it.
fn scan_column(m: &Matcher, a: &ArrayRef, buf: &mut Vec<u8>) -> Option<BooleanArray> {
    if !m.scans() {
        return None;
    }
    match a.data_type() {
        DataType::Utf8 => Some(m.scan(a.as_string::<i32>(), buf)),
        DataType::LargeUtf8 => Some(m.scan(a.as_string::<i64>(), buf)),
        _ => None,
    }
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
        if let ColumnarValue::Array(a) = &args[0]
            && !ms.is_empty()
            && let Some(scans) = ms.iter().map(|m| scan_column(m, a, &mut buf)).collect::<Option<Vec<_>>>()
        {
            let combine = |x: BooleanArray, y: BooleanArray| BooleanArray::new(if all { x.values() & y.values() } else { x.values() | y.values() }, None);
            if let Some(result) = scans.into_iter().reduce(combine) {
                return Ok(ColumnarValue::Array(Arc::new(result)));
            }
        }
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
    values: HashSet<Vec<u8>>,
    /// Byte lengths of the lowercased values, so most rows are rejected without hashing.
    lengths: Vec<usize>,
}

impl CiSet {
    pub fn new(items: impl IntoIterator<Item = String>) -> CiSet {
        let values: HashSet<Vec<u8>> = items.into_iter().map(|s| s.to_lowercase().into_bytes()).collect();
        let mut lengths: Vec<usize> = values.iter().map(Vec::len).collect();
        lengths.sort_unstable();
        lengths.dedup();
        CiSet { values, lengths }
    }

    pub fn contains(&self, s: &str, buf: &mut Vec<u8>) -> bool {
        if s.is_ascii() {
            if !self.lengths.contains(&s.len()) {
                return false;
            }
            buf.clear();
            buf.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
            return self.values.contains(buf.as_slice());
        }
        self.values.contains(s.to_lowercase().as_bytes())
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
    use datafusion::arrow::array::{Array, StringArray};

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
    fn column_scan_agrees_with_row_tests() {
        let rows = [
            Some("powershell -enc AAA"),
            None,
            Some(""),
            Some("xpowershell"),
            Some("cmd /c POWERSHELL.exe"),
            Some("power"),
            Some("shell powershell"),
            Some("café powershellé"),
            Some("Ärger-PowerShell"),
            Some("http://x"),
        ];
        let full = StringArray::from(rows.to_vec());
        for slice in [full.clone(), full.slice(3, 5)] {
            for (op, cs, needle) in [
                (Op::Has, false, "powershell"),
                (Op::Has, true, "PowerShell"),
                (Op::Has, false, "-enc"),
                (Op::HasPrefix, false, "power"),
                (Op::HasSuffix, false, "shell"),
                (Op::Contains, false, "SHELL"),
                (Op::Contains, false, "hellp"),
                (Op::Contains, true, "http"),
            ] {
                let matcher = Matcher::new(op, cs, needle);
                let got = matcher.scan(&slice, &mut Vec::new());
                for i in 0..slice.len() {
                    let hay = if slice.is_null(i) { "" } else { slice.value(i) };
                    assert_eq!(got.value(i), matcher.matches(hay, &mut Vec::new()), "{op:?} {needle:?} in {hay:?}");
                }
            }
        }
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
