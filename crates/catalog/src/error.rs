//! Errors of the catalog domain: every failure so far is one all domains share (not found,
//! invalid field, denied, precondition, conflict, database), so the error type is core's
//! [`CoreError`](portico_core::CoreError).

pub use portico_core::CoreError as CatalogError;
