//! Liveness (`/api/health`) and Prometheus metrics (`/metrics`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::AppState;

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// Counters kept by the API itself.
#[derive(Default)]
pub struct ApiMetrics {
    rejected_rows: Mutex<BTreeMap<String, Arc<AtomicU64>>>,
}

impl ApiMetrics {
    pub fn rejected(&self, table: &str, rows: u64) {
        if rows == 0 {
            return;
        }
        let counter = {
            let mut map = self.rejected_rows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(table.to_string()).or_default().clone()
        };
        counter.fetch_add(rows, Ordering::Relaxed);
    }

    fn rejected_for(&self, table: &str) -> u64 {
        let map = self.rejected_rows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(table).map_or(0, |c| c.load(Ordering::Relaxed))
    }
}

pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], render(&state))
}

fn render(state: &AppState) -> String {
    let mut out = String::new();
    let tables = state.lake.tables();
    let mut family = |name: &str, kind: &str, help: &str, values: &mut dyn Iterator<Item = (String, f64)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, v) in values {
            let _ = writeln!(out, "{name}{labels} {v}");
        }
    };
    let per_table = |f: &dyn Fn(&rampart_lake::TableReport) -> f64| -> Vec<(String, f64)> {
        tables.iter().map(|t| (format!("{{table=\"{}\"}}", t.name), f(t))).collect()
    };
    family("rampart_ingest_rows_total", "counter", "Rows accepted and made durable, per table.", &mut per_table(&|t| t.rows_ingested as f64).into_iter());
    family(
        "rampart_ingest_rejected_rows_total",
        "counter",
        "Rows rejected by validation at the HTTP API, per table.",
        &mut per_table(&|t| state.metrics.rejected_for(t.name) as f64).into_iter(),
    );
    family("rampart_lake_hot_rows", "gauge", "Acknowledged rows held in memory, not yet in Parquet.", &mut per_table(&|t| t.sizes.hot_rows as f64).into_iter());
    family("rampart_lake_hot_bytes", "gauge", "Memory held by hot rows.", &mut per_table(&|t| t.sizes.hot_bytes as f64).into_iter());
    family(
        "rampart_lake_flush_lag_seconds",
        "gauge",
        "Age of the oldest row not yet flushed to Parquet.",
        &mut per_table(&|t| t.sizes.hot_age_secs).into_iter(),
    );
    family("rampart_lake_files", "gauge", "Parquet files per table.", &mut per_table(&|t| t.sizes.files as f64).into_iter());
    family("rampart_lake_file_bytes", "gauge", "Bytes of Parquet per table.", &mut per_table(&|t| t.sizes.file_bytes as f64).into_iter());
    family("rampart_lake_flushes_total", "counter", "Flushes of hot rows to Parquet.", &mut per_table(&|t| t.flushes as f64).into_iter());
    let wal = state.lake.wal_stats();
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64;
    let one = |v: f64| vec![(String::new(), v)].into_iter();
    family("rampart_wal_bytes", "gauge", "Bytes in write-ahead-log segments on disk.", &mut one(load(&wal.bytes)));
    family("rampart_wal_segments", "gauge", "Write-ahead-log segment files.", &mut one(load(&wal.segments)));
    family("rampart_wal_commits_total", "counter", "Group commits (one fsync each).", &mut one(load(&wal.commits)));
    family("rampart_wal_records_total", "counter", "Batches written to the WAL.", &mut one(load(&wal.records)));
    family("rampart_wal_fsync_seconds_total", "counter", "Time spent writing and syncing the WAL.", &mut one(load(&wal.fsync_micros_total) / 1e6));
    family("rampart_lake_flush_errors_total", "counter", "Failed flushes (rows stay in memory and the WAL).", &mut one(load(&state.lake.stats().flush_errors)));
    family("rampart_uptime_seconds", "gauge", "Seconds since the server started.", &mut one(state.started.elapsed().as_secs_f64()));
    out
}
