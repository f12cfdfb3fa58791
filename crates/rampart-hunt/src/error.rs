use std::time::Duration;

use rampart_kql::Diagnostic;
use rampart_schema::ErrorCode;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query does not parse or bind; each diagnostic names a position.
    #[error("{}", diagnostics_text(.0))]
    Query(Vec<Diagnostic>),
    #[error("invalid SQL: {0}")]
    Sql(String),
    #[error("invalid timespan '{text}': {reason}")]
    Timespan { text: String, reason: String },
    #[error("the query ran longer than the limit of {}s and was stopped; narrow the time range or filter earlier", .0.as_secs())]
    Timeout(Duration),
    #[error("the query needed more than the memory limit of {} MiB; summarize or filter before joins and sorts", .0 >> 20)]
    Memory(usize),
    #[error("the query failed: {0}")]
    Execution(String),
    #[error("storage: {0}")]
    Lake(#[from] rampart_lake::Error),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Query(_) | Error::Sql(_) | Error::Timespan { .. } | Error::Execution(_) => ErrorCode::BadRequest,
            Error::Timeout(_) => ErrorCode::Timeout,
            Error::Memory(_) => ErrorCode::TooLarge,
            Error::Lake(e) => e.code(),
        }
    }

    /// The diagnostics of a query error (empty for other errors).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Query(d) => d,
            _ => &[],
        }
    }
}

fn diagnostics_text(d: &[Diagnostic]) -> String {
    d.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}
