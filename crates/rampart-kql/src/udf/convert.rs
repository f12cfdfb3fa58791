//! Conversions with Kusto's text formats: `tostring()` of every type, `todatetime()`,
//! `totimespan()`, and conversions out of dynamic values.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int32Array, Int64Array, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use datafusion::common::Result;
use datafusion::logical_expr::ColumnarValue;

use super::KqlUdf;
use super::common::{IntArg, StrArg, arity, map_strings};
use super::json::{to_kusto_string, unquote};
use crate::types::UTC;

/// Kusto's text of a datetime: ISO 8601 in UTC, fraction only when non-zero (7 digits).
pub fn format_datetime_micros(us: i64) -> String {
    match DateTime::<Utc>::from_timestamp_micros(us) {
        Some(dt) => {
            let frac = us.rem_euclid(1_000_000);
            if frac == 0 {
                dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            } else {
                format!("{}.{:07}Z", dt.format("%Y-%m-%dT%H:%M:%S"), frac * 10)
            }
        }
        None => String::new(),
    }
}

/// Kusto's text of a timespan: `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_timespan(us: i64) -> String {
    let neg = us < 0;
    let a = us.unsigned_abs();
    let days = a / 86_400_000_000;
    let rem = a % 86_400_000_000;
    let (h, m, s, f) = (rem / 3_600_000_000, rem / 60_000_000 % 60, rem / 1_000_000 % 60, rem % 1_000_000);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if days > 0 {
        out.push_str(&format!("{days}."));
    }
    out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
    if f > 0 {
        out.push_str(&format!(".{:07}", f * 10));
    }
    out
}

/// Kusto's text of a real.
pub fn format_real(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else {
        format!("{v}")
    }
}

/// `tostring()` of row `i` of an array of any non-dynamic type; null is "".
pub fn value_to_string(arr: &ArrayRef, i: usize, out: &mut String) {
    if arr.is_null(i) {
        return;
    }
    match arr.data_type() {
        DataType::Utf8 => out.push_str(arr.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => out.push_str(arr.as_string::<i64>().value(i)),
        DataType::Utf8View => out.push_str(arr.as_string_view().value(i)),
        DataType::Boolean => out.push_str(if arr.as_boolean().value(i) { "true" } else { "false" }),
        DataType::Int64 => out.push_str(&arr.as_primitive::<Int64Type>().value(i).to_string()),
        DataType::Int32 => out.push_str(&arr.as_primitive::<Int32Type>().value(i).to_string()),
        DataType::Float64 => out.push_str(&format_real(arr.as_primitive::<Float64Type>().value(i))),
        DataType::Timestamp(..) => out.push_str(&format_datetime_micros(arr.as_primitive::<TimestampMicrosecondType>().value(i))),
        _ => {
            if let Ok(v) = datafusion::common::ScalarValue::try_from_array(arr, i) {
                out.push_str(&v.to_string());
            }
        }
    }
}

fn tostring(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("kql_tostring", args, 1, 1)?;
    let arr = args[0].to_array(rows)?;
    Ok(map_strings(rows, |i, out| {
        value_to_string(&arr, i, out);
        true
    }))
}

fn timespan_tostring(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let v = IntArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        if let Some(us) = v.get(i) {
            out.push_str(&format_timespan(us));
        }
        true
    }))
}

/// Parses the datetime formats Kusto accepts in `todatetime()` and `datetime(…)`.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_micros());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt.timestamp_micros());
    }
    let trimmed = s.trim_end_matches('Z').trim_end_matches(" UTC").trim_end_matches(" GMT");
    const FORMATS: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M",
        "%m/%d/%Y %H:%M:%S%.f",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M",
        "%d %b %Y %H:%M:%S",
        "%a, %d %b %Y %H:%M:%S",
    ];
    for f in FORMATS {
        if let Ok(dt) = NaiveDateTime::parse_from_str(trimmed, f) {
            return Some(Utc.from_utc_datetime(&dt).timestamp_micros());
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(trimmed, f) {
            return d.and_hms_opt(0, 0, 0).map(|dt| Utc.from_utc_datetime(&dt).timestamp_micros());
        }
    }
    None
}

/// Parses `[-][d.]hh:mm[:ss[.fffffff]]` or a timespan literal such as `1.5h`.
pub fn parse_timespan(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let v = if s.contains(':') {
        let (days, clock) = match s.split_once('.') {
            Some((d, rest)) if rest.contains(':') && !d.contains(':') => (d.parse::<i64>().ok()?, rest),
            _ => (0, s),
        };
        let mut parts = clock.split(':');
        let h: i64 = parts.next()?.parse().ok()?;
        let m: i64 = parts.next()?.parse().ok()?;
        let sec: f64 = parts.next().map_or(Some(0.0), |x| x.parse().ok())?;
        days * 86_400_000_000 + h * 3_600_000_000 + m * 60_000_000 + (sec * 1e6).round() as i64
    } else {
        let split = s.find(|c: char| c.is_ascii_alphabetic())?;
        let n: f64 = s[..split].parse().ok()?;
        let unit = crate::syntax::lexer::timespan_unit(&s[split..])?;
        (n * unit).round() as i64
    };
    Some(if neg { -v } else { v })
}

