//! `join` and `lookup`. Kusto's default join, `innerunique`, first keeps one arbitrary left
//! row per key; string keys compare with null as "".

use std::collections::HashSet;
use std::ops::Range;

use datafusion::common::{Column, JoinType, TableReference};
use datafusion::functions::core::expr_fn::{get_field, named_struct};
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, lit};

use super::compare::unify;
use super::expr::Scope;
use super::lower::{self, str_lit};
use super::rel::{Col, Rel, col, find_col, unique_name};
use super::source::option_text;
use super::{BResult, Binder, Env, Typed, df, err};
use crate::syntax::ast::{self, BinaryOp, ExprKind, OptionArg};
use crate::types::KustoType;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftAnti,
    RightAnti,
    LeftSemi,
    RightSemi,
}

fn kind_of(options: &[OptionArg], default: Kind) -> BResult<Kind> {
    for o in options {
        if o.name.name != "kind" {
            continue;
        }
        let v = option_text(&o.value);
        return Ok(match v.as_str() {
            "innerunique" => Kind::InnerUnique,
            "inner" => Kind::Inner,
            "leftouter" => Kind::LeftOuter,
            "rightouter" => Kind::RightOuter,
            "fullouter" | "outer" => Kind::FullOuter,
            "leftanti" | "anti" | "leftantisemi" => Kind::LeftAnti,
            "rightanti" | "rightantisemi" => Kind::RightAnti,
            "leftsemi" | "semi" => Kind::LeftSemi,
            "rightsemi" => Kind::RightSemi,
            other => return err(&o.value.span, format!("unknown join kind `{other}`")),
        });
    }
    Ok(default)
}

fn qualified(side: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(TableReference::bare(side)), name.to_string()))
}

impl<'a> Binder<'a> {
    /// The (left, right) column names equated by `on`.
    fn join_keys(&mut self, left: &Rel, right: &Rel, on: &[ast::Expr], env: &Env) -> BResult<Vec<(String, String)>> {
        let mut conds = Vec::new();
        for e in on {
            flatten_and(e, &mut conds);
        }
        let mut keys = Vec::new();
        for c in conds {
            match &c.kind {
                ExprKind::Name(id) => {
                    let l = find_col(&left.cols, &id.name);
                    let r = find_col(&right.cols, &id.name);
                    match (l, r) {
                        (Some(l), Some(r)) => keys.push((left.cols[l].name.clone(), right.cols[r].name.clone())),
                        (None, _) => return err(&c.span, format!("the join key `{}` is not a column of the left side", id.name)),
                        (_, None) => return err(&c.span, format!("the join key `{}` is not a column of the right side", id.name)),
                    }
                }
                ExprKind::Binary { op: BinaryOp::Eq, lhs, rhs } => {
                    let (l, r) = (side_col(lhs), side_col(rhs));
                    let pair = match (l, r) {
                        (Some(("$left", a)), Some(("$right", b))) => (a, b),
                        (Some(("$right", b)), Some(("$left", a))) => (a, b),
                        _ => return err(&c.span, "a join condition must be a column name or `$left.column == $right.column`"),
                    };
                    let Some(li) = find_col(&left.cols, pair.0) else {
                        return err(&lhs.span, format!("unknown column `{}` on the left side of the join", pair.0));
                    };
                    let Some(ri) = find_col(&right.cols, pair.1) else {
                        return err(&rhs.span, format!("unknown column `{}` on the right side of the join", pair.1));
                    };
                    keys.push((left.cols[li].name.clone(), right.cols[ri].name.clone()));
                }
                _ => return err(&c.span, "a join condition must be a column name or `$left.column == $right.column`"),
            }
        }
        let _ = env;
        if keys.is_empty() {
            return err(&on.first().map_or(0..0, |e| e.span.clone()), "a join needs at least one key");
        }
        Ok(keys)
    }

