//! Errors of the credentials domain.

use portico_core::context::AccessDenied;
use portico_core::db::DbError;
use portico_core::error::{DomainError, ErrorKind};
use portico_core::etag::PreconditionFailed;
use portico_core::seal::SealError;

/// Everything a credentials operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The named thing does not exist in the caller's realm.
    #[error("{what} {id} was not found")]
    NotFound {
        /// `Credential`, `Credential store`, `Credential store provider`.
        what: &'static str,
        /// The id asked for.
        id: i64,
    },
    /// A field breaks a rule (FlexDeploy answers 400).
    #[error("{message}")]
    Invalid {
        /// The request field.
        field: String,
        /// What is wrong, naming the offending value.
        message: String,
    },
    /// The `versionNumber` sent is not the current one: someone else changed it first.
    #[error("{what} {id} has versionNumber {current}, not {sent}; fetch it again and retry")]
    VersionConflict {
        /// What.
        what: &'static str,
        /// Its id.
        id: i64,
        /// The current version.
        current: i64,
        /// The version the client sent.
        sent: i64,
    },
    /// The caller may not do this.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// `If-Match` did not hold.
    #[error(transparent)]
    Precondition(#[from] PreconditionFailed),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A sealed value could not be opened (a missing or wrong key).
    #[error(transparent)]
    Seal(#[from] SealError),
}

impl CredentialsError {
    /// A validation failure of `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> CredentialsError {
        CredentialsError::Invalid { field: field.to_owned(), message: message.into() }
    }
}

impl From<diesel::result::Error> for CredentialsError {
    fn from(err: diesel::result::Error) -> Self {
        CredentialsError::Db(DbError::from(err))
    }
}

impl DomainError for CredentialsError {
    fn kind(&self) -> ErrorKind {
        match self {
            CredentialsError::NotFound { .. } => ErrorKind::NotFound,
            CredentialsError::Invalid { .. } => ErrorKind::Invalid,
            CredentialsError::VersionConflict { .. } => ErrorKind::Conflict,
            CredentialsError::Denied(denied) => denied.kind(),
            CredentialsError::Precondition(_) => ErrorKind::PreconditionFailed,
            // A duplicate name that slipped past the check (a concurrent create) is bad input.
            CredentialsError::Db(db) if db.is_unique_violation() => ErrorKind::Invalid,
            CredentialsError::Db(db) => db.kind(),
            CredentialsError::Seal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            CredentialsError::NotFound { .. } => "not_found",
            CredentialsError::Invalid { .. } => "invalid",
            CredentialsError::VersionConflict { .. } => "version_conflict",
            CredentialsError::Denied(denied) => denied.code(),
            CredentialsError::Precondition(p) => p.code(),
            CredentialsError::Db(db) if db.is_unique_violation() => "duplicate",
            CredentialsError::Db(_) => "database",
            CredentialsError::Seal(_) => "sealing",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            CredentialsError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
