//! # portico-catalog
//!
//! Portico's the Axual event-bus catalog: instances, clusters, environments, streams, stream configs, schemas, applications, principals, access grants and deployments (Axual management API).
//!
//! Layout (shared by every domain crate): [`model`] domain types, [`service`] the service
//! trait, `store/` its diesel implementation, `http/` (feature `http`) the seed API's wire
//! format, [`error`] the crate's error enum.
//!
//! Status: no routes are mounted yet. [`avro`] (parsing, canonical form, fingerprints and
//! compatibility between versions with reasons) is the first piece of the schema registry.

pub mod avro;
pub mod error;
pub mod model;
pub mod service;
pub mod store;

#[cfg(feature = "http")]
pub mod http;

pub use error::CatalogError;
