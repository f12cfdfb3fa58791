//! [`Error`]: why rules or mapping data could not be loaded.

use std::path::PathBuf;

use rampart_schema::ErrorCode;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("{}: {reason}", path.display())]
    Rule { path: PathBuf, reason: String },
    /// A mapping data file shipped with Rampart is malformed (a test guards this).
    #[error("mapping data {name} is malformed: {reason}")]
    Mapping { name: &'static str, reason: String },
    #[error("no rules loaded from the given paths")]
    NoRules,
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Read { .. } => ErrorCode::NotFound,
            Error::Rule { .. } | Error::NoRules => ErrorCode::BadRequest,
            Error::Mapping { .. } => ErrorCode::Internal,
        }
    }
}
