//! Errors of the flows domain.

use portico_core::db::DbError;
use portico_core::error::{DomainError, ErrorKind};

/// Everything a flows operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum FlowsError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl DomainError for FlowsError {
    fn kind(&self) -> ErrorKind {
        match self {
            FlowsError::Db(db) => db.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            FlowsError::Db(_) => "database",
        }
    }
}
