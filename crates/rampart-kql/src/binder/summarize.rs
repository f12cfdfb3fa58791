//! `summarize`: group keys (strings group with null as ""), aggregates (possibly inside
//! scalar expressions: `summarize avg = sum(x) / count()`), and the whole-row aggregates
//! `arg_max(x, *)`, `arg_min`, `take_any(*)`, `percentiles(x, …)` that produce several columns.

use std::collections::HashSet;
use std::ops::Range;

use datafusion::functions::core::expr_fn::{get_field, named_struct};
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, lit};

use super::expr::Scope;
use super::lower::{self, str_lit};
use super::project::infer_name;
use super::rel::{Rel, col, unique_name};
use super::{BResult, Binder, Env, Typed, df, err};
use crate::syntax::ast::{self, ExprKind, NamedExpr};
use crate::types::KustoType;

/// Aggregates found while binding one `summarize`: (alias, aggregate expression).
#[derive(Default)]
pub(crate) struct AggCollector {
    pub items: Vec<(String, Expr)>,
}

/// Default output names of aggregates: `count_`, `dcount_X`, `set_X`, … .
fn agg_prefix(name: &str) -> Option<&'static str> {
    Some(match name {
        "count" => "count",
        "countif" => "countif",
        "dcount" => "dcount",
        "dcountif" => "dcountif",
        "count_distinct" => "count_distinct",
        "count_distinctif" => "count_distinctif",
        "sum" => "sum",
        "sumif" => "sumif",
        "avg" => "avg",
        "avgif" => "avgif",
        "min" => "min",
        "minif" => "minif",
        "max" => "max",
        "maxif" => "maxif",
        "make_set" | "makeset" | "make_set_if" => "set",
        "make_list" | "makelist" | "make_list_if" | "make_list_with_nulls" => "list",
        "make_bag" | "make_bag_if" => "bag",
        "take_any" | "any" | "take_anyif" | "anyif" => "any",
        "stdev" | "stdevif" => "stdev",
        "stdevp" => "stdevp",
        "variance" | "varianceif" => "variance",
        "variancep" => "variancep",
        "percentile" => "percentile",
        _ => return None,
    })
}

pub(crate) fn agg_default_name(e: &ast::Expr) -> Option<String> {
    let ExprKind::Call { name, args } = &e.kind else { return None };
    let Some(prefix) = agg_prefix(&name.name) else {
        // `tostring(make_set(x))` is named like the aggregate inside it.
        if super::project::NAME_PASSING.contains(&name.name.as_str()) {
            return agg_default_name(args.first()?);
        }
        return None;
    };
    if name.name == "countif" || (name.name == "count" && args.is_empty()) {
        return Some(format!("{prefix}_"));
    }
    let arg = args.first().and_then(infer_name).unwrap_or_default();
    if name.name == "percentile" {
        let p = match args.get(1).map(|a| &a.kind) {
            Some(ExprKind::Literal(ast::Literal::Int(i))) => i.to_string(),
            Some(ExprKind::Literal(ast::Literal::Real(r))) => r.to_string().replace('.', "_"),
            _ => String::new(),
        };
        return Some(format!("{prefix}_{arg}_{p}"));
    }
    Some(format!("{prefix}_{arg}"))
}

