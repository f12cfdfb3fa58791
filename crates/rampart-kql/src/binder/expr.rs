//! Scalar expressions: names, literals, dynamic access, arithmetic. Comparisons and string
//! predicates are in `compare`, function calls in `crate::functions`.

use std::ops::Range;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, ScalarValue, TableReference};
use datafusion::logical_expr::{Expr, cast, lit};

use super::lower::{self, i64_lit, str_lit, ts_lit, udf, udf_args};
use super::rel::{Col, col, find_col};
use super::{BResult, Binder, Binding, Bound, Env, Typed, err};
use crate::syntax::ast::{self, BinaryOp, DynLit, ExprKind, Literal, UnaryOp};
use crate::types::KustoType;

/// The names an expression can see: the current row's columns, substitutions made by the
/// same operator (`extend a = 1, b = a + 1`), and `let`s.
#[derive(Clone)]
pub(crate) struct Scope<'s> {
    pub cols: &'s [Col],
    pub locals: Vec<(String, Typed)>,
    pub env: Env,
    /// Aggregate functions are allowed (inside `summarize`).
    pub agg: bool,
    /// Inside a join condition: the columns of each side, referenced as `$left.x`/`$right.x`.
    pub join: Option<(&'s [Col], &'s [Col])>,
}

impl<'s> Scope<'s> {
    pub fn empty(env: Env) -> Scope<'static> {
        Scope { cols: &[], locals: Vec::new(), env, agg: false, join: None }
    }

    pub fn rows(cols: &'s [Col], env: Env) -> Scope<'s> {
        Scope { cols, locals: Vec::new(), env, agg: false, join: None }
    }
}

impl<'a> Binder<'a> {
    pub fn bind_scalar(&mut self, e: &ast::Expr, scope: &Scope<'_>) -> BResult<Typed> {
        let filter = std::mem::replace(&mut self.filter_mode, false);
        let r = self.bind_scalar_inner(e, scope, filter);
        self.filter_mode = false;
        r
    }

    /// Binds a `where` condition (null reads as false, which allows cheaper lowering).
    pub fn bind_condition(&mut self, e: &ast::Expr, scope: &Scope<'_>) -> BResult<Typed> {
        let r = self.bind_scalar_inner(e, scope, true);
        self.filter_mode = false;
        let t = r?;
        Ok(Typed::new(self.bool_of(t, &e.span)?, KustoType::Bool))
    }

