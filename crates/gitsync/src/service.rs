//! The gitsync service trait: the crate's public API (no operations yet).

/// The gitsync domain's operations.
pub trait GitsyncService: Send + Sync + 'static {}
