//! # portico-gitsync
//!
//! Portico's git-synced instance configuration (Onegini external resources): per-instance git remotes, references and synchronisation of files into object storage (Onegini management API).
//!
//! Layout (shared by every domain crate): [`model`] domain types, [`service`] the service
//! trait, `store/` its diesel implementation, `http/` (feature `http`) the seed API's wire
//! format, [`error`] the crate's error enum.
//!
//! Status: the crate compiles into the workspace and mounts no routes yet; its API is the
//! subject of its own issue.

pub mod error;
pub mod model;
pub mod service;
pub mod store;

#[cfg(feature = "http")]
pub mod http;

pub use error::GitsyncError;