    fn bind_scalar_inner(&mut self, e: &ast::Expr, scope: &Scope<'_>, filter: bool) -> BResult<Typed> {
        match &e.kind {
            ExprKind::Literal(Literal::Datetime(raw)) if raw != "null" => match datetime_literal(raw, self.opts.now.timestamp_micros()) {
                Some(us) => Ok(Typed::new(ts_lit(Some(us)), KustoType::DateTime)),
                None => err(&e.span, format!("invalid datetime literal `{raw}`")),
            },
            ExprKind::Literal(l) => literal(l, &e.span),
            ExprKind::Dynamic(d) => Ok(dynamic_literal(d)),
            ExprKind::Name(id) => self.resolve_name(&id.name, &e.span, scope),
            ExprKind::Unary { op, expr } => {
                let t = self.bind_scalar(expr, scope)?;
                match (op, t.ty) {
                    (UnaryOp::Plus, _) => Ok(t),
                    (UnaryOp::Neg, KustoType::Dynamic) => Ok(Typed::new(Expr::Negative(Box::new(udf("kql_dyn_to_real", vec![t.expr]))), KustoType::Real)),
                    (UnaryOp::Neg, ty) if ty.is_numeric() || ty == KustoType::Timespan => Ok(Typed::new(Expr::Negative(Box::new(t.expr)), ty)),
                    (UnaryOp::Neg, ty) => err(&e.span, format!("cannot negate a value of type {ty}")),
                }
            }
            ExprKind::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), lhs, rhs } => {
                self.filter_mode = filter;
                let l = self.bind_scalar_inner(lhs, scope, filter)?;
                let l = self.bool_of(l, &lhs.span)?;
                let r = self.bind_scalar_inner(rhs, scope, filter)?;
                let r = self.bool_of(r, &rhs.span)?;
                let expr = if *op == BinaryOp::And { l.and(r) } else { l.or(r) };
                Ok(Typed::new(expr, KustoType::Bool))
            }
            ExprKind::Binary { op, lhs, rhs } => match op {
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
                    let l = self.bind_scalar(lhs, scope)?;
                    let r = self.bind_scalar(rhs, scope)?;
                    arith(*op, l, r, &e.span)
                }
                _ => self.bind_comparison(*op, lhs, rhs, scope, filter, &e.span),
            },
            ExprKind::ListPredicate { op, expr, list } => self.bind_list_predicate(*op, expr, list, scope, filter, &e.span),
            ExprKind::Between { expr, low, high, negated } => self.bind_between(expr, low, high, *negated, scope, &e.span),
            ExprKind::Call { name, args } => self.bind_call(name, args, scope, &e.span),
            ExprKind::Member { expr, name } => self.bind_member(expr, name, scope, &e.span),
            ExprKind::Index { expr, index } => self.bind_index(expr, index, scope, &e.span),
            ExprKind::Star => err(&e.span, "`*` is allowed only as an argument of functions such as arg_max() and pack_all()"),
            ExprKind::Pipe { .. }
            | ExprKind::Datatable { .. }
            | ExprKind::Range { .. }
            | ExprKind::Print(_)
            | ExprKind::Union(_)
            | ExprKind::Search(_)
            | ExprKind::Externaldata { .. }
            | ExprKind::Find(_)
            | ExprKind::UnsupportedSource(_) => {
                err(&e.span, "a tabular expression cannot be used as a scalar value; use toscalar(…) to take its first value")
            }
            ExprKind::Error => err(&e.span, "invalid expression"),
        }
    }

    /// A column, a substitution, a scalar `let`, or a well-known constant.
    pub fn resolve_name(&mut self, name: &str, span: &Range<usize>, scope: &Scope<'_>) -> BResult<Typed> {
        if let Some((_, t)) = scope.locals.iter().rev().find(|(n, _)| n == name) {
            return Ok(t.clone());
        }
        if let Some(i) = find_col(scope.cols, name) {
            let c = &scope.cols[i];
            return Ok(Typed::new(col(&c.name), c.ty));
        }
        if let Some(node) = scope.env.lookup(name)
            && !matches!(node.binding, Binding::Function(..)) {
                return match self.force(&node, span)? {
                    Bound::Scalar(t) => Ok(t),
                    Bound::Table(_) => err(span, format!("`{name}` is a tabular value; use it as a query source, or toscalar({name})")),
                };
            }
        match name {
            "null" => return Ok(Typed::new(lit(ScalarValue::Utf8(None)), KustoType::Dynamic)),
            "true" | "false" => return Ok(Typed::new(lit(name == "true"), KustoType::Bool)),
            _ => {}
        }
        if self.tables.providers.contains_key(name) {
            return err(span, format!("`{name}` is a table; a table cannot be used as a scalar value"));
        }
        err(span, format!("unknown column or variable `{name}`"))
    }

    /// Converts a condition to bool (dynamic values are converted; others must be bool).
    pub fn bool_of(&mut self, t: Typed, span: &Range<usize>) -> BResult<Expr> {
        match t.ty {
            KustoType::Bool => Ok(t.expr),
            KustoType::Dynamic => Ok(udf("kql_dyn_to_bool", vec![t.expr])),
            KustoType::String => Ok(udf("kql_str_to_bool", vec![t.expr])),
            other => err(span, format!("expected a bool value, found a value of type {other}")),
        }
    }

    /// `x.name`: a property of a dynamic value, or `$left.x`/`$right.x` in a join.
    fn bind_member(&mut self, base: &ast::Expr, name: &ast::Ident, scope: &Scope<'_>, span: &Range<usize>) -> BResult<Typed> {
        if let (ExprKind::Name(side), Some((left, right))) = (&base.kind, scope.join) {
            let (cols, qual) = match side.name.as_str() {
                "$left" => (left, "__l"),
                "$right" => (right, "__r"),
                _ => (&[][..], ""),
            };
            if !qual.is_empty() {
                let Some(i) = find_col(cols, &name.name) else {
                    return err(&name.span, format!("unknown column `{}` on the {} side of the join", name.name, &side.name[1..]));
                };
                let c = &cols[i];
                return Ok(Typed::new(Expr::Column(Column::new(Some(TableReference::bare(qual)), c.name.clone())), c.ty));
            }
        }
        let b = self.bind_scalar(base, scope)?;
        Ok(dyn_access(b, lower::str_lit(&name.name), span))
    }

    fn bind_index(&mut self, base: &ast::Expr, index: &ast::Expr, scope: &Scope<'_>, span: &Range<usize>) -> BResult<Typed> {
        let b = self.bind_scalar(base, scope)?;
        let ix = self.bind_scalar(index, scope)?;
        let step = match ix.ty {
            KustoType::String | KustoType::Guid => ix.expr,
            KustoType::Long => ix.expr,
            KustoType::Int => cast(ix.expr, DataType::Int64),
            KustoType::Dynamic => lower::to_string(&ix),
            other => return err(&index.span, format!("an index must be a string or a number, found {other}")),
        };
        Ok(dyn_access(b, step, span))
    }
}

