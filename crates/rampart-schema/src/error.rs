/// The fault class of an error. The API maps each code to one HTTP status in one place;
/// libraries only say whose fault an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The caller sent something invalid.
    BadRequest,
    /// The caller is not signed in or the credential is unknown.
    Unauthenticated,
    /// The caller is known but not allowed to do this.
    Forbidden,
    /// The named thing does not exist.
    NotFound,
    /// The request conflicts with current state.
    Conflict,
    /// The request exceeds a configured limit.
    TooLarge,
    /// The work took longer than its configured time limit (a query, for example).
    Timeout,
    /// A dependency (disk, database) is temporarily unavailable; retrying may help.
    Unavailable,
    /// A bug in Rampart.
    Internal,
}

/// Errors of this crate: only loading the embedded schema can fail, and only if the
/// data file in the repository is malformed (a test guards against that).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("hunting schema data is malformed: {0}")]
    Malformed(String),
    #[error("unknown table '{name}'")]
    UnknownTable { name: String },
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Malformed(_) => ErrorCode::Internal,
            Error::UnknownTable { .. } => ErrorCode::NotFound,
        }
    }
}
