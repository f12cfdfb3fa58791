//! `iff`, `case`, `coalesce`, `isempty`/`isnotempty`, `isnull`/`isnotnull`, `not`,
//! `max_of`/`min_of`, `column_ifexists`.

use std::ops::Range;

use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{Expr, cast, lit, when};

use super::arity;
use crate::binder::expr::Scope;
use crate::binder::lower::{self, str_lit};
use crate::binder::{BResult, Binder, Typed, df, err};
use crate::syntax::ast::{self, ExprKind};
use crate::types::KustoType;

/// The common type of branches: numbers widen, a null-typed literal yields to the other.
fn common_type(ts: &[&Typed]) -> KustoType {
    let mut ty: Option<KustoType> = None;
    for t in ts {
        let is_null = lower::literal(&t.expr).is_some_and(|v| v.is_null());
        if is_null && t.ty == KustoType::Dynamic {
            continue;
        }
        ty = Some(match ty {
            None => t.ty,
            Some(a) if a == t.ty => a,
            Some(a) if a.is_numeric() && t.ty.is_numeric() => {
                if a == KustoType::Real || t.ty == KustoType::Real {
                    KustoType::Real
                } else {
                    KustoType::Long
                }
            }
            Some(a) if a.is_stringy() && t.ty.is_stringy() => KustoType::String,
            Some(a) => a,
        });
    }
    ty.unwrap_or(KustoType::Dynamic)
}

fn to_type(t: &Typed, ty: KustoType) -> Expr {
    if t.ty == ty || (t.ty.is_stringy() && ty.is_stringy()) {
        return t.expr.clone();
    }
    if lower::literal(&t.expr).is_some_and(|v| v.is_null()) {
        return lower::null_of(ty);
    }
    if t.ty.is_numeric() && ty.is_numeric() {
        return cast(t.expr.clone(), ty.arrow());
    }
    lower::convert(t, ty)
}

pub(super) fn bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> Option<BResult<Typed>> {
    let r = match name {
        "iff" | "iif" => (|| {
            arity(name, args, 3, 3, span)?;
            let c = b.bind_scalar(&args[0], scope)?;
            let c = b.bool_of(c, &args[0].span)?;
            let x = b.bind_scalar(&args[1], scope)?;
            let y = b.bind_scalar(&args[2], scope)?;
            let ty = common_type(&[&x, &y]);
            let e = df(span, when(c, to_type(&x, ty)).otherwise(to_type(&y, ty)))?;
            Ok(Typed::new(e, ty))
        })(),
        "case" => (|| {
            if args.len() < 3 || args.len().is_multiple_of(2) {
                return err(span, "case() expects condition/value pairs and a final else value");
            }
            let mut conds = Vec::new();
            let mut values = Vec::new();
            for pair in args[..args.len() - 1].chunks(2) {
                let c = b.bind_scalar(&pair[0], scope)?;
                conds.push(b.bool_of(c, &pair[0].span)?);
                values.push(b.bind_scalar(&pair[1], scope)?);
            }
            let other = b.bind_scalar(&args[args.len() - 1], scope)?;
            let mut all: Vec<&Typed> = values.iter().collect();
            all.push(&other);
            let ty = common_type(&all);
            let mut it = conds.into_iter().zip(values.iter());
            let Some((c0, v0)) = it.next() else { return err(span, "case() needs a condition") };
            let mut builder = when(c0, to_type(v0, ty));
            for (c, v) in it {
                builder = builder.when(c, to_type(v, ty));
            }
            Ok(Typed::new(df(span, builder.otherwise(to_type(&other, ty)))?, ty))
        })(),
        "coalesce" => (|| {
            arity(name, args, 1, 64, span)?;
            let ts = b.bind_args(args, scope)?;
            let refs: Vec<&Typed> = ts.iter().collect();
            let ty = common_type(&refs);
            if ty.is_stringy() {
                // The first non-empty string.
                let mut it = ts.iter();
                let Some(first) = it.next() else { return err(span, "coalesce() needs arguments") };
                let mut builder = when(non_empty(first), to_type(first, ty));
                for t in it {
                    builder = builder.when(non_empty(t), to_type(t, ty));
                }
                return Ok(Typed::new(df(span, builder.otherwise(str_lit("")))?, ty));
            }
            let parts = ts.iter().map(|t| to_type(t, ty)).collect();
            Ok(Typed::new(datafusion::functions::expr_fn::coalesce(parts), ty))
        })(),
        "isempty" | "isnotempty" | "notempty" => (|| {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            let empty = match t.ty {
                KustoType::String | KustoType::Guid => t.expr.clone().is_null().or(t.expr.eq(str_lit(""))),
                KustoType::Dynamic => {
                    let s = lower::to_string(&t);
                    t.expr.is_null().or(s.eq(str_lit("")))
                }
                _ => t.expr.is_null(),
            };
            Ok(Typed::new(if name == "isempty" { empty } else { !empty }, KustoType::Bool))
        })(),
        "isnull" | "isnotnull" | "notnull" => (|| {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            // Strings are never null in Kusto.
            let is_null = if t.ty.is_stringy() { lit(false) } else { t.expr.is_null() };
            Ok(Typed::new(if name == "isnull" { is_null } else { !is_null }, KustoType::Bool))
        })(),
        "isnan" | "isinf" | "isfinite" => (|| {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            let x = cast(t.expr, DataType::Float64);
            let e = match name {
                "isnan" => datafusion::functions::expr_fn::isnan(x),
                "isinf" => x.clone().eq(lit(f64::INFINITY)).or(x.eq(lit(f64::NEG_INFINITY))),
                _ => !(datafusion::functions::expr_fn::isnan(x.clone()).or(x.clone().eq(lit(f64::INFINITY))).or(x.eq(lit(f64::NEG_INFINITY)))),
            };
            Ok(Typed::new(e, KustoType::Bool))
        })(),
        "not" => (|| {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            let e = b.bool_of(t, &args[0].span)?;
            Ok(Typed::new(!e, KustoType::Bool))
        })(),
        "max_of" | "min_of" => (|| {
            arity(name, args, 2, 64, span)?;
            let ts = b.bind_args(args, scope)?;
            let refs: Vec<&Typed> = ts.iter().collect();
            let ty = common_type(&refs);
            let parts: Vec<Expr> = ts.iter().map(|t| to_type(t, ty)).collect();
            let e = if name == "max_of" { datafusion::functions::expr_fn::greatest(parts) } else { datafusion::functions::expr_fn::least(parts) };
            Ok(Typed::new(e, ty))
        })(),
        "column_ifexists" => (|| {
            arity(name, args, 2, 2, span)?;
            let ExprKind::Literal(ast::Literal::String(col_name)) = &args[0].kind else {
                return err(&args[0].span, "column_ifexists() expects a column name string");
            };
            match crate::binder::rel::find_col(scope.cols, col_name) {
                Some(i) => Ok(Typed::new(crate::binder::rel::col(&scope.cols[i].name), scope.cols[i].ty)),
                None => b.bind_scalar(&args[1], scope),
            }
        })(),
        _ => return None,
    };
    Some(r)
}

fn non_empty(t: &Typed) -> Expr {
    let s = lower::to_string(t);
    s.clone().is_not_null().and(s.not_eq(str_lit("")))
}
