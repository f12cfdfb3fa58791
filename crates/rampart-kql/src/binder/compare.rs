//! Comparisons and predicates with Kusto's rules: strings are never null (a null string
//! equals ""), `==` is case-sensitive and `=~` is not, `has` is term-based, a comparison
//! between a null and a non-null value is false (`!=` is true), and mixed types convert.

use std::ops::Range;

use datafusion::common::ScalarValue;
use datafusion::logical_expr::{Expr, Operator, binary_expr, lit};

use super::expr::Scope;
use super::lower::{self, str_lit, str_literal, udf};
use super::{BResult, Binder, Binding, Bound, Typed, err};
use crate::syntax::ast::{self, BinaryOp, ExprKind, ListOp, StrOp, StrPredicate};
use crate::types::KustoType;

impl<'a> Binder<'a> {
    pub fn bind_comparison(
        &mut self,
        op: BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        scope: &Scope<'_>,
        filter: bool,
        span: &Range<usize>,
    ) -> BResult<Typed> {
        let l = self.bind_scalar(lhs, scope)?;
        let r = self.bind_scalar(rhs, scope)?;
        let expr = match op {
            BinaryOp::Str(p) => string_predicate(p, &l, &r),
            BinaryOp::EqCi | BinaryOp::NeCi => {
                let e = udf("kql_eq_ci", vec![lower::to_string(&l), lower::to_string(&r)]);
                if op == BinaryOp::NeCi { !e } else { e }
            }
            _ => {
                let (l, r) = unify(l, r, span)?;
                compare(op, &l, &r, filter)
            }
        };
        Ok(Typed::new(expr, KustoType::Bool))
    }

    pub fn bind_between(
        &mut self,
        e: &ast::Expr,
        low: &ast::Expr,
        high: &ast::Expr,
        negated: bool,
        scope: &Scope<'_>,
        span: &Range<usize>,
    ) -> BResult<Typed> {
        let v = self.bind_scalar(e, scope)?;
        let lo = self.bind_scalar(low, scope)?;
        let mut hi = self.bind_scalar(high, scope)?;
        // `datetime between (start .. timespan)` means start .. start + timespan.
        if lo.ty == KustoType::DateTime && hi.ty == KustoType::Timespan {
            hi = super::expr::arith(BinaryOp::Add, lo.clone(), hi, span)?;
        }
        let (v1, lo) = unify(v.clone(), lo, span)?;
        let (v2, hi) = unify(v, hi, span)?;
        let expr = if negated {
            binary_expr(v1.expr, Operator::Lt, lo.expr).or(binary_expr(v2.expr, Operator::Gt, hi.expr))
        } else {
            binary_expr(v1.expr, Operator::GtEq, lo.expr).and(binary_expr(v2.expr, Operator::LtEq, hi.expr))
        };
        Ok(Typed::new(expr, KustoType::Bool))
    }

