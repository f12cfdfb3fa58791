//! KQL (Kusto Query Language) for Rampart: Defender advanced-hunting queries compiled to
//! Apache DataFusion logical plans.
//!
//! ```text
//!  query text ──► lexer ──► parser ──► ast::Query + diagnostics      (syntax only, never fails)
//!                                          │
//!                 SessionContext ──► binder (names, types, Kusto semantics)
//!                 (table providers)        │   LogicalPlanBuilder / Expr, never SQL text
//!                                          ▼
//!                             Compiled { plan, columns (Kusto types), render }
//!                                          │  executed by the caller with the kql_* UDFs
//!                                          ▼  from `register` (string, dynamic, datetime…)
//!                                       rows
//! ```
//!
//! * [`parse`] returns a tree with spans and every syntax problem found ([`Diagnostic`]s
//!   name the line, the column, the offending token and what was expected).
//! * [`compile`] binds a query against the tables of a `SessionContext` (looked up by exact
//!   name; Defender tables get their Kusto column types from `rampart_schema::catalog()`).
//! * [`register`] adds the UDFs/UDAFs that compiled plans call to a session.
//!
//! Dynamic values are JSON text in Utf8 columns; strings are never null in Kusto, so a null
//! string reads as "". `docs/kql.md` lists what is supported and every known difference
//! from Kusto. Boundary: this crate does no I/O of its own (only `bag_unpack` runs a query
//! through the given session to learn its output columns).

pub(crate) mod binder;
mod compile;
pub mod diagnostic;
mod error;
pub(crate) mod functions;
pub mod optimizer;
pub mod syntax;
pub mod types;
pub mod udaf;
pub mod udf;

use datafusion::prelude::SessionContext;

pub use binder::Render;
pub use binder::source::KQL_TYPE_METADATA;
pub use compile::{CompileOptions, Compiled, compile};
pub use diagnostic::Diagnostic;
pub use error::{Error, Result};
pub use syntax::ast;
pub use syntax::parser::{Parse, parse};
pub use syntax::script::split_script;
pub use types::KustoType;

/// Registers in a session the UDFs and UDAFs compiled plans use (`kql_*`) and the optimizer
/// rule that prunes unused fields of whole-row aggregates ([`optimizer::PruneRowStructs`]).
pub fn register(ctx: &SessionContext) {
    ctx.add_optimizer_rule(std::sync::Arc::new(optimizer::PruneRowStructs));
    for f in udf::all() {
        ctx.register_udf(f.as_ref().clone());
    }
    for f in udaf::all() {
        ctx.register_udaf(f.as_ref().clone());
    }
}
