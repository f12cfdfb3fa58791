//! Text functions: regex extraction and replacement, `trim` by regex, `split`, `countof`,
//! `indexof`, base64/URL coding, and the parsers `parse_url`, `parse_path`,
//! `parse_command_line`.

use std::borrow::Cow;

use base64::Engine;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ColumnarValue;
use regex::Regex;
use serde_json::{Map, Value};

use super::KqlUdf;
use super::common::{IntArg, StrArg, arity, map_i64, map_strings};
use super::json::quote_into;

/// A pattern as the regex crate accepts it: RE2 (Kusto's engine) reads a `{` that does not
/// start a valid repetition as a literal brace, the regex crate rejects it.
pub fn re2_compat(p: &str) -> Cow<'_, str> {
    if Regex::new(p).is_ok() {
        return Cow::Borrowed(p);
    }
    let chars: Vec<char> = p.chars().collect();
    let mut escape = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '{' => {
                let close = chars[i..].iter().position(|&c| c == '}').map(|k| i + k);
                let valid = close.is_some_and(|j| {
                    let body: String = chars[i + 1..j].iter().collect();
                    let mut parts = body.splitn(2, ',');
                    let lo = parts.next().unwrap_or("");
                    let hi = parts.next();
                    !lo.is_empty() && lo.chars().all(|d| d.is_ascii_digit()) && hi.is_none_or(|h| h.chars().all(|d| d.is_ascii_digit()))
                });
                if !valid {
                    escape[i] = true;
                    if let Some(j) = close {
                        escape[j] = true;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = String::with_capacity(p.len() + 4);
    for (c, e) in chars.iter().zip(escape) {
        if e {
            out.push('\\');
        }
        out.push(*c);
    }
    Cow::Owned(out)
}

/// A regex argument compiled once when constant.
struct RegexArg<'a> {
    arg: StrArg<'a>,
    fixed: Option<Option<Regex>>,
    wrap: fn(&str) -> Cow<'_, str>,
}

impl<'a> RegexArg<'a> {
    fn new(v: &'a ColumnarValue, wrap: fn(&str) -> Cow<'_, str>) -> Result<RegexArg<'a>> {
        let arg = StrArg::new(v)?;
        let fixed = match &arg {
            StrArg::Const(Some(p)) => match Regex::new(&wrap(p)) {
                Ok(r) => Some(Some(r)),
                Err(e) => return exec_err!("invalid regular expression `{p}`: {e}"),
            },
            StrArg::Const(None) => Some(None),
            StrArg::Col(_) => None,
        };
        Ok(RegexArg { arg, fixed, wrap })
    }

    fn with<R>(&self, i: usize, f: impl FnOnce(&Regex) -> R) -> Option<R> {
        match &self.fixed {
            Some(Some(r)) => Some(f(r)),
            Some(None) => None,
            None => Regex::new(&(self.wrap)(self.arg.get(i)?)).ok().map(|r| f(&r)),
        }
    }
}

fn plain(p: &str) -> Cow<'_, str> {
    re2_compat(p)
}

/// `extract(regex, group, text)`.
fn extract(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("extract", args, 3, 3)?;
    let re = RegexArg::new(&args[0], plain)?;
    let group = IntArg::new(&args[1])?;
    let text = StrArg::new(&args[2])?;
    Ok(map_strings(rows, |i, out| {
        let g = group.get(i).unwrap_or(0).max(0) as usize;
        let s = text.get_or_empty(i);
        match re.with(i, |r| r.captures(s).and_then(|c| c.get(g)).map(|m| m.as_str().to_string())).flatten() {
            Some(m) => {
                out.push_str(&m);
                true
            }
            None => false,
        }
    }))
}

/// `extract_all(regex, text)`: an array of matches (of the group when there is one, of
/// arrays of groups when there are several).
fn extract_all(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("extract_all", args, 2, 2)?;
    let re = RegexArg::new(&args[0], plain)?;
    let text = StrArg::new(&args[1])?;
    Ok(map_strings(rows, |i, out| {
        let s = text.get_or_empty(i);
        let found = re.with(i, |r| {
            let groups = r.captures_len() - 1;
            let items: Vec<Value> = r
                .captures_iter(s)
                .map(|c| match groups {
                    0 => Value::String(c.get(0).map_or("", |m| m.as_str()).to_string()),
                    1 => Value::String(c.get(1).map_or("", |m| m.as_str()).to_string()),
                    _ => Value::Array((1..=groups).map(|g| Value::String(c.get(g).map_or("", |m| m.as_str()).to_string())).collect()),
                })
                .collect();
            items
        });
        match found {
            Some(items) if !items.is_empty() => {
                out.push_str(&Value::Array(items).to_string());
                true
            }
            _ => false,
        }
    }))
}

