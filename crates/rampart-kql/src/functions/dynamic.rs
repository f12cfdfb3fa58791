//! Functions on dynamic values: arrays, bags, packing, `extractjson`.

use std::ops::Range;

use super::arity;
use super::string::int_arg;
use crate::binder::expr::Scope;
use crate::binder::lower::{self, str_lit, udf};
use crate::binder::rel::col;
use crate::binder::{BResult, Binder, Typed, err};
use crate::syntax::ast::{self, ExprKind};
use crate::types::KustoType;

fn dyn_arg(t: &Typed) -> datafusion::logical_expr::Expr {
    match t.ty {
        KustoType::String | KustoType::Guid => udf("kql_parse_json", vec![t.expr.clone()]),
        _ => lower::to_dynamic(t),
    }
}

pub(super) fn bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> Option<BResult<Typed>> {
    let r = match name {
        "array_length" => one(b, name, args, scope, span, "kql_array_length", KustoType::Long),
        "bag_keys" => one(b, name, args, scope, span, "kql_bag_keys", KustoType::Dynamic),
        "array_sort_asc" | "array_sort_desc" => one(b, name, args, scope, span, &format!("kql_{name}"), KustoType::Dynamic),
        "range" => (|| {
            arity(name, args, 2, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            Ok(Typed::new(udf("kql_range_array", ts.into_iter().map(|t| t.expr).collect()), KustoType::Dynamic))
        })(),
        "pack" | "bag_pack" => (|| {
            if !args.len().is_multiple_of(2) {
                return err(span, format!("{name}() expects key/value pairs"));
            }
            let ts = b.bind_args(args, scope)?;
            let mut call = Vec::new();
            for pair in ts.chunks(2) {
                call.push(lower::to_string(&pair[0]));
                call.push(lower::to_dynamic(&pair[1]));
            }
            Ok(Typed::new(udf("kql_pack", call), KustoType::Dynamic))
        })(),
        "pack_array" => (|| {
            let ts = b.bind_args(args, scope)?;
            Ok(Typed::new(udf("kql_pack_array", ts.iter().map(lower::to_dynamic).collect()), KustoType::Dynamic))
        })(),
        "pack_all" | "bag_pack_columns" => {
            let mut call = Vec::new();
            let ignore_empty = matches!(args.first().map(|a| &a.kind), Some(ExprKind::Literal(ast::Literal::Bool(true))));
            for c in scope.cols.iter().filter(|c| !c.hidden) {
                let t = Typed::new(col(&c.name), c.ty);
                if ignore_empty && c.ty.is_stringy() {
                    continue;
                }
                call.push(str_lit(&c.name));
                call.push(lower::to_dynamic(&t));
            }
            Ok(Typed::new(udf("kql_pack", call), KustoType::Dynamic))
        },
        "array_concat" => many(b, args, scope, "kql_array_concat"),
        "set_union" => many(b, args, scope, "kql_set_union"),
        "set_difference" => many(b, args, scope, "kql_set_difference"),
        "set_intersect" => many(b, args, scope, "kql_set_intersect"),
        "bag_merge" => many(b, args, scope, "kql_bag_merge"),
        "set_has_element" | "array_index_of" => (|| {
            arity(name, args, 2, 2, span)?;
            let ts = b.bind_args(args, scope)?;
            let call = vec![dyn_arg(&ts[0]), lower::to_dynamic(&ts[1])];
            let (f, ty) = if name == "set_has_element" { ("kql_set_has_element", KustoType::Bool) } else { ("kql_array_index_of", KustoType::Long) };
            Ok(Typed::new(udf(f, call), ty))
        })(),
        "bag_has_key" => (|| {
            arity(name, args, 2, 2, span)?;
            let ts = b.bind_args(args, scope)?;
            let keys = udf("kql_bag_keys", vec![dyn_arg(&ts[0])]);
            Ok(Typed::new(udf("kql_set_has_element", vec![keys, lower::to_dynamic(&ts[1])]), KustoType::Bool))
        })(),
        "bag_remove_keys" => (|| {
            arity(name, args, 2, 2, span)?;
            let ts = b.bind_args(args, scope)?;
            Ok(Typed::new(udf("kql_bag_remove_keys", vec![dyn_arg(&ts[0]), dyn_arg(&ts[1])]), KustoType::Dynamic))
        })(),
        "array_slice" => (|| {
            arity(name, args, 3, 3, span)?;
            let ts = b.bind_args(args, scope)?;
            Ok(Typed::new(udf("kql_array_slice", vec![dyn_arg(&ts[0]), int_arg(&ts[1]), int_arg(&ts[2])]), KustoType::Dynamic))
        })(),
        "strcat_array" => (|| {
            arity(name, args, 2, 2, span)?;
            let ts = b.bind_args(args, scope)?;
            Ok(Typed::new(udf("kql_strcat_array", vec![dyn_arg(&ts[0]), lower::to_string(&ts[1])]), KustoType::String))
        })(),
        "extractjson" | "extract_json" => (|| {
            arity(name, args, 2, 3, span)?;
            let ts = b.bind_args(&args[..2], scope)?;
            let Some(Some(path)) = lower::str_literal(&ts[0].expr) else {
                return err(&args[0].span, format!("{name}() expects a constant JSONPath such as \"$.a.b\""));
            };
            let Some(steps) = json_path(path) else {
                return err(&args[0].span, format!("unsupported JSONPath `{path}`: use $.name, $['name'] and [index] steps"));
            };
            let mut call = vec![lower::to_string(&ts[1])];
            call.extend(steps);
            let s = Typed::new(udf("kql_dyn_get_str", call), KustoType::String);
            match args.get(2) {
                Some(t) => Ok(super::conversion::convert_to(&s, super::string::type_arg(t)?)),
                None => Ok(s),
            }
        })(),
        _ => return None,
    };
    Some(r)
}

fn one(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>, f: &str, ty: KustoType) -> BResult<Typed> {
    arity(name, args, 1, 1, span)?;
    let t = b.bind_scalar(&args[0], scope)?;
    Ok(Typed::new(udf(f, vec![dyn_arg(&t)]), ty))
}

fn many(b: &mut Binder<'_>, args: &[ast::Expr], scope: &Scope<'_>, f: &str) -> BResult<Typed> {
    let ts = b.bind_args(args, scope)?;
    Ok(Typed::new(udf(f, ts.iter().map(dyn_arg).collect()), KustoType::Dynamic))
}

/// Steps of a simple JSONPath (`$.a.b[0]`, `$['a b']`).
fn json_path(path: &str) -> Option<Vec<datafusion::logical_expr::Expr>> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            steps.push(str_lit(&r[..end]));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            if let Some(q) = inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')).or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"'))) {
                steps.push(str_lit(q));
            } else {
                steps.push(lower::i64_lit(inner.parse().ok()?));
            }
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}
