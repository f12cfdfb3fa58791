//! `mv-expand`, `mv-apply` and `evaluate bag_unpack`.

use std::collections::HashSet;
use std::ops::Range;

use datafusion::common::{Column, UnnestOptions};
use datafusion::logical_expr::{Expr, LogicalPlanBuilder};

use super::expr::Scope;
use super::lower::{self, i64_lit, str_lit, udf};
use super::project::infer_name;
use super::rel::{Col, Rel, col, find_col, unique_name};
use super::source::option_text;
use super::{BResult, BindError, Binder, Env, Typed, df, err};
use crate::syntax::ast::{self, ExprKind, MvExpandItem, OptionArg};
use crate::types::KustoType;

/// Kusto's row limit of the deprecated `mvexpand`.
const LEGACY_LIMIT: i64 = 128;

/// An item being expanded: output name, the list column, the element type.
struct Expansion {
    name: String,
    list: String,
    ty: KustoType,
}

impl<'a> Binder<'a> {
    /// Expands `items` of `rel` in parallel; returns the expanded relation.
    fn expand(
        &mut self,
        rel: Rel,
        options: &[OptionArg],
        items: &[MvExpandItem],
        limit: Option<i64>,
        env: &Env,
        span: &Range<usize>,
    ) -> BResult<Rel> {
        let mut index_col = None;
        let mut array_kind = false;
        for o in options {
            match o.name.name.as_str() {
                "with_itemindex" | "itemindex" => index_col = Some(option_text(&o.value)),
                "kind" | "bagexpansion" => array_kind = option_text(&o.value) == "array",
                _ => {}
            }
        }
        let scope = Scope::rows(&rel.cols, env.clone());
        let limit_expr = limit.map(i64_lit).unwrap_or_else(|| lower::null_of(KustoType::Long));
        let mut step1 = rel.passthrough();
        let mut expansions = Vec::new();
        let mut first_value = None;
        for item in items {
            let t = self.bind_scalar(&item.expr, &scope)?;
            let dynv = match t.ty {
                KustoType::Dynamic => t.expr,
                KustoType::String | KustoType::Guid => udf("kql_parse_json", vec![t.expr]),
                other => return err(&item.expr.span, format!("mv-expand expects a dynamic array or bag, found a value of type {other}")),
            };
            let dynv = if array_kind { udf("kql_bag_to_pairs", vec![dynv]) } else { dynv };
            let name = match (&item.name, infer_name(&item.expr)) {
                (Some(n), _) => n.name.clone(),
                (None, Some(n)) => n,
                (None, None) => unique_name("Column1", &rel.names()),
            };
            let ty = match &item.to_type {
                Some(t) => KustoType::from_name(&t.name).ok_or_else(|| BindError::At { span: t.span.clone(), message: format!("unknown type `{}`", t.name) })?,
                None => KustoType::Dynamic,
            };
            let list = self.fresh("mv");
            if first_value.is_none() {
                first_value = Some(dynv.clone());
            }
            step1.push((list.clone(), Typed::new(udf("kql_mv_elements", vec![dynv, limit_expr.clone()]), KustoType::Dynamic), true));
            expansions.push(Expansion { name, list, ty });
        }
        let index_list = match (&index_col, first_value) {
            (Some(_), Some(v)) => {
                let l = self.fresh("mvix");
                step1.push((l.clone(), Typed::new(udf("kql_mv_indices", vec![v, limit_expr]), KustoType::Long), true));
                Some(l)
            }
            _ => None,
        };
        let step1_rel = project_lists(rel.clone(), step1, span)?;
        let mut unnest_cols: Vec<Column> = expansions.iter().map(|e| Column::new_unqualified(e.list.clone())).collect();
        if let Some(l) = &index_list {
            unnest_cols.push(Column::new_unqualified(l.clone()));
        }
        let options = UnnestOptions::default().with_preserve_nulls(false);
        let plan = df(span, LogicalPlanBuilder::from(step1_rel.plan).unnest_columns_with_options(unnest_cols, options).and_then(|b| b.build()))?;
        let unnested = Rel { plan, cols: Vec::new() };
        let mut out: Vec<(String, Typed, bool)> = Vec::new();
        for c in &rel.cols {
            if expansions.iter().any(|e| e.name == c.name) {
                continue;
            }
            out.push((c.name.clone(), Typed::new(col(&c.name), c.ty), c.hidden));
        }
        for e in &expansions {
            let elem = Typed::new(col(&e.list), KustoType::Dynamic);
            let value = if e.ty == KustoType::Dynamic { elem } else { Typed::new(lower::convert(&elem, e.ty), e.ty) };
            match rel.cols.iter().position(|c| c.name == e.name) {
                Some(pos) => out.insert(pos.min(out.len()), (e.name.clone(), value, false)),
                None => out.push((e.name.clone(), value, false)),
            }
        }
        if let (Some(name), Some(l)) = (index_col, index_list) {
            out.push((name, Typed::new(col(&l), KustoType::Long), false));
        }
        unnested.project(out, span)
    }