impl<'a> Binder<'a> {
    pub fn summarize(&mut self, rel: Rel, aggs: &[NamedExpr], by: &[NamedExpr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        self.summarize_keyed(rel, aggs, by, env, span, None)
    }

    /// `summarize`, optionally grouping also by a hidden column kept in the output (`mv-apply`).
    pub fn summarize_keyed(
        &mut self,
        rel: Rel,
        aggs: &[NamedExpr],
        by: &[NamedExpr],
        env: &Env,
        span: &Range<usize>,
        extra_key: Option<&str>,
    ) -> BResult<Rel> {
        let row_scope = Scope::rows(&rel.cols, env.clone());
        let mut group_exprs = Vec::new();
        let mut outputs: Vec<(String, Typed)> = Vec::new();
        let mut key_names = HashSet::new();
        let mut key_locals = Vec::new();
        for item in by {
            let t = self.bind_scalar(&item.expr, &row_scope)?;
            let name = match item.names.first() {
                Some(n) => n.name.clone(),
                None => key_name(&item.expr).unwrap_or_else(|| column_n(&key_names)),
            };
            let alias = self.fresh("k");
            let g = if t.ty.is_stringy() { lower::nonnull_string(t.expr) } else { t.expr };
            group_exprs.push(g.alias(&alias));
            let key = Typed::new(col(&alias), t.ty);
            key_locals.push((name.clone(), key.clone()));
            key_names.insert(name.clone());
            outputs.push((name, key));
        }
        let mut hidden_keys = Vec::new();
        if let Some(k) = extra_key {
            let Some(i) = rel.find(k) else { return err(span, "internal error: missing row id") };
            group_exprs.push(col(k).alias(k));
            hidden_keys.push((k.to_string(), Typed::new(col(k), rel.cols[i].ty)));
        }
        let by_columns: HashSet<String> =
            by.iter().filter_map(|b| if b.names.is_empty() { if let ExprKind::Name(id) = &b.expr.kind { Some(id.name.clone()) } else { None } } else { None }).collect();
        self.aggs.push(AggCollector::default());
        let result = self.bind_aggregates(&rel, aggs, env, &key_locals, &by_columns, &mut outputs);
        let collector = self.aggs.pop().unwrap_or_default();
        result?;
        let agg_exprs: Vec<Expr> = collector.items.into_iter().map(|(alias, e)| e.alias(alias)).collect();
        let plan = df(span, LogicalPlanBuilder::from(rel.plan).aggregate(group_exprs, agg_exprs).and_then(|b| b.build()))?;
        let mut taken = HashSet::new();
        let mut items = Vec::new();
        for (name, t) in outputs {
            let name = unique_name(&name, &taken);
            taken.insert(name.clone());
            items.push((name, t, false));
        }
        for (k, t) in hidden_keys {
            items.push((k, t, true));
        }
        let cols = Vec::new();
        Rel { plan, cols }.project(items, span)
    }

    fn bind_aggregates(
        &mut self,
        rel: &Rel,
        aggs: &[NamedExpr],
        env: &Env,
        key_locals: &[(String, Typed)],
        by_columns: &HashSet<String>,
        outputs: &mut Vec<(String, Typed)>,
    ) -> BResult<()> {
        let mut names: HashSet<String> = outputs.iter().map(|(n, _)| n.clone()).collect();
        for item in aggs {
            if let Some(multi) = self.multi_aggregate(rel, item, env, by_columns)? {
                for (n, t) in multi {
                    names.insert(n.clone());
                    outputs.push((n, t));
                }
                continue;
            }
            if item.names.len() > 1 {
                return err(&item.expr.span, "assigning several names at once is supported only for arg_max/arg_min/take_any");
            }
            let scope = Scope { cols: &rel.cols, locals: key_locals.to_vec(), env: env.clone(), agg: true, join: None };
            let before = self.aggs.last().map_or(0, |c| c.items.len());
            let t = self.bind_scalar(&item.expr, &scope)?;
            let after = self.aggs.last().map_or(0, |c| c.items.len());
            if before == after && lower::literal(&t.expr).is_none() && !key_locals.iter().any(|(_, k)| k.expr == t.expr) {
                return err(&item.expr.span, "summarize expects an aggregate function such as count(), sum() or make_set() here");
            }
            let name = match item.names.first() {
                Some(n) => n.name.clone(),
                None => agg_default_name(&item.expr).unwrap_or_else(|| column_n(&names)),
            };
            names.insert(name.clone());
            outputs.push((name, t));
        }
        Ok(())
    }

    /// Registers an aggregate expression and returns a reference to its result column.
    pub fn push_aggregate(&mut self, e: Expr, ty: KustoType, span: &Range<usize>) -> BResult<Typed> {
        let alias = self.fresh("a");
        match self.aggs.last_mut() {
            Some(c) => c.items.push((alias.clone(), e)),
            None => return err(span, "aggregate functions can be used only in summarize"),
        }
        Ok(Typed::new(col(&alias), ty))
    }

    /// `arg_max(key, cols…|*)`, `arg_min`, `take_any(cols…|*)`, `percentiles(x, p…)`.
    fn multi_aggregate(&mut self, rel: &Rel, item: &NamedExpr, env: &Env, by_columns: &HashSet<String>) -> BResult<Option<Vec<(String, Typed)>>> {
        let ExprKind::Call { name, args } = &item.expr.kind else { return Ok(None) };
        let fname = name.name.as_str();
        let span = &item.expr.span;
        let scope = Scope::rows(&rel.cols, env.clone());
        match fname {
            "arg_max" | "argmax" | "arg_min" | "argmin" => {
                let Some((key_arg, rest)) = args.split_first() else {
                    return err(span, format!("{fname}() needs the expression to maximize"));
                };
                let key = self.bind_scalar(key_arg, &scope)?;
                // Named after the key column; `x = arg_max(…)` renames the first output only.
                let key_name = match infer_name(key_arg) {
                    Some(n) => n,
                    None => format!("{}_", if fname.contains("max") { "max" } else { "min" }),
                };
                let mut fields = vec![(key_name.clone(), key.clone())];
                self.payload_fields(rel, rest, &scope, by_columns, &mut fields, Some(&key_name))?;
                let udaf = if fname.contains("max") { "kql_arg_max" } else { "kql_arg_min" };
                self.row_aggregate(udaf, key, fields, item, span).map(Some)
            }
            "take_any" | "any" if args.len() > 1 || args.iter().any(|a| matches!(a.kind, ExprKind::Star)) => {
                let mut fields = Vec::new();
                self.payload_fields(rel, args, &scope, by_columns, &mut fields, None)?;
                let key = Typed::new(lit(0i64), KustoType::Long);
                self.row_aggregate("kql_take_any", key, fields, item, span).map(Some)
            }
            "percentiles" => {
                let Some((x, ps)) = args.split_first() else { return err(span, "percentiles() needs a value and percentages") };
                let v = self.bind_scalar(x, &scope)?;
                let base = infer_name(x).unwrap_or_default();
                let mut out = Vec::new();
                for (i, p) in ps.iter().enumerate() {
                    let pt = self.bind_scalar(p, &Scope::empty(env.clone()))?;
                    let pv = percentage(&pt.expr).ok_or_else(|| super::BindError::At { span: p.span.clone(), message: "percentiles() expects constant percentages".into() })?;
                    let agg = percentile_expr(&v, pv);
                    let t = self.push_aggregate(agg, percentile_type(v.ty), span)?;
                    let name = match item.names.get(i) {
                        Some(n) => n.name.clone(),
                        None => format!("percentile_{base}_{}", pct_label(pv)),
                    };
                    out.push((name, t));
                }
                Ok(Some(out))
            }
            _ => Ok(None),
        }
    }

    /// The columns carried by a whole-row aggregate: `*` (all visible columns except the
    /// `by` columns and those already listed) or the listed expressions.
    fn payload_fields(
        &mut self,
        rel: &Rel,
        args: &[ast::Expr],
        scope: &Scope<'_>,
        by_columns: &HashSet<String>,
        fields: &mut Vec<(String, Typed)>,
        key_name: Option<&str>,
    ) -> BResult<()> {
        for a in args {
            if matches!(a.kind, ExprKind::Star) {
                for c in rel.visible() {
                    if by_columns.contains(&c.name) || Some(c.name.as_str()) == key_name || fields.iter().any(|(n, _)| *n == c.name) {
                        continue;
                    }
                    fields.push((c.name.clone(), Typed::new(col(&c.name), c.ty)));
                }
                continue;
            }
            let t = self.bind_scalar(a, scope)?;
            let taken: HashSet<String> = fields.iter().map(|(n, _)| n.clone()).collect();
            let name = infer_name(a).unwrap_or_else(|| column_n(&taken));
            if !fields.iter().any(|(n, _)| *n == name) {
                fields.push((name, t));
            }
        }
        Ok(())
    }

    fn row_aggregate(&mut self, udaf: &str, key: Typed, fields: Vec<(String, Typed)>, item: &NamedExpr, span: &Range<usize>) -> BResult<Vec<(String, Typed)>> {
        let mut struct_args = Vec::new();
        for (i, (_, t)) in fields.iter().enumerate() {
            struct_args.push(str_lit(&format!("f{i}")));
            struct_args.push(t.expr.clone());
        }
        let payload = named_struct(struct_args);
        let agg = lower::udaf(udaf, vec![key.expr, payload], span)?;
        let alias = self.fresh("a");
        match self.aggs.last_mut() {
            Some(c) => c.items.push((alias.clone(), agg)),
            None => return err(span, "aggregate functions can be used only in summarize"),
        }
        let mut out = Vec::new();
        for (i, (name, t)) in fields.into_iter().enumerate() {
            let name = item.names.get(i).map_or(name, |n| n.name.clone());
            out.push((name, Typed::new(get_field(col(&alias), format!("f{i}")), t.ty)));
        }
        Ok(out)
    }
}

/// The name of an unnamed `by` key: like `infer_name`, and a function call is named after its
/// first argument (`format_datetime(Timestamp, …)` is `Timestamp`).
fn key_name(e: &ast::Expr) -> Option<String> {
    if let Some(n) = infer_name(e) {
        return Some(n);
    }
    match &e.kind {
        ExprKind::Call { args, .. } => key_name(args.first()?),
        _ => None,
    }
}

fn column_n(taken: &HashSet<String>) -> String {
    (1..).map(|i| format!("Column{i}")).find(|n| !taken.contains(n)).unwrap_or_else(|| "Column".into())
}

/// A constant percentage.
pub(crate) fn percentage(e: &Expr) -> Option<f64> {
    match lower::literal(e)? {
        datafusion::common::ScalarValue::Int64(Some(v)) => Some(*v as f64),
        datafusion::common::ScalarValue::Int32(Some(v)) => Some(f64::from(*v)),
        datafusion::common::ScalarValue::Float64(Some(v)) => Some(*v),
        _ => None,
    }
}

fn pct_label(p: f64) -> String {
    if p.fract() == 0.0 { format!("{}", p as i64) } else { p.to_string().replace('.', "_") }
}

/// `percentile(x, p)` (interpolated between ranks; Kusto picks the nearest rank).
pub(crate) fn percentile_expr(v: &Typed, p: f64) -> Expr {
    let value = match v.ty {
        KustoType::Dynamic => lower::udf("kql_dyn_to_real", vec![v.expr.clone()]),
        _ => datafusion::logical_expr::cast(v.expr.clone(), datafusion::arrow::datatypes::DataType::Float64),
    };
    datafusion::functions_aggregate::expr_fn::percentile_cont(value.sort(true, false), lit((p / 100.0).clamp(0.0, 1.0)))
}

pub(crate) fn percentile_type(_t: KustoType) -> KustoType {
    KustoType::Real
}
