//! Operator dispatch and the small operators: `where`, `take`, `sort`, `top`, `count`,
//! `distinct`, `render`, `invoke`, `as`, `getschema`, `serialize`, `sample`, `evaluate`.

use std::ops::Range;

use datafusion::common::ScalarValue;
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, SortExpr, lit};

use super::expr::Scope;
use super::lower::{self, str_lit};
use super::rel::{Col, Rel, col};
use super::{BResult, Binder, Binding, Bound, Env, Render, Typed, df, err};
use crate::syntax::ast::{self, ExprKind, Operator, OperatorKind, SortKey};
use crate::types::KustoType;

impl<'a> Binder<'a> {
    pub fn apply_op(&mut self, rel: Rel, op: &Operator, env: &Env) -> BResult<Rel> {
        let r = self.apply_op_inner(rel, op, env);
        // Row order survives filters and projections only.
        match &op.kind {
            OperatorKind::Sort(keys) | OperatorKind::Top { by: keys, .. } => self.order_hint = order_of(keys),
            OperatorKind::Where(_)
            | OperatorKind::Extend(_)
            | OperatorKind::Project(_)
            | OperatorKind::Serialize(_)
            | OperatorKind::Take(_)
            | OperatorKind::ProjectAway(_)
            | OperatorKind::ProjectKeep(_)
            | OperatorKind::ProjectReorder(_)
            | OperatorKind::Render { .. } => {}
            _ => self.order_hint.clear(),
        }
        r
    }

