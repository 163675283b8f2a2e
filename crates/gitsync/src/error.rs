//! Errors of the gitsync domain.

use portico_core::db::DbError;
use portico_core::error::{DomainError, ErrorKind};

/// Everything a gitsync operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum GitsyncError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl DomainError for GitsyncError {
    fn kind(&self) -> ErrorKind {
        match self {
            GitsyncError::Db(db) => db.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            GitsyncError::Db(_) => "database",
        }
    }
}
