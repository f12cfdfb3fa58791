//! The compiler entry point: parse, fetch the table providers the query may use, bind, and
//! run the small discovery queries some operators need (`bag_unpack`).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::common::TableReference;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;

use crate::binder::source::LEGACY_TABLES;
use crate::binder::{BindError, Binder, Render, Tables, finish};
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::Query;
use crate::syntax::lexer::lex;
use crate::syntax::parser::parse;
use crate::syntax::token::TokenKind;
use crate::types::KustoType;

/// Options of a compilation.
#[derive(Debug, Clone)]
pub struct CompileOptions {
    /// The clock `now()` and `ago()` read; fixed in tests.
    pub now: DateTime<Utc>,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions { now: Utc::now() }
    }
}

impl CompileOptions {
    /// Options with a fixed clock.
    pub fn at(now: DateTime<Utc>) -> CompileOptions {
        CompileOptions { now }
    }
}

/// A compiled query: a logical plan, the Kusto type of each result column, and the chart
/// requested with `render` (passed through as a hint).
#[derive(Debug, Clone)]
pub struct Compiled {
    pub plan: LogicalPlan,
    pub columns: Vec<(String, KustoType)>,
    pub render: Option<Render>,
}

/// How many discovery rounds one query may need (one per `bag_unpack`).
const MAX_DISCOVERY_ROUNDS: usize = 16;

enum Outcome {
    Done(Box<Compiled>),
    Discover { key: usize, plan: Box<LogicalPlan> },
}

/// Compiles a KQL query into a DataFusion plan over the tables registered in `ctx`.
pub async fn compile(text: &str, ctx: &SessionContext, opts: &CompileOptions) -> Result<Compiled, Vec<Diagnostic>> {
    let parsed = parse(text);
    if !parsed.diagnostics.is_empty() {
        return Err(parsed.diagnostics);
    }
    let tables = fetch_tables(text, ctx).await;
    let mut discovered: HashMap<usize, Vec<String>> = HashMap::new();
    for round in 0..MAX_DISCOVERY_ROUNDS {
        match bind_once(text, &parsed.query, opts, &tables, &discovered)? {
            Outcome::Done(c) => {
                tracing::debug!(tables = tables.providers.len(), discovery_rounds = round, columns = c.columns.len(), "compiled kql query");
                return Ok(*c);
            }
            Outcome::Discover { key, plan } => {
                let keys = discover(ctx, *plan).await.map_err(|e| {
                    vec![Diagnostic::new(text, key..key, format!("could not read the property names for bag_unpack: {e}"))]
                })?;
                discovered.insert(key, keys);
            }
        }
    }
    Err(vec![Diagnostic::new(text, 0..0, "the query needs too many discovery passes (bag_unpack)")])
}

/// One synchronous binding pass (the binder is not `Send`; nothing of it crosses an await).
fn bind_once(
    text: &str,
    query: &Query,
    opts: &CompileOptions,
    tables: &Tables,
    discovered: &HashMap<usize, Vec<String>>,
) -> Result<Outcome, Vec<Diagnostic>> {
    let mut binder = Binder::new(text, opts, tables, discovered);
    let to_diag = |e: BindError| match e {
        BindError::At { span, message } => Ok(vec![Diagnostic::new(text, span, message)]),
        BindError::Discover { key, plan } => Err(Outcome::Discover { key, plan }),
    };
    let (rel, render) = match binder.bind_query(query) {
        Ok(r) => r,
        Err(e) => {
            return match to_diag(e) {
                Ok(d) => Err(d),
                Err(o) => Ok(o),
            };
        }
    };
    match finish(rel) {
        Ok((plan, columns)) => Ok(Outcome::Done(Box::new(Compiled { plan, columns, render }))),
        Err(e) => match to_diag(e) {
            Ok(d) => Err(d),
            Err(o) => Ok(o),
        },
    }
}

/// Looks up every name in the query that could be a table.
async fn fetch_tables(text: &str, ctx: &SessionContext) -> Tables {
    let (tokens, _) = lex(text);
    let mut names: BTreeSet<String> = tokens.iter().filter(|t| t.kind == TokenKind::Ident).map(|t| text[t.span.clone()].to_string()).collect();
    for (old, new) in LEGACY_TABLES {
        if names.contains(*old) {
            names.insert((*new).to_string());
        }
    }
    let all = session_table_names(ctx);
    let wildcard_or_search = text.contains('*') || names.contains("search") || names.contains("union");
    if wildcard_or_search {
        names.extend(all.iter().cloned());
    }
    let mut tables = Tables { names: all, ..Tables::default() };
    for n in names {
        if let Ok(p) = ctx.table_provider(TableReference::bare(n.clone())).await {
            tables.providers.insert(n, p);
        }
    }
    tables
}

/// The names of the tables in the session's default schema.
fn session_table_names(ctx: &SessionContext) -> Vec<String> {
    let state = ctx.state();
    let options = state.config_options();
    let catalog = state.catalog_list().catalog(&options.catalog.default_catalog);
    let schema = catalog.and_then(|c| c.schema(&options.catalog.default_schema));
    let mut names = schema.map(|s| s.table_names()).unwrap_or_default();
    names.sort();
    names
}

/// Runs a discovery plan whose only column holds JSON strings; returns them, sorted.
async fn discover(ctx: &SessionContext, plan: LogicalPlan) -> datafusion::common::Result<Vec<String>> {
    let batches = ctx.execute_logical_plan(plan).await?.collect().await?;
    let mut out = BTreeSet::new();
    for b in batches {
        if b.num_columns() == 0 {
            continue;
        }
        let col = b.column(0);
        let Some(strings) = col.as_string_opt::<i32>() else { continue };
        for i in 0..strings.len() {
            if strings.is_null(i) {
                continue;
            }
            let raw = strings.value(i);
            let key = crate::udf::json::unquote(raw).map(|k| k.into_owned()).unwrap_or_else(|| raw.to_string());
            out.insert(key);
        }
    }
    Ok(out.into_iter().collect())
}
