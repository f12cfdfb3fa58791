use rampart_schema::ErrorCode;

/// Errors that fail a whole batch or file. A single bad row is not an error of this
/// kind: it is reported as a [`crate::json::RowError`] and the batch goes on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Limit(String),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Limit(_) => ErrorCode::TooLarge,
            Error::File { .. } => ErrorCode::BadRequest,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }
}
