//! Numeric functions.

use std::ops::Range;

use datafusion::arrow::datatypes::DataType;
use datafusion::functions::expr_fn as f;
use datafusion::logical_expr::{Expr, cast, lit};

use super::arity;
use crate::binder::expr::Scope;
use crate::binder::lower::udf;
use crate::binder::{BResult, Binder, Typed, err};
use crate::syntax::ast;
use crate::types::KustoType;

fn real(t: &Typed) -> Expr {
    match t.ty {
        KustoType::Dynamic => udf("kql_dyn_to_real", vec![t.expr.clone()]),
        _ => cast(t.expr.clone(), DataType::Float64),
    }
}

fn long(t: &Typed) -> Expr {
    match t.ty {
        KustoType::Dynamic => udf("kql_dyn_to_long", vec![t.expr.clone()]),
        _ => cast(t.expr.clone(), DataType::Int64),
    }
}

type Deferred<'f> = Box<dyn FnOnce(&mut Binder<'_>) -> BResult<Typed> + 'f>;

pub(super) fn bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> Option<BResult<Typed>> {
    let unary_real = |g: fn(Expr) -> Expr| -> Deferred<'_> {
        Box::new(move |b: &mut Binder<'_>| {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            Ok(Typed::new(g(real(&t)), KustoType::Real))
        })
    };
    let r = match name {
        "sqrt" => unary_real(f::sqrt)(b),
        "exp" => unary_real(f::exp)(b),
        "log" => unary_real(f::ln)(b),
        "log10" => unary_real(f::log10)(b),
        "log2" => unary_real(f::log2)(b),
        "exp2" => unary_real(|x| f::power(lit(2.0), x))(b),
        "exp10" => unary_real(|x| f::power(lit(10.0), x))(b),
        "ceiling" => unary_real(f::ceil)(b),
        "sign" => unary_real(f::signum)(b),
        "sin" => unary_real(f::sin)(b),
        "cos" => unary_real(f::cos)(b),
        "tan" => unary_real(f::tan)(b),
        "asin" => unary_real(f::asin)(b),
        "acos" => unary_real(f::acos)(b),
        "atan" => unary_real(f::atan)(b),
        "cot" => unary_real(f::cot)(b),
        "degrees" => unary_real(f::degrees)(b),
        "radians" => unary_real(f::radians)(b),
        "gamma" | "loggamma" => return None,
        "atan2" => (|| {
            arity(name, args, 2, 2, span)?;
            let y = b.bind_scalar(&args[0], scope)?;
            let x = b.bind_scalar(&args[1], scope)?;
            Ok(Typed::new(f::atan2(real(&y), real(&x)), KustoType::Real))
        })(),
        "binary_and" | "binary_or" | "binary_xor" | "binary_shift_left" | "binary_shift_right" => (|| {
            arity(name, args, 2, 2, span)?;
            let x = b.bind_scalar(&args[0], scope)?;
            let y = b.bind_scalar(&args[1], scope)?;
            let op = match name {
                "binary_and" => datafusion::logical_expr::Operator::BitwiseAnd,
                "binary_or" => datafusion::logical_expr::Operator::BitwiseOr,
                "binary_xor" => datafusion::logical_expr::Operator::BitwiseXor,
                "binary_shift_left" => datafusion::logical_expr::Operator::BitwiseShiftLeft,
                _ => datafusion::logical_expr::Operator::BitwiseShiftRight,
            };
            let e = datafusion::logical_expr::binary_expr(long(&x), op, long(&y));
            Ok(Typed::new(e, KustoType::Long))
        })(),
        "binary_not" => (|| {
            arity(name, args, 1, 1, span)?;
            let x = b.bind_scalar(&args[0], scope)?;
            let e = datafusion::logical_expr::binary_expr(long(&x), datafusion::logical_expr::Operator::BitwiseXor, lit(-1i64));
            Ok(Typed::new(e, KustoType::Long))
        })(),
        "pi" => Ok(Typed::new(lit(std::f64::consts::PI), KustoType::Real)),
        // `rand(N)`: a whole number from 0 to N - 1, still a real.
        "rand" => (|| {
            arity(name, args, 0, 1, span)?;
            match args.first() {
                None => Ok(Typed::new(f::random(), KustoType::Real)),
                Some(a) => {
                    let n = b.bind_scalar(a, scope)?;
                    Ok(Typed::new(f::floor(f::random() * real(&n)), KustoType::Real))
                }
            }
        })(),
        "abs" => (|| {
            arity(name, args, 1, 1, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            match t.ty {
                KustoType::Int | KustoType::Long | KustoType::Real | KustoType::Timespan => Ok(Typed::new(f::abs(t.expr), t.ty)),
                _ => Ok(Typed::new(f::abs(real(&t)), KustoType::Real)),
            }
        })(),
        "round" => (|| {
            arity(name, args, 1, 2, span)?;
            let t = b.bind_scalar(&args[0], scope)?;
            let digits = match args.get(1) {
                Some(a) => cast(b.bind_scalar(a, scope)?.expr, DataType::Int64),
                None => lit(0i64),
            };
            Ok(Typed::new(f::round(vec![real(&t), digits]), KustoType::Real))
        })(),
        "pow" | "power" => (|| {
            arity(name, args, 2, 2, span)?;
            let x = b.bind_scalar(&args[0], scope)?;
            let y = b.bind_scalar(&args[1], scope)?;
            Ok(Typed::new(f::power(real(&x), real(&y)), KustoType::Real))
        })(),
        "toscalar_placeholder" => err(span, "internal"),
        _ => return None,
    };
    Some(r)
}
