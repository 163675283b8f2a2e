//! The shared error vocabulary.
//!
//! [`CoreError`] holds the failures every domain shares (not found, invalid field, denied,
//! precondition, version conflict, conflict, database, sealing); each domain crate's `thiserror`
//! enum wraps it and adds its own, and implements [`DomainError`]. The `http/` modules render
//! `(kind, code, message, field)` into their seed's error body; the status comes from
//! [`ErrorKind::status`], the one table, tested once. A database message never reaches a client:
//! internal kinds are logged and replaced by a generic message when rendered.

use crate::context::AccessDenied;
use crate::db::DbError;
use crate::etag::PreconditionFailed;
use crate::page::InvalidPaging;
use crate::seal::SealError;

/// What went wrong, independent of any wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request is malformed or breaks a validation rule (400).
    Invalid,
    /// No credentials, or credentials that are not valid (401).
    Unauthenticated,
    /// The caller is known but may not do this (403).
    Forbidden,
    /// The resource does not exist, or is not visible to the caller (404).
    NotFound,
    /// The HTTP method is not supported on this resource (405).
    MethodNotAllowed,
    /// A resource with the same unique key already exists (409).
    AlreadyExists,
    /// The request conflicts with the current state, e.g. a version mismatch or a blocked delete (409).
    Conflict,
    /// An `If-Match` precondition failed (412).
    PreconditionFailed,
    /// The request body is larger than allowed (413).
    TooLarge,
    /// The request's media type is not accepted (415).
    UnsupportedMediaType,
    /// The caller is sending too many requests, e.g. repeated failed logins (429).
    TooManyRequests,
    /// A dependency (the database) is temporarily unavailable (503).
    Unavailable,
    /// A bug or an unexpected failure; the cause goes to the log, never to the client (500).
    Internal,
    /// A remote system the request depends on failed (a git server); the message, written by
    /// Portico and free of secrets, tells the client what went wrong (500, as Onegini answers).
    Upstream,
}

impl ErrorKind {
    /// The HTTP status of this kind. This is the only place that decides it.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::Invalid => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::AlreadyExists | ErrorKind::Conflict => 409,
            ErrorKind::PreconditionFailed => 412,
            ErrorKind::TooLarge => 413,
            ErrorKind::UnsupportedMediaType => 415,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::Unavailable => 503,
            ErrorKind::Internal | ErrorKind::Upstream => 500,
        }
    }

    /// The standard reason phrase of [`ErrorKind::status`].
    pub fn reason(self) -> &'static str {
        match self {
            ErrorKind::Invalid => "Bad Request",
            ErrorKind::Unauthenticated => "Unauthorized",
            ErrorKind::Forbidden => "Forbidden",
            ErrorKind::NotFound => "Not Found",
            ErrorKind::MethodNotAllowed => "Method Not Allowed",
            ErrorKind::AlreadyExists | ErrorKind::Conflict => "Conflict",
            ErrorKind::PreconditionFailed => "Precondition Failed",
            ErrorKind::TooLarge => "Payload Too Large",
            ErrorKind::UnsupportedMediaType => "Unsupported Media Type",
            ErrorKind::TooManyRequests => "Too Many Requests",
            ErrorKind::Unavailable => "Service Unavailable",
            ErrorKind::Internal | ErrorKind::Upstream => "Internal Server Error",
        }
    }

    /// The kind for an HTTP status (used for errors produced by the web framework itself).
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::Invalid,
            401 => ErrorKind::Unauthenticated,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            405 => ErrorKind::MethodNotAllowed,
            409 => ErrorKind::Conflict,
            412 => ErrorKind::PreconditionFailed,
            413 => ErrorKind::TooLarge,
            415 => ErrorKind::UnsupportedMediaType,
            429 => ErrorKind::TooManyRequests,
            503 => ErrorKind::Unavailable,
            s if (400..500).contains(&s) => ErrorKind::Invalid,
            _ => ErrorKind::Internal,
        }
    }
}

