//! rampart-api: the HTTP API (axum). One module per area, one error type, and one
//! authorisation layer ([`auth::POLICY`]) in front of every route.
//!
//! **Boundary:** the only crate that knows HTTP and the JSON wire shapes; it calls the
//! libraries below it and holds no domain logic of its own.

pub mod auth;
mod error;
mod health;
mod hunting;
mod ingest;
mod schema;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Instant;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};
use rampart_store::Scope;
use rampart_ingest::json::ReportIds;
use rampart_lake::Lake;
use rampart_store::Store;

pub use auth::{Access, Policy};
pub use error::ApiError;
pub use health::ApiMetrics;
pub use ingest::IngestResponse;

/// Limits of `POST /api/ingest/{table}`.
#[derive(Debug, Clone, Copy)]
pub struct IngestLimits {
    /// Largest request body, before and after gzip inflation.
    pub max_body_bytes: usize,
    /// Longest NDJSON line.
    pub max_row_bytes: usize,
    /// Most rows in one request.
    pub max_rows: usize,
}

impl Default for IngestLimits {
    fn default() -> Self {
        IngestLimits { max_body_bytes: 32 << 20, max_row_bytes: 1 << 20, max_rows: 100_000 }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ApiConfig {
    pub ingest: IngestLimits,
    pub hunting: rampart_hunt::Limits,
}

/// Everything handlers share.
pub struct AppState {
    pub lake: Lake,
    pub store: Store,
    pub hunter: rampart_hunt::Hunter,
    pub config: ApiConfig,
    pub report_ids: Arc<ReportIds>,
    pub metrics: ApiMetrics,
    pub tokens: auth::TokenCache,
    pub started: Instant,
}

impl AppState {
    pub fn new(lake: Lake, store: Store, config: ApiConfig) -> Arc<AppState> {
        Arc::new(AppState {
            hunter: rampart_hunt::Hunter::new(lake.clone(), config.hunting),
            lake,
            store,
            config,
            report_ids: Arc::new(ReportIds::from_clock()),
            metrics: ApiMetrics::default(),
            tokens: auth::TokenCache::default(),
            started: Instant::now(),
        })
    }
}

type Handler = MethodRouter<Arc<AppState>>;

/// Every route of the API, each with the access it needs. Nothing else adds routes.
fn routes() -> Vec<(Method, &'static str, Access, Handler)> {
    use Access::{Public, Scope as Needs};
    vec![
        (Method::GET, "/api/health", Public, get(health::health)),
        (Method::GET, "/metrics", Needs(Scope::Read), get(health::metrics)),
        (Method::GET, "/api/schema", Needs(Scope::Read), get(schema::tables)),
        (Method::GET, "/api/schema/{table}", Needs(Scope::Read), get(schema::table)),
        // The handler enforces its own, configurable body limit with a clear message.
        (Method::POST, "/api/ingest/{table}", Needs(Scope::Ingest), post(ingest::ingest).layer(DefaultBodyLimit::disable())),
        (Method::POST, "/api/hunting/query", Needs(Scope::Read), post(hunting::query)),
        (Method::GET, "/api/hunting/schema", Needs(Scope::Read), get(schema::tables)),
        (Method::GET, "/api/hunting/queries", Needs(Scope::Read), get(hunting::list_saved)),
        (Method::POST, "/api/hunting/queries", Needs(Scope::Read), post(hunting::create_saved)),
        (Method::GET, "/api/hunting/queries/{id}", Needs(Scope::Read), get(hunting::get_saved)),
        (Method::PUT, "/api/hunting/queries/{id}", Needs(Scope::Read), put(hunting::update_saved)),
        (Method::DELETE, "/api/hunting/queries/{id}", Needs(Scope::Read), delete(hunting::delete_saved)),
        // Microsoft Graph's shape, so existing scripts work with a changed base URL.
        (Method::POST, "/api/graph/security/runHuntingQuery", Needs(Scope::Read), post(hunting::graph_run)),
    ]
}

/// Who may call what, as the router enforces it.
pub fn policy() -> Policy {
    let mut policy = Policy::default();
    for (method, path, access, _) in routes() {
        policy.insert(method, path, access);
    }
    policy
}

/// The API router; the authorisation layer runs before every handler.
pub fn app(state: Arc<AppState>) -> Router {
    let mut by_path: BTreeMap<&'static str, Handler> = BTreeMap::new();
    for (_, path, _, handler) in routes() {
        let merged = match by_path.remove(path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(path, merged);
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(path, handler);
    }
    let guard = (state.clone(), Arc::new(policy()));
    router.route_layer(axum::middleware::from_fn_with_state(guard, auth::authorize)).with_state(state)
}
