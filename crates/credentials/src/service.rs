//! The credentials service trait: the crate's public API (no operations yet).

/// The credentials domain's operations.
pub trait CredentialsService: Send + Sync + 'static {}
