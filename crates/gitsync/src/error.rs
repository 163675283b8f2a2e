//! Errors of the gitsync domain. Every failure of this domain is one all domains share, so the
//! error type is core's [`CoreError`]; the constructors here say them in Onegini's words (its
//! `error` values are `invalid_request` for what the caller got wrong and `git_api_error` when
//! the git remote failed; the Onegini rendering picks them from the kind and code).

pub use portico_core::CoreError as GitsyncError;

use portico_core::CoreError;

/// A 400 that is about the request as a whole.
pub fn request(description: impl Into<String>) -> CoreError {
    CoreError::request(description)
}

/// The instance, its configuration or a file does not exist (in the caller's realm).
pub fn not_found(description: impl Into<String>) -> CoreError {
    CoreError::missing("invalid_request", description)
}

/// The git remote failed: unreachable, credentials refused, unknown reference or commit, or a
/// limit exceeded (500 `git_api_error`). The message never contains the password.
pub fn git(description: impl Into<String>) -> CoreError {
    CoreError::upstream("git_api_error", description)
}

/// Another synchronisation of the instance is running.
pub fn busy() -> CoreError {
    CoreError::conflict(
        "invalid_request",
        "A synchronization of this instance is already running; try again when it has finished",
    )
}

/// Object storage (or the thread writing to it) failed: a 500 whose cause is logged.
pub fn storage(description: impl Into<String>) -> CoreError {
    CoreError::internal("storage", description)
}
