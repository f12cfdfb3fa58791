//! `mv-apply`: each input row gets an id, its arrays are expanded, the subquery runs with
//! that id as an extra grouping key (`summarize`) or partition (`take`, `top`), and the
//! input row's other columns are joined back when the subquery dropped them.

use std::collections::HashSet;
use std::ops::Range;

use datafusion::common::{Column, JoinType, TableReference};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{Expr, ExprFunctionExt, LogicalPlanBuilder, lit};

use super::rel::{Col, Rel, col};
use super::{BResult, Binder, Env, df, err};
use crate::syntax::ast::{self, MvExpandItem, OperatorKind, OptionArg};
use crate::types::KustoType;

pub(crate) const ROW_ID: &str = "__rid";

/// Adds a hidden row-id column.
pub(crate) fn with_row_id(rel: Rel, span: &Range<usize>) -> BResult<Rel> {
    let rn = row_number().alias(ROW_ID);
    let plan = df(span, LogicalPlanBuilder::from(rel.plan).window(vec![rn]).and_then(|b| b.build()))?;
    let mut cols = rel.cols;
    cols.push(Col { name: ROW_ID.into(), ty: KustoType::Long, hidden: true });
    let rel = Rel { plan, cols };
    let items = rel.passthrough();
    rel.project(items, span)
}

pub(crate) fn mv_apply(
    b: &mut Binder<'_>,
    rel: Rel,
    options: &[OptionArg],
    items: &[MvExpandItem],
    subquery: &[ast::Operator],
    env: &Env,
    span: &Range<usize>,
) -> BResult<Rel> {
    let base = with_row_id(rel, span)?;
    let expanded = b.mv_expand(base.clone(), options, items, None, env, span)?;
    let mut cur = expanded;
    let mut regrouped = false;
    for op in subquery {
        cur = match &op.kind {
            OperatorKind::Summarize { aggs, by, .. } => {
                regrouped = true;
                b.summarize_keyed(cur, aggs, by, env, &op.span, Some(ROW_ID))?
            }
            OperatorKind::Take(n) => per_row_limit(b, cur, &[], n, env, &op.span)?,
            OperatorKind::Top { count, by } => per_row_limit(b, cur, by, count, env, &op.span)?,
            OperatorKind::Join { .. } | OperatorKind::Lookup { .. } | OperatorKind::Union(_) | OperatorKind::Count | OperatorKind::Distinct(_) => {
                return err(&op.span, "this operator is not supported inside mv-apply yet");
            }
            _ => b.apply_op(cur, op, env)?,
        };
        if cur.find(ROW_ID).is_none() {
            return err(&op.span, "this operator is not supported inside mv-apply yet");
        }
    }
    let expanded_names: HashSet<String> = items
        .iter()
        .filter_map(|i| i.name.as_ref().map(|n| n.name.clone()).or_else(|| super::project::infer_name(&i.expr)))
        .collect();
    if !regrouped {
        return drop_row_id(cur, span);
    }
    // Join the input row's remaining columns back.
    let out_names: HashSet<String> = cur.cols.iter().map(|c| c.name.clone()).collect();
    let keep: Vec<Col> = base
        .cols
        .iter()
        .filter(|c| c.name != ROW_ID && !out_names.contains(&c.name) && !expanded_names.contains(&c.name))
        .cloned()
        .collect();
    let q = |side: &str, n: &str| Expr::Column(Column::new(Some(TableReference::bare(side)), n.to_string()));
    let l = df(span, LogicalPlanBuilder::from(base.plan).alias("__b").and_then(|x| x.build()))?;
    let r = df(span, LogicalPlanBuilder::from(cur.plan).alias("__s").and_then(|x| x.build()))?;
    let joined = df(span, LogicalPlanBuilder::from(l).join_with_expr_keys(r, JoinType::Inner, (vec![q("__b", ROW_ID)], vec![q("__s", ROW_ID)]), None))?;
    let mut exprs = Vec::new();
    let mut cols = Vec::new();
    for c in &keep {
        exprs.push(q("__b", &c.name).alias(&c.name));
        cols.push(c.clone());
    }
    for c in cur.cols.iter().filter(|c| c.name != ROW_ID) {
        exprs.push(q("__s", &c.name).alias(&c.name));
        cols.push(c.clone());
    }
    let plan = df(span, joined.project(exprs).and_then(|x| x.build()))?;
    Ok(Rel { plan, cols })
}

fn drop_row_id(rel: Rel, span: &Range<usize>) -> BResult<Rel> {
    let items = rel.passthrough().into_iter().filter(|(n, ..)| n != ROW_ID).collect();
    rel.project(items, span)
}

/// `take n` / `top n by …` applied to each input row's values separately.
fn per_row_limit(b: &mut Binder<'_>, rel: Rel, by: &[ast::SortKey], n: &ast::Expr, env: &Env, span: &Range<usize>) -> BResult<Rel> {
    let count = b.const_count(n, env)?;
    let sorts = b.sort_keys(&rel, by, env)?;
    let rn = df(span, row_number().partition_by(vec![col(ROW_ID)]).order_by(sorts).build())?.alias("__rn");
    let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).window(vec![rn]))?;
    let plan = df(span, plan.filter(col("__rn").lt_eq(lit(count as u64))).and_then(|x| x.build()))?;
    let items = rel.passthrough();
    Rel { plan, cols: rel.cols }.project(items, span)
}

#[allow(dead_code)]
fn unused(_: JoinType) {}
