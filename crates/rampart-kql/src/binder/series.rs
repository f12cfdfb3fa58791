//! `make-series`: aggregate per group and time bin, then turn each group's bins into arrays
//! over one shared axis, with `default` where a bin has no rows. Datetime axes only.
//!
//! The axis runs from `from` (or the first bin with data) to `to` (exclusive; or the end of
//! the last bin with data) in steps of `step`. With `from … to …` bins start at `from`
//! (like `bin_at`); with `in range(from, to, step)` they are aligned like `bin()` and `to`
//! is inclusive. Rows outside the axis are ignored, and an empty input gives no rows.

use std::ops::Range;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, cast};

use super::expr::Scope;
use super::lower::{self, i64_lit, udf};
use super::project::infer_name;
use super::rel::{Col, Rel, col};
use super::source::option_text;
use super::summarize::agg_default_name;
use super::{BResult, Binder, Env, Typed, df, err};
use crate::syntax::ast::{self, ExprKind, Ident, NamedExpr};
use crate::types::KustoType;

/// `f(arg) over ()`.
fn over_all(f: std::sync::Arc<datafusion::logical_expr::AggregateUDF>, arg: Expr) -> Expr {
    Expr::from(datafusion::logical_expr::expr::WindowFunction::new(datafusion::logical_expr::WindowFunctionDefinition::AggregateUDF(f), vec![arg]))
}

fn micros(e: Expr) -> Expr {
    cast(e, DataType::Int64)
}

