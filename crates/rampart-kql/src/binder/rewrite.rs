//! Operators implemented by rewriting them into others: `evaluate pivot` (one conditional
//! aggregate per distinct value), `top-nested` (summarize per level, ranked within the
//! parent level, joined to the surviving parents), `partition by K (top N by …)` (rows
//! ranked within each partition).

use std::ops::Range;

use datafusion::common::{Column, JoinType, TableReference};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{Expr, ExprFunctionExt, LogicalPlanBuilder, lit};

use super::lower::udf;
use super::project::infer_name;
use super::rel::{Col, Rel, col};
use super::{BResult, BindError, Binder, Env, Typed, df, err};
use crate::syntax::ast::{self, BinaryOp, ExprKind, Ident, NamedExpr, TopNestedLevel};
use crate::types::KustoType;

fn mk(kind: ExprKind, span: &Range<usize>) -> ast::Expr {
    ast::Expr { kind, span: span.clone() }
}

fn ident(name: &str, span: &Range<usize>) -> Ident {
    Ident { name: name.to_string(), span: span.clone() }
}

fn call(name: &str, args: Vec<ast::Expr>, span: &Range<usize>) -> ast::Expr {
    mk(ExprKind::Call { name: ident(name, span), args }, span)
}

/// `agg(args)` restricted to rows where `pred` holds: `count()` → `countif(pred)`, … .
fn conditional(agg: &ast::Expr, pred: ast::Expr) -> Option<ast::Expr> {
    let ExprKind::Call { name, args } = &agg.kind else { return None };
    let span = &agg.span;
    let with = |f: &str, mut a: Vec<ast::Expr>| {
        a.push(pred.clone());
        Some(call(f, a, span))
    };
    match name.name.as_str() {
        "count" if args.is_empty() => with("countif", vec![]),
        "countif" => {
            let both = mk(ExprKind::Binary { op: BinaryOp::And, lhs: Box::new(args.first()?.clone()), rhs: Box::new(pred.clone()) }, span);
            Some(call("countif", vec![both], span))
        }
        "sum" => with("sumif", args.clone()),
        "avg" => with("avgif", args.clone()),
        "min" => with("minif", args.clone()),
        "max" => with("maxif", args.clone()),
        "dcount" => with("dcountif", args[..1].to_vec()),
        "make_set" => with("make_set_if", args[..1].to_vec()),
        "make_list" => with("make_list_if", args[..1].to_vec()),
        "take_any" | "any" => with("take_anyif", args[..1].to_vec()),
        _ => None,
    }
}

