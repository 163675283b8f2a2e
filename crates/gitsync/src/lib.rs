//! # portico-gitsync
//!
//! Git-synced instance configuration (Onegini external resources): each instance of a realm
//! has a git remote (`NONE` or `BASIC` authentication, the password sealed at rest), offers the
//! remote's tags or branches as references, and synchronises the selected reference (or a given
//! commit) into object storage: a shallow fetch with `gix`, the tree's files stored as a new set
//! that replaces the previous one atomically, every run recorded.
//!
//! Layout (shared by every domain crate): [`model`] domain types, [`service`] the service
//! trait, `store/` its implementation (diesel, [`git`], [`files`]), `http/` (feature `http`)
//! the Onegini wire format, [`error`] the crate's error enum. [`remote`] decides which git
//! remote URLs may be contacted (public http/https only unless local remotes are allowed).
//!
//! ## Embedding without actix
//!
//! ```no_run
//! use portico_gitsync::config::GitsyncConfig;
//! use portico_gitsync::files::FileStore;
//! use portico_gitsync::model::{AuthenticationType, ConfigDraft, SynchronizationType};
//! use portico_gitsync::service::GitsyncService;
//! use portico_gitsync::store::GitsyncStore;
//! use portico_core::{Database, RequestContext};
//! use std::sync::Arc;
//!
//! fn example(db: Database, ctx: &RequestContext) -> Result<(), Box<dyn std::error::Error>> {
//!     db.migrate(&[&portico_core::db::MIGRATIONS, &portico_gitsync::MIGRATIONS])?;
//!     let config = GitsyncConfig { files: Some(FileStore::local("./data/objects".as_ref())?), ..Default::default() };
//!     let gitsync = GitsyncStore::new(db, portico_core::seal::Sealer::generate(), Arc::new(portico_core::time::SystemClock), config);
//!     let instance = uuid::Uuid::new_v4();
//!     let created = gitsync.create_config(ctx, instance, ConfigDraft {
//!         remote_url: "https://git.example.com/acme/config.git".into(),
//!         authentication_type: AuthenticationType::None,
//!         credentials: None,
//!         synchronization_type: SynchronizationType::Production,
//!     })?;
//!     println!("tags: {:?}", created.available_references);
//!     Ok(())
//! }
//! ```

pub mod config;
pub mod error;
pub mod files;
pub mod git;
pub mod model;
pub mod remote;
pub mod service;
pub mod store;

#[cfg(feature = "http")]
pub mod http;

#[cfg(feature = "testing")]
pub mod testing;

pub use error::GitsyncError;

/// The gitsync tables, for both backends.
pub const MIGRATIONS: portico_core::db::Migrations = portico_core::domain_migrations!(
    "gitsync",
    sqlite: "../../migrations/gitsync/sqlite",
    postgres: "../../migrations/gitsync/postgres",
);