fn todatetime(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: TimestampMicrosecondArray = (0..rows).map(|i| input.get(i).and_then(parse_datetime)).collect();
    Ok(ColumnarValue::Array(Arc::new(arr.with_timezone(UTC))))
}

fn totimespan(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: Int64Array = (0..rows).map(|i| input.get(i).and_then(parse_timespan)).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

/// A dynamic value's text as a number: JSON numbers, numeric strings, and bools (1/0).
fn dyn_number(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    match raw {
        "true" => return Some(1.0),
        "false" => return Some(0.0),
        _ => {}
    }
    if raw.starts_with('"') {
        return unquote(raw)?.trim().parse().ok();
    }
    raw.parse().ok()
}

fn dyn_i64(raw: &str) -> Option<i64> {
    let t = raw.trim();
    let t = if t.starts_with('"') { unquote(t)?.into_owned() } else { t.to_string() };
    t.trim().parse::<i64>().ok().or_else(|| dyn_number(raw).filter(|f| f.is_finite()).map(|f| f.trunc() as i64))
}

fn dyn_to_long(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: Int64Array = (0..rows).map(|i| input.get(i).and_then(dyn_i64)).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

fn dyn_to_int(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: Int32Array = (0..rows).map(|i| input.get(i).and_then(dyn_i64).and_then(|v| i32::try_from(v).ok())).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

fn dyn_to_real(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: Float64Array = (0..rows).map(|i| input.get(i).and_then(dyn_number)).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

fn text_to_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        t.parse::<f64>().ok().map(|v| v != 0.0)
    }
}

fn dyn_to_bool(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: BooleanArray = (0..rows).map(|i| input.get(i).and_then(|j| text_to_bool(&to_kusto_string(j)))).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

/// `tobool(string)`: "true"/"false" in any case, or a number (non-zero is true).
fn str_to_bool(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: BooleanArray = (0..rows).map(|i| input.get(i).and_then(text_to_bool)).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

fn dyn_to_datetime(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: TimestampMicrosecondArray = (0..rows).map(|i| input.get(i).and_then(|j| parse_datetime(&to_kusto_string(j)))).collect();
    Ok(ColumnarValue::Array(Arc::new(arr.with_timezone(UTC))))
}

fn dyn_to_timespan(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: Int64Array = (0..rows).map(|i| input.get(i).and_then(|j| parse_timespan(&to_kusto_string(j)))).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

/// `kql_str_to_long(s)` / `kql_str_to_real(s)`: lenient number parsing of text
/// (surrounding spaces, a fractional part for longs is truncated).
fn str_to_long(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: Int64Array = (0..rows).map(|i| input.get(i).and_then(|s| {
        let t = s.trim();
        t.parse::<i64>().ok().or_else(|| t.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f.trunc() as i64))
    })).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

fn str_to_real(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let arr: Float64Array = (0..rows).map(|i| input.get(i).and_then(|s| s.trim().parse::<f64>().ok())).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

pub fn register(v: &mut Vec<KqlUdf>) {
    v.push(KqlUdf::new("kql_tostring", DataType::Utf8, tostring));
    v.push(KqlUdf::new("kql_timespan_tostring", DataType::Utf8, timespan_tostring));
    v.push(KqlUdf::new("kql_todatetime", crate::types::timestamp(), todatetime));
    v.push(KqlUdf::new("kql_totimespan", DataType::Int64, totimespan));
    v.push(KqlUdf::new("kql_dyn_to_long", DataType::Int64, dyn_to_long));
    v.push(KqlUdf::new("kql_dyn_to_int", DataType::Int32, dyn_to_int));
    v.push(KqlUdf::new("kql_dyn_to_real", DataType::Float64, dyn_to_real));
    v.push(KqlUdf::new("kql_dyn_to_bool", DataType::Boolean, dyn_to_bool));
    v.push(KqlUdf::new("kql_dyn_to_datetime", crate::types::timestamp(), dyn_to_datetime));
    v.push(KqlUdf::new("kql_dyn_to_timespan", DataType::Int64, dyn_to_timespan));
    v.push(KqlUdf::new("kql_str_to_bool", DataType::Boolean, str_to_bool));
    v.push(KqlUdf::new("kql_str_to_long", DataType::Int64, str_to_long));
    v.push(KqlUdf::new("kql_str_to_real", DataType::Float64, str_to_real));
}

#[cfg(test)]
mod tests {
    use super::{format_datetime_micros, format_timespan, parse_datetime, parse_timespan};

    #[test]
    fn formats() {
        assert_eq!(format_datetime_micros(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_datetime_micros(1_500_000), "1970-01-01T00:00:01.5000000Z");
        assert_eq!(format_timespan(86_400_000_000 + 3_600_000_000), "1.01:00:00");
        assert_eq!(format_timespan(-1_500_000), "-00:00:01.5000000");
        assert_eq!(parse_datetime("2021-01-02 03:04:05"), Some(1_609_556_645_000_000));
        assert_eq!(parse_datetime("2021-01-02T03:04:05.5Z"), Some(1_609_556_645_500_000));
        assert_eq!(parse_datetime("2021-01-02"), Some(1_609_545_600_000_000));
        assert_eq!(parse_timespan("1.02:00:00"), Some(93_600_000_000));
        assert_eq!(parse_timespan("00:30:00"), Some(1_800_000_000));
        assert_eq!(parse_timespan("2h"), Some(7_200_000_000));
    }
}
