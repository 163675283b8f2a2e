//! # portico-identity
//!
//! Realms, users, groups, roles, OAuth clients and the token service of Portico.
//!
//! - A **realm** is the isolation boundary (Axual tenant, MATTR tenant, Utilihive owner).
//!   Realm `master` is created on first start ([`bootstrap`]); its `PLATFORM_ADMIN`s may act
//!   in any realm.
//! - Passwords are Argon2id ([`password`]); client secrets are random and stored as keyed
//!   hashes ([`secrets`]).
//!
//! Embedding without actix: build the store over a [`portico_core::Database`] migrated with
//! [`MIGRATIONS`], then call the functions and services of this crate directly.

pub mod bootstrap;
pub mod config;
pub mod error;
pub mod model;
pub mod oauth;
pub mod password;
pub mod secrets;
pub mod service;
pub mod store;
pub mod tokens;

#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::IdentityError;

/// The identity tables, for both backends.
pub const MIGRATIONS: portico_core::db::Migrations = portico_core::domain_migrations!(
    "identity",
    sqlite: "../../migrations/identity/sqlite",
    postgres: "../../migrations/identity/postgres",
);
