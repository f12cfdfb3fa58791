//! `GET /api/schema[/{table}]`: the hunting schema, for editors and scripts.

use axum::Json;
use axum::extract::Path;
use rampart_schema::{ErrorCode, Table, catalog};
use serde_json::{Value, json};

use crate::ApiError;

fn describe(t: &Table) -> Value {
    json!({ "name": t.name, "workload": t.workload, "description": t.description, "columns": t.columns })
}

pub async fn tables() -> Json<Value> {
    Json(Value::Array(catalog().tables().iter().map(describe).collect()))
}

pub async fn table(Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    catalog().table(&name).map(|t| Json(describe(t))).ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound, format!("unknown table '{name}'"))
            .with("tables", catalog().table_names().collect::<Vec<_>>())
    })
}
