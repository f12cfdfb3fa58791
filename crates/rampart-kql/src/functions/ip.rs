//! IPv4 functions.

use std::ops::Range;

use super::arity;
use crate::binder::expr::Scope;
use crate::binder::lower::{self, udf};
use crate::binder::{BResult, Binder, Typed};
use crate::syntax::ast;
use crate::types::KustoType;

pub(super) fn bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> Option<BResult<Typed>> {
    let (udf_name, min, max, ty) = match name {
        "ipv4_is_private" => ("kql_ipv4_is_private", 1, 1, KustoType::Bool),
        "ipv4_is_in_range" => ("kql_ipv4_is_in_range", 2, 2, KustoType::Bool),
        "ipv4_is_match" => ("kql_ipv4_is_match", 2, 3, KustoType::Bool),
        "parse_ipv4" => ("kql_parse_ipv4", 1, 1, KustoType::Long),
        "ipv4_is_in_any_range" => ("kql_ipv4_is_in_any_range", 2, usize::MAX, KustoType::Bool),
        _ => return None,
    };
    Some((|| {
        arity(name, args, min, max, span)?;
        let ts = b.bind_args(args, scope)?;
        if name == "ipv4_is_in_any_range" {
            // One dynamic array of ranges, or the ranges as separate arguments.
            let ranges = if ts.len() == 2 && ts[1].ty == KustoType::Dynamic {
                ts[1].expr.clone()
            } else {
                udf("kql_pack_array", ts[1..].iter().map(lower::to_dynamic).collect())
            };
            return Ok(Typed::new(udf(udf_name, vec![lower::to_string(&ts[0]), ranges]), ty));
        }
        let mut call: Vec<_> = ts.iter().map(lower::to_string).collect();
        if name == "ipv4_is_match" && ts.len() == 3 {
            call[2] = super::string::int_arg(&ts[2]);
        }
        Ok(Typed::new(udf(udf_name, call), ty))
    })())
}
