//! `parse` and `parse-where`: the pattern becomes one anchored regular expression
//! (`*` and string columns match lazily, numbers match digits) evaluated once per row.

use std::ops::Range;

use datafusion::logical_expr::{Expr, LogicalPlanBuilder, lit};

use super::expr::Scope;
use super::lower::{self, str_lit};
use super::rel::{Rel, col};
use super::source::option_text;
use super::{BResult, Binder, Env, Typed, df, err};
use crate::syntax::ast::{self, OptionArg, ParseElem};
use crate::types::KustoType;

/// The capture group of a column: numbers match digits; text matches lazily in simple
/// mode and greedily in regex mode (as Kusto does; flag `U` swaps greediness).
fn capture(ty: KustoType, regex_mode: bool) -> &'static str {
    match ty {
        KustoType::Long | KustoType::Int => r"(-?\d+)",
        KustoType::Real => r"(-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)",
        KustoType::Bool => r"((?i:true|false))",
        _ if regex_mode => "(.*)",
        _ => "(.*?)",
    }
}

impl<'a> Binder<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn parse_op(
        &mut self,
        rel: Rel,
        options: &[OptionArg],
        source: &ast::Expr,
        pattern: &[ParseElem],
        filter: bool,
        env: &Env,
        span: &Range<usize>,
    ) -> BResult<Rel> {
        let mut kind = "simple".to_string();
        let mut flags = String::new();
        for o in options {
            match o.name.name.as_str() {
                "kind" => kind = option_text(&o.value),
                "flags" => flags = option_text(&o.value),
                _ => {}
            }
        }
        let regex_mode = match kind.as_str() {
            "simple" | "relaxed" => false,
            "regex" => true,
            other => return err(span, format!("unknown parse kind `{other}`")),
        };
        let scope = Scope::rows(&rel.cols, env.clone());
        let src = self.bind_scalar(source, &scope)?;
        let text = lower::nonnull_string(lower::to_string(&src));
        let mut re = String::new();
        if !flags.is_empty() && regex_mode {
            re.push_str(&format!("(?{flags})"));
        }
        if !regex_mode {
            re.push('^');
        }
        let mut columns = Vec::new();
        for (i, el) in pattern.iter().enumerate() {
            match el {
                ParseElem::Star => re.push_str(if regex_mode || i + 1 == pattern.len() { ".*" } else { ".*?" }),
                ParseElem::Literal(s) => {
                    if regex_mode {
                        re.push_str(&crate::udf::text::re2_compat(s));
                    } else {
                        re.push_str(&regex::escape(s));
                    }
                }
                ParseElem::Column { name, ty } => {
                    let k = match ty {
                        Some(t) => KustoType::from_name(&t.name)
                            .ok_or_else(|| super::BindError::At { span: t.span.clone(), message: format!("unknown type `{}`", t.name) })?,
                        None => KustoType::String,
                    };
                    re.push_str(capture(k, regex_mode));
                    columns.push((name.name.clone(), k));
                }
            }
        }
        let ends_with_column = matches!(pattern.last(), Some(ParseElem::Column { .. }));
        if !regex_mode && ends_with_column {
            re.push('$');
        }
        if let Err(e) = regex::Regex::new(&re) {
            return err(span, format!("the parse pattern is not a valid regular expression: {e}"));
        }
        if !regex_mode && !flags.is_empty() {
            re = format!("(?{flags}){re}");
        }
        let m = self.fresh("pm");
        let matched = datafusion::functions::expr_fn::regexp_match(text, str_lit(&re), None);
        let mut step = rel.passthrough();
        step.push((m.clone(), Typed::new(matched, KustoType::Dynamic), true));
        let exprs: Vec<Expr> = step.iter().map(|(n, t, _)| t.expr.clone().alias(n)).collect();
        let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).project(exprs))?;
        let plan = if filter { df(span, plan.filter(col(&m).is_not_null()))? } else { plan };
        let plan = df(span, plan.build())?;
        let mut out = rel.passthrough();
        for (i, (name, ty)) in columns.into_iter().enumerate() {
            let group = datafusion::functions_nested::expr_fn::array_element(col(&m), lit((i + 1) as i64));
            let value = Typed::new(group, KustoType::String);
            let value = if ty.is_stringy() { value } else { Typed::new(lower::convert(&value, ty), ty) };
            match out.iter_mut().find(|(n, ..)| *n == name) {
                Some(slot) => *slot = (name, value, false),
                None => out.push((name, value, false)),
            }
        }
        Rel { plan, cols: Vec::new() }.project(out, span)
    }
}