impl<'a> Binder<'a> {
    pub fn make_series(&mut self, rel: Rel, ms: &ast::MakeSeries, env: &Env, span: &Range<usize>) -> BResult<Rel> {
        for o in &ms.options {
            if o.name.name == "kind" {
                return err(&o.name.span, format!("make-series kind={} is not supported yet", option_text(&o.value)));
            }
        }
        let row = Scope::rows(&rel.cols, env.clone());
        let constants = Scope::empty(env.clone());
        let axis = self.bind_scalar(&ms.axis, &row)?;
        if axis.ty != KustoType::DateTime {
            return err(&ms.axis.span, "make-series supports datetime axes only");
        }
        let step = self.bind_scalar(&ms.step, &constants)?;
        if step.ty != KustoType::Timespan {
            return err(&ms.step.span, "make-series expects a timespan step");
        }
        if let Some(ScalarValue::Int64(v)) = lower::literal(&step.expr)
            && v.is_none_or(|v| v <= 0)
        {
            return err(&ms.step.span, "make-series needs a positive step");
        }
        let bound = |b: &mut Self, e: &Option<ast::Expr>| -> BResult<Option<Typed>> {
            let Some(e) = e else { return Ok(None) };
            let t = b.bind_scalar(e, &constants)?;
            if t.ty != KustoType::DateTime {
                return err(&e.span, "make-series expects datetime bounds for a datetime axis");
            }
            Ok(Some(t))
        };
        let from = bound(self, &ms.from)?;
        let to = bound(self, &ms.to)?;
        let step_us = step.expr.clone();
        let epoch_bin = |e: Expr| micros(udf("kql_bin_datetime", vec![e, step_us.clone()]));
        // The axis bounds in µs, where given: the first bin's start and the exclusive end.
        let (start, end) = if ms.range_syntax {
            let start = from.as_ref().map(|f| epoch_bin(f.expr.clone()));
            let end = to.as_ref().map(|t| epoch_bin(t.expr.clone()) + step_us.clone());
            (start, end)
        } else {
            (from.as_ref().map(|f| micros(f.expr.clone())), to.as_ref().map(|t| micros(t.expr.clone())))
        };

        // 1. Rows on the axis, each with its bin.
        let mut conds = vec![axis.expr.clone().is_not_null(), step_us.clone().gt(i64_lit(0))];
        if let Some(s) = &start {
            conds.push(micros(axis.expr.clone()).gt_eq(s.clone()));
        }
        if let Some(e) = &end {
            conds.push(micros(axis.expr.clone()).lt(e.clone()));
        }
        let cond = conds.into_iter().reduce(Expr::and).unwrap_or_else(|| datafusion::logical_expr::lit(true));
        let filtered = df(span, LogicalPlanBuilder::from(rel.plan.clone()).filter(cond).and_then(|b| b.build()))?;
        let filtered = rel.with_plan(filtered);
        let bin = match (&start, ms.range_syntax) {
            // Rows are at or after `start`, so integer division rounds down.
            (Some(s), false) => (micros(axis.expr.clone()) - s.clone()) / step_us.clone() * step_us.clone() + s.clone(),
            _ => epoch_bin(axis.expr.clone()),
        };
        let mut items = filtered.passthrough();
        items.push(("__bin".into(), Typed::new(bin, KustoType::Long), true));
        let binned = filtered.project(items, span)?;

        // 2. Aggregate per group and bin.
        let mut by = ms.by.clone();
        let bin_ident = Ident { name: "__bin".into(), span: span.clone() };
        by.push(NamedExpr { names: vec![bin_ident.clone()], expr: ast::Expr { kind: ExprKind::Name(bin_ident), span: span.clone() } });
        let mut value_names = Vec::new();
        let mut aggs = Vec::new();
        for (i, (agg, _)) in ms.aggs.iter().enumerate() {
            let v = format!("__v{i}");
            aggs.push(NamedExpr { names: vec![Ident { name: v.clone(), span: span.clone() }], expr: agg.expr.clone() });
            let name = match agg.names.first() {
                Some(n) => n.name.clone(),
                None => agg_default_name(&agg.expr).unwrap_or_else(|| format!("Column{}", i + 1)),
            };
            if value_names.iter().any(|(_, n)| *n == name) {
                return err(&agg.expr.span, format!("make-series produces two columns named `{name}`; name them with `name = …`"));
            }
            value_names.push((v, name));
        }
        let grouped = self.summarize(binned, &aggs, &by, env, span)?;
        let key_cols: Vec<Col> = grouped.cols.iter().filter(|c| c.name != "__bin" && !c.name.starts_with("__v")).cloned().collect();

        // 3. The shared axis: the given bounds, or the first and last bins of all groups.
        let mut window_exprs = Vec::new();
        if start.is_none() {
            window_exprs.push(over_all(datafusion::functions_aggregate::min_max::min_udaf(), col("__bin")).alias("__first"));
        }
        if end.is_none() {
            window_exprs.push(over_all(datafusion::functions_aggregate::min_max::max_udaf(), col("__bin")).alias("__last"));
        }
        let plan = if window_exprs.is_empty() {
            grouped.plan.clone()
        } else {
            df(span, LogicalPlanBuilder::from(grouped.plan.clone()).window(window_exprs).and_then(|b| b.build()))?
        };
        let start_col = start.unwrap_or_else(|| col("__first"));
        let end_col = end.unwrap_or_else(|| col("__last") + step_us.clone());

        // 4. One array per group and aggregate; the default has the aggregate's type.
        let mut series = Vec::new();
        for (i, (v, _)) in value_names.iter().enumerate() {
            let vty = grouped.cols.iter().find(|c| &c.name == v).map_or(KustoType::Dynamic, |c| c.ty);
            let value = lower::to_dynamic(&Typed::new(col(v), vty));
            let default = match &ms.aggs[i].1 {
                Some(d) => self.bind_scalar(d, &constants)?,
                None => Typed::new(i64_lit(0), KustoType::Long),
            };
            let default = lower::to_dynamic(&Typed::new(lower::convert(&default, vty), vty));
            let agg = lower::udaf("kql_series", vec![col("__bin"), value, start_col.clone(), end_col.clone(), step_us.clone(), default], span)?;
            series.push(agg.alias(v));
        }
        series.push(datafusion::functions_aggregate::expr_fn::min(start_col).alias("__start"));
        series.push(datafusion::functions_aggregate::expr_fn::max(end_col).alias("__end"));
        let group: Vec<Expr> = key_cols.iter().map(|c| col(&c.name)).collect();
        let plan = df(span, LogicalPlanBuilder::from(plan).aggregate(group, series).and_then(|b| b.build()))?;
        // Without `by`, an empty input still aggregates to one row; Kusto returns none.
        let plan = df(span, LogicalPlanBuilder::from(plan).filter(col("__end").is_not_null()).and_then(|b| b.build()))?;

        let mut out: Vec<(String, Typed, bool)> = key_cols.iter().map(|c| (c.name.clone(), Typed::new(col(&c.name), c.ty), false)).collect();
        for (v, name) in &value_names {
            out.push((name.clone(), Typed::new(col(v), KustoType::Dynamic), false));
        }
        let axis_name = infer_name(&ms.axis).unwrap_or_else(|| "Timestamp".into());
        let ts = crate::types::timestamp();
        let axis_values = udf("kql_series_axis", vec![cast(col("__start"), ts.clone()), cast(col("__end"), ts), step_us]);
        out.push((axis_name, Typed::new(axis_values, KustoType::Dynamic), false));
        Rel { plan, cols: Vec::new() }.project(out, span)
    }
}
