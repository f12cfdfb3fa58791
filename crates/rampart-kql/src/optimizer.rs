//! An optimizer rule for the plans this crate builds: `arg_max(x, *)`, `take_any(*)` and the
//! left side of an `innerunique` join carry whole rows as a struct. When the query later
//! reads only some fields of that struct, this rule drops the other fields, so DataFusion's
//! projection pushdown stops reading their columns from the files.

use std::collections::{HashMap, HashSet};

use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::{AggregateFunction, ScalarFunction};
use datafusion::logical_expr::{Aggregate, Expr, LogicalPlan};
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};

/// The aggregates whose second argument is a row struct.
const ROW_AGGREGATES: &[&str] = &["kql_arg_max", "kql_arg_min", "kql_take_any"];

#[derive(Debug, Default)]
pub struct PruneRowStructs;

/// How the output column of a row aggregate is used above it.
#[derive(Default)]
struct Usage {
    fields: HashSet<String>,
    whole: bool,
}

fn field_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Literal(ScalarValue::Utf8(Some(s)), _) => Some(s),
        _ => None,
    }
}

/// `get_field(column, 'name')` → (column, name).
fn get_field_of(e: &Expr) -> Option<(&str, &str)> {
    let Expr::ScalarFunction(ScalarFunction { func, args }) = e else { return None };
    if func.name() != "get_field" || args.len() != 2 {
        return None;
    }
    let Expr::Column(c) = &args[0] else { return None };
    Some((c.name.as_str(), field_name(&args[1])?))
}

fn record(e: &Expr, usage: &mut HashMap<String, Usage>) {
    let _ = e.apply(|x| {
        if let Some((col, field)) = get_field_of(x) {
            if let Some(u) = usage.get_mut(col) {
                u.fields.insert(field.to_string());
            }
            return Ok(TreeNodeRecursion::Jump);
        }
        if let Expr::Column(c) = x
            && let Some(u) = usage.get_mut(&c.name) {
                u.whole = true;
            }
        Ok(TreeNodeRecursion::Continue)
    });
}

/// The alias and struct fields of a row aggregate expression.
fn row_aggregate(e: &Expr) -> Option<(&str, Vec<String>)> {
    let Expr::Alias(a) = e else { return None };
    let Expr::AggregateFunction(AggregateFunction { func, params }) = a.expr.as_ref() else { return None };
    if !ROW_AGGREGATES.contains(&func.name()) {
        return None;
    }
    let Expr::ScalarFunction(ScalarFunction { func: s, args }) = params.args.get(1)? else { return None };
    if s.name() != "named_struct" {
        return None;
    }
    let names = args.chunks(2).filter_map(|c| field_name(&c[0]).map(str::to_string)).collect();
    Some((a.name.as_str(), names))
}

/// The same aggregate with only `keep` fields in its row struct.
fn prune(e: &Expr, keep: &HashSet<String>) -> Option<Expr> {
    let Expr::Alias(a) = e else { return None };
    let Expr::AggregateFunction(AggregateFunction { func, params }) = a.expr.as_ref() else { return None };
    let Expr::ScalarFunction(ScalarFunction { func: s, args }) = params.args.get(1)? else { return None };
    let mut kept = Vec::new();
    for pair in args.chunks(2) {
        if pair.len() == 2 && field_name(&pair[0]).is_some_and(|n| keep.contains(n)) {
            kept.extend(pair.iter().cloned());
        }
    }
    if kept.is_empty() || kept.len() == args.len() {
        return None;
    }
    let mut params = params.clone();
    params.args[1] = Expr::ScalarFunction(ScalarFunction::new_udf(s.clone(), kept));
    let agg = Expr::AggregateFunction(AggregateFunction { func: func.clone(), params });
    Some(agg.alias_qualified(a.relation.clone(), a.name.clone()))
}

impl OptimizerRule for PruneRowStructs {
    fn name(&self) -> &str {
        "kql_prune_row_structs"
    }

    fn rewrite(&self, plan: LogicalPlan, _config: &dyn OptimizerConfig) -> Result<Transformed<LogicalPlan>> {
        let mut usage: HashMap<String, Usage> = HashMap::new();
        let mut fields_of: HashMap<String, Vec<String>> = HashMap::new();
        plan.apply(|node| {
            if let LogicalPlan::Aggregate(agg) = node {
                for e in &agg.aggr_expr {
                    if let Some((name, fields)) = row_aggregate(e) {
                        usage.insert(name.to_string(), Usage::default());
                        fields_of.insert(name.to_string(), fields);
                    }
                }
            }
            Ok(TreeNodeRecursion::Continue)
        })?;
        if usage.is_empty() {
            return Ok(Transformed::no(plan));
        }
        plan.apply(|node| {
            node.apply_expressions(|e| {
                record(e, &mut usage);
                Ok(TreeNodeRecursion::Continue)
            })?;
            Ok(TreeNodeRecursion::Continue)
        })?;
        let prunable: HashMap<String, HashSet<String>> = usage
            .into_iter()
            .filter(|(name, u)| !u.whole && fields_of.get(name).is_some_and(|f| u.fields.len() < f.len()))
            .map(|(name, u)| {
                let mut keep = u.fields;
                if keep.is_empty()
                    && let Some(first) = fields_of.get(&name).and_then(|f| f.first()) {
                        keep.insert(first.clone());
                    }
                (name, keep)
            })
            .collect();
        if prunable.is_empty() {
            return Ok(Transformed::no(plan));
        }
        let mut changed = false;
        let rewritten = plan.transform_up(|node| {
            if let LogicalPlan::Aggregate(agg) = &node {
                let mut any = false;
                let aggr: Vec<Expr> = agg
                    .aggr_expr
                    .iter()
                    .map(|e| match row_aggregate(e).and_then(|(n, _)| prunable.get(n)).and_then(|keep| prune(e, keep)) {
                        Some(p) => {
                            any = true;
                            p
                        }
                        None => e.clone(),
                    })
                    .collect();
                if any {
                    changed = true;
                    let new = Aggregate::try_new(agg.input.clone(), agg.group_expr.clone(), aggr)?;
                    return Ok(Transformed::yes(LogicalPlan::Aggregate(new)));
                }
            }
            if changed {
                return Ok(Transformed::yes(node.recompute_schema()?));
            }
            Ok(Transformed::no(node))
        })?;
        Ok(rewritten)
    }
}
