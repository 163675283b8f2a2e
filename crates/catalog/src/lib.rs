//! # portico-catalog
//!
//! Portico's Axual event-bus catalog: instances, clusters, environments, streams, stream configs, schemas, applications, principals, access grants and deployments (Axual management API).
//!
//! Layout (shared by every domain crate): [`model`] domain types, [`service`] the service
//! trait, `store/` its diesel implementation, `http/` (feature `http`) the seed API's wire
//! format, [`error`] the crate's error enum.
//!
//! Served: confidentialities, integrities, support tiers, clusters, instances, environments,
//! schemas and schema versions (parsed, canonical, fingerprinted, with compatibility checks by
//! [`avro`]), streams and stream configs, whose topics are provisioned on the instance's Kafka
//! clusters through an outbox and read by `browse` ([`kafka`] is the client). Not yet: connect
//! plugins and applications.

pub mod avro;
pub mod config;
pub mod connect;
pub mod error;
pub mod kafka;
pub mod model;
pub mod service;
pub mod store;

#[cfg(feature = "http")]
pub mod http;

pub use error::CatalogError;

/// The catalog's migrations (both backends), run after core's and identity's.
pub const MIGRATIONS: portico_core::db::Migrations = portico_core::domain_migrations!(
    "catalog",
    sqlite: "../../migrations/catalog/sqlite",
    postgres: "../../migrations/catalog/postgres",
);
