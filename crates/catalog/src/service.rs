//! The catalog service trait: the crate's public API (no operations yet).

/// The catalog domain's operations.
pub trait CatalogService: Send + Sync + 'static {}