impl<'a> Binder<'a> {
    /// `evaluate pivot(column [, aggregate] [, key, …])`. The output columns are the values
    /// of `column`, so binding first asks the compiler for them (as `bag_unpack` does).
    pub fn pivot(&mut self, rel: Rel, args: &[ast::Expr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let Some(pivot_col) = args.first() else { return err(span, "pivot() needs a column") };
        let (agg, keys) = match args.get(1) {
            Some(a @ ast::Expr { kind: ExprKind::Call { .. }, .. }) => (a.clone(), &args[2..]),
            _ => (call("count", vec![], span), &args[1..]),
        };
        let key = span.start;
        let Some(values) = self.discovered.get(&key).cloned() else {
            let scope = super::expr::Scope::rows(&rel.cols, env.clone());
            let v = self.bind_scalar(pivot_col, &scope)?;
            let text = super::lower::to_dynamic(&Typed::new(super::lower::to_string(&v), KustoType::String));
            let p = df(span, LogicalPlanBuilder::from(rel.plan.clone()).project(vec![text.alias("__v")]).and_then(|b| b.distinct()).and_then(|b| b.build()))?;
            return Err(BindError::Discover { key, plan: Box::new(p) });
        };
        // Group keys: the given columns, else every column but the pivot and aggregated ones.
        let by: Vec<NamedExpr> = if keys.is_empty() {
            let mut used = Vec::new();
            pivot_col.walk(&mut |e| {
                if let ExprKind::Name(id) = &e.kind {
                    used.push(id.name.clone());
                }
            });
            agg.walk(&mut |e| {
                if let ExprKind::Name(id) = &e.kind {
                    used.push(id.name.clone());
                }
            });
            rel.visible()
                .filter(|c| !used.contains(&c.name))
                .map(|c| NamedExpr { names: vec![], expr: mk(ExprKind::Name(ident(&c.name, span)), span) })
                .collect()
        } else {
            keys.iter().map(|k| NamedExpr { names: vec![], expr: k.clone() }).collect()
        };
        let mut aggs = Vec::new();
        for v in &values {
            let text = call("tostring", vec![pivot_col.clone()], span);
            let pred = mk(
                ExprKind::Binary { op: BinaryOp::Eq, lhs: Box::new(text), rhs: Box::new(mk(ExprKind::Literal(ast::Literal::String(v.clone())), span)) },
                span,
            );
            let Some(cond) = conditional(&agg, pred) else {
                return err(&agg.span, "pivot() supports count, countif, sum, avg, min, max, dcount, make_set, make_list and take_any");
            };
            aggs.push(NamedExpr { names: vec![ident(v, span)], expr: cond });
        }
        if aggs.is_empty() {
            return self.summarize(rel, &[], &by, env, span);
        }
        self.summarize(rel, &aggs, &by, env, span)
    }

    /// `top-nested`: each level summarizes by the keys so far, keeps the top N within its
    /// parent, and is joined to the parents that survived.
    pub fn top_nested(&mut self, rel: Rel, levels: &[TopNestedLevel], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let mut result: Option<Rel> = None;
        let mut parents: Vec<NamedExpr> = Vec::new();
        let mut parent_names: Vec<String> = Vec::new();
        for level in levels {
            if level.others.is_some() {
                return err(span, "top-nested `with others` is not supported yet");
            }
            let key_name = match (level.of.names.first(), infer_name(&level.of.expr)) {
                (Some(n), _) => n.name.clone(),
                (None, Some(n)) => n,
                (None, None) => "Column1".into(),
            };
            let agg_name = match level.by.names.first() {
                Some(n) => n.name.clone(),
                None => format!("aggregated_{key_name}"),
            };
            let mut by = parents.clone();
            by.push(NamedExpr { names: vec![ident(&key_name, span)], expr: level.of.expr.clone() });
            let agg = NamedExpr { names: vec![ident(&agg_name, span)], expr: level.by.expr.clone() };
            let mut level_rel = self.summarize(rel.clone(), &[agg], &by, env, span)?;
            if let Some(n) = &level.count {
                let n = self.const_count(n, env)?;
                let desc = level.desc.unwrap_or(true);
                let partition: Vec<Expr> = parent_names.iter().map(|p| col(p)).collect();
                let rn = df(span, row_number().partition_by(partition).order_by(vec![col(&agg_name).sort(!desc, !desc)]).build())?.alias("__rn");
                let plan = df(span, LogicalPlanBuilder::from(level_rel.plan.clone()).window(vec![rn]))?;
                let plan = df(span, plan.filter(col("__rn").lt_eq(lit(n as u64))).and_then(|b| b.build()))?;
                let items = level_rel.passthrough();
                level_rel = Rel { plan, cols: level_rel.cols.clone() }.project(items, span)?;
            }
            result = Some(match result {
                None => level_rel,
                Some(prev) => join_on_parents(prev, level_rel, &parent_names, &key_name, &agg_name, span)?,
            });
            parents.push(NamedExpr { names: vec![ident(&key_name, span)], expr: level.of.expr.clone() });
            parent_names.push(key_name);
        }
        result.ok_or_else(|| BindError::At { span: span.clone(), message: "top-nested needs a level".into() })
    }
}

impl<'a> Binder<'a> {
    /// `partition by K (top N by x)` and `partition by K (take N)`: the rows ranked within
    /// their partition, as `row_number() over (partition by K order by x) <= N`.
    pub fn partition(&mut self, rel: Rel, by: &ast::Expr, subquery: &[ast::Operator], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let (count, order) = match subquery {
            [ast::Operator { kind: ast::OperatorKind::Top { count, by: keys }, .. }] => (count, self.sort_keys(&rel, keys, env)?),
            [ast::Operator { kind: ast::OperatorKind::Take(count), .. }] => (count, Vec::new()),
            _ => return err(span, "partition supports only `top N by …` and `take N` subqueries so far"),
        };
        let n = self.const_count(count, env)?;
        let key = self.bind_scalar(by, &super::expr::Scope::rows(&rel.cols, env.clone()))?;
        let key = if key.ty.is_stringy() { super::lower::nonnull_string(key.expr) } else { key.expr };
        let rn = row_number().partition_by(vec![key]);
        let rn = if order.is_empty() { rn } else { rn.order_by(order) };
        let rn = df(span, rn.build())?.alias("__rn");
        let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).window(vec![rn]))?;
        let plan = df(span, plan.filter(col("__rn").lt_eq(lit(n as u64))).and_then(|b| b.build()))?;
        let items = rel.passthrough();
        Rel { plan, cols: rel.cols.clone() }.project(items, span)
    }
}

/// Joins a level to the previous levels' rows on the parent keys.
fn join_on_parents(prev: Rel, level: Rel, parents: &[String], key: &str, agg: &str, span: &Range<usize>) -> BResult<Rel> {
    let q = |side: &str, n: &str| Expr::Column(Column::new(Some(TableReference::bare(side)), n.to_string()));
    let nonnull = |e: Expr| super::lower::nonnull_string(udf("kql_tostring", vec![e]));
    let lkeys: Vec<Expr> = parents.iter().map(|p| nonnull(q("__p", p))).collect();
    let rkeys: Vec<Expr> = parents.iter().map(|p| nonnull(q("__n", p))).collect();
    let l = df(span, LogicalPlanBuilder::from(prev.plan).alias("__p").and_then(|b| b.build()))?;
    let r = df(span, LogicalPlanBuilder::from(level.plan).alias("__n").and_then(|b| b.build()))?;
    let joined = df(span, LogicalPlanBuilder::from(l).join_with_expr_keys(r, JoinType::Inner, (lkeys, rkeys), None))?;
    let mut exprs: Vec<Expr> = prev.cols.iter().map(|c| q("__p", &c.name).alias(&c.name)).collect();
    let mut cols = prev.cols.clone();
    for name in [key, agg] {
        if let Some(c) = level.cols.iter().find(|c| c.name == name) {
            exprs.push(q("__n", name).alias(name));
            cols.push(Col { name: name.to_string(), ty: c.ty, hidden: false });
        }
    }
    let plan = df(span, joined.project(exprs).and_then(|b| b.build()))?;
    Ok(Rel { plan, cols })
}
