//! Errors of the credentials domain.

use portico_core::db::DbError;
use portico_core::error::{DomainError, ErrorKind};

/// Everything a credentials operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl DomainError for CredentialsError {
    fn kind(&self) -> ErrorKind {
        match self {
            CredentialsError::Db(db) => db.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            CredentialsError::Db(_) => "database",
        }
    }
}