/// `replace_regex(text, regex, rewrite)`; `\1` in the rewrite refers to group 1.
fn replace_regex(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("replace_regex", args, 3, 3)?;
    let text = StrArg::new(&args[0])?;
    let re = RegexArg::new(&args[1], plain)?;
    let rewrite = StrArg::new(&args[2])?;
    Ok(map_strings(rows, |i, out| {
        let s = text.get_or_empty(i);
        let rw = rust_rewrite(rewrite.get_or_empty(i));
        match re.with(i, |r| r.replace_all(s, rw.as_str()).into_owned()) {
            Some(v) => out.push_str(&v),
            None => out.push_str(s),
        }
        true
    }))
}

/// Turns Kusto's `\1` group references into the regex crate's `${1}` (and escapes `$`).
fn rust_rewrite(rw: &str) -> String {
    let mut out = String::with_capacity(rw.len());
    let mut chars = rw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' if chars.peek().is_some_and(char::is_ascii_digit) => {
                let d = chars.next().unwrap_or('0');
                out.push_str(&format!("${{{d}}}"));
            }
            c => out.push(c),
        }
    }
    out
}

fn trim_start_re(p: &str) -> Cow<'_, str> {
    Cow::Owned(format!("^(?:{})+", re2_compat(p)))
}

fn trim_end_re(p: &str) -> Cow<'_, str> {
    Cow::Owned(format!("(?:{})+$", re2_compat(p)))
}

fn trim_fn(args: &[ColumnarValue], rows: usize, start: bool, end: bool) -> Result<ColumnarValue> {
    arity("trim", args, 2, 2)?;
    let head = RegexArg::new(&args[0], trim_start_re)?;
    let tail = RegexArg::new(&args[0], trim_end_re)?;
    let text = StrArg::new(&args[1])?;
    Ok(map_strings(rows, |i, out| {
        let mut s = text.get_or_empty(i);
        if start
            && let Some(Some(m)) = head.with(i, |r| r.find(s).map(|m| m.end())) {
                s = &s[m..];
            }
        if end
            && let Some(Some(m)) = tail.with(i, |r| r.find(s).map(|m| m.start())) {
                s = &s[..m];
            }
        out.push_str(s);
        true
    }))
}

/// `split(text, delimiter [, index])` as a JSON array.
fn split(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("split", args, 2, 3)?;
    let text = StrArg::new(&args[0])?;
    let delim = StrArg::new(&args[1])?;
    let index = if args.len() > 2 { Some(IntArg::new(&args[2])?) } else { None };
    Ok(map_strings(rows, |i, out| {
        let s = text.get_or_empty(i);
        let d = delim.get_or_empty(i);
        let parts: Vec<&str> = if d.is_empty() { vec![s] } else { s.split(d).collect() };
        out.push('[');
        match &index {
            Some(ix) => {
                let Some(k) = ix.get(i) else { return false };
                let k = if k < 0 { k + parts.len() as i64 } else { k };
                if let Some(p) = usize::try_from(k).ok().and_then(|k| parts.get(k)) {
                    quote_into(p, out);
                }
            }
            None => {
                for (n, p) in parts.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    quote_into(p, out);
                }
            }
        }
        out.push(']');
        true
    }))
}

/// `countof(text, search [, "normal"|"regex"])`: overlapping matches of plain text, or
/// non-overlapping regex matches.
fn countof(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("countof", args, 2, 3)?;
    let text = StrArg::new(&args[0])?;
    let search = StrArg::new(&args[1])?;
    let kind = if args.len() > 2 { StrArg::new(&args[2])? } else { StrArg::Const(Some("normal")) };
    Ok(map_i64(rows, |i| {
        let s = text.get_or_empty(i);
        let n = search.get_or_empty(i);
        if kind.get(i).is_some_and(|k| k.eq_ignore_ascii_case("regex")) {
            return Regex::new(n).ok().map(|r| r.find_iter(s).count() as i64);
        }
        if n.is_empty() {
            return Some(0);
        }
        let mut count = 0;
        let mut from = 0;
        while let Some(p) = s.get(from..).and_then(|rest| rest.find(n)) {
            count += 1;
            from += p + s[from + p..].chars().next().map_or(1, char::len_utf8);
        }
        Some(count)
    }))
}

