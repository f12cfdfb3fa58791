//! Relations under construction: a plan plus the Kusto name and type of each column.

use std::collections::HashSet;
use std::ops::Range;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Column;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder, cast};

use super::{BResult, Typed, df};
use crate::types::KustoType;

/// A column of a relation. Hidden columns (`$IngestionTime`, `$Raw`) travel with the rows
/// but are left out of `*`, `project-away`, `getschema` and the result.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Col {
    pub name: String,
    pub ty: KustoType,
    pub hidden: bool,
}

impl Col {
    pub fn new(name: impl Into<String>, ty: KustoType) -> Col {
        Col { name: name.into(), ty, hidden: false }
    }
}

/// A plan whose output fields are exactly `cols`, unqualified, in order.
#[derive(Clone, Debug)]
pub(crate) struct Rel {
    pub plan: LogicalPlan,
    pub cols: Vec<Col>,
}

/// An unqualified column reference (names are taken literally, dots and all).
pub(crate) fn col(name: &str) -> Expr {
    Expr::Column(Column::new_unqualified(name))
}

/// Whether values of Arrow type `dt` are a valid representation of `ty` inside a plan.
pub(crate) fn represents(ty: KustoType, dt: &DataType) -> bool {
    match ty {
        KustoType::String | KustoType::Guid | KustoType::Dynamic => {
            matches!(dt, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8)
        }
        other => &other.arrow() == dt,
    }
}

impl Rel {
    /// Index of a column by exact name; `TimeGenerated` and `Timestamp` stand for each other.
    pub fn find(&self, name: &str) -> Option<usize> {
        find_col(&self.cols, name)
    }

    pub fn visible(&self) -> impl Iterator<Item = &Col> {
        self.cols.iter().filter(|c| !c.hidden)
    }

    pub fn names(&self) -> HashSet<String> {
        self.cols.iter().map(|c| c.name.clone()).collect()
    }

    /// A projection of `items` (name, value, hidden) over this relation. Window functions
    /// among the values (`prev()`, `row_number()`) are computed by a window node first.
    pub fn project(self, items: Vec<(String, Typed, bool)>, span: &Range<usize>) -> BResult<Rel> {
        let values: Vec<Expr> = items.iter().map(|(_, t, _)| t.expr.clone()).collect();
        let windows = datafusion::logical_expr::utils::find_window_exprs(&values);
        if !windows.is_empty() {
            return self.project_with_windows(items, windows, span);
        }
        let schema = self.plan.schema().clone();
        let mut exprs = Vec::with_capacity(items.len());
        let mut cols = Vec::with_capacity(items.len());
        for (name, t, hidden) in items {
            exprs.push(conform(t.expr, t.ty, &schema).alias(&name));
            cols.push(Col { name, ty: t.ty, hidden });
        }
        let plan = df(span, LogicalPlanBuilder::from(self.plan).project(exprs).and_then(|b| b.build()))?;
        Ok(Rel { plan, cols })
    }

    fn project_with_windows(self, items: Vec<(String, Typed, bool)>, windows: Vec<Expr>, span: &Range<usize>) -> BResult<Rel> {
        use datafusion::common::tree_node::{Transformed, TreeNode};
        let named: Vec<(Expr, String)> = windows.into_iter().enumerate().map(|(i, w)| (w, format!("__w{i}"))).collect();
        let plan = df(
            span,
            LogicalPlanBuilder::from(self.plan.clone())
                .window(named.iter().map(|(w, n)| w.clone().alias(n)).collect::<Vec<_>>())
                .and_then(|b| b.build()),
        )?;
        let mut rewritten = Vec::with_capacity(items.len());
        for (name, t, hidden) in items {
            let e = t
                .expr
                .transform_up(|e| match named.iter().find(|(w, _)| *w == e) {
                    Some((_, n)) => Ok(Transformed::yes(col(n))),
                    None => Ok(Transformed::no(e)),
                })
                .map(|t| t.data);
            let e = df(span, e)?;
            rewritten.push((name, Typed::new(e, t.ty), hidden));
        }
        Rel { plan, cols: self.cols }.project(rewritten, span)
    }

    /// Every column as a (name, value, hidden) projection item.
    pub fn passthrough(&self) -> Vec<(String, Typed, bool)> {
        self.cols.iter().map(|c| (c.name.clone(), Typed::new(col(&c.name), c.ty), c.hidden)).collect()
    }

    pub fn with_plan(&self, plan: LogicalPlan) -> Rel {
        Rel { plan, cols: self.cols.clone() }
    }
}

/// Finds a column: by exact name; else `TimeGenerated`/`Timestamp` for each other; else,
/// for Sentinel-style names (`AccountUPN` for `AccountUpn`), the only column whose name
/// matches ignoring case.
pub(crate) fn find_col(cols: &[Col], name: &str) -> Option<usize> {
    if let Some(i) = cols.iter().position(|c| c.name == name) {
        return Some(i);
    }
    let alias = match name {
        "TimeGenerated" => Some("Timestamp"),
        "Timestamp" => Some("TimeGenerated"),
        _ => None,
    };
    if let Some(i) = alias.and_then(|a| cols.iter().position(|c| c.name == a)) {
        return Some(i);
    }
    let mut hits = cols.iter().enumerate().filter(|(_, c)| !c.hidden && c.name.eq_ignore_ascii_case(name));
    match (hits.next(), hits.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// Casts `e` to the representation of `ty` when DataFusion would type it otherwise.
pub(crate) fn conform(e: Expr, ty: KustoType, schema: &datafusion::common::DFSchema) -> Expr {
    match e.get_type(schema) {
        Ok(dt) if represents(ty, &dt) => e,
        Ok(DataType::Null) | Ok(_) => cast(e, ty.arrow()),
        Err(_) => e,
    }
}

/// `base`, or `base1`, `base2`, … : the first name not in `taken` (Kusto's suffix rule).
pub(crate) fn unique_name(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_string();
    }
    (1..).map(|i| format!("{base}{i}")).find(|n| !taken.contains(n)).unwrap_or_else(|| base.to_string())
}

/// Whether `name` matches a project-away style pattern with `*` wildcards.
pub(crate) fn wildcard_match(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(p) => rest = &rest[p + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}