    /// `in`, `!in`, `in~`, `!in~`, `has_any`, `has_all`.
    pub fn bind_list_predicate(
        &mut self,
        op: ListOp,
        e: &ast::Expr,
        list: &[ast::Expr],
        scope: &Scope<'_>,
        filter: bool,
        span: &Range<usize>,
    ) -> BResult<Typed> {
        let v = self.bind_scalar(e, scope)?;
        let mut consts: Vec<Typed> = Vec::new();
        let mut dynamic: Vec<Typed> = Vec::new();
        let mut tables: Vec<super::Rel> = Vec::new();
        for item in list {
            match self.list_item(item, scope)? {
                ListItem::Values(vs) => consts.extend(vs),
                ListItem::Dynamic(d) => dynamic.push(d),
                ListItem::Table(rel) => tables.push(rel),
                ListItem::Scalar(t) => consts.push(t),
            }
        }
        let parts: Vec<Expr> = Vec::new();
        match op {
            ListOp::HasAny | ListOp::HasAll => {
                let f = if op == ListOp::HasAny { "kql_has_any" } else { "kql_has_all" };
                let hay = lower::to_string(&v);
                let mut parts = Vec::new();
                if !consts.is_empty() {
                    parts.push(udf(f, vec![hay.clone(), json_list(&consts)]));
                }
                for d in dynamic {
                    parts.push(udf(f, vec![hay.clone(), d.expr]));
                }
                for rel in tables {
                    let set = self.table_as_array(rel, span)?;
                    parts.push(udf(f, vec![hay.clone(), set]));
                }
                if parts.is_empty() {
                    return Ok(Typed::new(lit(false), KustoType::Bool));
                }
                let combined = if op == ListOp::HasAny { parts.into_iter().reduce(Expr::or) } else { parts.into_iter().reduce(Expr::and) };
                return Ok(Typed::new(combined.unwrap_or(lit(false)), KustoType::Bool));
            }
            _ => {}
        };
        let _ = parts;
        let ci = matches!(op, ListOp::InCi | ListOp::NotInCi);
        let negated = matches!(op, ListOp::NotIn | ListOp::NotInCi);
        if dynamic.is_empty() && tables.is_empty() && !ci && !consts.is_empty() {
            return Ok(Typed::new(self.in_list_direct(&v, consts, negated, filter, span)?, KustoType::Bool));
        }
        if filter && dynamic.is_empty() && consts.is_empty() && tables.len() == 1
            && let Some(rel) = tables.pop() {
                return Ok(Typed::new(self.in_subquery(&v, rel, ci, negated, span)?, KustoType::Bool));
            }
        // Elsewhere a table becomes one array value (DataFusion decorrelates IN-subqueries
        // only in filters; a scalar subquery works everywhere).
        for rel in std::mem::take(&mut tables) {
            let set = self.table_as_array(rel, span)?;
            dynamic.push(Typed::new(set, KustoType::Dynamic));
        }
        let parts = self.in_parts(&v, consts, dynamic, tables, ci, span)?;
        let any = parts.into_iter().reduce(Expr::or).unwrap_or(lit(false));
        // Every part is null-free, so negation is exact.
        let expr = if negated { !any } else { any };
        Ok(Typed::new(expr, KustoType::Bool))
    }

    /// `v in (constants)` as a plain `IN` list (which DataFusion can push into scans), with
    /// Kusto's null rules: a null string is "", a null number is in no list.
    fn in_list_direct(&mut self, v: &Typed, consts: Vec<Typed>, negated: bool, filter: bool, span: &Range<usize>) -> BResult<Expr> {
        let stringy = v.ty.is_stringy() || v.ty == KustoType::Dynamic;
        let (lhs, values, has_empty) = if stringy {
            let values: Vec<Expr> = consts.iter().map(lower::to_string).collect();
            let has_empty = values.iter().any(|e| str_literal(e) == Some(Some("")));
            (lower::to_string(v), values, has_empty)
        } else {
            let mut values = Vec::new();
            for c in consts {
                let (_, c) = unify(v.clone(), c, span)?;
                values.push(c.expr);
            }
            (v.expr.clone(), values, false)
        };
        let inl = lhs.clone().in_list(values.clone(), false);
        Ok(match (negated, has_empty) {
            (false, true) => lhs.is_null().or(inl),
            (false, false) if filter => inl,
            (false, false) => datafusion::functions::expr_fn::coalesce(vec![inl, lit(false)]),
            (true, true) => lhs.clone().is_not_null().and(lhs.in_list(values, true)),
            (true, false) => lhs.clone().is_null().or(lhs.in_list(values, true)),
        })
    }

