//! Aggregation functions inside `summarize`. Each call becomes a DataFusion aggregate
//! registered with the current summarize; the expression returns a reference to its result.

use std::ops::Range;

use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::{Expr, ExprFunctionExt, cast, lit};

use super::arity;
use crate::binder::expr::Scope;
use crate::binder::lower::{self, udf};
use crate::binder::{BResult, Binder, Typed, df, err};
use crate::syntax::ast;
use crate::types::KustoType;

const AGGREGATES: &[&str] = &[
    "count", "countif", "dcount", "dcountif", "count_distinct", "count_distinctif", "sum", "sumif", "avg", "avgif", "min",
    "minif", "max", "maxif", "make_set", "makeset", "make_set_if", "make_list", "makelist", "make_list_if", "make_bag",
    "make_bag_if", "take_any", "any", "take_anyif", "anyif", "stdev", "stdevif", "stdevp", "variance", "varianceif",
    "variancep", "percentile", "percentiles", "arg_max", "argmax", "arg_min", "argmin",
];

pub(super) fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&name)
}

/// Kusto's deprecated `makeset`/`makelist` default to 128 items.
const LEGACY_MAX: i64 = 128;

pub(super) fn bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> BResult<Typed> {
    // Arguments are row values: no nested aggregates, no summarize-key substitutions.
    let rows = Scope { cols: scope.cols, locals: Vec::new(), env: scope.env.clone(), agg: false, join: None };
    let bind_cond = |b: &mut Binder<'_>, e: &ast::Expr| -> BResult<Expr> {
        let t = b.bind_scalar(e, &rows)?;
        b.bool_of(t, &e.span)
    };
    let (e, ty): (Expr, KustoType) = match name {
        "count" => {
            arity(name, args, 0, 1, span)?;
            match args.first() {
                None => (agg::count(lit(1i64)), KustoType::Long),
                Some(a) => {
                    let t = b.bind_scalar(a, &rows)?;
                    (agg::count(t.expr), KustoType::Long)
                }
            }
        }
        "countif" => {
            arity(name, args, 1, 1, span)?;
            let c = bind_cond(b, &args[0])?;
            (df(span, agg::count(lit(1i64)).filter(c).build())?, KustoType::Long)
        }
        "dcount" | "count_distinct" => {
            arity(name, args, 1, 2, span)?;
            let t = b.bind_scalar(&args[0], &rows)?;
            (agg::count_distinct(group_value(&t)), KustoType::Long)
        }
        "dcountif" | "count_distinctif" => {
            arity(name, args, 2, 3, span)?;
            let t = b.bind_scalar(&args[0], &rows)?;
            let c = bind_cond(b, &args[1])?;
            (df(span, agg::count_distinct(group_value(&t)).filter(c).distinct().build())?, KustoType::Long)
        }
        "sum" | "sumif" | "avg" | "avgif" | "min" | "minif" | "max" | "maxif" | "stdev" | "stdevif" | "variance" | "varianceif" | "stdevp" | "variancep" => {
            let conditional = name.ends_with("if");
            arity(name, args, if conditional { 2 } else { 1 }, if conditional { 2 } else { 1 }, span)?;
            let t = b.bind_scalar(&args[0], &rows)?;
            let base = name.trim_end_matches("if");
            let (value, ty) = numeric_input(&t, base);
            let e = match base {
                "sum" => agg::sum(value),
                "avg" => agg::avg(value),
                "min" => agg::min(value),
                "max" => agg::max(value),
                "stdev" => agg::stddev(value),
                "stdevp" => agg::stddev_pop(value),
                "variance" => agg::var_sample(value),
                _ => agg::var_pop(value),
            };
            let e = if conditional { df(span, e.filter(bind_cond(b, &args[1])?).build())? } else { e };
            (e, ty)
        }
        "make_set" | "makeset" | "make_list" | "makelist" | "make_bag" => {
            arity(name, args, 1, 2, span)?;
            let t = b.bind_scalar(&args[0], &rows)?;
            let mut call = vec![lower::to_dynamic(&t)];
            add_max(b, &mut call, args.get(1), name, &rows)?;
            (lower::udaf(collector(name), call, span)?, KustoType::Dynamic)
        }
        "make_set_if" | "make_list_if" | "make_bag_if" => {
            arity(name, args, 2, 3, span)?;
            let t = b.bind_scalar(&args[0], &rows)?;
            let c = bind_cond(b, &args[1])?;
            let mut call = vec![lower::to_dynamic(&t)];
            add_max(b, &mut call, args.get(2), name, &rows)?;
            (df(span, lower::udaf(collector(name), call, span)?.filter(c).build())?, KustoType::Dynamic)
        }
        "take_any" | "any" => {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], &rows)?;
            (agg::any_value(t.expr), t.ty)
        }
        "take_anyif" | "anyif" => {
            arity(name, args, 2, 2, span)?;
            let t = b.bind_scalar(&args[0], &rows)?;
            let c = bind_cond(b, &args[1])?;
            (df(span, agg::any_value(t.expr).filter(c).build())?, t.ty)
        }
        "percentile" => {
            arity(name, args, 2, 2, span)?;
            let t = b.bind_scalar(&args[0], &rows)?;
            let p = b.bind_scalar(&args[1], &rows)?;
            let Some(pv) = crate::binder::summarize::percentage(&p.expr) else {
                return err(&args[1].span, "percentile() expects a constant percentage");
            };
            (crate::binder::summarize::percentile_expr(&t, pv), crate::binder::summarize::percentile_type(t.ty))
        }
        "arg_max" | "argmax" | "arg_min" | "argmin" | "percentiles" => {
            return err(span, format!("{name}() returns several columns; use it directly in summarize, not inside an expression"));
        }
        other => return err(span, format!("the aggregation function `{other}()` is not supported yet")),
    };
    b.push_aggregate(e, ty, span)
}

fn collector(name: &str) -> &'static str {
    if name.contains("set") {
        "kql_make_set"
    } else if name.contains("list") {
        "kql_make_list"
    } else {
        "kql_make_bag"
    }
}

fn add_max(b: &mut Binder<'_>, call: &mut Vec<Expr>, max: Option<&ast::Expr>, name: &str, rows: &Scope<'_>) -> BResult<()> {
    match max {
        Some(m) => {
            let t = b.bind_scalar(m, rows)?;
            call.push(cast(t.expr, DataType::Int64));
        }
        None if matches!(name, "makeset" | "makelist") => call.push(lit(LEGACY_MAX)),
        None => {}
    }
    Ok(())
}

/// A value to count distinct occurrences of: strings with null as "", dynamic as its text.
fn group_value(t: &Typed) -> Expr {
    if t.ty.is_stringy() { lower::nonnull_string(t.expr.clone()) } else { t.expr.clone() }
}

/// The input and result type of a numeric aggregate.
fn numeric_input(t: &Typed, base: &str) -> (Expr, KustoType) {
    let statistical = matches!(base, "avg" | "stdev" | "stdevp" | "variance" | "variancep");
    match t.ty {
        KustoType::Dynamic => (udf("kql_dyn_to_real", vec![t.expr.clone()]), KustoType::Real),
        KustoType::Int if base == "sum" => (cast(t.expr.clone(), DataType::Int64), KustoType::Long),
        KustoType::Bool if base == "sum" => (cast(t.expr.clone(), DataType::Int64), KustoType::Long),
        ty if statistical && ty != KustoType::Timespan => (cast(t.expr.clone(), DataType::Float64), KustoType::Real),
        ty => (t.expr.clone(), ty),
    }
}
