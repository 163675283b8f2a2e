//! Errors of the credentials domain. Every failure of this domain is one that all domains
//! share (not found, invalid field, denied, precondition, version conflict, database,
//! sealing), so the error type is core's [`CoreError`]; [`not_found`] gives the
//! credentials-specific codes. The FlexDeploy rendering (a taken name is a 400) lives in
//! `http/`.

pub use portico_core::CoreError as CredentialsError;

use portico_core::CoreError;

/// `Credential`, `Credential store` or `Credential store provider` `id` does not exist.
pub fn not_found(what: &'static str, id: i64) -> CoreError {
    let code = match what {
        "Credential" => "credential_not_found",
        "Credential store" => "credential_store_not_found",
        _ => "credential_store_provider_not_found",
    };
    CoreError::not_found(what, code, id)
}
