//! Small constructors for DataFusion expressions with Kusto semantics: UDF calls, typed
//! literals, and conversions between Kusto types.

use std::ops::Range;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::expr::{AggregateFunction, ScalarFunction};
use datafusion::logical_expr::{Expr, cast, lit};

use super::{BResult, BindError, Typed};
use crate::types::{KustoType, UTC};

/// A call of one of this crate's scalar UDFs.
pub(crate) fn udf(name: &str, args: Vec<Expr>) -> Expr {
    match crate::udf::get(name) {
        Some(f) => Expr::ScalarFunction(ScalarFunction::new_udf(f, args)),
        // Unreachable for names defined in this crate; fails planning loudly if not.
        None => Expr::ScalarFunction(ScalarFunction::new_udf(
            std::sync::Arc::new(datafusion::logical_expr::ScalarUDF::new_from_impl(crate::udf::KqlUdf::new(
                "kql_missing_udf",
                DataType::Null,
                |_, _| datafusion::common::exec_err!("missing UDF"),
            ))),
            args,
        )),
    }
}

/// A call of one of this crate's aggregate UDFs.
pub(crate) fn udaf(name: &str, args: Vec<Expr>, span: &Range<usize>) -> BResult<Expr> {
    let f = crate::udaf::get(name)
        .ok_or_else(|| BindError::At { span: span.clone(), message: format!("internal error: aggregate `{name}` is missing") })?;
    Ok(Expr::AggregateFunction(AggregateFunction::new_udf(f, args, false, None, vec![], None)))
}

/// Whether `e` is a call of the UDF called `name`; returns its arguments.
pub(crate) fn udf_args<'e>(e: &'e Expr, name: &str) -> Option<&'e [Expr]> {
    match e {
        Expr::ScalarFunction(sf) if sf.func.name() == name => Some(&sf.args),
        _ => None,
    }
}

pub(crate) fn str_lit(s: &str) -> Expr {
    lit(ScalarValue::Utf8(Some(s.to_string())))
}

pub(crate) fn ts_lit(us: Option<i64>) -> Expr {
    lit(ScalarValue::TimestampMicrosecond(us, Some(UTC.into())))
}

pub(crate) fn i64_lit(v: i64) -> Expr {
    lit(ScalarValue::Int64(Some(v)))
}

/// The typed null of a Kusto type.
pub(crate) fn null_of(ty: KustoType) -> Expr {
    match ScalarValue::try_from(&ty.arrow()) {
        Ok(v) => lit(v),
        Err(_) => lit(ScalarValue::Null),
    }
}

/// The value of `e` if it is a literal.
pub(crate) fn literal(e: &Expr) -> Option<&ScalarValue> {
    match e {
        Expr::Literal(v, _) => Some(v),
        Expr::Alias(a) => literal(&a.expr),
        _ => None,
    }
}

/// The string value of a string literal (`Some(None)` for a null string literal).
pub(crate) fn str_literal(e: &Expr) -> Option<Option<&str>> {
    match literal(e)? {
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => Some(v.as_deref()),
        _ => None,
    }
}

/// Kusto's `tostring()`: text of any value; null strings stay null (which reads as "").
pub(crate) fn to_string(t: &Typed) -> Expr {
    match t.ty {
        KustoType::String | KustoType::Guid => t.expr.clone(),
        KustoType::Dynamic => {
            if let Some(args) = udf_args(&t.expr, "kql_dyn_get") {
                return udf("kql_dyn_get_str", args.to_vec());
            }
            udf("kql_dyn_to_str", vec![t.expr.clone()])
        }
        KustoType::Timespan => udf("kql_timespan_tostring", vec![t.expr.clone()]),
        _ => udf("kql_tostring", vec![t.expr.clone()]),
    }
}

/// A value as dynamic (JSON text).
pub(crate) fn to_dynamic(t: &Typed) -> Expr {
    match t.ty {
        KustoType::Dynamic => t.expr.clone(),
        KustoType::Timespan => udf("kql_timespan_to_dynamic", vec![t.expr.clone()]),
        _ => udf("kql_to_dynamic", vec![t.expr.clone()]),
    }
}

/// Converts a value to `target` the way Kusto's `to*()` functions do (nulls when the
/// value cannot be converted).
pub(crate) fn convert(t: &Typed, target: KustoType) -> Expr {
    use KustoType as K;
    let e = t.expr.clone();
    if t.ty == target {
        return e;
    }
    match (t.ty, target) {
        (_, K::String) | (_, K::Guid) => to_string(t),
        (_, K::Dynamic) => to_dynamic(t),
        (K::Dynamic, K::Long) => udf("kql_dyn_to_long", vec![e]),
        (K::Dynamic, K::Int) => udf("kql_dyn_to_int", vec![e]),
        (K::Dynamic, K::Real) => udf("kql_dyn_to_real", vec![e]),
        (K::Dynamic, K::Bool) => udf("kql_dyn_to_bool", vec![e]),
        (K::Dynamic, K::DateTime) => udf("kql_dyn_to_datetime", vec![e]),
        (K::Dynamic, K::Timespan) => udf("kql_dyn_to_timespan", vec![e]),
        (K::String | K::Guid, K::DateTime) => udf("kql_todatetime", vec![e]),
        (K::String | K::Guid, K::Timespan) => udf("kql_totimespan", vec![e]),
        (K::String | K::Guid, K::Bool) => udf("kql_str_to_bool", vec![e]),
        (K::String | K::Guid, K::Long) => udf("kql_str_to_long", vec![e]),
        (K::String | K::Guid, K::Int) => cast(udf("kql_str_to_long", vec![e]), DataType::Int32),
        (K::String | K::Guid, K::Real) => udf("kql_str_to_real", vec![e]),
        (K::DateTime, K::Long | K::Int | K::Real) => {
            // Kusto converts datetimes to ticks (100 ns since 0001-01-01).
            let ticks = (cast(e, DataType::Int64) + super::lower::i64_lit(62_135_596_800_000_000)) * super::lower::i64_lit(10);
            cast(ticks, target.arrow())
        }
        (K::Long | K::Int | K::Real, K::DateTime) => {
            // Numbers are ticks (100 ns since 0001-01-01).
            let us = cast(e, DataType::Int64) / super::lower::i64_lit(10) - super::lower::i64_lit(62_135_596_800_000_000);
            cast(us, target.arrow())
        }
        (K::Timespan, K::Long | K::Int | K::Real) => cast(e * i64_lit(10), target.arrow()),
        (K::Long | K::Int | K::Real, K::Timespan) => cast(cast(e, DataType::Int64) / i64_lit(10), DataType::Int64),
        (_, t) => datafusion::logical_expr::try_cast(e, t.arrow()),
    }
}

/// `coalesce(e, '')`: a string whose null reads as empty, for grouping and joining.
pub(crate) fn nonnull_string(e: Expr) -> Expr {
    if literal(&e).is_some() {
        return e;
    }
    datafusion::functions::expr_fn::coalesce(vec![e, str_lit("")])
}