/// `indexof(text, lookup [, start [, length [, occurrence]]])`: character position or -1.
fn indexof(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("indexof", args, 2, 5)?;
    let text = StrArg::new(&args[0])?;
    let lookup = StrArg::new(&args[1])?;
    let start = if args.len() > 2 { IntArg::new(&args[2])? } else { IntArg::Const(Some(0)) };
    let length = if args.len() > 3 { IntArg::new(&args[3])? } else { IntArg::Const(Some(-1)) };
    let occurrence = if args.len() > 4 { IntArg::new(&args[4])? } else { IntArg::Const(Some(1)) };
    Ok(map_i64(rows, |i| {
        let s = text.get_or_empty(i);
        let n = lookup.get_or_empty(i);
        let chars: Vec<(usize, char)> = s.char_indices().collect();
        let start = start.get(i)?;
        let start = if start < 0 { (chars.len() as i64 + start).max(0) } else { start } as usize;
        if start > chars.len() {
            return Some(-1);
        }
        let byte_start = chars.get(start).map_or(s.len(), |c| c.0);
        let len = length.get(i).unwrap_or(-1);
        let byte_end = if len < 0 { s.len() } else { chars.get(start + len as usize).map_or(s.len(), |c| c.0) };
        let window = &s[byte_start..byte_end];
        let mut nth = occurrence.get(i).unwrap_or(1).max(1);
        let mut from = 0;
        loop {
            let Some(p) = window.get(from..).and_then(|w| w.find(n)) else { return Some(-1) };
            nth -= 1;
            if nth == 0 {
                let byte = byte_start + from + p;
                return Some(s[..byte].chars().count() as i64);
            }
            from += p + window[from + p..].chars().next().map_or(1, char::len_utf8);
        }
    }))
}

/// `substring(text, start [, length])` in characters; out-of-range parts are clipped.
fn substring(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("substring", args, 2, 3)?;
    let text = StrArg::new(&args[0])?;
    let start = IntArg::new(&args[1])?;
    let length = if args.len() > 2 { IntArg::new(&args[2])? } else { IntArg::Const(None) };
    Ok(map_strings(rows, |i, out| {
        let s = text.get_or_empty(i);
        let st = start.get(i).unwrap_or(0).max(0) as usize;
        let it = s.chars().skip(st);
        match length.get(i) {
            Some(l) => out.extend(it.take(l.max(0) as usize)),
            None => out.extend(it),
        }
        true
    }))
}

fn base64_decode(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        let s = text.get_or_empty(i).trim();
        let engine = base64::engine::general_purpose::STANDARD;
        let bytes = engine.decode(s).or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s.trim_end_matches('=')));
        match bytes {
            Ok(b) => {
                out.push_str(&String::from_utf8_lossy(&b));
                true
            }
            Err(_) => false,
        }
    }))
}

fn base64_encode(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(text.get_or_empty(i)));
        true
    }))
}

pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn url_decode(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        out.push_str(&percent_decode(text.get_or_empty(i)));
        true
    }))
}

fn url_encode(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        for b in text.get_or_empty(i).bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        true
    }))
}

/// `parse_url(url)`: Scheme, Host, Port, Path, Username, Password, Query Parameters, Fragment.
pub fn parse_url_value(url: &str) -> Value {
    let mut m = Map::new();
    let (mut scheme, mut user, mut pass, mut host, mut port, mut path, mut fragment) =
        ("", String::new(), String::new(), "", "", "", "");
    let mut query = Map::new();
    if let Some((s, rest)) = url.split_once("://") {
        scheme = s;
        let (rest, frag) = rest.split_once('#').unwrap_or((rest, ""));
        fragment = frag;
        let (rest, q) = rest.split_once('?').unwrap_or((rest, ""));
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            query.insert(percent_decode(k), Value::String(percent_decode(v)));
        }
        let (authority, p) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        path = p;
        let hostport = match authority.rsplit_once('@') {
            Some((cred, hp)) => {
                let (u, pw) = cred.split_once(':').unwrap_or((cred, ""));
                user = u.to_string();
                pass = pw.to_string();
                hp
            }
            None => authority,
        };
        match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => {
                host = h;
                port = p;
            }
            _ => host = hostport,
        }
    }
    for (k, v) in [("Scheme", scheme), ("Host", host), ("Port", port), ("Path", path)] {
        m.insert(k.into(), Value::String(v.into()));
    }
    m.insert("Username".into(), Value::String(user));
    m.insert("Password".into(), Value::String(pass));
    m.insert("Query Parameters".into(), Value::Object(query));
    m.insert("Fragment".into(), Value::String(fragment.into()));
    Value::Object(m)
}

