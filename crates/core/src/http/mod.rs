//! actix-web glue for the crates' `http/` modules (feature `http`).
//!
//! - [`failure`]: [`ApiError`] turns any [`crate::DomainError`] into the seed's error body
//!   ([`Format`]: Axual, MATTR, OAuth/Onegini, RFC 9457 problem+json).
//! - [`extract`]: extractors for the [`crate::RequestContext`], JSON and form bodies that
//!   name the offending field, query pairs, `If-Match`, and the public base URL.
//! - [`guard`]: the edge check of paths and query strings (control characters, lengths).
//! - [`origin`]: the server's URL and the client's address, trusting forwarding headers only
//!   from configured proxies.
//! - [`params`]: path ids (Axual uid, numeric, UUID), relation URIs and `text/uri-list` bodies.
//! - [`axual`]: the Axual/HAL kit: listings, links, Spring Data REST response rules, and the
//!   registry behind `/`, `/profile` and `/profile/{rel}`.
//! - [`collection`]: the declarative Axual collection (`AxualCrud`, `axual_routes!`).
//! - [`schema`]: OpenAPI schemas of the HAL types and JSON Schema profiles generated from them.
//! - [`module`]: the descriptor each crate hands its host, and the one place error formats are
//!   chosen (by path).
//! - [`respond`]: small response helpers (ETag, Location).
//! - [`routes`]: each route declared once, with what it requires of its caller.

pub mod axual;
pub mod collection;
pub mod extract;
pub mod failure;
pub mod guard;
pub mod module;
pub mod origin;
pub mod params;
pub mod respond;
pub mod routes;
pub mod schema;

pub use axual::{AxualCollection, AxualEntry, AxualRegistry, Listing};
pub use extract::{BaseUrl, Form, IfMatchHeader, Json, QueryPairs};
pub use failure::{ApiError, Failure, FailureInfo, Format};
pub use module::{ApiDocument, ErrorFormats, Module, ModuleContext, PathFormat, RealmPath, RealmPaths};
pub use origin::{IpNet, ServerOrigin};
pub use params::{NumericId, PathText, PathUid, Relation, RelationTarget, UriList, UuidId, path_segment};
pub use routes::{Access, Routes};
