//! Datetime functions. `now()` and `ago()` are constants computed from the compile options'
//! clock, so filters such as `Timestamp > ago(7d)` compare a column with a literal and can be
//! pushed into Parquet scans.

use std::ops::Range;

use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{Expr, cast};

use super::arity;
use super::string::int_arg;
use crate::binder::expr::Scope;
use crate::binder::lower::{self, i64_lit, str_lit, ts_lit, udf};
use crate::binder::{BResult, Binder, Typed, err};
use crate::syntax::ast;
use crate::types::KustoType;

pub(super) fn bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> Option<BResult<Typed>> {
    let now = b.opts.now.timestamp_micros();
    let r = match name {
        "now" => (|| {
            arity(name, args, 0, 1, span)?;
            match args.first() {
                None => Ok(Typed::new(ts_lit(Some(now)), KustoType::DateTime)),
                Some(a) => offset(b, a, scope, now, 1),
            }
        })(),
        "ago" => (|| {
            arity(name, args, 1, 1, span)?;
            offset(b, &args[0], scope, now, -1)
        })(),
        "bin" | "floor" => bin(b, name, args, scope, span),
        "bin_at" => (|| {
            arity(name, args, 3, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            match (ts[0].ty, ts[1].ty) {
                (KustoType::DateTime, KustoType::Timespan) => {
                    // bin_at(x, span, at) = at + bin(x - at, span) on the µs axis.
                    let x = cast(ts[0].expr.clone(), DataType::Int64);
                    let at = cast(ts[2].expr.clone(), DataType::Int64);
                    let d = x - at.clone();
                    let binned = floor_div(d, ts[1].expr.clone());
                    Ok(Typed::new(cast(binned + at, crate::types::timestamp()), KustoType::DateTime))
                }
                _ => err(span, "bin_at() is supported for datetimes only"),
            }
        })(),
        "startofday" | "startofweek" | "startofmonth" | "startofyear" | "endofday" | "endofweek" | "endofmonth" | "endofyear" => (|| {
            arity(name, args, 1, 2, span)?;
            let ts = b.bind_args(args, scope)?;
            let mut call = vec![datetime_arg(&ts[0], span)?];
            if let Some(o) = ts.get(1) {
                call.push(int_arg(o));
            }
            Ok(Typed::new(udf(&format!("kql_{name}"), call), KustoType::DateTime))
        })(),
        "datetime_diff" => (|| {
            arity(name, args, 3, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            let call = vec![lower::to_string(&ts[0]), datetime_arg(&ts[1], span)?, datetime_arg(&ts[2], span)?];
            Ok(Typed::new(udf("kql_datetime_diff", call), KustoType::Long))
        })(),
        "datetime_add" => (|| {
            arity(name, args, 3, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            let call = vec![lower::to_string(&ts[0]), int_arg(&ts[1]), datetime_arg(&ts[2], span)?];
            Ok(Typed::new(udf("kql_datetime_add", call), KustoType::DateTime))
        })(),
        "datetime_part" | "datepart" => (|| {
            arity(name, args, 2, 2, span)?;
            let ts = b.bind_args(args, scope)?;
            let call = vec![lower::to_string(&ts[0]), datetime_arg(&ts[1], span)?];
            Ok(Typed::new(cast(udf("kql_datetime_part", call), DataType::Int32), KustoType::Int))
        })(),
        "getyear" | "getmonth" | "monthofyear" | "dayofmonth" | "dayofyear" | "hourofday" | "weekofyear" | "week_of_year" => (|| {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            let part = match name {
                "getyear" => "year",
                "getmonth" | "monthofyear" => "month",
                "dayofmonth" => "day",
                "dayofyear" => "dayofyear",
                "hourofday" => "hour",
                _ => "week_of_year",
            };
            let e = udf("kql_datetime_part", vec![str_lit(part), datetime_arg(&t, span)?]);
            Ok(Typed::new(cast(e, DataType::Int32), KustoType::Int))
        })(),
        "dayofweek" => (|| {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            Ok(Typed::new(udf("kql_dayofweek", vec![datetime_arg(&t, span)?]), KustoType::Timespan))
        })(),
        "format_datetime" => (|| {
            arity(name, args, 2, 2, span)?;
            let ts = b.bind_args(args, scope)?;
            let call = vec![datetime_arg(&ts[0], span)?, lower::to_string(&ts[1])];
            Ok(Typed::new(udf("kql_format_datetime", call), KustoType::String))
        })(),
        "format_timespan" => (|| {
            arity(name, args, 1, 2, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            Ok(Typed::new(udf("kql_timespan_tostring", vec![t.expr]), KustoType::String))
        })(),
        "make_datetime" => (|| {
            arity(name, args, 1, 7, span)?;
            let ts = b.bind_args(args, scope)?;
            let parts: Vec<Expr> = ts.iter().map(|t| cast(t.expr.clone(), DataType::Int64)).collect();
            let pad = |e: Expr, w: i64| datafusion::functions::expr_fn::lpad(vec![cast(e, DataType::Utf8), i64_lit(w), str_lit("0")]);
            let mut text = vec![pad(parts[0].clone(), 4)];
            for (i, sep) in ["-", "-", " ", ":", ":"].iter().enumerate() {
                text.push(str_lit(sep));
                text.push(match parts.get(i + 1) {
                    Some(p) => pad(p.clone(), 2),
                    None => str_lit(if i < 2 { "01" } else { "00" }),
                });
            }
            Ok(Typed::new(udf("kql_todatetime", vec![datafusion::functions::expr_fn::concat(text)]), KustoType::DateTime))
        })(),
        "unixtime_seconds_todatetime" | "unixtime_milliseconds_todatetime" | "unixtime_microseconds_todatetime" | "unixtime_nanoseconds_todatetime" => (|| {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            let factor = match name {
                "unixtime_seconds_todatetime" => 1e6,
                "unixtime_milliseconds_todatetime" => 1e3,
                "unixtime_microseconds_todatetime" => 1.0,
                _ => 1e-3,
            };
            let us = cast(cast(t.expr, DataType::Float64) * datafusion::logical_expr::lit(factor), DataType::Int64);
            Ok(Typed::new(cast(us, crate::types::timestamp()), KustoType::DateTime))
        })(),
        _ => return None,
    };
    Some(r)
}

/// `now(offset)` / `ago(span)`: the clock plus or minus a constant timespan.
fn offset(b: &mut Binder<'_>, a: &ast::Expr, scope: &Scope<'_>, now: i64, sign: i64) -> BResult<Typed> {
    let t = b.bind_scalar(a, scope)?;
    let span_us = match (t.ty, lower::literal(&t.expr)) {
        (KustoType::Timespan, Some(datafusion::common::ScalarValue::Int64(Some(v)))) => *v,
        (KustoType::Timespan, _) => {
            let e = cast(ts_lit(Some(now)), DataType::Int64) + t.expr * i64_lit(sign);
            return Ok(Typed::new(cast(e, crate::types::timestamp()), KustoType::DateTime));
        }
        (other, _) => return err(&a.span, format!("expected a timespan, found a value of type {other}")),
    };
    Ok(Typed::new(ts_lit(Some(now + sign * span_us)), KustoType::DateTime))
}

fn datetime_arg(t: &Typed, span: &Range<usize>) -> BResult<Expr> {
    match t.ty {
        KustoType::DateTime => Ok(t.expr.clone()),
        KustoType::String | KustoType::Dynamic | KustoType::Guid => Ok(lower::convert(t, KustoType::DateTime)),
        other => err(span, format!("expected a datetime, found a value of type {other}")),
    }
}

/// floor(a / b) * b for integers (rounding toward negative infinity).
fn floor_div(a: Expr, b: Expr) -> Expr {
    let af = cast(a, DataType::Float64);
    let bf = cast(b.clone(), DataType::Float64);
    cast(datafusion::functions::expr_fn::floor(af / bf), DataType::Int64) * b
}

/// `bin(value, size)`: datetimes bin from 0001-01-01; numbers and timespans round down.
fn bin(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> BResult<Typed> {
    arity(name, args, 2, 2, span)?;
    let v = b.bind_scalar(&args[0], scope)?;
    let size = b.bind_scalar(&args[1], scope)?;
    match (v.ty, size.ty) {
        (KustoType::DateTime, KustoType::Timespan) => Ok(Typed::new(udf("kql_bin_datetime", vec![v.expr, size.expr]), KustoType::DateTime)),
        (KustoType::Timespan, KustoType::Timespan) => Ok(Typed::new(floor_div(v.expr, size.expr), KustoType::Timespan)),
        (KustoType::Long | KustoType::Int, n) if n.is_numeric() && n != KustoType::Real => {
            Ok(Typed::new(floor_div(cast(v.expr, DataType::Int64), cast(size.expr, DataType::Int64)), KustoType::Long))
        }
        (a, n) if a.is_numeric() && n.is_numeric() => {
            let x = cast(v.expr, DataType::Float64);
            let s = cast(size.expr, DataType::Float64);
            Ok(Typed::new(datafusion::functions::expr_fn::floor(x / s.clone()) * s, KustoType::Real))
        }
        (KustoType::Dynamic, _) => {
            let v2 = Typed::new(udf("kql_dyn_to_real", vec![v.expr]), KustoType::Real);
            let x = cast(v2.expr, DataType::Float64);
            let s = cast(size.expr, DataType::Float64);
            Ok(Typed::new(datafusion::functions::expr_fn::floor(x / s.clone()) * s, KustoType::Real))
        }
        (a, s) => err(span, format!("bin() cannot round a {a} by a {s}")),
    }
}
