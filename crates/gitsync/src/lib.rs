//! # portico-gitsync
//!
//! Portico's git-synced instance configuration (Onegini external resources): per-instance git remotes, references and synchronisation of files into object storage (Onegini management API).
//!
//! Layout (shared by every domain crate): [`model`] domain types, [`service`] the service
//! trait, `store/` its diesel implementation, `http/` (feature `http`) the seed API's wire
//! format, [`error`] the crate's error enum.
//!
//! Status: no routes are mounted yet. [`remote`] decides which git remote URLs may be
//! contacted (public http/https only unless local remotes are allowed).

pub mod error;
pub mod model;
pub mod remote;
pub mod service;
pub mod store;

#[cfg(feature = "http")]
pub mod http;

pub use error::GitsyncError;