/// `base[step]` on a dynamic value (or on a string holding JSON), fusing chains of accesses
/// and `parse_json()` into one path lookup.
fn dyn_access(base: Typed, step: Expr, _span: &Range<usize>) -> Typed {
    let mut args = match (base.ty, udf_args(&base.expr, "kql_dyn_get"), udf_args(&base.expr, "kql_parse_json")) {
        (KustoType::Dynamic, Some(a), _) => a.to_vec(),
        (KustoType::Dynamic, None, Some(a)) => vec![a[0].clone()],
        (KustoType::String | KustoType::Guid | KustoType::Dynamic, _, _) => vec![base.expr],
        _ => vec![lower::to_dynamic(&base)],
    };
    args.push(step);
    Typed::new(udf("kql_dyn_get", args), KustoType::Dynamic)
}

/// A datetime literal; a time of day alone (`datetime("5:00 PM")`) means that time today.
pub(crate) fn datetime_literal(raw: &str, now: i64) -> Option<i64> {
    if let Some(us) = crate::udf::convert::parse_datetime(raw) {
        return Some(us);
    }
    let t = raw.trim();
    for f in ["%I:%M:%S %p", "%I:%M %p", "%H:%M:%S%.f", "%H:%M"] {
        if let Ok(time) = chrono::NaiveTime::parse_from_str(t, f) {
            let day = chrono::DateTime::<chrono::Utc>::from_timestamp_micros(now)?.date_naive();
            return Some(day.and_time(time).and_utc().timestamp_micros());
        }
    }
    None
}

pub(crate) fn literal(l: &Literal, span: &Range<usize>) -> BResult<Typed> {
    Ok(match l {
        Literal::Bool(b) => Typed::new(lit(*b), KustoType::Bool),
        Literal::Int(v) => Typed::new(i64_lit(*v), KustoType::Long),
        Literal::Real(v) => Typed::new(lit(*v), KustoType::Real),
        Literal::String(s) => Typed::new(str_lit(s), KustoType::String),
        Literal::Timespan(us) => Typed::new(i64_lit(*us), KustoType::Timespan),
        Literal::Guid(g) => Typed::new(str_lit(g), KustoType::Guid),
        Literal::Datetime(raw) => {
            if raw == "null" {
                return Ok(Typed::new(ts_lit(None), KustoType::DateTime));
            }
            match crate::udf::convert::parse_datetime(raw) {
                Some(us) => Typed::new(ts_lit(Some(us)), KustoType::DateTime),
                None => return err(span, format!("invalid datetime literal `{raw}`")),
            }
        }
        Literal::RawTimespan(raw) => match crate::udf::convert::parse_timespan(raw) {
            Some(us) => Typed::new(i64_lit(us), KustoType::Timespan),
            None => return err(span, format!("invalid timespan literal `{raw}`")),
        },
    })
}

