//! rampart-hunt: advanced hunting over the lake. A query (KQL by default, or DataFusion
//! SQL) runs in its own DataFusion session whose Defender tables are limited to the
//! requested time range, with a row cap, a time limit and a memory pool of its own.
//! Dropping the future of [`Hunter::run`] cancels the query.
//!
//! **Boundary:** no HTTP and no formatting beyond JSON rows ([`json`]); the API and the
//! CLI shape the answer.

mod error;
pub mod json;
mod run;
mod timespan;

use std::time::Duration;

use rampart_kql::{KustoType, Render};
use datafusion::arrow::array::RecordBatch;

pub use error::{Error, Result};
pub use run::Hunter;
pub use timespan::Timespan;

/// Limits every hunting query runs under.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time range when the request names none (Defender: 30 days).
    pub default_lookback: chrono::Duration,
    /// Most rows returned; more are cut and the result says `truncated`.
    pub max_rows: usize,
    /// Wall-clock limit of one query.
    pub timeout: Duration,
    /// Memory pool of one query (joins, sorts, aggregations).
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { default_lookback: chrono::Duration::days(30), max_rows: 100_000, timeout: Duration::from_secs(120), memory_bytes: 2 << 30 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Kql,
    Sql,
}

/// One query to run.
#[derive(Debug, Clone)]
pub struct Request {
    pub query: String,
    pub language: Language,
    /// `None`: the last [`Limits::default_lookback`].
    pub timespan: Option<Timespan>,
    /// The clock of `now()`/`ago()` and of the time range; `None` is the real clock.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

impl Request {
    pub fn kql(query: impl Into<String>) -> Request {
        Request { query: query.into(), language: Language::Kql, timespan: None, now: None }
    }
}

/// A result column and its Kusto type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: KustoType,
}

/// What a query returned.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub columns: Vec<Column>,
    pub batches: Vec<RecordBatch>,
    /// More rows existed than [`Limits::max_rows`].
    pub truncated: bool,
    pub stats: Stats,
    /// The chart the query asked for with `render`.
    pub render: Option<Render>,
    /// The time range the query saw, `[start, end)`.
    pub range: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub rows: usize,
    /// Bytes read from Parquet files (hot rows in memory are not counted).
    pub bytes_scanned: u64,
    pub elapsed_ms: u64,
}

impl Outcome {
    pub fn rows(&self) -> Vec<serde_json::Map<String, serde_json::Value>> {
        json::rows(&self.columns, &self.batches)
    }
}

#[cfg(test)]
mod tests;
