//! Diesel implementation of the identity domain: one file per aggregate.
//!
//! Query functions take the connection first and the realm second where rows are
//! realm-scoped; every such query filters on `realm_id`.

pub mod clients;
pub mod codes;
pub mod environments;
pub mod groups;
pub mod keys;
pub mod realms;
pub(crate) mod schema;
mod service;
pub mod throttle;
pub mod tokens;
pub mod users;

use diesel::QueryResult;
use uuid::Uuid;

/// Parses a UUID stored as text. A malformed value is a corrupt row: the query fails (and
/// the request with it, logged as an internal error) rather than carry on with a made-up id.
pub(crate) fn uuid(text: &str) -> QueryResult<Uuid> {
    Uuid::try_parse(text).map_err(|_| {
        diesel::result::Error::DeserializationError(format!("'{text}' in the database is not a UUID").into())
    })
}

pub use service::IdentityStore;

pub use schema::declared_tables;
pub use service::grants_issuer as issuer;