    /// The null-free membership tests for `v in (…)`.
    fn in_parts(
        &mut self,
        v: &Typed,
        consts: Vec<Typed>,
        dynamic: Vec<Typed>,
        tables: Vec<super::Rel>,
        ci: bool,
        span: &Range<usize>,
    ) -> BResult<Vec<Expr>> {
        let mut parts = Vec::new();
        let stringy = v.ty.is_stringy() || v.ty == KustoType::Dynamic || ci;
        if !consts.is_empty() {
            if stringy {
                let text = lower::to_string(v);
                if ci {
                    parts.push(udf("kql_in_ci", vec![text, json_list(&consts)]));
                } else {
                    let values: Vec<Expr> = consts.iter().map(lower::to_string).collect();
                    let has_empty = values.iter().any(|e| str_literal(e) == Some(Some("")));
                    let list = lower::nonnull_string(text).in_list(values, false);
                    parts.push(if has_empty { list } else { datafusion::functions::expr_fn::coalesce(vec![list, lit(false)]) });
                }
            } else {
                let mut values = Vec::new();
                for c in consts {
                    let (_, c) = unify(v.clone(), c, span)?;
                    values.push(c.expr);
                }
                let list = v.expr.clone().in_list(values, false);
                parts.push(datafusion::functions::expr_fn::coalesce(vec![list, lit(false)]));
            }
        }
        for d in dynamic {
            let f = if ci { "kql_in_dyn_ci" } else { "kql_in_dyn" };
            parts.push(udf(f, vec![lower::to_string(v), d.expr]));
        }
        for rel in tables {
            let e = self.in_subquery(v, rel, ci, false, span)?;
            parts.push(datafusion::functions::expr_fn::coalesce(vec![e, lit(false)]));
        }
        Ok(parts)
    }

    /// `v in (T)`: a plain IN-subquery (DataFusion turns it into a semi join when it is a
    /// top-level condition). Null values of the subquery are left out, so `!in` keeps Kusto's
    /// meaning.
    fn in_subquery(&mut self, v: &Typed, rel: super::Rel, ci: bool, negated: bool, span: &Range<usize>) -> BResult<Expr> {
        let Some(first) = rel.visible().next().cloned() else {
            return err(span, "the table after `in` has no columns");
        };
        let stringy = v.ty.is_stringy() || v.ty == KustoType::Dynamic || ci;
        let mut value = Typed::new(super::rel::col(&first.name), first.ty);
        let mut lhs = v.clone();
        if stringy || first.ty.is_stringy() {
            value = Typed::new(lower::nonnull_string(lower::to_string(&value)), KustoType::String);
            lhs = Typed::new(lower::nonnull_string(lower::to_string(&lhs)), KustoType::String);
            if ci {
                value.expr = datafusion::functions::expr_fn::lower(value.expr);
                lhs.expr = datafusion::functions::expr_fn::lower(lhs.expr);
            }
        } else {
            let (l2, v2) = unify(lhs, value, span)?;
            lhs = l2;
            value = v2;
        }
        let sub = rel.project(vec![("__in".to_string(), value, false)], span)?;
        let plan = super::df(
            span,
            datafusion::logical_expr::LogicalPlanBuilder::from(sub.plan).filter(super::rel::col("__in").is_not_null()).and_then(|b| b.build()),
        )?;
        let subquery = datafusion::logical_expr::Subquery { subquery: std::sync::Arc::new(plan), outer_ref_columns: vec![], spans: Default::default() };
        Ok(Expr::InSubquery(datafusion::logical_expr::expr::InSubquery::new(Box::new(lhs.expr), subquery, negated)))
    }

    fn list_item(&mut self, item: &ast::Expr, scope: &Scope<'_>) -> BResult<ListItem> {
        if let ExprKind::Dynamic(d) = &item.kind {
            return Ok(match super::expr::dyn_json(d) {
                Some(serde_json::Value::Array(items)) => ListItem::Values(items.iter().map(json_value_typed).collect()),
                Some(v) => ListItem::Values(vec![json_value_typed(&v)]),
                None => ListItem::Values(Vec::new()),
            });
        }
        if self.is_tabular(item, &scope.env) && !self.is_column(item, scope) {
            return Ok(ListItem::Table(self.bind_tabular(item, &scope.env)?));
        }
        if let ExprKind::Name(id) = &item.kind
            && super::rel::find_col(scope.cols, &id.name).is_none()
                && let Some(node) = scope.env.lookup(&id.name)
                    && !matches!(node.binding, Binding::Function(..))
                        && let Bound::Table(rel) = self.force(&node, &item.span)? {
                            return Ok(ListItem::Table(rel));
                        }
        let t = self.bind_scalar(item, scope)?;
        if t.ty == KustoType::Dynamic {
            if let Some(Some(json)) = str_literal(&t.expr) {
                return Ok(match serde_json::from_str::<serde_json::Value>(json) {
                    Ok(serde_json::Value::Array(items)) => ListItem::Values(items.iter().map(json_value_typed).collect()),
                    Ok(v) => ListItem::Values(vec![json_value_typed(&v)]),
                    Err(_) => ListItem::Dynamic(t),
                });
            }
            return Ok(ListItem::Dynamic(t));
        }
        Ok(ListItem::Scalar(t))
    }

