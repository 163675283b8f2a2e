//! Errors of the flows domain (rendered as RFC 9457 problems that name the field).

use portico_core::CoreError;
use portico_core::context::AccessDenied;
use portico_core::db::DbError;
use portico_core::error::{DomainError, ErrorKind};

/// Everything a flows operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum FlowsError {
    /// A field breaks a rule.
    #[error("{message}")]
    Invalid {
        /// The field (`source.type`, `steps[2].id`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A flow (or revision) does not exist in the owner's registry.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (a flow id taken, already disabled).
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// A failure every domain shares (a precondition, a lost race).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl FlowsError {
    /// A 400 naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> FlowsError {
        FlowsError::Invalid { field: field.into(), message: message.into() }
    }
}

impl From<diesel::result::Error> for FlowsError {
    fn from(err: diesel::result::Error) -> Self {
        FlowsError::Db(DbError::from(err))
    }
}

impl DomainError for FlowsError {
    fn kind(&self) -> ErrorKind {
        match self {
            FlowsError::Invalid { .. } => ErrorKind::Invalid,
            FlowsError::NotFound(_) => ErrorKind::NotFound,
            FlowsError::Conflict(_) => ErrorKind::Conflict,
            FlowsError::Denied(denied) => denied.kind(),
            FlowsError::Core(core) => core.kind(),
            FlowsError::Db(db) => db.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            FlowsError::Invalid { .. } => "invalid_field",
            FlowsError::NotFound(_) => "flow_not_found",
            FlowsError::Conflict(_) => "conflict",
            FlowsError::Denied(denied) => denied.code(),
            FlowsError::Core(core) => core.code(),
            FlowsError::Db(_) => "database",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            FlowsError::Invalid { field, .. } => Some(field),
            FlowsError::Core(core) => core.field(),
            _ => None,
        }
    }

    fn is_retryable(&self) -> bool {
        match self {
            FlowsError::Db(db) => db.is_retryable(),
            FlowsError::Core(core) => core.is_retryable(),
            _ => false,
        }
    }
}
