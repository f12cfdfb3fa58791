//! The binder: resolves names and types in the syntax tree and builds a DataFusion
//! `LogicalPlan` with `LogicalPlanBuilder` and `Expr` (never SQL text). Semantic errors
//! (unknown tables or columns, type mismatches, unsupported features) are reported here.
//!
//! A relation being built is a [`Rel`]: a plan whose output columns are unqualified and
//! named as Kusto names them, plus the Kusto type of each column. Every operator keeps that
//! invariant, so column references are always `Column::new_unqualified(name)`.

mod compare;
pub(crate) mod env;
pub(crate) mod expr;
mod find;
mod join;
pub(crate) mod lower;
mod mvapply;
mod mvexpand;
mod ops;
mod parse_op;
pub(crate) mod project;
pub(crate) mod rel;
mod rewrite;
mod series;
pub(crate) mod source;
pub(crate) mod summarize;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use datafusion::catalog::TableProvider;
use datafusion::logical_expr::{Expr, LogicalPlan};

use crate::syntax::ast::{self, Statement};
use crate::types::KustoType;
pub(crate) use env::{Binding, Bound, Env, Lazy};
pub(crate) use rel::Rel;

/// A bound scalar expression and its Kusto type.
#[derive(Clone, Debug)]
pub(crate) struct Typed {
    pub expr: Expr,
    pub ty: KustoType,
}

impl Typed {
    pub fn new(expr: Expr, ty: KustoType) -> Typed {
        Typed { expr, ty }
    }
}

/// Why binding stopped.
#[derive(Debug)]
pub(crate) enum BindError {
    /// A problem in the query.
    At { span: Range<usize>, message: String },
    /// `evaluate bag_unpack` needs the property names present in its input: the compiler
    /// runs this plan, records the names under `key`, and binds again.
    Discover { key: usize, plan: Box<LogicalPlan> },
}

pub(crate) type BResult<T> = Result<T, BindError>;

pub(crate) fn err<T>(span: &Range<usize>, message: impl Into<String>) -> BResult<T> {
    Err(BindError::At { span: span.clone(), message: message.into() })
}

/// Maps a DataFusion planning error at `span` into a diagnostic.
pub(crate) fn df<T>(span: &Range<usize>, r: datafusion::common::Result<T>) -> BResult<T> {
    r.map_err(|e| BindError::At { span: span.clone(), message: format!("cannot plan this part of the query: {e}") })
}

/// The providers of the tables a query may reference, fetched before binding.
#[derive(Default)]
pub struct Tables {
    pub(crate) providers: HashMap<String, Arc<dyn TableProvider>>,
    /// Every table name in the session (for `union Device*`).
    pub(crate) names: Vec<String>,
}

/// The chart a query asked for with `render`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Render {
    pub visualization: String,
    pub properties: Vec<(String, String)>,
}

/// State carried while binding one query.
pub(crate) struct Binder<'a> {
    pub text: &'a str,
    pub opts: &'a crate::CompileOptions,
    pub tables: &'a Tables,
    /// Property names found by earlier discovery runs (`bag_unpack`), by request key.
    pub discovered: &'a HashMap<usize, Vec<String>>,
    pub render: Option<Render>,
    /// Whether the expression being bound is a `where` condition (where null reads as false).
    pub filter_mode: bool,
    /// Aggregates collected while binding a `summarize`, innermost last.
    pub aggs: Vec<summarize::AggCollector>,
    /// Counter for generated column names.
    pub next_id: usize,
    /// The keys (column, ascending, nulls first) of the last `sort`/`top` still in effect,
    /// for `prev()`, `next()` and `row_number()`.
    pub order_hint: Vec<(String, bool, bool)>,
}

