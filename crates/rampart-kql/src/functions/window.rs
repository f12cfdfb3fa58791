//! Functions over serialized rows: `row_number()`, `prev()`, `next()`, `row_cumsum()`.
//! They follow the order of the last `sort`/`top` of the pipeline (when its keys are still
//! columns); the projection that holds them becomes a DataFusion window.

use std::ops::Range;

use datafusion::common::ScalarValue;
use datafusion::functions_window::expr_fn::{lag, lead, row_number};
use datafusion::logical_expr::{Expr, ExprFunctionExt, SortExpr, WindowFrame, WindowFrameBound, WindowFrameUnits, cast, lit};

use super::arity;
use crate::binder::expr::Scope;
use crate::binder::lower;
use crate::binder::rel::{col, find_col};
use crate::binder::{BResult, Binder, Typed, df, err};
use crate::syntax::ast;
use crate::types::KustoType;

/// The sort keys of the last `sort`/`top` that are columns of `scope`.
fn ordering(b: &Binder<'_>, scope: &Scope<'_>) -> Vec<SortExpr> {
    b.order_hint
        .iter()
        .filter_map(|(name, asc, nulls_first)| find_col(scope.cols, name).map(|i| col(&scope.cols[i].name).sort(*asc, *nulls_first)))
        .collect()
}

/// `f` over the rows in `order`. Without keys there is no `ORDER BY` at all: an empty one
/// makes DataFusion choose a range frame that needs a sort column.
fn ordered(f: Expr, order: Vec<SortExpr>) -> datafusion::logical_expr::expr_fn::ExprFuncBuilder {
    if order.is_empty() { f.partition_by(vec![]) } else { f.order_by(order) }
}

pub(super) fn bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> Option<BResult<Typed>> {
    let r = match name {
        "row_number" => (|| {
            arity(name, args, 0, 2, span)?;
            let mut e = df(span, ordered(row_number(), ordering(b, scope)).build())?;
            e = cast(e, KustoType::Long.arrow());
            if let Some(start) = args.first() {
                let s = b.bind_scalar(start, scope)?;
                e = e + cast(s.expr, KustoType::Long.arrow()) - lit(1i64);
            }
            Ok(Typed::new(e, KustoType::Long))
        })(),
        "prev" | "next" => (|| {
            arity(name, args, 1, 3, span)?;
            let v = b.bind_scalar(&args[0], scope)?;
            let offset = match args.get(1) {
                Some(a) => match lower::literal(&b.bind_scalar(a, scope)?.expr) {
                    Some(ScalarValue::Int64(Some(o))) => *o,
                    _ => return err(&a.span, format!("{name}() expects a constant offset")),
                },
                None => 1,
            };
            let default = match args.get(2) {
                Some(a) => {
                    let d = b.bind_scalar(a, scope)?;
                    match lower::literal(&d.expr) {
                        Some(v) => Some(v.cast_to(&v_type(v)).unwrap_or(v.clone())),
                        None => return err(&a.span, format!("{name}() expects a constant default")),
                    }
                }
                None => None,
            };
            let f = if name == "prev" { lag(v.expr, Some(offset), default) } else { lead(v.expr, Some(offset), default) };
            Ok(Typed::new(df(span, ordered(f, ordering(b, scope)).build())?, v.ty))
        })(),
        "row_cumsum" => (|| {
            arity(name, args, 1, 2, span)?;
            let v = b.bind_scalar(&args[0], scope)?;
            let order = ordering(b, scope);
            let frame = WindowFrame::new_bounds(
                WindowFrameUnits::Rows,
                WindowFrameBound::Preceding(ScalarValue::UInt64(None)),
                WindowFrameBound::CurrentRow,
            );
            let ty = if v.ty == KustoType::Real { KustoType::Real } else { KustoType::Long };
            let sum = Expr::from(datafusion::logical_expr::expr::WindowFunction::new(
                datafusion::logical_expr::WindowFunctionDefinition::AggregateUDF(datafusion::functions_aggregate::sum::sum_udaf()),
                vec![cast(v.expr, ty.arrow())],
            ));
            Ok(Typed::new(df(span, ordered(sum, order).window_frame(frame).build())?, ty))
        })(),
        _ => return None,
    };
    Some(r)
}

fn v_type(v: &ScalarValue) -> datafusion::arrow::datatypes::DataType {
    v.data_type()
}

#[allow(dead_code)]
fn unused(_: Expr) {}
