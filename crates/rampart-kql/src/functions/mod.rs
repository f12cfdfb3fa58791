//! Scalar and aggregate functions, one file per family. Each family's `bind` returns `None`
//! for names it does not know, so the dispatcher tries them in turn.

mod aggregate;
mod conditional;
mod conversion;
mod datetime;
mod dynamic;
mod ip;
mod math;
mod string;
mod window;

use std::ops::Range;

use crate::binder::expr::Scope;
use crate::binder::{BResult, Binder, Binding, Bound, Typed, err};
use crate::syntax::ast;

/// Kusto functions Rampart recognises but does not implement; calling one says so by name.
const KNOWN_UNSUPPORTED: &[&str] = &[
    "series_decompose_anomalies",
    "series_decompose",
    "series_fit_line",
    "series_stats",
    "series_stats_dynamic",
    "series_outliers",
    "series_fill_linear",
    "geo_info_from_ip_address",
    "dcount_hll",
    "hll",
    "hll_merge",
    "tdigest",
    "percentile_tdigest",
    "datetime_local_to_utc",
    "datetime_utc_to_local",
    "current_principal",
    "current_principal_details",
    "cursor_after",
    "estimate_data_size",
    "ipv6_is_match",
    "ipv6_compare",
    "format_ipv4",
    "format_ipv4_mask",
    "binary_all_and",
    "binary_all_or",
    "buildschema",
    "make_list_with_nulls",
    "zip",
    "treepath",
    "active_users_count",
    "new_guid",
];

/// A family's binder: `None` when the name is not one of its functions.
type Family = fn(&mut Binder<'_>, &str, &[ast::Expr], &Scope<'_>, &Range<usize>) -> Option<BResult<Typed>>;

impl<'a> Binder<'a> {
    /// Binds `name(args…)`: a user function, an aggregate (inside summarize), or a built-in.
    pub fn bind_call(&mut self, name: &ast::Ident, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> BResult<Typed> {
        if let Some(node) = scope.env.lookup(&name.name)
            && let Binding::Function(def, fenv) = &node.binding {
                let (def, fenv) = (def.clone(), fenv.clone());
                return match self.call_function(&def, &fenv, args, None, scope, span)? {
                    Bound::Scalar(t) => Ok(t),
                    Bound::Table(_) => err(span, format!("`{}()` returns a table; use it as a query source or wrap it in toscalar()", name.name)),
                };
            }
        let n = name.name.as_str();
        if aggregate::is_aggregate(n) {
            if !scope.agg {
                return err(&name.span, format!("`{n}()` is an aggregation function; use it inside summarize"));
            }
            return aggregate::bind(self, n, args, scope, span);
        }
        let families: [Family; 9] = [
            window::bind,
            conversion::bind,
            string::bind,
            datetime::bind,
            dynamic::bind,
            conditional::bind,
            math::bind,
            ip::bind,
            misc_bind,
        ];
        for f in families {
            if let Some(r) = f(self, n, args, scope, span) {
                return r;
            }
        }
        if KNOWN_UNSUPPORTED.contains(&n) {
            return err(&name.span, format!("the function `{n}()` is not supported yet"));
        }
        err(&name.span, format!("unknown function `{n}`"))
    }

    /// Binds every argument.
    pub fn bind_args(&mut self, args: &[ast::Expr], scope: &Scope<'_>) -> BResult<Vec<Typed>> {
        args.iter().map(|a| self.bind_scalar(a, scope)).collect()
    }
}

/// Checks the argument count of a call.
pub(crate) fn arity(name: &str, args: &[ast::Expr], min: usize, max: usize, span: &Range<usize>) -> BResult<()> {
    if args.len() < min || args.len() > max {
        let expected = if min == max { format!("{min}") } else if max == usize::MAX { format!("at least {min}") } else { format!("{min} to {max}") };
        return err(span, format!("{name}() expects {expected} argument(s), got {}", args.len()));
    }
    Ok(())
}

/// `ingestion_time()` and `toscalar()`.
fn misc_bind(b: &mut Binder<'_>, name: &str, args: &[ast::Expr], scope: &Scope<'_>, span: &Range<usize>) -> Option<BResult<Typed>> {
    Some(match name {
        "ingestion_time" => (|| {
            arity(name, args, 0, 0, span)?;
            match scope.cols.iter().find(|c| c.name == rampart_schema::INGESTION_TIME) {
                Some(c) => Ok(Typed::new(crate::binder::rel::col(&c.name), c.ty)),
                None => Ok(Typed::new(crate::binder::lower::ts_lit(None), crate::types::KustoType::DateTime)),
            }
        })(),
        "toscalar" => (|| {
            arity(name, args, 1, 1, span)?;
            // `toscalar(array_length(x))`: a scalar argument is already a value.
            if !b.is_tabular(&args[0], &scope.env) {
                return b.bind_scalar(&args[0], &crate::binder::expr::Scope::empty(scope.env.clone()));
            }
            let rel = b.bind_tabular(&args[0], &scope.env)?;
            let Some(first) = rel.visible().next().cloned() else {
                return err(span, "toscalar() needs a table with at least one column");
            };
            let one = rel.project(vec![(first.name.clone(), Typed::new(crate::binder::rel::col(&first.name), first.ty), false)], span)?;
            let plan = crate::binder::df(
                span,
                datafusion::logical_expr::LogicalPlanBuilder::from(one.plan).limit(0, Some(1)).and_then(|x| x.build()),
            )?;
            let sub = datafusion::logical_expr::Subquery { subquery: std::sync::Arc::new(plan), outer_ref_columns: vec![], spans: Default::default() };
            Ok(Typed::new(datafusion::logical_expr::Expr::ScalarSubquery(sub), first.ty))
        })(),
        _ => return None,
    })
}