/// JSON text of a `dynamic(…)` literal.
pub(crate) fn dyn_json(d: &DynLit) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match d {
        DynLit::Null => return None,
        DynLit::Bool(b) => Value::Bool(*b),
        DynLit::Int(v) => Value::from(*v),
        DynLit::Real(v) => serde_json::Number::from_f64(*v).map_or(Value::Null, Value::Number),
        DynLit::String(s) => Value::String(s.clone()),
        DynLit::Timespan(us) => Value::String(crate::udf::convert::format_timespan(*us)),
        DynLit::Datetime(raw) => Value::String(
            crate::udf::convert::parse_datetime(raw).map(crate::udf::convert::format_datetime_micros).unwrap_or_else(|| raw.clone()),
        ),
        DynLit::Array(items) => Value::Array(items.iter().map(|i| dyn_json(i).unwrap_or(Value::Null)).collect()),
        DynLit::Object(props) => {
            Value::Object(props.iter().map(|(k, v)| (k.clone(), dyn_json(v).unwrap_or(Value::Null))).collect())
        }
    })
}

pub(crate) fn dynamic_literal(d: &DynLit) -> Typed {
    match dyn_json(d) {
        Some(v) => Typed::new(str_lit(&v.to_string()), KustoType::Dynamic),
        None => Typed::new(lit(ScalarValue::Utf8(None)), KustoType::Dynamic),
    }
}

/// Arithmetic with Kusto's typing: datetime − datetime = timespan, datetime ± timespan =
/// datetime, timespan / timespan = real, long / long = long, dynamic operands as reals.
pub(crate) fn arith(op: BinaryOp, l: Typed, r: Typed, span: &Range<usize>) -> BResult<Typed> {
    use KustoType as K;
    let bin = |a: Expr, b: Expr| match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => a / b,
        _ => a % b,
    };
    let as_i64 = |e: Expr| cast(e, DataType::Int64);
    let ts = |e: Expr| cast(e, crate::types::timestamp());
    match (l.ty, r.ty) {
        (K::Dynamic, _) | (_, K::Dynamic) => {
            let conv = |t: &Typed| if t.ty == K::Dynamic { Typed::new(udf("kql_dyn_to_real", vec![t.expr.clone()]), K::Real) } else { t.clone() };
            arith(op, conv(&l), conv(&r), span)
        }
        (a, b) if a.is_numeric() && b.is_numeric() => {
            let ty = if a == K::Real || b == K::Real {
                K::Real
            } else if a == K::Long || b == K::Long {
                K::Long
            } else {
                K::Int
            };
            let (le, re) = if ty == K::Real {
                (cast(l.expr, DataType::Float64), cast(r.expr, DataType::Float64))
            } else {
                (l.expr, r.expr)
            };
            Ok(Typed::new(bin(le, re), ty))
        }
        (K::DateTime, K::DateTime) if op == BinaryOp::Sub => Ok(Typed::new(as_i64(l.expr) - as_i64(r.expr), K::Timespan)),
        (K::DateTime, K::Timespan) if matches!(op, BinaryOp::Add | BinaryOp::Sub) => {
            Ok(Typed::new(ts(bin(as_i64(l.expr), r.expr)), K::DateTime))
        }
        (K::Timespan, K::DateTime) if op == BinaryOp::Add => Ok(Typed::new(ts(as_i64(r.expr) + l.expr), K::DateTime)),
        (K::Timespan, K::Timespan) => match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mod => Ok(Typed::new(bin(l.expr, r.expr), K::Timespan)),
            BinaryOp::Div => Ok(Typed::new(cast(l.expr, DataType::Float64) / cast(r.expr, DataType::Float64), K::Real)),
            _ => err(span, "cannot multiply two timespans"),
        },
        (K::Timespan, n) if n.is_numeric() && matches!(op, BinaryOp::Mul | BinaryOp::Div) => {
            Ok(Typed::new(as_i64(bin(cast(l.expr, DataType::Float64), cast(r.expr, DataType::Float64))), K::Timespan))
        }
        (n, K::Timespan) if n.is_numeric() && op == BinaryOp::Mul => {
            Ok(Typed::new(as_i64(cast(l.expr, DataType::Float64) * cast(r.expr, DataType::Float64)), K::Timespan))
        }
        (a, b) => err(span, format!("cannot apply `{}` to values of types {a} and {b}", op_text(op))),
    }
}

fn op_text(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        _ => "%",
    }
}
