//! Errors of the identity domain: the shared [`CoreError`] plus what only identity has
//! (credentials that do not check out, login back-off).

use portico_core::context::AccessDenied;
use portico_core::db::DbError;
use portico_core::error::{CoreError, DomainError, ErrorKind};
use portico_core::etag::PreconditionFailed;
use portico_core::page::InvalidPaging;
use portico_core::seal::SealError;

/// Everything an identity operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// A failure every domain shares.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Wrong user name, password, client id or secret (deliberately unspecific).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failed logins for this account; try again later.
    #[error("too many failed login attempts; retry in {retry_after} seconds")]
    Throttled {
        /// Seconds until the next attempt is allowed.
        retry_after: i64,
    },
    /// Anything else unexpected (key generation, signing).
    #[error("{0}")]
    Internal(String),
}

impl IdentityError {
    /// A validation failure of `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> IdentityError {
        CoreError::invalid(field, message).into()
    }

    /// `what` with `id` was not found (`user`, `group`, `tenant`, `client`, ...).
    pub fn not_found(what: &'static str, id: impl std::fmt::Display) -> IdentityError {
        let code = match what {
            "user" => "user_not_found",
            "group" => "group_not_found",
            "member" => "member_not_found",
            "tenant" => "tenant_not_found",
            "contact of tenant" => "contact_not_found",
            "client" => "client_not_found",
            "environment" => "environment_not_found",
            _ => "not_found",
        };
        CoreError::not_found(what, code, id).into()
    }

    /// A unique key is taken (`code`: e.g. `group_name_taken`).
    pub fn already_exists(code: &'static str, message: impl Into<String>) -> IdentityError {
        CoreError::already_exists(code, message).into()
    }

    /// The request conflicts with the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> IdentityError {
        CoreError::conflict(code, message).into()
    }

    /// The caller may not do this.
    pub fn forbidden(message: impl Into<String>) -> IdentityError {
        CoreError::Denied(AccessDenied::Forbidden(message.into())).into()
    }

    /// Whether this is a unique-key violation raised by the database (a concurrent create).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, IdentityError::Core(CoreError::Db(db)) if db.is_unique_violation())
    }
}

macro_rules! through_core {
    ($($from:ty),*) => {$(
        impl From<$from> for IdentityError {
            fn from(err: $from) -> Self {
                IdentityError::Core(CoreError::from(err))
            }
        }
    )*};
}

through_core!(AccessDenied, PreconditionFailed, InvalidPaging, DbError, SealError, diesel::result::Error);

impl DomainError for IdentityError {
    fn kind(&self) -> ErrorKind {
        match self {
            IdentityError::Core(core) => core.kind(),
            IdentityError::InvalidCredentials => ErrorKind::Unauthenticated,
            IdentityError::Throttled { .. } => ErrorKind::TooManyRequests,
            IdentityError::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            IdentityError::Core(core) => core.code(),
            IdentityError::InvalidCredentials => "invalid_credentials",
            IdentityError::Throttled { .. } => "throttled",
            IdentityError::Internal(_) => "internal",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            IdentityError::Core(core) => core.field(),
            _ => None,
        }
    }

    fn is_retryable(&self) -> bool {
        matches!(self, IdentityError::Core(core) if core.is_retryable())
    }
}
