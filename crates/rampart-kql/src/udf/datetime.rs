//! Datetime functions with Kusto's calendar rules: `bin()` aligned to 0001-01-01,
//! `startofweek` on Sunday, `datetime_diff` counting boundaries, `format_datetime` patterns.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Months, NaiveDate, Timelike, Utc};
use datafusion::arrow::array::{Array, AsArray, Int64Array, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, TimestampMicrosecondType};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ColumnarValue;

use super::KqlUdf;
use super::common::{IntArg, StrArg, arity, map_strings};
use crate::types::UTC;

/// Microseconds from 0001-01-01 to 1970-01-01: Kusto bins datetimes from year 1.
const EPOCH_OFFSET_US: i64 = 62_135_596_800_000_000;
const DAY_US: i64 = 86_400_000_000;

/// A timestamp argument, constant or per row.
enum TsArg<'a> {
    Const(Option<i64>),
    Col(&'a TimestampMicrosecondArray),
}

impl<'a> TsArg<'a> {
    fn new(v: &'a ColumnarValue) -> Result<TsArg<'a>> {
        match v {
            ColumnarValue::Scalar(datafusion::common::ScalarValue::TimestampMicrosecond(v, _)) => Ok(TsArg::Const(*v)),
            ColumnarValue::Scalar(datafusion::common::ScalarValue::Null) => Ok(TsArg::Const(None)),
            ColumnarValue::Array(a) if matches!(a.data_type(), DataType::Timestamp(..)) => {
                Ok(TsArg::Col(a.as_primitive::<TimestampMicrosecondType>()))
            }
            other => exec_err!("expected a datetime argument, got {}", other.data_type()),
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<i64> {
        match self {
            TsArg::Const(v) => *v,
            TsArg::Col(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

fn ts_result(rows: usize, f: impl FnMut(usize) -> Option<i64>) -> ColumnarValue {
    let arr: TimestampMicrosecondArray = (0..rows).map(f).collect();
    ColumnarValue::Array(Arc::new(arr.with_timezone(UTC)))
}

/// `bin(ts, span)` for datetimes.
pub fn bin_micros(ts: i64, span: i64) -> i64 {
    if span <= 0 {
        return ts;
    }
    let shifted = ts + EPOCH_OFFSET_US;
    shifted.div_euclid(span) * span - EPOCH_OFFSET_US
}

fn bin_datetime(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("kql_bin_datetime", args, 2, 2)?;
    let ts = TsArg::new(&args[0])?;
    let span = IntArg::new(&args[1])?;
    if let (TsArg::Col(a), IntArg::Const(Some(s))) = (&ts, &span) {
        // The usual `bin(Timestamp, 1h)`: one pass over the values, nulls kept as they are.
        let binned = a.unary::<_, TimestampMicrosecondType>(|v| bin_micros(v, *s));
        return Ok(ColumnarValue::Array(Arc::new(binned.with_timezone(UTC))));
    }
    Ok(ts_result(rows, |i| Some(bin_micros(ts.get(i)?, span.get(i)?))))
}

fn to_dt(us: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_micros(us)
}

fn start_of_day(us: i64) -> i64 {
    us.div_euclid(DAY_US) * DAY_US
}

/// Start of the period containing `us`, shifted by `offset` periods.
fn start_of(unit: &str, us: i64, offset: i64) -> Option<i64> {
    let dt = to_dt(us)?;
    let date = dt.date_naive();
    let start = match unit {
        "day" => return Some(start_of_day(us) + offset * DAY_US),
        "week" => {
            let back = i64::from(date.weekday().num_days_from_sunday());
            return Some(start_of_day(us) - back * DAY_US + offset * 7 * DAY_US);
        }
        "month" => {
            let first = NaiveDate::from_ymd_opt(date.year(), date.month(), 1)?;
            shift_months(first, offset)?
        }
        "year" => {
            let first = NaiveDate::from_ymd_opt(date.year(), 1, 1)?;
            shift_months(first, offset * 12)?
        }
        _ => return None,
    };
    Some(start.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros())
}

fn shift_months(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 { d.checked_add_months(m) } else { d.checked_sub_months(m) }
}

fn start_of_fn(unit: &'static str, end: bool, args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity(unit, args, 1, 2)?;
    let ts = TsArg::new(&args[0])?;
    let offset = if args.len() > 1 { IntArg::new(&args[1])? } else { IntArg::Const(Some(0)) };
    Ok(ts_result(rows, |i| {
        let us = ts.get(i)?;
        let off = offset.get(i).unwrap_or(0);
        if end { Some(start_of(unit, us, off + 1)? - 1) } else { start_of(unit, us, off) }
    }))
}

fn unit_micros(part: &str) -> Option<i64> {
    Some(match part {
        "day" | "days" | "d" => DAY_US,
        "hour" | "hours" | "h" => 3_600_000_000,
        "minute" | "minutes" | "m" => 60_000_000,
        "second" | "seconds" | "s" => 1_000_000,
        "millisecond" | "milliseconds" | "ms" => 1_000,
        "microsecond" | "microseconds" => 1,
        "nanosecond" | "nanoseconds" => 1,
        "week" | "weeks" => 7 * DAY_US,
        _ => return None,
    })
}

fn normalize_part(p: &str) -> String {
    p.trim().to_ascii_lowercase()
}

/// `datetime_diff(part, a, b)`: boundaries of `part` crossed going from `b` to `a`.
fn datetime_diff_value(part: &str, a: i64, b: i64) -> Option<i64> {
    let (da, db) = (to_dt(a)?, to_dt(b)?);
    Some(match part {
        "year" | "years" => i64::from(da.year() - db.year()),
        "quarter" | "quarters" => {
            let q = |d: &DateTime<Utc>| i64::from(d.year()) * 4 + i64::from(d.month0() / 3);
            q(&da) - q(&db)
        }
        "month" | "months" => {
            let m = |d: &DateTime<Utc>| i64::from(d.year()) * 12 + i64::from(d.month0());
            m(&da) - m(&db)
        }
        "week" | "weeks" => {
            let w = |us: i64| (start_of("week", us, 0).unwrap_or(us) + EPOCH_OFFSET_US).div_euclid(7 * DAY_US);
            w(a) - w(b)
        }
        "nanosecond" | "nanoseconds" => (a - b) * 1000,
        other => {
            let u = unit_micros(other)?;
            (a + EPOCH_OFFSET_US).div_euclid(u) - (b + EPOCH_OFFSET_US).div_euclid(u)
        }
    })
}

fn datetime_diff(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("datetime_diff", args, 3, 3)?;
    let part = StrArg::new(&args[0])?;
    let a = TsArg::new(&args[1])?;
    let b = TsArg::new(&args[2])?;
    let arr: Int64Array =
        (0..rows).map(|i| datetime_diff_value(&normalize_part(part.get(i)?), a.get(i)?, b.get(i)?)).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

fn datetime_add_value(part: &str, n: i64, ts: i64) -> Option<i64> {
    let dt = to_dt(ts)?;
    match part {
        "year" | "years" => Some(shift_months(dt.date_naive(), n * 12)?.and_time(dt.time()).and_utc().timestamp_micros()),
        "quarter" | "quarters" => Some(shift_months(dt.date_naive(), n * 3)?.and_time(dt.time()).and_utc().timestamp_micros()),
        "month" | "months" => Some(shift_months(dt.date_naive(), n)?.and_time(dt.time()).and_utc().timestamp_micros()),
        "nanosecond" | "nanoseconds" => Some(ts + n / 1000),
        other => Some(ts + n.checked_mul(unit_micros(other)?)?),
    }
}

fn datetime_add(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("datetime_add", args, 3, 3)?;
    let part = StrArg::new(&args[0])?;
    let n = IntArg::new(&args[1])?;
    let ts = TsArg::new(&args[2])?;
    Ok(ts_result(rows, |i| datetime_add_value(&normalize_part(part.get(i)?), n.get(i)?, ts.get(i)?)))
}

/// `datetime_part(part, ts)` and the `getyear`/`hourofday`/… family.
fn datetime_part_value(part: &str, ts: i64) -> Option<i64> {
    let dt = to_dt(ts)?;
    Some(match part {
        "year" => i64::from(dt.year()),
        "quarter" => i64::from(dt.month0() / 3 + 1),
        "month" => i64::from(dt.month()),
        "week_of_year" | "weekofyear" | "week" => i64::from(dt.iso_week().week()),
        "day" | "dayofmonth" => i64::from(dt.day()),
        "dayofyear" => i64::from(dt.ordinal()),
        "hour" => i64::from(dt.hour()),
        "minute" => i64::from(dt.minute()),
        "second" => i64::from(dt.second()),
        "millisecond" => ts.rem_euclid(1_000_000) / 1000,
        "microsecond" => ts.rem_euclid(1_000_000),
        "nanosecond" => ts.rem_euclid(1_000_000) * 1000,
        _ => return None,
    })
}

fn datetime_part(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("datetime_part", args, 2, 2)?;
    let part = StrArg::new(&args[0])?;
    let ts = TsArg::new(&args[1])?;
    let arr: Int64Array = (0..rows).map(|i| datetime_part_value(&normalize_part(part.get(i)?), ts.get(i)?)).collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

/// `dayofweek(ts)`: a timespan of whole days since the previous Sunday.
fn dayofweek(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let ts = TsArg::new(&args[0])?;
    let arr: Int64Array = (0..rows)
        .map(|i| to_dt(ts.get(i)?).map(|d| i64::from(d.weekday().num_days_from_sunday()) * DAY_US))
        .collect();
    Ok(ColumnarValue::Array(Arc::new(arr)))
}

/// Formats with Kusto/.NET-style patterns (`yyyy-MM-dd HH:mm:ss.fff`, `tt`, …).
pub fn format_with_pattern(us: i64, pattern: &str) -> Option<String> {
    let dt = to_dt(us)?;
    let frac = us.rem_euclid(1_000_000) * 10;
    let mut out = String::new();
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        match c {
            'y' => match n {
                1 => out.push_str(&(dt.year() % 100).to_string()),
                2 => out.push_str(&format!("{:02}", dt.year() % 100)),
                _ => out.push_str(&format!("{:0width$}", dt.year(), width = n)),
            },
            'M' => match n {
                1 => out.push_str(&dt.month().to_string()),
                2 => out.push_str(&format!("{:02}", dt.month())),
                3 => out.push_str(&dt.format("%b").to_string()),
                _ => out.push_str(&dt.format("%B").to_string()),
            },
            'd' => match n {
                1 => out.push_str(&dt.day().to_string()),
                2 => out.push_str(&format!("{:02}", dt.day())),
                3 => out.push_str(&dt.format("%a").to_string()),
                _ => out.push_str(&dt.format("%A").to_string()),
            },
            'H' => out.push_str(&if n >= 2 { format!("{:02}", dt.hour()) } else { dt.hour().to_string() }),
            'h' => {
                let h = dt.hour12().1;
                out.push_str(&if n >= 2 { format!("{h:02}") } else { h.to_string() });
            }
            'm' => out.push_str(&if n >= 2 { format!("{:02}", dt.minute()) } else { dt.minute().to_string() }),
            's' => out.push_str(&if n >= 2 { format!("{:02}", dt.second()) } else { dt.second().to_string() }),
            'f' | 'F' => {
                let digits = format!("{frac:07}");
                let take = &digits[..n.min(7)];
                if c == 'F' {
                    out.push_str(take.trim_end_matches('0'));
                } else {
                    out.push_str(take);
                }
            }
            't' => out.push_str(if dt.hour() < 12 { if n >= 2 { "AM" } else { "A" } } else if n >= 2 { "PM" } else { "P" }),
            _ => {
                for _ in 0..n {
                    out.push(c);
                }
            }
        }
        i += n;
    }
    Some(out)
}

fn format_datetime(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("format_datetime", args, 2, 2)?;
    let ts = TsArg::new(&args[0])?;
    let pattern = StrArg::new(&args[1])?;
    Ok(map_strings(rows, |i, out| {
        if let (Some(us), Some(p)) = (ts.get(i), pattern.get(i))
            && let Some(s) = format_with_pattern(us, p) {
                out.push_str(&s);
            }
        true
    }))
}

/// `kql_series_axis(start, end, step)`: the bin start times of a make-series axis, as a JSON
/// array of datetime strings.
fn series_axis(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("kql_series_axis", args, 3, 3)?;
    let start = TsArg::new(&args[0])?;
    let end = TsArg::new(&args[1])?;
    let step = IntArg::new(&args[2])?;
    Ok(map_strings(rows, |i, out| {
        let (Some(s), Some(e), Some(t)) = (start.get(i), end.get(i), step.get(i)) else { return false };
        out.push('[');
        if t > 0 {
            let mut v = s;
            let mut first = true;
            while v < e && (v - s) / t < crate::udaf::series::MAX_BINS {
                if !first {
                    out.push(',');
                }
                first = false;
                super::json::quote_into(&super::convert::format_datetime_micros(v), out);
                v += t;
            }
        }
        out.push(']');
        true
    }))
}

pub fn register(v: &mut Vec<KqlUdf>) {
    v.push(KqlUdf::new("kql_series_axis", DataType::Utf8, series_axis));
    let ts = crate::types::timestamp();
    v.push(KqlUdf::new("kql_bin_datetime", ts.clone(), bin_datetime));
    v.push(KqlUdf::new("kql_startofday", ts.clone(), |a, n| start_of_fn("day", false, a, n)));
    v.push(KqlUdf::new("kql_startofweek", ts.clone(), |a, n| start_of_fn("week", false, a, n)));
    v.push(KqlUdf::new("kql_startofmonth", ts.clone(), |a, n| start_of_fn("month", false, a, n)));
    v.push(KqlUdf::new("kql_startofyear", ts.clone(), |a, n| start_of_fn("year", false, a, n)));
    v.push(KqlUdf::new("kql_endofday", ts.clone(), |a, n| start_of_fn("day", true, a, n)));
    v.push(KqlUdf::new("kql_endofweek", ts.clone(), |a, n| start_of_fn("week", true, a, n)));
    v.push(KqlUdf::new("kql_endofmonth", ts.clone(), |a, n| start_of_fn("month", true, a, n)));
    v.push(KqlUdf::new("kql_endofyear", ts.clone(), |a, n| start_of_fn("year", true, a, n)));
    v.push(KqlUdf::new("kql_datetime_diff", DataType::Int64, datetime_diff));
    v.push(KqlUdf::new("kql_datetime_add", ts, datetime_add));
    v.push(KqlUdf::new("kql_datetime_part", DataType::Int64, datetime_part));
    v.push(KqlUdf::new("kql_dayofweek", DataType::Int64, dayofweek));
    v.push(KqlUdf::new("kql_format_datetime", DataType::Utf8, format_datetime));
}

#[cfg(test)]
mod tests {
    use super::{bin_micros, datetime_diff_value, format_with_pattern, start_of};

    const H: i64 = 3_600_000_000;
    const D: i64 = 24 * H;

    #[test]
    fn calendar() {
        // 2021-01-06 (a Wednesday) 13:00.
        let t = 1_609_938_000_000_000;
        assert_eq!(bin_micros(t, H), t);
        assert_eq!(bin_micros(t + 5, D), t - 13 * H);
        // Weeks bin from 0001-01-01, a Monday.
        assert_eq!(bin_micros(t, 7 * D), t - 13 * H - 2 * D);
        assert_eq!(start_of("week", t, 0), Some(t - 13 * H - 3 * D));
        assert_eq!(start_of("month", t, 0), Some(t - 13 * H - 5 * D));
        assert_eq!(datetime_diff_value("day", t, t - 14 * H), Some(1));
        assert_eq!(datetime_diff_value("month", t, t - 6 * D), Some(1));
        assert_eq!(format_with_pattern(t, "yyyy-MM-dd HH:mm:ss.fff tt").as_deref(), Some("2021-01-06 13:00:00.000 PM"));
    }
}
