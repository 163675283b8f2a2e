//! actix-web glue for the crates' `http/` modules (feature `http`).
//!
//! - [`failure`]: [`ApiError`] turns any [`crate::DomainError`] into the seed's error body
//!   ([`Format`]: Axual, MATTR, OAuth/Onegini, RFC 9457 problem+json).
//! - [`extract`]: extractors for the [`crate::RequestContext`], JSON and form bodies that
//!   name the offending field, query pairs, `If-Match`, and the public base URL.
//! - [`respond`]: small response helpers (ETag, Location, HAL).

pub mod extract;
pub mod failure;
pub mod respond;

pub use extract::{BaseUrl, Form, IfMatchHeader, Json, PublicBaseUrl, QueryPairs};
pub use failure::{ApiError, Axual, Failure, FailureInfo, Format, Mattr, OAuth, Problem, WireFormat};