fn parse_url(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        out.push_str(&parse_url_value(text.get_or_empty(i)).to_string());
        true
    }))
}

/// `parse_path(path)`: Scheme, RootPath, DirectoryPath, DirectoryName, Filename, Extension,
/// AlternateDataStreamName.
pub fn parse_path_value(p: &str) -> Value {
    let (scheme, rest) = match p.split_once("://") {
        Some((s, r)) => (s, r),
        None => ("", p),
    };
    let sep = |c: char| c == '\\' || c == '/';
    let (dir, file) = match rest.rfind(sep) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => ("", rest),
    };
    let root = if rest.len() >= 2 && rest.as_bytes()[1] == b':' {
        &rest[..2]
    } else if rest.starts_with("\\\\") {
        rest.trim_start_matches('\\').split(sep).next().unwrap_or("")
    } else {
        ""
    };
    let (file, stream) = match file.split_once(':') {
        Some((f, s)) => (f, s),
        None => (file, ""),
    };
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    let dir_name = dir.rsplit(sep).next().unwrap_or("");
    let mut m = Map::new();
    for (k, v) in [
        ("Scheme", scheme),
        ("RootPath", root),
        ("DirectoryPath", dir),
        ("DirectoryName", dir_name),
        ("Filename", file),
        ("Extension", ext),
        ("AlternateDataStreamName", stream),
    ] {
        m.insert(k.into(), Value::String(v.into()));
    }
    Value::Object(m)
}

fn parse_path(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        out.push_str(&parse_path_value(text.get_or_empty(i)).to_string());
        true
    }))
}

/// Splits a Windows command line the way `CommandLineToArgvW` does.
pub fn split_command_line(s: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut has_arg = false;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let mut n = 0;
                while i < chars.len() && chars[i] == '\\' {
                    n += 1;
                    i += 1;
                }
                if i < chars.len() && chars[i] == '"' {
                    cur.extend(std::iter::repeat_n('\\', n / 2));
                    if n % 2 == 1 {
                        cur.push('"');
                        i += 1;
                    }
                } else {
                    cur.extend(std::iter::repeat_n('\\', n));
                }
                has_arg = true;
                continue;
            }
            '"' => {
                if in_quotes && chars.get(i + 1) == Some(&'"') {
                    cur.push('"');
                    i += 1;
                } else {
                    in_quotes = !in_quotes;
                }
                has_arg = true;
            }
            ' ' | '\t' if !in_quotes => {
                if has_arg {
                    args.push(std::mem::take(&mut cur));
                    has_arg = false;
                }
            }
            c => {
                cur.push(c);
                has_arg = true;
            }
        }
        i += 1;
    }
    if has_arg {
        args.push(cur);
    }
    args
}

fn parse_command_line(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("parse_command_line", args, 1, 2)?;
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        let items = split_command_line(text.get_or_empty(i)).into_iter().map(Value::String).collect();
        out.push_str(&Value::Array(items).to_string());
        true
    }))
}

fn hash_sha256(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    use sha2::Digest;
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        let digest = sha2::Sha256::digest(text.get_or_empty(i).as_bytes());
        for b in digest {
            out.push_str(&format!("{b:02x}"));
        }
        true
    }))
}

/// `base64_decode_toarray(s)`: the decoded bytes as a JSON array of numbers.
fn base64_decode_toarray(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        let s = text.get_or_empty(i).trim();
        match base64::engine::general_purpose::STANDARD.decode(s) {
            Ok(bytes) => {
                out.push_str(&Value::Array(bytes.into_iter().map(Value::from).collect()).to_string());
                true
            }
            Err(_) => false,
        }
    }))
}

/// `make_string(codepoint or array, …)`.
fn make_string(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let arrays: Vec<_> = args.iter().map(|a| a.to_array(rows)).collect::<Result<_>>()?;
    Ok(map_strings(rows, |i, out| {
        for a in &arrays {
            let mut text = String::new();
            super::convert::value_to_string(a, i, &mut text);
            let codes: Vec<i64> = match serde_json::from_str::<Value>(&text) {
                Ok(Value::Array(items)) => items.iter().filter_map(Value::as_i64).collect(),
                Ok(Value::Number(n)) => n.as_i64().into_iter().collect(),
                _ => Vec::new(),
            };
            out.extend(codes.into_iter().filter_map(|c| u32::try_from(c).ok().and_then(char::from_u32)));
        }
        true
    }))
}

