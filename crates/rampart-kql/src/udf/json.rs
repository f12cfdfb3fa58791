//! A small JSON scanner for dynamic values stored as JSON text: it finds the value at a path
//! by skipping over everything else, without building a tree and without allocating, so
//! `AdditionalFields.Foo` costs one linear scan of the text.

use std::borrow::Cow;

/// One step of a path: a property name or an array index (negative counts from the end).
#[derive(Debug, Clone, PartialEq)]
pub enum PathElem {
    Key(String),
    Index(i64),
}

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// End (exclusive) of the string literal starting at `i` (which holds `"`).
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match memchr::memchr2(b'"', b'\\', &b[j..]) {
            None => return None,
            Some(k) => {
                j += k;
                if b[j] == b'\\' {
                    j += 2;
                } else {
                    return Some(j + 1);
                }
            }
        }
    }
    None
}

/// End (exclusive) of the value starting at `i` (no leading whitespace).
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// Whether the string literal `raw` (with quotes) equals `key`.
fn key_equals(raw: &[u8], key: &str) -> bool {
    let inner = &raw[1..raw.len() - 1];
    if !inner.contains(&b'\\') {
        return inner == key.as_bytes();
    }
    std::str::from_utf8(raw).ok().and_then(unquote).is_some_and(|k| k == key)
}

/// The member `key` of the object starting at `i`: (start, end) of its value.
fn object_member(b: &[u8], i: usize, key: &str) -> Option<(usize, usize)> {
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b'}') {
        return None;
    }
    loop {
        if b.get(j) != Some(&b'"') {
            return None;
        }
        let kend = skip_string(b, j)?;
        let matched = key_equals(&b[j..kend], key);
        j = skip_ws(b, kend);
        if b.get(j) != Some(&b':') {
            return None;
        }
        j = skip_ws(b, j + 1);
        let vend = skip_value(b, j)?;
        if matched {
            return Some((j, vend));
        }
        j = skip_ws(b, vend);
        match b.get(j) {
            Some(b',') => j = skip_ws(b, j + 1),
            _ => return None,
        }
    }
}

/// Element `index` of the array starting at `i`.
fn array_element(b: &[u8], i: usize, index: i64) -> Option<(usize, usize)> {
    let index = if index < 0 {
        let len = array_len_at(b, i)? as i64;
        let k = len + index;
        if k < 0 {
            return None;
        }
        k
    } else {
        index
    };
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b']') {
        return None;
    }
    let mut k = 0;
    loop {
        let vend = skip_value(b, j)?;
        if k == index {
            return Some((j, vend));
        }
        k += 1;
        j = skip_ws(b, vend);
        match b.get(j) {
            Some(b',') => j = skip_ws(b, j + 1),
            _ => return None,
        }
    }
}

fn array_len_at(b: &[u8], i: usize) -> Option<usize> {
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b']') {
        return Some(0);
    }
    let mut n = 0;
    loop {
        let vend = skip_value(b, j)?;
        n += 1;
        j = skip_ws(b, vend);
        match b.get(j) {
            Some(b',') => j = skip_ws(b, j + 1),
            Some(b']') => return Some(n),
            _ => return None,
        }
    }
}

/// The raw text of the value at `path` inside `json`; None if a step is missing, the text
/// is not JSON, or the value is JSON `null`.
pub fn get_path<'a>(json: &'a str, path: &[PathElem]) -> Option<&'a str> {
    let b = json.as_bytes();
    let mut start = skip_ws(b, 0);
    let mut end = skip_value(b, start)?;
    for step in path {
        let (s, e) = match (step, b.get(start)?) {
            (PathElem::Key(k), b'{') => object_member(b, start, k)?,
            (PathElem::Index(ix), b'[') => array_element(b, start, *ix)?,
            // `bag["3"]` style access on an array, or `arr[0]` given as text.
            (PathElem::Key(k), b'[') => array_element(b, start, k.parse().ok()?)?,
            (PathElem::Index(ix), b'{') => object_member(b, start, &ix.to_string())?,
            _ => return None,
        };
        start = s;
        end = e;
    }
    let raw = &json[start..end];
    (raw != "null").then_some(raw)
}

/// The length of the JSON array `json`, if it is one.
pub fn array_len(json: &str) -> Option<usize> {
    let b = json.as_bytes();
    let i = skip_ws(b, 0);
    (b.get(i) == Some(&b'[')).then(|| array_len_at(b, i)).flatten()
}

/// The raw texts of the elements of the JSON array `json` (None if it is not an array).
pub fn array_elements(json: &str) -> Option<Vec<&str>> {
    let b = json.as_bytes();
    let i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut out = Vec::new();
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b']') {
        return Some(out);
    }
    loop {
        let vend = skip_value(b, j)?;
        out.push(&json[j..vend]);
        j = skip_ws(b, vend);
        match b.get(j) {
            Some(b',') => j = skip_ws(b, j + 1),
            Some(b']') => return Some(out),
            _ => return None,
        }
    }
}

/// The value of a JSON string literal (with its quotes); None if `raw` is not one.
pub fn unquote(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
}

/// Appends `s` as a JSON string literal.
pub fn quote_into(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    quote_into(s, &mut out);
    out
}

/// Kusto's `tostring()` of a dynamic value given as raw JSON: a string's content, or the
/// compact JSON text of anything else.
pub fn to_kusto_string(raw: &str) -> Cow<'_, str> {
    if raw.starts_with('"')
        && let Some(s) = unquote(raw) {
            return s;
        }
    compact(raw)
}

/// `raw` without insignificant whitespace (re-serialised only when it has some).
pub fn compact(raw: &str) -> Cow<'_, str> {
    let raw = raw.trim();
    if !needs_compaction(raw.as_bytes()) {
        return Cow::Borrowed(raw);
    }
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(v) => Cow::Owned(v.to_string()),
        Err(_) => Cow::Borrowed(raw),
    }
}

fn needs_compaction(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => match skip_string(b, i) {
                Some(e) => i = e,
                None => return false,
            },
            b' ' | b'\t' | b'\n' | b'\r' => return true,
            _ => i += 1,
        }
    }
    false
}

/// Whether `text` is a complete JSON value.
pub fn is_json(text: &str) -> bool {
    let b = text.as_bytes();
    let i = skip_ws(b, 0);
    match b.get(i) {
        None => false,
        Some(b'{' | b'[' | b'"') => serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(),
        Some(_) => serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::{PathElem::*, array_len, compact, get_path, to_kusto_string};

    #[test]
    fn paths() {
        let j = r#"{"a": {"b": [1, {"c": "x\"y"}, null]}, "d\u0065": 2, "n": null}"#;
        assert_eq!(get_path(j, &[Key("a".into()), Key("b".into()), Index(0)]), Some("1"));
        assert_eq!(get_path(j, &[Key("a".into()), Key("b".into()), Index(1), Key("c".into())]), Some(r#""x\"y""#));
        assert_eq!(get_path(j, &[Key("a".into()), Key("b".into()), Index(-2), Key("c".into())]), Some(r#""x\"y""#));
        assert_eq!(get_path(j, &[Key("de".into())]), Some("2"));
        assert_eq!(get_path(j, &[Key("n".into())]), None);
        assert_eq!(get_path(j, &[Key("missing".into())]), None);
        assert_eq!(get_path("not json", &[Key("a".into())]), None);
        assert_eq!(array_len("[1, [2, 3], \"]\"]"), Some(3));
        assert_eq!(to_kusto_string(r#""x\"y""#), "x\"y");
        assert_eq!(compact(r#"{ "a" : [1, 2] }"#), r#"{"a":[1,2]}"#);
    }
}
