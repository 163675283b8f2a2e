//! Errors of the gitsync domain. Codes are Onegini's `error` values: `invalid_request` for
//! what the caller got wrong, `git_api_error` when the git remote failed.

use portico_core::CoreError;
use portico_core::context::AccessDenied;
use portico_core::db::DbError;
use portico_core::error::{DomainError, ErrorKind};
use portico_core::seal::SealError;

/// Everything a gitsync operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum GitsyncError {
    /// The request is malformed or breaks a rule; the message is the document's description.
    #[error("{message}")]
    Invalid {
        /// The field at fault.
        field: Option<&'static str>,
        /// The description.
        message: String,
    },
    /// The instance or its configuration does not exist (in the caller's realm).
    #[error("{0}")]
    NotFound(String),
    /// The git remote failed: unreachable, credentials refused, unknown reference or commit,
    /// or a limit exceeded. The message never contains the password.
    #[error("{0}")]
    Git(String),
    /// Another synchronisation of the instance is running.
    #[error("A synchronization of this instance is already running; try again when it has finished")]
    Busy,
    /// The caller may not do this.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// A failure every domain shares (a precondition, a lost race).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Object storage failed.
    #[error("object storage failed: {0}")]
    Storage(String),
    /// A sealed value could not be opened.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl GitsyncError {
    /// A 400 about `field` with the document's `description`.
    pub fn invalid(field: &'static str, description: impl Into<String>) -> GitsyncError {
        GitsyncError::Invalid { field: Some(field), message: description.into() }
    }

    /// A 400 that is about the request as a whole.
    pub fn request(description: impl Into<String>) -> GitsyncError {
        GitsyncError::Invalid { field: None, message: description.into() }
    }
}

impl From<diesel::result::Error> for GitsyncError {
    fn from(err: diesel::result::Error) -> Self {
        GitsyncError::Db(DbError::from(err))
    }
}

impl DomainError for GitsyncError {
    fn kind(&self) -> ErrorKind {
        match self {
            GitsyncError::Invalid { .. } => ErrorKind::Invalid,
            GitsyncError::NotFound(_) => ErrorKind::NotFound,
            GitsyncError::Git(_) => ErrorKind::Upstream,
            GitsyncError::Busy => ErrorKind::Conflict,
            GitsyncError::Denied(denied) => denied.kind(),
            GitsyncError::Core(core) => core.kind(),
            GitsyncError::Storage(_) | GitsyncError::Seal(_) => ErrorKind::Internal,
            GitsyncError::Db(db) => db.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            GitsyncError::Invalid { .. } | GitsyncError::NotFound(_) | GitsyncError::Busy => "invalid_request",
            GitsyncError::Git(_) => "git_api_error",
            GitsyncError::Denied(denied) => denied.code(),
            GitsyncError::Core(core) => core.code(),
            GitsyncError::Storage(_) => "storage",
            GitsyncError::Seal(_) => "sealing",
            GitsyncError::Db(_) => "database",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            GitsyncError::Invalid { field, .. } => *field,
            GitsyncError::Core(core) => core.field(),
            _ => None,
        }
    }

    fn is_retryable(&self) -> bool {
        match self {
            GitsyncError::Db(db) => db.is_retryable(),
            GitsyncError::Core(core) => core.is_retryable(),
            _ => false,
        }
    }
}
