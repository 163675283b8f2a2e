//! # portico-flows
//!
//! The Utilihive management API: flows (validated definitions with revisions, disabled and
//! enabled with a history of who, when and why), and the registry: resources (documents checked
//! against their type, kept as revisions, searched through an index), secrets (sealed, typed,
//! versioned) and dynamic tables (indexed lookups by column and value).
//!
//! Layout (shared by every domain crate): [`model`] domain types, [`service`] the service
//! trait, `store/` its diesel implementation, `http/` (feature `http`) the seed API's wire
//! format, [`error`] the crate's error enum.

pub mod error;
pub mod model;
pub mod resource_content;
pub mod resources;
pub mod secrets;
pub mod service;
pub mod store;
pub mod tables;

#[cfg(feature = "http")]
pub mod http;

pub use error::FlowsError;

/// The flows tables, for both backends.
pub const MIGRATIONS: portico_core::db::Migrations = portico_core::domain_migrations!(
    "flows",
    sqlite: "../../migrations/flows/sqlite",
    postgres: "../../migrations/flows/postgres",
);