impl<'a> Binder<'a> {
    pub fn new(
        text: &'a str,
        opts: &'a crate::CompileOptions,
        tables: &'a Tables,
        discovered: &'a HashMap<usize, Vec<String>>,
    ) -> Binder<'a> {
        Binder { text, opts, tables, discovered, render: None, filter_mode: false, aggs: Vec::new(), next_id: 0, order_hint: Vec::new() }
    }

    pub fn fresh(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("__{prefix}{}", self.next_id)
    }

    /// Binds a whole query: `let` statements, then exactly one query expression.
    pub fn bind_query(&mut self, query: &ast::Query) -> BResult<(Rel, Option<Render>)> {
        let mut env = Env::default();
        let mut result = None;
        for st in &query.statements {
            match st {
                Statement::Let(l) => env = self.bind_let(&env, l),
                Statement::Set { .. } | Statement::Declare { .. } => {}
                Statement::Expr(e) => {
                    if result.is_some() {
                        return err(&e.span, "a query can return only one result here; separate queries with a blank line or run them one at a time");
                    }
                    match self.bind_any(e, &env)? {
                        Bound::Table(rel) => result = Some(rel),
                        Bound::Scalar(_) => return err(&e.span, "the query must end with a tabular expression (a table or a `print`)"),
                    }
                }
            }
        }
        let Some(rel) = result else {
            let end = self.text.len();
            return err(&(end..end), "the query has no tabular expression after its `let` statements");
        };
        Ok((rel, self.render.take()))
    }

    /// Adds a `let` to the environment (lazily bound).
    pub fn bind_let(&mut self, env: &Env, l: &ast::LetStmt) -> Env {
        match &l.value {
            ast::LetValue::Expr(e) => env.with(&l.name.name, Binding::Lazy(std::cell::RefCell::new(Lazy::Pending(e.clone(), env.clone())))),
            ast::LetValue::Function(f) => env.with(&l.name.name, Binding::Function(std::rc::Rc::new(f.clone()), env.clone())),
        }
    }

    /// Forces a `let` binding.
    pub fn force(&mut self, node: &env::EnvNode, span: &Range<usize>) -> BResult<Bound> {
        match &node.binding {
            Binding::Value(b) => Ok(b.clone()),
            Binding::Function(..) => err(span, format!("`{}` is a function; call it with `{}(…)`", node.name, node.name)),
            Binding::Lazy(cell) => {
                let state = std::mem::replace(&mut *cell.borrow_mut(), Lazy::Busy);
                match state {
                    Lazy::Done(b) => {
                        *cell.borrow_mut() = Lazy::Done(b.clone());
                        Ok(b)
                    }
                    Lazy::Busy => err(span, format!("`{}` refers to itself", node.name)),
                    Lazy::Pending(e, env) => {
                        let r = self.bind_any(&e, &env);
                        match &r {
                            Ok(b) => *cell.borrow_mut() = Lazy::Done(b.clone()),
                            Err(_) => *cell.borrow_mut() = Lazy::Pending(e, env),
                        }
                        r
                    }
                }
            }
        }
    }

    /// Binds an expression that may be tabular or scalar.
    pub fn bind_any(&mut self, e: &ast::Expr, env: &Env) -> BResult<Bound> {
        if self.is_tabular(e, env) {
            return Ok(Bound::Table(self.bind_tabular(e, env)?));
        }
        let scope = expr::Scope::empty(env.clone());
        Ok(Bound::Scalar(self.bind_scalar(e, &scope)?))
    }
}

/// The compiler's view of a bound relation turned into a result: hidden columns dropped and
/// timespans cast to Duration.
pub(crate) fn finish(rel: Rel) -> BResult<(LogicalPlan, Vec<(String, KustoType)>)> {
    use datafusion::logical_expr::{LogicalPlanBuilder, cast};
    let mut exprs = Vec::new();
    let mut columns = Vec::new();
    for c in rel.cols.iter().filter(|c| !c.hidden) {
        let e = rel::col(&c.name);
        let e = if c.ty == KustoType::Timespan { cast(e, c.ty.output_arrow()) } else { e };
        exprs.push(e.alias(&c.name));
        columns.push((c.name.clone(), c.ty));
    }
    let span = 0..0;
    let plan = df(&span, LogicalPlanBuilder::from(rel.plan).project(exprs).and_then(|b| b.build()))?;
    Ok((plan, columns))
}
