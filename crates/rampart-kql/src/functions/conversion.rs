//! Conversions: `tostring`, `toint`, `tolong`, `todouble`, `tobool`, `todatetime`,
//! `totimespan`, `todynamic`/`parse_json`, typed literals such as `int(null)`, `gettype`.

use std::ops::Range;

use datafusion::common::ScalarValue;
use datafusion::logical_expr::lit;

use super::arity;
use crate::binder::expr::Scope;
use crate::binder::lower::{self, null_of, udf, udf_args};
use crate::binder::{BResult, Binder, Typed, err};
use crate::syntax::ast::{self, ExprKind, Literal};
use crate::types::KustoType;

pub(super) fn bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> Option<BResult<Typed>> {
    let target = match name {
        "tostring" => KustoType::String,
        "toint" => KustoType::Int,
        "tolong" => KustoType::Long,
        "todouble" | "toreal" | "todecimal" => KustoType::Real,
        "tobool" | "toboolean" => KustoType::Bool,
        "todatetime" => KustoType::DateTime,
        "totimespan" | "totime" => KustoType::Timespan,
        "toguid" => KustoType::Guid,
        "todynamic" | "toobject" | "parse_json" | "parsejson" => return Some(parse_json(b, name, args, scope, span)),
        "int" | "long" | "real" | "double" | "bool" | "boolean" | "decimal" | "string" | "timespan" | "time" | "datetime" | "guid" => {
            return Some(typed_literal(b, name, args, scope, span));
        }
        "gettype" => {
            return Some((|| {
                arity(name, args, 1, 1, span)?;
                let t = b.bind_scalar(&args[0], scope)?;
                Ok(match t.ty {
                    KustoType::Dynamic => Typed::new(udf("kql_gettype", vec![t.expr]), KustoType::String),
                    other => Typed::new(lower::str_lit(other.name()), KustoType::String),
                })
            })());
        }
        _ => return None,
    };
    Some((|| {
        arity(name, args, 1, 1, span)?;
        let t = b.bind_scalar(&args[0], scope)?;
        Ok(convert_to(&t, target))
    })())
}

/// `to<type>(x)`.
pub(crate) fn convert_to(t: &Typed, target: KustoType) -> Typed {
    if target == KustoType::String {
        // Kusto strings are never null: tostring() of a missing value is "".
        let e = lower::to_string(t);
        let e = if udf_args(&e, "kql_dyn_get_str").is_some() || udf_args(&e, "kql_dyn_to_str").is_some() { e } else { lower::nonnull_string(e) };
        return Typed::new(e, KustoType::String);
    }
    if t.ty.is_numeric() && target.is_numeric() {
        return Typed::new(datafusion::logical_expr::cast(t.expr.clone(), target.arrow()), target);
    }
    Typed::new(lower::convert(t, target), target)
}

fn parse_json(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> BResult<Typed> {
    arity(name, args, 1, 1, span)?;
    let t = b.bind_scalar(&args[0], scope)?;
    Ok(match t.ty {
        KustoType::Dynamic => t,
        KustoType::String | KustoType::Guid => Typed::new(udf("kql_parse_json", vec![t.expr]), KustoType::Dynamic),
        _ => Typed::new(lower::to_dynamic(&t), KustoType::Dynamic),
    })
}

/// `int(5)`, `long(null)`, `real(nan)`, `datetime("2020-01-01")`, `bool(true)`, … .
fn typed_literal(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> BResult<Typed> {
    arity(name, args, 1, 1, span)?;
    let Some(ty) = KustoType::from_name(name) else { return err(span, format!("unknown type `{name}`")) };
    let arg = &args[0];
    if let ExprKind::Name(id) = &arg.kind {
        match (id.name.as_str(), ty) {
            ("null", _) => return Ok(Typed::new(null_of(ty), ty)),
            ("nan", KustoType::Real) => return Ok(Typed::new(lit(f64::NAN), ty)),
            ("inf", KustoType::Real) => return Ok(Typed::new(lit(f64::INFINITY), ty)),
            _ => {}
        }
    }
    if let ExprKind::Unary { op, expr } = &arg.kind
        && let (ExprKind::Name(id), KustoType::Real) = (&expr.kind, ty)
            && id.name == "inf" {
                let v = if *op == ast::UnaryOp::Neg { f64::NEG_INFINITY } else { f64::INFINITY };
                return Ok(Typed::new(lit(v), ty));
            }
    if let (ExprKind::Literal(Literal::String(s)), KustoType::DateTime) = (&arg.kind, ty) {
        return match crate::binder::expr::datetime_literal(s, b.opts.now.timestamp_micros()) {
            Some(us) => Ok(Typed::new(lower::ts_lit(Some(us)), ty)),
            None => err(&arg.span, format!("invalid datetime literal `{s}`")),
        };
    }
    if let (ExprKind::Literal(Literal::String(s)), KustoType::Timespan) = (&arg.kind, ty) {
        return match crate::udf::convert::parse_timespan(s) {
            Some(us) => Ok(Typed::new(lower::i64_lit(us), ty)),
            None => err(&arg.span, format!("invalid timespan literal `{s}`")),
        };
    }
    let t = b.bind_scalar(arg, scope)?;
    if lower::literal(&t.expr).is_none() {
        return err(&arg.span, format!("{name}(…) expects a constant; use to{name}() to convert a value"));
    }
    if let Some(ScalarValue::Utf8(None)) = lower::literal(&t.expr) {
        return Ok(Typed::new(null_of(ty), ty));
    }
    Ok(convert_to(&t, ty))
}