/// Implemented by every domain crate's error enum.
///
/// `Display` must be safe to show to the client: it never contains secrets or internal causes.
/// For [`ErrorKind::Internal`] the renderer logs the source chain and shows a generic message.
pub trait DomainError: std::error::Error + Send + Sync + 'static {
    /// The kind, which decides the HTTP status.
    fn kind(&self) -> ErrorKind;
    /// A stable, greppable identifier such as `credential_not_found`.
    fn code(&self) -> &'static str;
    /// The request field the error is about, for 400s.
    fn field(&self) -> Option<&str> {
        None
    }
    /// Whether the write that failed lost a race and may simply be run again.
    fn is_retryable(&self) -> bool {
        false
    }
    /// Where the field of a 400 came from: `body` (the default), `query` or `path`.
    fn location(&self) -> &'static str {
        "body"
    }
}

/// The failures every domain shares. Codes are stable and specific (`user_not_found`).
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The named thing does not exist in the caller's view.
    #[error("{message}")]
    NotFound {
        /// The stable code, e.g. `credential_not_found`.
        code: &'static str,
        /// What was not found, in the API's words (`user 'x' was not found`).
        message: String,
    },
    /// A field breaks a rule.
    #[error("{message}")]
    Invalid {
        /// The request field; empty when the request as a whole is at fault.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A unique key is already taken.
    #[error("{message}")]
    AlreadyExists {
        /// The stable code, e.g. `group_name_taken`.
        code: &'static str,
        /// Which key.
        message: String,
    },
    /// The request conflicts with the current state (a blocked delete, deleting oneself).
    #[error("{message}")]
    Conflict {
        /// The stable code.
        code: &'static str,
        /// Why.
        message: String,
    },
    /// The caller may not do this.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// `If-Match` did not hold (412).
    #[error(transparent)]
    Precondition(#[from] PreconditionFailed),
    /// The version sent in the body is not the current one (409).
    #[error("{what} {id} has version {current}, not {sent}; fetch it again and retry")]
    VersionConflict {
        /// What.
        what: &'static str,
        /// Its id.
        id: String,
        /// The current version.
        current: i64,
        /// The version the client sent.
        sent: i64,
    },
    /// The row changed between this write's read and its update. An unconditional write runs
    /// again; if it keeps losing it is reported as a conflict.
    #[error("the resource kept changing while this write was applied; retry")]
    LostRace,
    /// Paging parameters are invalid.
    #[error(transparent)]
    Paging(#[from] InvalidPaging),
    /// The database failed. Shown to clients only as [`DbError::public_message`]; the
    /// database's own message goes to the log (it is the error's source).
    #[error("{}", .0.public_message())]
    Db(#[source] DbError),
    /// A sealed value could not be opened.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// A remote system the request depends on (a Kafka cluster) failed; the message, written by
    /// Portico and free of secrets, says what failed (500).
    #[error("{message}")]
    Upstream {
        /// The stable code.
        code: &'static str,
        /// What failed.
        message: String,
    },
    /// Something inside Portico failed (object storage, a worker thread): 500. The message is
    /// logged, never shown to the client.
    #[error("{message}")]
    Internal {
        /// The stable code.
        code: &'static str,
        /// What failed.
        message: String,
    },
    /// The operation exists but not for this entity (Axual: deleting a public environment).
    #[error("{message}")]
    Unsupported {
        /// The stable code.
        code: &'static str,
        /// Why.
        message: String,
    },
}

impl CoreError {
    /// A validation failure of `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> CoreError {
        CoreError::Invalid { field: field.into(), message: message.into() }
    }

    /// `what` with `id` does not exist; `code` names it (`user_not_found`).
    pub fn not_found(what: &'static str, code: &'static str, id: impl std::fmt::Display) -> CoreError {
        CoreError::NotFound { code, message: format!("{what} '{id}' was not found") }
    }

    /// Something does not exist, said in the API's own words (Onegini: `Instance does not exist`).
    pub fn missing(code: &'static str, message: impl Into<String>) -> CoreError {
        CoreError::NotFound { code, message: message.into() }
    }

    /// A rule broken by the request as a whole rather than one field.
    pub fn request(message: impl Into<String>) -> CoreError {
        CoreError::Invalid { field: String::new(), message: message.into() }
    }

    /// Something inside Portico failed (500; `message` is logged, not shown).
    pub fn internal(code: &'static str, message: impl Into<String>) -> CoreError {
        CoreError::Internal { code, message: message.into() }
    }

    /// A unique key is taken.
    pub fn already_exists(code: &'static str, message: impl Into<String>) -> CoreError {
        CoreError::AlreadyExists { code, message: message.into() }
    }

    /// The request conflicts with the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> CoreError {
        CoreError::Conflict { code, message: message.into() }
    }

    /// An insert's failure: a unique key another writer took first becomes `taken()` (a
    /// conflict, or [`CoreError::LostRace`] to run the write again), anything else stays the
    /// database's error.
    pub fn on_unique(err: diesel::result::Error, taken: impl FnOnce() -> CoreError) -> CoreError {
        let err = DbError::from(err);
        if err.is_unique_violation() { taken() } else { CoreError::Db(err) }
    }

    /// A remote system failed (500 with `message`).
    pub fn upstream(code: &'static str, message: impl Into<String>) -> CoreError {
        CoreError::Upstream { code, message: message.into() }
    }

    /// The operation is not supported for this entity (405).
    pub fn unsupported(code: &'static str, message: impl Into<String>) -> CoreError {
        CoreError::Unsupported { code, message: message.into() }
    }
}

impl From<DbError> for CoreError {
    fn from(err: DbError) -> Self {
        CoreError::Db(err)
    }
}

impl From<diesel::result::Error> for CoreError {
    fn from(err: diesel::result::Error) -> Self {
        CoreError::Db(DbError::from(err))
    }
}

impl DomainError for CoreError {
    fn kind(&self) -> ErrorKind {
        match self {
            CoreError::NotFound { .. } => ErrorKind::NotFound,
            CoreError::Invalid { .. } | CoreError::Paging(_) => ErrorKind::Invalid,
            CoreError::AlreadyExists { .. } => ErrorKind::AlreadyExists,
            CoreError::Conflict { .. } | CoreError::VersionConflict { .. } | CoreError::LostRace => ErrorKind::Conflict,
            CoreError::Denied(denied) => denied.kind(),
            CoreError::Precondition(_) => ErrorKind::PreconditionFailed,
            // A unique key taken by a concurrent write is a conflict, not a server error.
            CoreError::Db(db) => db.kind(),
            CoreError::Seal(_) | CoreError::Internal { .. } => ErrorKind::Internal,
            CoreError::Unsupported { .. } => ErrorKind::MethodNotAllowed,
            CoreError::Upstream { .. } => ErrorKind::Upstream,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            CoreError::NotFound { code, .. }
            | CoreError::AlreadyExists { code, .. }
            | CoreError::Conflict { code, .. }
            | CoreError::Unsupported { code, .. }
            | CoreError::Internal { code, .. }
            | CoreError::Upstream { code, .. } => code,
            CoreError::Invalid { .. } => "invalid_field",
            CoreError::Denied(denied) => denied.code(),
            CoreError::Precondition(p) => p.code(),
            CoreError::VersionConflict { .. } => "version_conflict",
            CoreError::LostRace => "concurrent_change",
            CoreError::Paging(p) => p.code(),
            CoreError::Db(db) => db.code(),
            CoreError::Seal(_) => "sealing",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            CoreError::Invalid { field, .. } => (!field.is_empty()).then_some(field.as_str()),
            CoreError::Paging(p) => p.field(),
            _ => None,
        }
    }

    fn location(&self) -> &'static str {
        match self {
            CoreError::Paging(p) => p.location(),
            _ => "body",
        }
    }

    fn is_retryable(&self) -> bool {
        match self {
            CoreError::LostRace => true,
            CoreError::Db(db) => db.is_retryable(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn every_kind_maps_to_its_status_and_back() {
        let kinds = [
            (ErrorKind::Invalid, 400),
            (ErrorKind::Unauthenticated, 401),
            (ErrorKind::Forbidden, 403),
            (ErrorKind::NotFound, 404),
            (ErrorKind::MethodNotAllowed, 405),
            (ErrorKind::Conflict, 409),
            (ErrorKind::PreconditionFailed, 412),
            (ErrorKind::TooLarge, 413),
            (ErrorKind::UnsupportedMediaType, 415),
            (ErrorKind::TooManyRequests, 429),
            (ErrorKind::Unavailable, 503),
            (ErrorKind::Internal, 500),
        ];
        for (kind, status) in kinds {
            assert_eq!(kind.status(), status, "{kind:?}");
            assert_eq!(ErrorKind::from_status(status), kind);
            assert!(!kind.reason().is_empty());
        }
        assert_eq!(ErrorKind::AlreadyExists.status(), 409);
        assert_eq!(ErrorKind::from_status(418), ErrorKind::Invalid);
        assert_eq!(ErrorKind::from_status(502), ErrorKind::Internal);
    }
}
