//! Advanced hunting: `POST /api/hunting/query`, the Microsoft Graph `runHuntingQuery`
//! shape for existing scripts, and saved queries.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use rampart_hunt::{Language, Outcome, Request, Timespan};
use rampart_schema::ErrorCode;
use rampart_store::{QueryDraft, SavedQuery, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryBody {
    query: String,
    /// ISO 8601 duration (`P7D`), `7d`, or `start/end`; default: the configured look-back.
    #[serde(default)]
    timespan: Option<String>,
    #[serde(default)]
    language: Language,
}

/// Microsoft Graph `security/runHuntingQuery`.
#[derive(Debug, Deserialize)]
pub struct GraphBody {
    #[serde(rename = "Query")]
    query: String,
    #[serde(rename = "Timespan", default)]
    timespan: Option<String>,
}

pub async fn query(State(state): State<Arc<AppState>>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let QueryBody { query, timespan, language } = json_body(&body)?;
    let out = run(&state, query, timespan, language).await?;
    let chart = out.render.as_ref().map(|r| json!({ "visualization": r.visualization, "properties": r.properties.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<serde_json::Map<_, _>>() }));
    Ok(Json(json!({
        "schema": out.columns.iter().map(|c| json!({ "name": c.name, "type": c.kind.name() })).collect::<Vec<_>>(),
        "results": out.rows(),
        "stats": out.stats,
        "truncated": out.truncated,
        "timespan": { "start": rampart_hunt::json::datetime(out.range.0.timestamp_micros()), "end": rampart_hunt::json::datetime(out.range.1.timestamp_micros()) },
        "chart": chart,
    })))
}

pub async fn graph_run(State(state): State<Arc<AppState>>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let GraphBody { query, timespan } = json_body(&body)?;
    let out = run(&state, query, timespan, Language::Kql).await?;
    Ok(Json(json!({
        "@odata.context": "$metadata#microsoft.graph.security.huntingQueryResults",
        "schema": out.columns.iter().map(|c| json!({ "name": c.name, "type": c.kind.dotnet_name() })).collect::<Vec<_>>(),
        "results": out.rows(),
    })))
}

async fn run(state: &AppState, query: String, timespan: Option<String>, language: Language) -> Result<Outcome, ApiError> {
    let timespan = timespan.as_deref().map(Timespan::parse).transpose()?;
    Ok(state.hunter.run(&Request { query, language, timespan, now: None }).await?)
}

/// The JSON body, whatever the Content-Type says (`curl -d` sends a form type).
fn json_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("invalid request body: {e}")))
}

impl From<rampart_hunt::Error> for ApiError {
    fn from(e: rampart_hunt::Error) -> Self {
        let code = e.code();
        if code == ErrorCode::Internal {
            return ApiError::internal("the query failed", e);
        }
        let diagnostics: Vec<Value> =
            e.diagnostics().iter().map(|d| json!({ "line": d.line, "column": d.column, "start": d.span.start, "end": d.span.end, "message": d.message })).collect();
        let error = ApiError::new(code, e.to_string());
        if diagnostics.is_empty() { error } else { error.with("diagnostics", diagnostics) }
    }
}

// Saved queries. The owner is the calling token (per-user ownership arrives with sign-in).

fn owner(caller: &Caller) -> String {
    format!("token:{}", caller.token.id)
}

pub async fn list_saved(State(state): State<Arc<AppState>>, Extension(caller): Extension<Caller>) -> Result<Json<Vec<SavedQuery>>, ApiError> {
    Ok(Json(state.store.list_queries(&owner(&caller)).await?))
}

pub async fn create_saved(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<SavedQuery>), ApiError> {
    let draft: QueryDraft = json_body(&body)?;
    Ok((StatusCode::CREATED, Json(state.store.create_query(&draft, &owner(&caller)).await?)))
}

pub async fn get_saved(State(state): State<Arc<AppState>>, Extension(caller): Extension<Caller>, Path(id): Path<String>) -> Result<Json<SavedQuery>, ApiError> {
    Ok(Json(state.store.get_query(&id, &owner(&caller)).await?))
}

pub async fn update_saved(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<SavedQuery>, ApiError> {
    let draft: QueryDraft = json_body(&body)?;
    let admin = caller.token.allows(Scope::Admin);
    Ok(Json(state.store.update_query(&id, &draft, &owner(&caller), admin).await?))
}

pub async fn delete_saved(State(state): State<Arc<AppState>>, Extension(caller): Extension<Caller>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let admin = caller.token.allows(Scope::Admin);
    state.store.delete_query(&id, &owner(&caller), admin).await?;
    Ok(StatusCode::NO_CONTENT)
}
