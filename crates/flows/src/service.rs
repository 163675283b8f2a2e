//! The flows service trait: the crate's public API (no operations yet).

/// The flows domain's operations.
pub trait FlowsService: Send + Sync + 'static {}
