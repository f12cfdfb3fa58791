//! `find`: rows of several tables that match a predicate, with a `source_` column. A column
//! the predicate names but a table lacks reads as null there; tables with none of the
//! predicate's columns are skipped. Without `project`, the output is `source_`, the
//! predicate's columns, the columns all tables share, and `pack_` holding the rest.

use std::collections::BTreeSet;
use std::ops::Range;

use datafusion::logical_expr::LogicalPlanBuilder;

use super::expr::Scope;
use super::lower::{self, null_of, str_lit, udf};
use super::rel::{Col, Rel, col, find_col, wildcard_match};
use super::source::option_text;
use super::{BResult, Binder, Env, Typed, df, err};
use crate::syntax::ast::{self, ExprKind};
use crate::types::KustoType;

impl<'a> Binder<'a> {
    pub fn find(&mut self, f: &ast::Find, env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let source_col = f.options.iter().find(|o| o.name.name == "withsource").map_or_else(|| "source_".to_string(), |o| option_text(&o.value));
        let mut inputs: Vec<(String, Rel)> = Vec::new();
        if f.tables.is_empty() {
            for n in self.tables.names.clone() {
                inputs.push((n.clone(), self.scan(&n, span)?));
            }
        }
        for t in &f.tables {
            match &t.kind {
                ExprKind::Name(id) if id.name.contains('*') => {
                    let names: Vec<String> = self.tables.names.iter().filter(|n| wildcard_match(&id.name, n)).cloned().collect();
                    for n in names {
                        inputs.push((n.clone(), self.scan(&n, &t.span)?));
                    }
                }
                ExprKind::Name(id) => inputs.push((id.name.clone(), self.bind_tabular(t, env)?)),
                _ => inputs.push((format!("union_arg{}", inputs.len()), self.bind_tabular(t, env)?)),
            }
        }
        let mut names = BTreeSet::new();
        f.predicate.walk(&mut |e| {
            if let ExprKind::Name(id) = &e.kind
                && env.lookup(&id.name).is_none()
                && !matches!(id.name.as_str(), "true" | "false" | "null")
            {
                names.insert(id.name.clone());
            }
        });
        let mut filtered: Vec<(String, Rel)> = Vec::new();
        for (label, rel) in inputs {
            let present: Vec<&String> = names.iter().filter(|n| find_col(&rel.cols, n).is_some()).collect();
            if !names.is_empty() && present.is_empty() {
                continue;
            }
            // Missing columns read as null strings.
            let mut items = rel.passthrough();
            for n in &names {
                if find_col(&rel.cols, n).is_none() {
                    items.push((n.clone(), Typed::new(null_of(KustoType::String), KustoType::String), true));
                }
            }
            let widened = rel.project(items, span)?;
            let scope = Scope::rows(&widened.cols, env.clone());
            let cond = match &f.predicate.kind {
                ExprKind::Literal(ast::Literal::String(term)) => {
                    let parts: Vec<_> = widened
                        .visible()
                        .filter(|c| c.ty.is_stringy() || c.ty == KustoType::Dynamic)
                        .map(|c| udf("kql_has", vec![col(&c.name), str_lit(term)]))
                        .collect();
                    parts.into_iter().reduce(datafusion::logical_expr::Expr::or).unwrap_or(datafusion::logical_expr::lit(false))
                }
                _ => self.bind_condition(&f.predicate, &scope)?.expr,
            };
            let plan = df(span, LogicalPlanBuilder::from(widened.plan.clone()).filter(cond).and_then(|b| b.build()))?;
            filtered.push((label, widened.with_plan(plan)));
        }
        if filtered.is_empty() {
            return err(span, "no table has the columns this find refers to");
        }
        // The output columns (after `source_`).
        let mut out_cols: Vec<Col> = Vec::new();
        let mut pack = f.pack_all;
        match &f.project {
            Some(list) => {
                for (n, t) in list {
                    let ty = match t {
                        Some(t) => KustoType::from_name(&t.name).ok_or_else(|| super::BindError::At { span: t.span.clone(), message: format!("unknown type `{}`", t.name) })?,
                        None => filtered.iter().find_map(|(_, r)| find_col(&r.cols, &n.name).map(|i| r.cols[i].ty)).unwrap_or(KustoType::String),
                    };
                    out_cols.push(Col::new(&n.name, ty));
                }
            }
            None => {
                pack = true;
                for n in &names {
                    if let Some(ty) = filtered.iter().find_map(|(_, r)| r.visible().find(|c| &c.name == n).map(|c| c.ty)) {
                        out_cols.push(Col::new(n, ty));
                    }
                }
                if let Some((_, first)) = filtered.first() {
                    for c in first.visible() {
                        let common = filtered.iter().all(|(_, r)| r.visible().any(|x| x.name == c.name && x.ty == c.ty));
                        if common && !out_cols.iter().any(|o| o.name == c.name) {
                            out_cols.push(c.clone());
                        }
                    }
                }
            }
        }
        let mut plans = Vec::new();
        for (label, rel) in &filtered {
            let mut items = vec![(source_col.clone(), Typed::new(str_lit(label), KustoType::String), false)];
            for c in &out_cols {
                let v = match rel.visible().find(|x| x.name == c.name) {
                    Some(x) => Typed::new(lower::convert(&Typed::new(col(&x.name), x.ty), c.ty), c.ty),
                    None => Typed::new(null_of(c.ty), c.ty),
                };
                items.push((c.name.clone(), v, false));
            }
            if pack {
                let mut call = Vec::new();
                for c in rel.visible().filter(|c| !out_cols.iter().any(|o| o.name == c.name)) {
                    call.push(str_lit(&c.name));
                    call.push(lower::to_dynamic(&Typed::new(col(&c.name), c.ty)));
                }
                items.push(("pack_".into(), Typed::new(udf("kql_pack", call), KustoType::Dynamic), false));
            }
            plans.push(rel.clone().project(items, span)?.plan);
        }
        let mut cols = vec![Col::new(&source_col, KustoType::String)];
        cols.extend(out_cols);
        if pack {
            cols.push(Col::new("pack_", KustoType::Dynamic));
        }
        let mut it = plans.into_iter();
        let Some(first) = it.next() else { return err(span, "find has no tables") };
        let mut b = LogicalPlanBuilder::from(first);
        for p in it {
            b = df(span, b.union(p))?;
        }
        Ok(Rel { plan: df(span, b.build())?, cols })
    }
}