    fn apply_op_inner(&mut self, rel: Rel, op: &Operator, env: &Env) -> BResult<Rel> {
        let span = &op.span;
        match &op.kind {
            OperatorKind::Where(e) => {
                let scope = Scope::rows(&rel.cols, env.clone());
                let cond = self.bind_condition(e, &scope)?;
                if datafusion::logical_expr::utils::find_window_exprs(std::slice::from_ref(&cond.expr)).is_empty() {
                    let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).filter(cond.expr).and_then(|b| b.build()))?;
                    return Ok(rel.with_plan(plan));
                }
                // `where row_number() …`: a filter cannot hold a window function, so the
                // condition becomes a hidden column first.
                let mut items = rel.passthrough();
                items.push(("__where".into(), cond, true));
                let with = rel.clone().project(items, span)?;
                let plan = df(span, LogicalPlanBuilder::from(with.plan.clone()).filter(super::rel::col("__where")).and_then(|b| b.build()))?;
                with.with_plan(plan).project(rel.passthrough(), span)
            }
            OperatorKind::Project(items) => self.project(rel, items, env, span),
            OperatorKind::Extend(items) => self.extend(rel, items, env, span),
            OperatorKind::ProjectAway(p) => self.project_away(rel, p, false, span),
            OperatorKind::ProjectKeep(p) => self.project_away(rel, p, true, span),
            OperatorKind::ProjectRename(pairs) => self.project_rename(rel, pairs, span),
            OperatorKind::ProjectReorder(items) => self.project_reorder(rel, items, span),
            OperatorKind::Summarize { aggs, by, .. } => self.summarize(rel, aggs, by, env, span),
            OperatorKind::Take(n) => {
                let n = self.const_count(n, env)?;
                let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).limit(0, Some(n)).and_then(|b| b.build()))?;
                Ok(rel.with_plan(plan))
            }
            OperatorKind::Sample(n) => {
                let n = self.const_count(n, env)?;
                let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).limit(0, Some(n)).and_then(|b| b.build()))?;
                Ok(rel.with_plan(plan))
            }
            OperatorKind::Sort(keys) => {
                let sorts = self.sort_keys(&rel, keys, env)?;
                let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).sort(sorts).and_then(|b| b.build()))?;
                Ok(rel.with_plan(plan))
            }
            OperatorKind::Top { count, by } => {
                let n = self.const_count(count, env)?;
                let sorts = self.sort_keys(&rel, by, env)?;
                let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).sort_with_limit(sorts, Some(n)).and_then(|b| b.build()))?;
                let plan = df(span, LogicalPlanBuilder::from(plan).limit(0, Some(n)).and_then(|b| b.build()))?;
                Ok(rel.with_plan(plan))
            }
            OperatorKind::Count => {
                let count = datafusion::functions_aggregate::expr_fn::count(lit(1i64)).alias("Count");
                let plan = df(span, LogicalPlanBuilder::from(rel.plan).aggregate(Vec::<Expr>::new(), vec![count]).and_then(|b| b.build()))?;
                Ok(Rel { plan, cols: vec![Col::new("Count", KustoType::Long)] })
            }
            OperatorKind::Distinct(items) => self.distinct(rel, items, env, span),
            OperatorKind::Join { options, right, on } => self.join(rel, options, right, on, env, span),
            OperatorKind::Lookup { options, right, on } => self.lookup(rel, options, right, on, env, span),
            OperatorKind::MvExpand { options, items, limit } => self.mv_expand(rel, options, items, limit.as_ref(), env, span),
            OperatorKind::MvApply { options, items, subquery } => self.mv_apply(rel, options, items, subquery, env, span),
            OperatorKind::Parse { options, source, pattern, filter } => self.parse_op(rel, options, source, pattern, *filter, env, span),
            OperatorKind::Evaluate { call, .. } => self.evaluate(rel, call, env, span),
            OperatorKind::Render { chart, properties } => {
                let props = properties.iter().map(|p| (p.name.name.clone(), render_value(&p.value))).collect();
                self.render = Some(Render { visualization: chart.name.clone(), properties: props });
                Ok(rel)
            }
            OperatorKind::Invoke(call) => self.invoke(rel, call, env, span),
            OperatorKind::As(_) => Ok(rel),
            OperatorKind::Union(u) => self.union(Some(rel), u, env, span),
            OperatorKind::Search(s) => self.search(Some(rel), s, env, span),
            OperatorKind::Getschema => self.getschema(rel, span),
            OperatorKind::Serialize(items) => {
                if items.is_empty() {
                    Ok(rel)
                } else {
                    self.extend(rel, items, env, span)
                }
            }
            OperatorKind::TopNested(levels) => self.top_nested(rel, levels, env, span),
            OperatorKind::Partition { by, subquery } => self.partition(rel, by, subquery, env, span),
            OperatorKind::MakeSeries(ms) => self.make_series(rel, ms, env, span),
            OperatorKind::Unsupported(name) => err(span, format!("the `{name}` operator is not supported yet")),
        }
    }

    /// A constant row count (`take 10`, `top 5`, a scalar `let`).
    pub(crate) fn const_count(&mut self, e: &ast::Expr, env: &Env) -> BResult<usize> {
        let t = self.bind_scalar(e, &Scope::empty(env.clone()))?;
        match lower::literal(&t.expr) {
            Some(ScalarValue::Int64(Some(v))) if *v >= 0 => Ok(*v as usize),
            Some(ScalarValue::Int32(Some(v))) if *v >= 0 => Ok(*v as usize),
            Some(ScalarValue::Float64(Some(v))) if *v >= 0.0 => Ok(*v as usize),
            _ => err(&e.span, "expected a constant, non-negative number of rows"),
        }
    }

    pub(crate) fn sort_keys(&mut self, rel: &Rel, keys: &[SortKey], env: &Env) -> BResult<Vec<SortExpr>> {
        let scope = Scope::rows(&rel.cols, env.clone());
        let mut out = Vec::new();
        for k in keys {
            let t = self.bind_scalar(&k.expr, &scope)?;
            let desc = k.desc.unwrap_or(true);
            // Kusto: nulls first when ascending, last when descending.
            let nulls_first = k.nulls_first.unwrap_or(!desc);
            let e = if t.ty.is_stringy() { lower::nonnull_string(t.expr) } else { t.expr };
            out.push(e.sort(!desc, nulls_first));
        }
        Ok(out)
    }

    fn distinct(&mut self, rel: Rel, items: &[ast::NamedExpr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let projected = if items.is_empty() {
            let out = rel.visible().map(|c| (c.name.clone(), Typed::new(col(&c.name), c.ty), false)).collect();
            rel.project(out, span)?
        } else {
            self.project(rel, items, env, span)?
        };
        // Strings group with null as "".
        let out = projected
            .cols
            .iter()
            .map(|c| {
                let e = if c.ty.is_stringy() { lower::nonnull_string(col(&c.name)) } else { col(&c.name) };
                (c.name.clone(), Typed::new(e, c.ty), false)
            })
            .collect();
        let projected = projected.project(out, span)?;
        let plan = df(span, LogicalPlanBuilder::from(projected.plan.clone()).distinct().and_then(|b| b.build()))?;
        Ok(projected.with_plan(plan))
    }

    fn getschema(&mut self, rel: Rel, span: &Range<usize>) -> BResult<Rel> {
        let rows: Vec<Vec<Expr>> = rel
            .visible()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    str_lit(&c.name),
                    lit(i as i32),
                    str_lit(&format!("System.{}", c.ty.dotnet_name())),
                    str_lit(c.ty.name()),
                ]
            })
            .collect();
        let cols = vec![
            Col::new("ColumnName", KustoType::String),
            Col::new("ColumnOrdinal", KustoType::Int),
            Col::new("DataType", KustoType::String),
            Col::new("ColumnType", KustoType::String),
        ];
        if rows.is_empty() {
            return err(span, "getschema of a table with no columns");
        }
        let b = df(span, LogicalPlanBuilder::values(rows))?;
        let names: Vec<String> = b.schema().fields().iter().map(|f| f.name().clone()).collect();
        let exprs: Vec<Expr> = names.iter().zip(&cols).map(|(n, c)| col(n).alias(&c.name)).collect();
        let plan = df(span, b.project(exprs).and_then(|b| b.build()))?;
        Ok(Rel { plan, cols })
    }

    fn invoke(&mut self, rel: Rel, call: &ast::Expr, env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let ExprKind::Call { name, args } = &call.kind else {
            return err(&call.span, "expected a function call after `invoke`");
        };
        if name.name == "FileProfile" {
            return self.file_profile(rel, args, env, span);
        }
        let Some(node) = env.lookup(&name.name) else {
            return err(&name.span, format!("unknown function `{}`", name.name));
        };
        let Binding::Function(def, fenv) = &node.binding else {
            return err(&name.span, format!("`{}` is not a function", name.name));
        };
        let (def, fenv) = (def.clone(), fenv.clone());
        match self.call_function(&def, &fenv, args, Some(rel), &Scope::empty(env.clone()), span)? {
            Bound::Table(r) => Ok(r),
            Bound::Scalar(_) => err(span, format!("`{}` does not return a table", name.name)),
        }
    }

    /// `invoke FileProfile()`: Defender enriches rows with global file data Rampart does not
    /// have; the documented columns are added as nulls so queries keep running.
    fn file_profile(&mut self, rel: Rel, _args: &[ast::Expr], _env: &Env, span: &Range<usize>) -> BResult<Rel> {
        const COLUMNS: &[(&str, KustoType)] = &[
            ("SHA1", KustoType::String),
            ("SHA256", KustoType::String),
            ("MD5", KustoType::String),
            ("FileSize", KustoType::Long),
            ("GlobalPrevalence", KustoType::Long),
            ("GlobalFirstSeen", KustoType::DateTime),
            ("GlobalLastSeen", KustoType::DateTime),
            ("Signer", KustoType::String),
            ("Issuer", KustoType::String),
            ("SignerHash", KustoType::String),
            ("IsCertificateValid", KustoType::Bool),
            ("IsRootSignerMicrosoft", KustoType::Bool),
            ("SignatureState", KustoType::String),
            ("IsExecutable", KustoType::Bool),
            ("ThreatName", KustoType::String),
            ("Publisher", KustoType::String),
            ("SoftwareName", KustoType::String),
            ("ProfileAvailability", KustoType::String),
        ];
        let mut out = rel.passthrough();
        for (name, ty) in COLUMNS {
            if rel.find(name).is_none() {
                out.push((name.to_string(), Typed::new(lower::null_of(*ty), *ty), false));
            }
        }
        rel.project(out, span)
    }

    fn evaluate(&mut self, rel: Rel, call: &ast::Expr, env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let ExprKind::Call { name, args } = &call.kind else {
            return err(&call.span, "expected a plugin call after `evaluate`");
        };
        match name.name.as_str() {
            "bag_unpack" => self.bag_unpack(rel, args, env, span),
            "pivot" => self.pivot(rel, args, env, span),
            other => err(&name.span, format!("the `{other}` plugin is not supported yet")),
        }
    }
}

/// The plain-column keys of a sort, as (name, ascending, nulls first).
fn order_of(keys: &[SortKey]) -> Vec<(String, bool, bool)> {
    keys.iter()
        .filter_map(|k| match &k.expr.kind {
            ExprKind::Name(id) => {
                let desc = k.desc.unwrap_or(true);
                Some((id.name.clone(), !desc, k.nulls_first.unwrap_or(!desc)))
            }
            _ => None,
        })
        .collect()
}

fn render_value(e: &ast::Expr) -> String {
    match &e.kind {
        ExprKind::Literal(ast::Literal::String(s)) => s.clone(),
        ExprKind::Literal(ast::Literal::Int(i)) => i.to_string(),
        ExprKind::Literal(ast::Literal::Real(r)) => r.to_string(),
        ExprKind::Literal(ast::Literal::Bool(b)) => b.to_string(),
        ExprKind::Name(id) => id.name.clone(),
        _ => String::new(),
    }
}
