//! `POST /api/ingest/{table}`: NDJSON rows (optionally gzip'd) into one table.
//!
//! The answer comes only after the accepted rows are fsync'd in the WAL, and says how
//! many rows were accepted and rejected, with the first rejections (line, column,
//! reason). Bad rows never take good rows with them; limits answer 413.

use std::io::Read;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use bytes::Bytes;
use http_body_util::BodyExt;
use rampart_ingest::json::{RowError, decode_ndjson};
use rampart_schema::{ErrorCode, catalog};
use serde::Serialize;

use crate::{ApiError, AppState};

/// Rejections listed in a response; the counts cover all of them.
const MAX_ERRORS_SHOWN: usize = 20;

#[derive(Debug, Serialize)]
pub struct IngestResponse {
    pub table: String,
    pub accepted: usize,
    pub rejected: usize,
    pub errors: Vec<RowError>,
}

pub async fn ingest(
    State(state): State<Arc<AppState>>,
    Path(table_name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<IngestResponse>), ApiError> {
    let table = catalog().table(&table_name).ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound, format!("unknown table '{table_name}'"))
            .with("tables", catalog().table_names().collect::<Vec<_>>())
    })?;
    let limits = state.config.ingest;
    if let Some(len) = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        && len > limits.max_body_bytes as u64
    {
        return Err(too_large(len, limits.max_body_bytes));
    }
    let raw = http_body_util::Limited::new(body, limits.max_body_bytes)
        .collect()
        .await
        .map_err(|e| {
            if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                too_large(limits.max_body_bytes as u64 + 1, limits.max_body_bytes)
            } else {
                ApiError::new(ErrorCode::BadRequest, format!("reading the request body failed: {e}"))
            }
        })?
        .to_bytes();
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));

    let lake = state.lake.clone();
    let ids = state.report_ids.clone();
    let (accepted, rejected) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let body = if gzip { gunzip(&raw, limits.max_body_bytes)? } else { raw };
        let now = chrono::Utc::now().timestamp_micros();
        let limits = rampart_ingest::json::Limits { max_row_bytes: limits.max_row_bytes, max_rows: limits.max_rows };
        let decoded = decode_ndjson(table, &body, limits, now, &ids)?;
        let accepted = decoded.batch.num_rows();
        if accepted > 0 {
            lake.append_blocking(table, decoded.batch)?;
        }
        Ok((accepted, decoded.rejected))
    })
    .await
    .map_err(|e| ApiError::internal("the ingest task failed", e))??;

    state.metrics.rejected(&table.name, rejected.len() as u64);
    let response = IngestResponse {
        table: table.name.clone(),
        accepted,
        rejected: rejected.len(),
        errors: rejected.into_iter().take(MAX_ERRORS_SHOWN).collect(),
    };
    if response.accepted == 0 && response.rejected > 0 {
        return Err(ApiError::new(ErrorCode::BadRequest, format!("all {} rows were rejected", response.rejected))
            .with("table", &response.table)
            .with("accepted", 0)
            .with("rejected", response.rejected)
            .with("errors", &response.errors));
    }
    Ok((StatusCode::OK, Json(response)))
}

fn too_large(got: u64, limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::TooLarge,
        format!("request body of {got} bytes is over the {limit}-byte limit (ingest.max_body_bytes); send smaller batches"),
    )
}

/// Inflates a gzip body, refusing to produce more than `limit` bytes.
fn gunzip(data: &[u8], limit: usize) -> Result<Bytes, ApiError> {
    let mut out = Vec::with_capacity(data.len() * 4);
    let mut decoder = flate2::read::GzDecoder::new(data).take(limit as u64 + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("the body is not valid gzip: {e}")))?;
    if out.len() > limit {
        return Err(ApiError::new(
            ErrorCode::TooLarge,
            format!("the gzip body inflates past the {limit}-byte limit (ingest.max_body_bytes); send smaller batches"),
        ));
    }
    Ok(Bytes::from(out))
}
