//! The crate's error type, for callers that want one value with a fault class rather than
//! the list of diagnostics `compile` returns.

use rampart_schema::ErrorCode;

use crate::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query has syntax or semantic problems (or uses something not supported yet).
    #[error("{}", join(.0))]
    Query(Vec<Diagnostic>),
}

fn join(d: &[Diagnostic]) -> String {
    d.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl Error {
    /// Whose fault it is: a query problem is the caller's.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Query(_) => ErrorCode::BadRequest,
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Query(d) => d,
        }
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(d: Vec<Diagnostic>) -> Error {
        Error::Query(d)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