/// `range(start, stop [, step])` as a JSON array of numbers.
fn range_array(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let arrays: Vec<_> = args.iter().map(|a| a.to_array(rows)).collect::<Result<_>>()?;
    let num = |a: &datafusion::arrow::array::ArrayRef, i: usize| -> Option<f64> {
        let mut t = String::new();
        super::convert::value_to_string(a, i, &mut t);
        t.parse().ok()
    };
    Ok(map_strings(rows, |i, out| {
        let (Some(start), Some(stop)) = (num(&arrays[0], i), num(&arrays[1], i)) else { return false };
        let step = arrays.get(2).and_then(|a| num(a, i)).unwrap_or(1.0);
        if step == 0.0 || (stop - start) / step > 1_000_000.0 {
            return false;
        }
        let ints = [start, stop, step].iter().all(|v| v.fract() == 0.0);
        let mut items = Vec::new();
        let mut v = start;
        while (step > 0.0 && v <= stop) || (step < 0.0 && v >= stop) {
            items.push(if ints { Value::from(v as i64) } else { serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number) });
            v += step;
        }
        out.push_str(&Value::Array(items).to_string());
        true
    }))
}

fn reverse(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let text = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        out.extend(text.get_or_empty(i).chars().rev());
        true
    }))
}

pub fn register(v: &mut Vec<KqlUdf>) {
    let s = DataType::Utf8;
    v.push(KqlUdf::new("kql_extract", s.clone(), extract));
    v.push(KqlUdf::new("kql_extract_all", s.clone(), extract_all));
    v.push(KqlUdf::new("kql_replace_regex", s.clone(), replace_regex));
    v.push(KqlUdf::new("kql_trim", s.clone(), |a, n| trim_fn(a, n, true, true)));
    v.push(KqlUdf::new("kql_trim_start", s.clone(), |a, n| trim_fn(a, n, true, false)));
    v.push(KqlUdf::new("kql_trim_end", s.clone(), |a, n| trim_fn(a, n, false, true)));
    v.push(KqlUdf::new("kql_split", s.clone(), split));
    v.push(KqlUdf::new("kql_countof", DataType::Int64, countof));
    v.push(KqlUdf::new("kql_indexof", DataType::Int64, indexof));
    v.push(KqlUdf::new("kql_substring", s.clone(), substring));
    v.push(KqlUdf::new("kql_base64_decode_tostring", s.clone(), base64_decode));
    v.push(KqlUdf::new("kql_base64_encode_tostring", s.clone(), base64_encode));
    v.push(KqlUdf::new("kql_url_decode", s.clone(), url_decode));
    v.push(KqlUdf::new("kql_url_encode", s.clone(), url_encode));
    v.push(KqlUdf::new("kql_parse_url", s.clone(), parse_url));
    v.push(KqlUdf::new("kql_parse_path", s.clone(), parse_path));
    v.push(KqlUdf::new("kql_parse_command_line", s.clone(), parse_command_line));
    v.push(KqlUdf::new("kql_hash_sha256", s.clone(), hash_sha256));
    v.push(KqlUdf::new("kql_base64_decode_toarray", s.clone(), base64_decode_toarray));
    v.push(KqlUdf::new("kql_make_string", s.clone(), make_string));
    v.push(KqlUdf::new("kql_range_array", s.clone(), range_array));
    v.push(KqlUdf::new("kql_reverse", s, reverse));
}

#[cfg(test)]
mod tests {
    use super::{parse_url_value, percent_decode, rust_rewrite, split_command_line};

    #[test]
    fn helpers() {
        assert_eq!(split_command_line(r#"cmd.exe /c "echo a b" x\"y"#), vec!["cmd.exe", "/c", "echo a b", "x\"y"]);
        assert_eq!(rust_rewrite(r"\1-$"), "${1}-$$");
        assert_eq!(percent_decode("a%20b+c%zz"), "a b c%zz");
        assert_eq!(super::re2_compat(r"a{1-3}+b{2}"), r"a\{1-3\}+b{2}");
        let u = parse_url_value("https://user:pw@example.com:8080/p/a?x=1&y=%41#frag");
        assert_eq!(u["Host"], "example.com");
        assert_eq!(u["Port"], "8080");
        assert_eq!(u["Query Parameters"]["y"], "A");
    }
}
