//! Errors of the flows domain. Every failure of this domain is one that all domains share (an
//! invalid field, not found, a conflict, denied, a precondition, a lost race, the database), so
//! the error type is core's [`CoreError`](portico_core::CoreError), rendered as RFC 9457 problems
//! that name the field; the constructors below give the flows-specific codes.

pub use portico_core::CoreError as FlowsError;

/// `what` `id` does not exist in the owner's registry (`flow_not_found`, `secret_not_found`, ...).
pub fn not_found(what: &'static str, code: &'static str, id: impl std::fmt::Display) -> FlowsError {
    FlowsError::not_found(what, code, id)
}
