//! Errors of the identity domain.

use portico_core::context::AccessDenied;
use portico_core::db::DbError;
use portico_core::error::{DomainError, ErrorKind};
use portico_core::etag::PreconditionFailed;
use portico_core::page::InvalidPaging;
use portico_core::seal::SealError;

/// Everything an identity operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The named thing does not exist in the caller's view.
    #[error("{what} '{id}' was not found")]
    NotFound {
        /// `user`, `group`, `tenant`, `client`, `environment`, ...
        what: &'static str,
        /// The identifier asked for.
        id: String,
    },
    /// A field breaks a rule.
    #[error("{message}")]
    Invalid {
        /// The request field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A unique key is already taken.
    #[error("{0}")]
    AlreadyExists(String),
    /// The operation conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// `If-Match` did not hold.
    #[error(transparent)]
    Precondition(#[from] PreconditionFailed),
    /// Paging parameters are invalid.
    #[error(transparent)]
    Paging(#[from] InvalidPaging),
    /// Wrong user name, password, client id or secret (deliberately unspecific).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failed logins for this account; try again later.
    #[error("too many failed login attempts; retry in {retry_after} seconds")]
    Throttled {
        /// Seconds until the next attempt is allowed.
        retry_after: i64,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A sealed value could not be opened.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// Anything else unexpected.
    #[error("{0}")]
    Internal(String),
}

impl IdentityError {
    /// A validation failure of `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> IdentityError {
        IdentityError::Invalid { field: field.to_owned(), message: message.into() }
    }

    /// `what` with `id` was not found.
    pub fn not_found(what: &'static str, id: impl std::fmt::Display) -> IdentityError {
        IdentityError::NotFound { what, id: id.to_string() }
    }
}

impl From<diesel::result::Error> for IdentityError {
    fn from(err: diesel::result::Error) -> Self {
        IdentityError::Db(DbError::from(err))
    }
}

impl DomainError for IdentityError {
    fn kind(&self) -> ErrorKind {
        match self {
            IdentityError::NotFound { .. } => ErrorKind::NotFound,
            IdentityError::Invalid { .. } => ErrorKind::Invalid,
            IdentityError::AlreadyExists(_) => ErrorKind::AlreadyExists,
            IdentityError::Conflict(_) => ErrorKind::Conflict,
            IdentityError::Denied(denied) => denied.kind(),
            IdentityError::Precondition(_) => ErrorKind::PreconditionFailed,
            IdentityError::Paging(_) => ErrorKind::Invalid,
            IdentityError::InvalidCredentials => ErrorKind::Unauthenticated,
            IdentityError::Throttled { .. } => ErrorKind::TooManyRequests,
            IdentityError::Db(db) => db.kind(),
            IdentityError::Seal(_) | IdentityError::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            IdentityError::NotFound { .. } => "not_found",
            IdentityError::Invalid { .. } => "invalid",
            IdentityError::AlreadyExists(_) => "already_exists",
            IdentityError::Conflict(_) => "conflict",
            IdentityError::Denied(denied) => denied.code(),
            IdentityError::Precondition(p) => p.code(),
            IdentityError::Paging(p) => p.code(),
            IdentityError::InvalidCredentials => "invalid_credentials",
            IdentityError::Throttled { .. } => "throttled",
            IdentityError::Db(_) => "database",
            IdentityError::Seal(_) => "sealing",
            IdentityError::Internal(_) => "internal",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            IdentityError::Invalid { field, .. } => Some(field),
            IdentityError::Paging(p) => p.field(),
            _ => None,
        }
    }
}
