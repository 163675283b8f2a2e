//! The shared error vocabulary.
//!
//! Each domain crate has its own `thiserror` enum with meaningful variants and implements
//! [`DomainError`] for it. The `http/` modules render `(kind, code, message, field)` into their
//! seed's error body; the status comes from [`ErrorKind::status`], the one table, tested once.

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
            ErrorKind::Internal => 500,
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
            ErrorKind::Internal => "Internal Server Error",
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
