use std::path::{Path, PathBuf};

use rampart_schema::ErrorCode;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{what} {}: {source}", path.display())]
    Io { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("the data directory {} is in use by another Rampart process", .0.display())]
    Locked(PathBuf),
    #[error("write-ahead log {} is damaged at byte {offset}: {reason}; move the file aside to start without it", path.display())]
    WalDamaged { path: PathBuf, offset: u64, reason: String },
    #[error("write-ahead log write failed ({0}); restart Rampart to recover")]
    WalFailed(String),
    #[error("{0}")]
    Corrupt(String),
    #[error("object store: {0}")]
    Store(String),
    #[error("unknown table '{0}'")]
    UnknownTable(String),
    #[error("the lake is shutting down")]
    Closed,
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn io(what: &'static str, path: &Path, source: std::io::Error) -> Error {
        Error::Io { what, path: path.to_path_buf(), source }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Io { .. } | Error::Store(_) | Error::Closed | Error::WalFailed(_) => ErrorCode::Unavailable,
            Error::Locked(_) => ErrorCode::Conflict,
            Error::UnknownTable(_) => ErrorCode::NotFound,
            Error::WalDamaged { .. } | Error::Corrupt(_) | Error::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        Error::Internal(e.to_string())
    }
}

impl From<datafusion::arrow::error::ArrowError> for Error {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        Error::Internal(e.to_string())
    }
}

impl From<datafusion::parquet::errors::ParquetError> for Error {
    fn from(e: datafusion::parquet::errors::ParquetError) -> Self {
        Error::Internal(format!("parquet: {e}"))
    }
}
