//! Typed errors of the simulator.

use rampart_schema::ErrorCode;

/// What can go wrong when building a simulation.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// A configuration value is out of its allowed range.
    #[error("invalid simulation config: {field} {reason}")]
    InvalidConfig { field: &'static str, reason: String },
}

impl Error {
    /// The fault class of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidConfig { .. } => ErrorCode::BadRequest,
        }
    }
}

/// Result with the simulator's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
