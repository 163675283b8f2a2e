//! Errors of the catalog domain.

use portico_core::db::DbError;
use portico_core::error::{DomainError, ErrorKind};

/// Everything a catalog operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl DomainError for CatalogError {
    fn kind(&self) -> ErrorKind {
        match self {
            CatalogError::Db(db) => db.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            CatalogError::Db(_) => "database",
        }
    }
}
