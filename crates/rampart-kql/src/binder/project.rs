//! `project`, `extend`, `project-away`, `project-keep`, `project-rename`, `project-reorder`.

use std::collections::HashSet;
use std::ops::Range;

use super::expr::Scope;
use super::rel::{Rel, col, find_col, unique_name, wildcard_match};
use super::{BResult, Binder, Env, Typed, err};
use crate::syntax::ast::{self, ColumnPattern, ExprKind, Literal, NamedExpr};

/// Functions whose result column takes the name of their first argument when unnamed.
pub(crate) const NAME_PASSING: &[&str] = &[
    "tostring", "toint", "tolong", "todouble", "toreal", "tobool", "todatetime", "totimespan", "todynamic", "toobject",
    "parse_json", "parsejson", "bin", "floor", "tolower", "toupper", "trim", "todecimal", "toguid",
];

/// The column name Kusto derives from an unnamed expression, if any.
pub(crate) fn infer_name(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Member { expr, name } => Some(format!("{}_{}", infer_name(expr)?, name.name)),
        ExprKind::Index { expr, index } => {
            let step = match &index.kind {
                ExprKind::Literal(Literal::String(s)) => s.clone(),
                ExprKind::Literal(Literal::Int(i)) => i.to_string(),
                _ => return None,
            };
            Some(format!("{}_{}", infer_name(expr)?, step))
        }
        ExprKind::Call { name, args } if NAME_PASSING.contains(&name.name.as_str()) => infer_name(args.first()?),
        _ => None,
    }
}

impl<'a> Binder<'a> {
    /// A name for an unnamed expression: derived, else `Column1`, `Column2`, … .
    fn column_name(&mut self, item: &NamedExpr, taken: &HashSet<String>) -> String {
        if let Some(n) = item.names.first() {
            return n.name.clone();
        }
        if let Some(n) = infer_name(&item.expr) {
            return n;
        }
        unique_name_from(1, taken)
    }

    pub fn project(&mut self, rel: Rel, items: &[NamedExpr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let mut out: Vec<(String, Typed, bool)> = Vec::new();
        let mut taken = HashSet::new();
        let mut locals: Vec<(String, Typed)> = Vec::new();
        for item in items {
            if item.names.len() > 1 {
                return err(&item.expr.span, "assigning several names at once is not supported yet");
            }
            let scope = Scope { cols: &rel.cols, locals: locals.clone(), env: env.clone(), agg: false, join: None };
            let t = self.bind_scalar(&item.expr, &scope)?;
            let name = self.column_name(item, &taken);
            if taken.contains(&name) {
                return err(&item.expr.span, format!("the column `{name}` is projected twice"));
            }
            taken.insert(name.clone());
            locals.push((name.clone(), t.clone()));
            out.push((name, t, false));
        }
        // mv-apply's hidden row id survives projections inside its subquery.
        for c in rel.cols.iter().filter(|c| c.hidden && c.name == super::mvapply::ROW_ID) {
            out.push((c.name.clone(), Typed::new(col(&c.name), c.ty), true));
        }
        rel.project(out, span)
    }

    pub fn extend(&mut self, rel: Rel, items: &[NamedExpr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let mut out = rel.passthrough();
        let mut locals: Vec<(String, Typed)> = Vec::new();
        for item in items {
            if item.names.len() > 1 {
                return err(&item.expr.span, "assigning several names at once is not supported yet");
            }
            let scope = Scope { cols: &rel.cols, locals: locals.clone(), env: env.clone(), agg: false, join: None };
            let t = self.bind_scalar(&item.expr, &scope)?;
            let taken: HashSet<String> = out.iter().map(|(n, ..)| n.clone()).collect();
            let name = self.column_name(item, &taken);
            locals.push((name.clone(), t.clone()));
            match out.iter_mut().find(|(n, ..)| *n == name) {
                Some(slot) => *slot = (name, t, false),
                None => out.push((name, t, false)),
            }
        }
        rel.project(out, span)
    }

    pub fn project_away(&mut self, rel: Rel, patterns: &[ColumnPattern], keep: bool, span: &Range<usize>) -> BResult<Rel> {
        let mut selected = vec![false; rel.cols.len()];
        for p in patterns {
            if p.pattern.contains('*') {
                for (i, c) in rel.cols.iter().enumerate() {
                    if wildcard_match(&p.pattern, &c.name) {
                        selected[i] = true;
                    }
                }
            } else {
                match find_col(&rel.cols, &p.pattern) {
                    Some(i) => selected[i] = true,
                    None => return err(&p.span, format!("unknown column `{}`", p.pattern)),
                }
            }
        }
        let out: Vec<(String, Typed, bool)> = rel
            .cols
            .iter()
            .enumerate()
            .filter(|(i, c)| c.hidden || selected[*i] == keep)
            .map(|(_, c)| (c.name.clone(), Typed::new(col(&c.name), c.ty), c.hidden))
            .collect();
        rel.project(out, span)
    }

    pub fn project_rename(&mut self, rel: Rel, pairs: &[(ast::Ident, ast::Ident)], span: &Range<usize>) -> BResult<Rel> {
        let mut out = rel.passthrough();
        for (new, old) in pairs {
            let Some(i) = find_col(&rel.cols, &old.name) else {
                return err(&old.span, format!("unknown column `{}`", old.name));
            };
            out[i].0 = new.name.clone();
        }
        let mut seen = HashSet::new();
        for (n, ..) in &out {
            if !seen.insert(n.clone()) {
                return err(span, format!("project-rename makes two columns called `{n}`"));
            }
        }
        rel.project(out, span)
    }

    pub fn project_reorder(&mut self, rel: Rel, items: &[(ColumnPattern, Option<bool>)], span: &Range<usize>) -> BResult<Rel> {
        let mut first: Vec<usize> = Vec::new();
        for (p, order) in items {
            let mut hits: Vec<usize> = rel
                .cols
                .iter()
                .enumerate()
                .filter(|(i, c)| !c.hidden && !first.contains(i) && (wildcard_match(&p.pattern, &c.name)))
                .map(|(i, _)| i)
                .collect();
            if hits.is_empty() && !p.pattern.contains('*') {
                match find_col(&rel.cols, &p.pattern) {
                    Some(i) if !first.contains(&i) => hits.push(i),
                    Some(_) => {}
                    None => return err(&p.span, format!("unknown column `{}`", p.pattern)),
                }
            }
            match order {
                Some(false) => hits.sort_by(|a, b| rel.cols[*a].name.cmp(&rel.cols[*b].name)),
                Some(true) => hits.sort_by(|a, b| rel.cols[*b].name.cmp(&rel.cols[*a].name)),
                None => {}
            }
            first.extend(hits);
        }
        let rest: Vec<usize> = (0..rel.cols.len()).filter(|i| !first.contains(i)).collect();
        let all = rel.passthrough();
        let out = first.into_iter().chain(rest).map(|i| all[i].clone()).collect();
        rel.project(out, span)
    }
}

fn unique_name_from(start: usize, taken: &HashSet<String>) -> String {
    (start..).map(|i| format!("Column{i}")).find(|n| !taken.contains(n)).unwrap_or_else(|| unique_name("Column", taken))
}
