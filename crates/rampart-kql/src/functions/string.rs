//! String functions.

use std::ops::Range;

use datafusion::arrow::datatypes::DataType;
use datafusion::functions::expr_fn as f;
use datafusion::logical_expr::{cast, lit};

use super::arity;
use crate::binder::expr::Scope;
use crate::binder::lower::{self, nonnull_string, udf};
use crate::binder::{BResult, Binder, Typed, err};
use crate::syntax::ast;
use crate::types::KustoType;

pub(super) fn bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> Option<BResult<Typed>> {
    let r = match name {
        "strcat" => strcat(b, args, scope, span),
        "strcat_delim" => (|| {
            arity(name, args, 2, 64, span)?;
            let ts = b.bind_args(args, scope)?;
            let parts: Vec<_> = ts.iter().map(|t| nonnull_string(lower::to_string(t))).collect();
            Ok(Typed::new(f::concat_ws(parts[0].clone(), parts[1..].to_vec()), KustoType::String))
        })(),
        "strlen" => unary(b, name, args, scope, span, |s| cast(f::character_length(s), DataType::Int64), KustoType::Long),
        "tolower" => unary(b, name, args, scope, span, f::lower, KustoType::String),
        "toupper" => unary(b, name, args, scope, span, f::upper, KustoType::String),
        "reverse" => unary(b, name, args, scope, span, |s| udf("kql_reverse", vec![s]), KustoType::String),
        "base64_decode_tostring" | "base64_decodestring" => {
            unary(b, name, args, scope, span, |s| udf("kql_base64_decode_tostring", vec![s]), KustoType::String)
        }
        "base64_encode_tostring" | "base64_encodestring" => {
            unary(b, name, args, scope, span, |s| udf("kql_base64_encode_tostring", vec![s]), KustoType::String)
        }
        "url_decode" => unary(b, name, args, scope, span, |s| udf("kql_url_decode", vec![s]), KustoType::String),
        "url_encode" | "url_encode_component" => unary(b, name, args, scope, span, |s| udf("kql_url_encode", vec![s]), KustoType::String),
        "parse_url" | "parseurl" => unary(b, name, args, scope, span, |s| udf("kql_parse_url", vec![s]), KustoType::Dynamic),
        "parse_path" => unary(b, name, args, scope, span, |s| udf("kql_parse_path", vec![s]), KustoType::Dynamic),
        "hash_sha256" => unary(b, name, args, scope, span, |s| udf("kql_hash_sha256", vec![s]), KustoType::String),
        "base64_decode_toarray" => unary(b, name, args, scope, span, |s| udf("kql_base64_decode_toarray", vec![s]), KustoType::Dynamic),
        "make_string" => (|| {
            let ts = b.bind_args(args, scope)?;
            let call = ts.iter().map(|t| if t.ty == KustoType::Dynamic { t.expr.clone() } else { cast(t.expr.clone(), DataType::Int64) }).collect();
            Ok(Typed::new(udf("kql_make_string", call), KustoType::String))
        })(),
        "has_any_index" => (|| {
            arity(name, args, 2, 2, span)?;
            let ts = b.bind_args(args, scope)?;
            Ok(Typed::new(udf("kql_has_any_index", vec![lower::to_string(&ts[0]), lower::to_dynamic(&ts[1])]), KustoType::Long))
        })(),
        "parse_command_line" => strings_call(b, name, args, scope, span, 1, 2, "kql_parse_command_line", KustoType::Dynamic),
        "substring" => (|| {
            arity(name, args, 2, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            let mut call = vec![lower::to_string(&ts[0]), int_arg(&ts[1])];
            if let Some(l) = ts.get(2) {
                call.push(int_arg(l));
            }
            Ok(Typed::new(udf("kql_substring", call), KustoType::String))
        })(),
        "split" => (|| {
            arity(name, args, 2, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            let mut call = vec![lower::to_string(&ts[0]), lower::to_string(&ts[1])];
            if let Some(ix) = ts.get(2) {
                call.push(int_arg(ix));
            }
            Ok(Typed::new(udf("kql_split", call), KustoType::Dynamic))
        })(),
        "replace_string" | "replace_strings" => (|| {
            arity(name, args, 3, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            let [s, find, repl] = [0, 1, 2].map(|i| nonnull_string(lower::to_string(&ts[i])));
            Ok(Typed::new(f::replace(s, find, repl), KustoType::String))
        })(),
        // Kusto's old `replace(regex, rewrite, text)`.
        "replace" => (|| {
            arity(name, args, 3, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            let call = vec![lower::to_string(&ts[2]), lower::to_string(&ts[0]), lower::to_string(&ts[1])];
            Ok(Typed::new(udf("kql_replace_regex", call), KustoType::String))
        })(),
        "replace_regex" => (|| {
            arity(name, args, 3, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            let call = ts.iter().map(lower::to_string).collect();
            Ok(Typed::new(udf("kql_replace_regex", call), KustoType::String))
        })(),
        "trim" | "trim_start" | "trim_end" => strings_call(b, name, args, scope, span, 2, 2, &format!("kql_{name}"), KustoType::String),
        "extract" => (|| {
            arity(name, args, 3, 4, span)?;
            let ts = b.bind_args(&args[..3], scope)?;
            let call = vec![lower::to_string(&ts[0]), int_arg(&ts[1]), lower::to_string(&ts[2])];
            let s = Typed::new(udf("kql_extract", call), KustoType::String);
            match args.get(3) {
                Some(t) => {
                    let ty = type_arg(t)?;
                    Ok(super::conversion::convert_to(&s, ty))
                }
                None => Ok(s),
            }
        })(),
        "extract_all" => (|| {
            arity(name, args, 2, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            // extract_all(regex, [groups,] text): the group list form keeps all groups.
            let (re, text) = (lower::to_string(&ts[0]), lower::to_string(ts.last().unwrap_or(&ts[0])));
            Ok(Typed::new(udf("kql_extract_all", vec![re, text]), KustoType::Dynamic))
        })(),
        "countof" => (|| {
            arity(name, args, 2, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            Ok(Typed::new(udf("kql_countof", ts.iter().map(lower::to_string).collect()), KustoType::Long))
        })(),
        "indexof" => (|| {
            arity(name, args, 2, 5, span)?;
            let ts = b.bind_args(args, scope)?;
            let mut call = vec![lower::to_string(&ts[0]), lower::to_string(&ts[1])];
            call.extend(ts[2..].iter().map(int_arg));
            Ok(Typed::new(udf("kql_indexof", call), KustoType::Long))
        })(),
        "strrep" => (|| {
            arity(name, args, 2, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            let s = nonnull_string(lower::to_string(&ts[0]));
            let n = cast(ts[1].expr.clone(), DataType::Int64);
            let e = match ts.get(2) {
                Some(d) => {
                    let d = nonnull_string(lower::to_string(d));
                    let joined = f::repeat(f::concat(vec![s.clone(), d.clone()]), n.clone() - lit(1i64));
                    f::concat(vec![joined, s])
                }
                None => f::repeat(s, n),
            };
            Ok(Typed::new(e, KustoType::String))
        })(),
        "string_size" => unary(b, name, args, scope, span, |s| cast(f::octet_length(s), DataType::Int64), KustoType::Long),
        "strcmp" => (|| {
            arity(name, args, 2, 2, span)?;
            let ts = b.bind_args(args, scope)?;
            let (x, y) = (nonnull_string(lower::to_string(&ts[0])), nonnull_string(lower::to_string(&ts[1])));
            let e = datafusion::logical_expr::when(x.clone().lt(y.clone()), lit(-1i32)).when(x.gt(y), lit(1i32)).otherwise(lit(0i32));
            crate::binder::df(span, e).map(|e| Typed::new(e, KustoType::Int))
        })(),
        _ => return None,
    };
    Some(r)
}

fn strcat(b: &mut Binder<'_>, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> BResult<Typed> {
    arity("strcat", args, 1, 64, span)?;
    let ts = b.bind_args(args, scope)?;
    let parts = ts.iter().map(lower::to_string).collect();
    Ok(Typed::new(f::concat(parts), KustoType::String))
}

fn unary(
    b: &mut Binder<'_>,
    name: &str,
    args: &[ast::Expr],
    scope: &Scope<'_>,
    span: &Range<usize>,
    f: impl FnOnce(datafusion::logical_expr::Expr) -> datafusion::logical_expr::Expr,
    ty: KustoType,
) -> BResult<Typed> {
    arity(name, args, 1, 1, span)?;
    let t = b.bind_scalar(&args[0], scope)?;
    Ok(Typed::new(f(nonnull_string(lower::to_string(&t))), ty))
}

#[allow(clippy::too_many_arguments)]
fn strings_call(
    b: &mut Binder<'_>,
    name: &str,
    args: &[ast::Expr],
    scope: &Scope<'_>,
    span: &Range<usize>,
    min: usize,
    max: usize,
    udf_name: &str,
    ty: KustoType,
) -> BResult<Typed> {
    arity(name, args, min, max, span)?;
    let ts = b.bind_args(args, scope)?;
    Ok(Typed::new(udf(udf_name, ts.iter().map(lower::to_string).collect()), ty))
}

/// An integer argument as Int64.
pub(crate) fn int_arg(t: &Typed) -> datafusion::logical_expr::Expr {
    match t.ty {
        KustoType::Long => t.expr.clone(),
        KustoType::Dynamic => udf("kql_dyn_to_long", vec![t.expr.clone()]),
        _ => cast(t.expr.clone(), DataType::Int64),
    }
}

/// `typeof(long)` as a type.
pub(crate) fn type_arg(e: &ast::Expr) -> BResult<KustoType> {
    if let ast::ExprKind::Call { name, args } = &e.kind
        && name.name == "typeof"
            && let Some(ast::Expr { kind: ast::ExprKind::Name(t), .. }) = args.first()
                && let Some(k) = KustoType::from_name(&t.name) {
                    return Ok(k);
                }
    err(&e.span, "expected a type such as typeof(long)")
}
