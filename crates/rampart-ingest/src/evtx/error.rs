use std::path::PathBuf;

use rampart_schema::ErrorCode;

/// Why an event log, or one of its records, could not be read.
///
/// File errors name the file; record errors also name the record's position in the
/// file (1-based, in the order records are read), its chunk and, when it could be
/// read, its `EventRecordID`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvtxError {
    #[error("cannot open evtx file {}: {reason}", path.display())]
    Open { path: PathBuf, reason: String },
    #[error("{}: {}: cannot read chunk: {reason}", path.display(), chunk_name(*chunk))]
    Chunk {
        path: PathBuf,
        chunk: Option<u64>,
        reason: String,
    },
    #[error("{}: record {position} ({}): {reason}", path.display(), record_where(*chunk, *record_id))]
    Record {
        path: PathBuf,
        position: u64,
        chunk: Option<u64>,
        record_id: Option<u64>,
        reason: String,
    },
    #[error("event is not a json object")]
    NotAnObject,
    #[error("event has no {field}")]
    MissingField { field: &'static str },
    #[error("event field {field} is invalid: {reason}")]
    BadField { field: &'static str, reason: String },
}

impl EvtxError {
    /// Every error here is about the input the caller gave.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::BadRequest
    }
}

fn chunk_name(chunk: Option<u64>) -> String {
    chunk.map_or_else(|| "chunk unknown".to_string(), |c| format!("chunk {c}"))
}

fn record_where(chunk: Option<u64>, record_id: Option<u64>) -> String {
    let chunk = chunk_name(chunk);
    match record_id {
        Some(id) => format!("{chunk}, event record id {id}"),
        None => chunk,
    }
}

/// Joins an error and its sources into one lowercase-first line, as the evtx crate's
/// errors carry their detail (offsets, record ids) in the chain.
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    lowercase_first(&out)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