    pub fn mv_expand(
        &mut self,
        rel: Rel,
        options: &[OptionArg],
        items: &[MvExpandItem],
        limit: Option<&ast::Expr>,
        env: &Env,
        span: &Range<usize>,
    ) -> BResult<Rel> {
        let legacy = self.text.get(span.clone()).is_some_and(|t| t.starts_with("mvexpand"));
        let limit = match limit {
            Some(e) => {
                let t = self.bind_scalar(e, &Scope::empty(env.clone()))?;
                match lower::literal(&t.expr) {
                    Some(datafusion::common::ScalarValue::Int64(Some(v))) => Some(*v),
                    _ => return err(&e.span, "mv-expand limit must be a constant number"),
                }
            }
            None if legacy => Some(LEGACY_LIMIT),
            None => None,
        };
        self.expand(rel, options, items, limit, env, span)
    }

    /// `mv-apply items on (subquery)`: the subquery runs once per input row over that row's
    /// expanded values; the input row's other columns are kept.
    pub fn mv_apply(
        &mut self,
        rel: Rel,
        options: &[OptionArg],
        items: &[MvExpandItem],
        subquery: &[ast::Operator],
        env: &Env,
        span: &Range<usize>,
    ) -> BResult<Rel> {
        super::mvapply::mv_apply(self, rel, options, items, subquery, env, span)
    }

    /// `evaluate bag_unpack(column [, prefix])`: one column per property found in the data.
    /// The property names depend on the data, so binding asks the compiler to run a small
    /// query first (see `BindError::Discover`).
    pub fn bag_unpack(&mut self, rel: Rel, args: &[ast::Expr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let Some(first) = args.first() else { return err(span, "bag_unpack() needs a dynamic column") };
        let scope = Scope::rows(&rel.cols, env.clone());
        let bag = self.bind_scalar(first, &scope)?;
        let bag_expr = match bag.ty {
            KustoType::Dynamic => bag.expr,
            _ => udf("kql_parse_json", vec![lower::to_string(&bag)]),
        };
        let prefix = match args.get(1).map(|a| &a.kind) {
            Some(ExprKind::Literal(ast::Literal::String(p))) => p.clone(),
            _ => String::new(),
        };
        let key = span.start;
        let Some(keys) = self.discovered.get(&key).cloned() else {
            let lists = Typed::new(udf("kql_mv_elements", vec![udf("kql_bag_keys", vec![bag_expr]), lower::null_of(KustoType::Long)]), KustoType::Dynamic);
            let p = df(span, LogicalPlanBuilder::from(rel.plan.clone()).project(vec![lists.expr.alias("__keys")]))?;
            let p = df(span, p.unnest_column("__keys").and_then(|b| b.distinct()).and_then(|b| b.build()))?;
            return Err(BindError::Discover { key, plan: Box::new(p) });
        };
        let source = match &first.kind {
            ExprKind::Name(id) => find_col(&rel.cols, &id.name).map(|i| rel.cols[i].name.clone()),
            _ => None,
        };
        let mut out: Vec<(String, Typed, bool)> = rel
            .cols
            .iter()
            .filter(|c| Some(&c.name) != source.as_ref())
            .map(|c| (c.name.clone(), Typed::new(col(&c.name), c.ty), c.hidden))
            .collect();
        let mut taken: HashSet<String> = out.iter().map(|(n, ..)| n.clone()).collect();
        for k in keys {
            let name = unique_name(&format!("{prefix}{k}"), &taken);
            taken.insert(name.clone());
            out.push((name, Typed::new(udf("kql_dyn_get", vec![bag_expr_for(&rel, first, &scope, self)?, str_lit(&k)]), KustoType::Dynamic), false));
        }
        rel.project(out, span)
    }
}

fn bag_expr_for(rel: &Rel, first: &ast::Expr, scope: &Scope<'_>, b: &mut Binder<'_>) -> BResult<Expr> {
    let _ = rel;
    let t = b.bind_scalar(first, scope)?;
    Ok(match t.ty {
        KustoType::Dynamic => t.expr,
        _ => udf("kql_parse_json", vec![lower::to_string(&t)]),
    })
}

/// Projects the list columns; they are not valid Kusto types, so no conforming cast.
fn project_lists(rel: Rel, items: Vec<(String, Typed, bool)>, span: &Range<usize>) -> BResult<Rel> {
    let exprs: Vec<Expr> = items.iter().map(|(n, t, _)| t.expr.clone().alias(n)).collect();
    let cols = items.into_iter().map(|(n, t, hidden)| Col { name: n, ty: t.ty, hidden }).collect();
    let plan = df(span, LogicalPlanBuilder::from(rel.plan).project(exprs).and_then(|b| b.build()))?;
    Ok(Rel { plan, cols })
}