    fn is_column(&self, e: &ast::Expr, scope: &Scope<'_>) -> bool {
        matches!(&e.kind, ExprKind::Name(id) if super::rel::find_col(scope.cols, &id.name).is_some())
    }

    /// A one-column table as a dynamic array (`toscalar(T | summarize make_set(c))`).
    fn table_as_array(&mut self, rel: super::Rel, span: &Range<usize>) -> BResult<Expr> {
        let Some(first) = rel.visible().next().cloned() else {
            return err(span, "the table in the list has no columns");
        };
        let value = Typed::new(super::rel::col(&first.name), first.ty);
        let agg = lower::udaf("kql_make_set", vec![lower::to_dynamic(&value)], span)?;
        let plan = super::df(
            span,
            datafusion::logical_expr::LogicalPlanBuilder::from(rel.plan).aggregate(Vec::<Expr>::new(), vec![agg.alias("__set")]).and_then(|b| b.build()),
        )?;
        Ok(Expr::ScalarSubquery(datafusion::logical_expr::Subquery {
            subquery: std::sync::Arc::new(plan),
            outer_ref_columns: vec![],
            spans: Default::default(),
        }))
    }
}

enum ListItem {
    Values(Vec<Typed>),
    Dynamic(Typed),
    Table(super::Rel),
    Scalar(Typed),
}

fn json_value_typed(v: &serde_json::Value) -> Typed {
    match v {
        serde_json::Value::String(s) => Typed::new(str_lit(s), KustoType::String),
        serde_json::Value::Bool(b) => Typed::new(lit(*b), KustoType::Bool),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Typed::new(lower::i64_lit(i), KustoType::Long),
            None => Typed::new(lit(n.as_f64().unwrap_or(f64::NAN)), KustoType::Real),
        },
        serde_json::Value::Null => Typed::new(lit(ScalarValue::Utf8(None)), KustoType::Dynamic),
        other => Typed::new(str_lit(&other.to_string()), KustoType::Dynamic),
    }
}

/// A JSON array literal of the text of constant values.
fn json_list(values: &[Typed]) -> Expr {
    let items: Vec<serde_json::Value> = values
        .iter()
        .filter_map(|t| match super::lower::literal(&t.expr) {
            Some(ScalarValue::Utf8(Some(s))) => Some(serde_json::Value::String(s.clone())),
            Some(v) if !v.is_null() => Some(serde_json::Value::String(v.to_string())),
            _ => None,
        })
        .collect();
    if items.len() == values.len() {
        return str_lit(&serde_json::Value::Array(items).to_string());
    }
    // Non-constant items: build the array at run time.
    udf("kql_pack_array", values.iter().map(lower::to_dynamic).collect())
}

fn string_predicate(p: StrPredicate, l: &Typed, r: &Typed) -> Expr {
    let hay = lower::to_string(l);
    let needle = lower::to_string(r);
    let e = match p.op {
        StrOp::MatchesRegex => {
            let needle = match str_literal(&needle) {
                Some(Some(p)) => str_lit(&crate::udf::text::re2_compat(p)),
                _ => needle,
            };
            binary_expr(lower::nonnull_string(hay), Operator::RegexMatch, needle)
        }
        StrOp::Like => {
            let like = datafusion::logical_expr::expr::Like::new(false, Box::new(lower::nonnull_string(hay)), Box::new(needle), None, !p.case_sensitive);
            Expr::Like(like)
        }
        op => {
            let base = match op {
                StrOp::Has => "kql_has",
                StrOp::HasPrefix => "kql_hasprefix",
                StrOp::HasSuffix => "kql_hassuffix",
                StrOp::Contains => "kql_contains",
                StrOp::StartsWith => "kql_startswith",
                _ => "kql_endswith",
            };
            let name = if p.case_sensitive { format!("{base}_cs") } else { base.to_string() };
            udf(&name, vec![hay, needle])
        }
    };
    if p.negated { !e } else { e }
}