    pub fn join(&mut self, left: Rel, options: &[OptionArg], right: &ast::Expr, on: &[ast::Expr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let kind = kind_of(options, Kind::InnerUnique)?;
        let right = self.bind_tabular(right, env)?;
        let keys = self.join_keys(&left, &right, on, env)?;
        let left = if kind == Kind::InnerUnique { self.dedupe_by(left, &keys.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>(), span)? } else { left };
        self.join_impl(left, right, &keys, kind, false, span)
    }

    pub fn lookup(&mut self, left: Rel, options: &[OptionArg], right: &ast::Expr, on: &[ast::Expr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let kind = kind_of(options, Kind::LeftOuter)?;
        if !matches!(kind, Kind::LeftOuter | Kind::Inner) {
            return err(span, "lookup supports only kind=leftouter and kind=inner");
        }
        let right = self.bind_tabular(right, env)?;
        let keys = self.join_keys(&left, &right, on, env)?;
        self.join_impl(left, right, &keys, kind, true, span)
    }

    fn join_impl(&mut self, left: Rel, right: Rel, keys: &[(String, String)], kind: Kind, lookup: bool, span: &Range<usize>) -> BResult<Rel> {
        let mut lkeys = Vec::new();
        let mut rkeys = Vec::new();
        for (l, r) in keys {
            let lc = &left.cols[find_col(&left.cols, l).unwrap_or(0)];
            let rc = &right.cols[find_col(&right.cols, r).unwrap_or(0)];
            let lt = Typed::new(qualified("__l", &lc.name), lc.ty);
            let rt = Typed::new(qualified("__r", &rc.name), rc.ty);
            let (lt, rt) = unify(lt, rt, span)?;
            let (le, re) = if lt.ty.is_stringy() || lt.ty == KustoType::Dynamic {
                (lower::nonnull_string(lower::to_string(&lt)), lower::nonnull_string(lower::to_string(&rt)))
            } else {
                (lt.expr, rt.expr)
            };
            lkeys.push(le);
            rkeys.push(re);
        }
        let jt = match kind {
            Kind::InnerUnique | Kind::Inner => JoinType::Inner,
            Kind::LeftOuter => JoinType::Left,
            Kind::RightOuter => JoinType::Right,
            Kind::FullOuter => JoinType::Full,
            Kind::LeftAnti => JoinType::LeftAnti,
            Kind::RightAnti => JoinType::RightAnti,
            Kind::LeftSemi => JoinType::LeftSemi,
            Kind::RightSemi => JoinType::RightSemi,
        };
        let lplan = df(span, LogicalPlanBuilder::from(left.plan.clone()).alias("__l").and_then(|b| b.build()))?;
        let rplan = df(span, LogicalPlanBuilder::from(right.plan.clone()).alias("__r").and_then(|b| b.build()))?;
        let joined = df(span, LogicalPlanBuilder::from(lplan).join_with_expr_keys(rplan, jt, (lkeys, rkeys), None).and_then(|b| b.build()))?;
        let mut exprs = Vec::new();
        let mut cols = Vec::new();
        let mut taken = HashSet::new();
        let left_side = !matches!(kind, Kind::RightAnti | Kind::RightSemi);
        let right_side = !matches!(kind, Kind::LeftAnti | Kind::LeftSemi);
        if left_side {
            for c in &left.cols {
                exprs.push(qualified("__l", &c.name).alias(&c.name));
                taken.insert(c.name.clone());
                cols.push(c.clone());
            }
        }
        if right_side {
            let right_keys: HashSet<&str> = keys.iter().map(|(_, r)| r.as_str()).collect();
            for c in &right.cols {
                if left_side && (c.hidden || (lookup && right_keys.contains(c.name.as_str()))) {
                    continue;
                }
                let name = unique_name(&c.name, &taken);
                taken.insert(name.clone());
                exprs.push(qualified("__r", &c.name).alias(&name));
                cols.push(Col { name, ty: c.ty, hidden: c.hidden });
            }
        }
        let plan = df(span, LogicalPlanBuilder::from(joined).project(exprs).and_then(|b| b.build()))?;
        Ok(Rel { plan, cols })
    }

    /// One arbitrary row per distinct value of `keys` (innerunique's left side).
    pub fn dedupe_by(&mut self, rel: Rel, keys: &[String], span: &Range<usize>) -> BResult<Rel> {
        let mut group = Vec::new();
        for k in keys {
            let c = &rel.cols[find_col(&rel.cols, k).unwrap_or(0)];
            let e = if c.ty.is_stringy() { lower::nonnull_string(col(&c.name)) } else { col(&c.name) };
            group.push(e.alias(&c.name));
        }
        let key_set: HashSet<&str> = keys.iter().map(String::as_str).collect();
        let others: Vec<&Col> = rel.cols.iter().filter(|c| !key_set.contains(c.name.as_str())).collect();
        if others.is_empty() {
            let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).aggregate(group, Vec::<Expr>::new()).and_then(|b| b.build()))?;
            let items = rel.cols.iter().map(|c| (c.name.clone(), Typed::new(col(&c.name), c.ty), c.hidden)).collect();
            return Rel { plan, cols: Vec::new() }.project(items, span);
        }
        let mut struct_args = Vec::new();
        for (i, c) in others.iter().enumerate() {
            struct_args.push(str_lit(&format!("f{i}")));
            struct_args.push(col(&c.name));
        }
        let agg = lower::udaf("kql_take_any", vec![lit(0i64), named_struct(struct_args)], span)?.alias("__row");
        let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).aggregate(group, vec![agg]).and_then(|b| b.build()))?;
        let mut items = Vec::new();
        let mut field = 0;
        for c in &rel.cols {
            let e = if key_set.contains(c.name.as_str()) {
                col(&c.name)
            } else {
                let e = get_field(col("__row"), format!("f{field}"));
                field += 1;
                e
            };
            items.push((c.name.clone(), Typed::new(e, c.ty), c.hidden));
        }
        Rel { plan, cols: Vec::new() }.project(items, span)
    }
}

fn flatten_and<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    match &e.kind {
        ExprKind::Binary { op: BinaryOp::And, lhs, rhs } => {
            flatten_and(lhs, out);
            flatten_and(rhs, out);
        }
        _ => out.push(e),
    }
}

/// `$left.x` / `$right.x`.
fn side_col(e: &ast::Expr) -> Option<(&str, &str)> {
    match &e.kind {
        ExprKind::Member { expr, name } => match &expr.kind {
            ExprKind::Name(side) if side.name == "$left" || side.name == "$right" => Some((side.name.as_str(), name.name.as_str())),
            _ => None,
        },
        _ => None,
    }
}

#[allow(dead_code)]
fn unused(_: Scope<'_>) {}
