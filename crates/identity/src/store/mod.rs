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

pub(crate) use portico_core::db::stored_uuid as uuid;

pub use service::IdentityStore;

pub use schema::declared_tables;
pub use service::grants_issuer as issuer;