/// Brings two operands of a comparison to one type (Kusto converts dynamic values, and
/// Rampart also converts string constants compared with numbers or datetimes).
pub(crate) fn unify(l: Typed, r: Typed, span: &Range<usize>) -> BResult<(Typed, Typed)> {
    use KustoType as K;
    let (lt, rt) = (l.ty, r.ty);
    if lt == rt || (lt.is_numeric() && rt.is_numeric()) || (lt.is_stringy() && rt.is_stringy()) {
        return Ok((l, r));
    }
    let to = |t: &Typed, ty: KustoType| Typed::new(lower::convert(t, ty), ty);
    Ok(match (lt, rt) {
        (K::Dynamic, other) => (to(&l, other), r),
        (other, K::Dynamic) => (l, to(&r, other)),
        (K::String | K::Guid, other) if other != K::Bool || str_literal(&l.expr).is_some() => (to(&l, other), r),
        (other, K::String | K::Guid) => (l, to(&r, other)),
        (K::Bool, n) if n.is_numeric() => (to(&l, n), r),
        (n, K::Bool) if n.is_numeric() => (l, to(&r, n)),
        (a, b) => return err(span, format!("cannot compare values of types {a} and {b}")),
    })
}

/// `l op r` for values of one type, with Kusto's null rules.
fn compare(op: BinaryOp, l: &Typed, r: &Typed, filter: bool) -> Expr {
    let stringy = l.ty.is_stringy() || l.ty == KustoType::Dynamic;
    let (le, re) = (l.expr.clone(), r.expr.clone());
    let dfop = match op {
        BinaryOp::Eq => Operator::Eq,
        BinaryOp::Ne => Operator::NotEq,
        BinaryOp::Lt => Operator::Lt,
        BinaryOp::Le => Operator::LtEq,
        BinaryOp::Gt => Operator::Gt,
        _ => Operator::GtEq,
    };
    if !matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
        if stringy {
            return binary_expr(lower::nonnull_string(le), dfop, lower::nonnull_string(re));
        }
        return binary_expr(le, dfop, re);
    }
    let eq = op == BinaryOp::Eq;
    // Put a literal on the right.
    let (le, re) = if lower::literal(&le).is_some() && lower::literal(&re).is_none() { (re, le) } else { (le, re) };
    if stringy {
        match str_literal(&re) {
            Some(Some("")) | Some(None) => {
                return if eq { le.clone().is_null().or(le.eq(str_lit(""))) } else { le.clone().is_not_null().and(le.not_eq(str_lit(""))) };
            }
            Some(Some(_)) => {
                return if eq {
                    if filter { le.eq(re) } else { le.clone().is_not_null().and(le.eq(re)) }
                } else {
                    le.clone().is_null().or(le.not_eq(re))
                };
            }
            None => {
                let (a, b) = (lower::nonnull_string(le), lower::nonnull_string(re));
                return if eq { a.eq(b) } else { a.not_eq(b) };
            }
        }
    }
    match lower::literal(&re) {
        Some(v) if !v.is_null() => {
            if eq {
                if filter { le.eq(re) } else { le.clone().is_not_null().and(le.eq(re)) }
            } else {
                le.clone().is_null().or(le.not_eq(re))
            }
        }
        _ => {
            if eq {
                if filter { le.eq(re) } else { datafusion::functions::expr_fn::coalesce(vec![le.eq(re), lit(false)]) }
            } else {
                binary_expr(le, Operator::IsDistinctFrom, re)
            }
        }
    }
}
