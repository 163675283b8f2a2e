//! Diesel implementation of the identity domain: one file per aggregate.
//!
//! Query functions take the connection first and the realm second where rows are
//! realm-scoped; every such query filters on `realm_id`.

pub mod clients;
pub mod environments;
pub mod groups;
pub mod keys;
pub mod realms;
pub(crate) mod schema;
mod service;
pub mod throttle;
pub mod tokens;
pub mod users;

use uuid::Uuid;

/// Parses a UUID stored as text; a malformed value is a corrupt row.
pub(crate) fn uuid(text: &str) -> Uuid {
    Uuid::try_parse(text).unwrap_or_else(|_| {
        tracing::error!(value = text, "malformed UUID in the database");
        Uuid::nil()
    })
}

pub use service::IdentityStore;
pub use service::grants_issuer as issuer;
