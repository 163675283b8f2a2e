//! # portico-credentials
//!
//! FlexDeploy's Credential API v2 for Portico: credential store providers (kinds of secret
//! backends, each with input definitions), credential stores, and credentials whose input
//! values are sealed at rest (AES-256-GCM, bound to realm, credential and input).
//!
//! Every realm starts with a built-in provider and store named `Local`; the provider's one input
//! definition, `Secret`, is required and secret.
//!
//! ## Embedding without actix
//!
//! Turn off the default `http` feature and call the service trait directly:
//!
//! ```no_run
//! use portico_credentials::model::{CredentialDraft, CredentialScope, InputValue};
//! use portico_credentials::service::CredentialService;
//! use portico_credentials::store::CredentialStore;
//! use portico_core::{Database, RequestContext};
//! use std::sync::Arc;
//!
//! fn example(db: Database, ctx: &RequestContext) -> Result<(), Box<dyn std::error::Error>> {
//!     db.migrate(&[&portico_core::db::MIGRATIONS, &portico_credentials::MIGRATIONS])?;
//!     let sealer = portico_core::seal::Sealer::generate();
//!     let credentials = CredentialStore::new(db, sealer, Arc::new(portico_core::time::SystemClock));
//!     let local = credentials.stores(ctx, &Default::default())?.remove(0);
//!     let secret = credentials.provider(ctx, local.provider_id)?.input_defs[0].id;
//!     let created = credentials.create_credential(ctx, CredentialDraft {
//!         name: "deploy key".into(),
//!         active: true,
//!         scope: CredentialScope::EnvInst,
//!         store_id: local.id,
//!         inputs: vec![InputValue { def_id: secret, value: "s3cret".into() }],
//!     })?;
//!     assert_eq!(created.version, 1);
//!     Ok(())
//! }
//! ```

pub mod error;
pub mod model;
pub mod service;
pub mod store;

#[cfg(feature = "http")]
pub mod http;

pub use error::CredentialsError;

/// The credentials tables, for both backends.
pub const MIGRATIONS: portico_core::db::Migrations = portico_core::domain_migrations!(
    "credentials",
    sqlite: "../../migrations/credentials/sqlite",
    postgres: "../../migrations/credentials/postgres",
);
