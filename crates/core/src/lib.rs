//! # portico-core
//!
//! The mechanics every Portico domain crate shares, written once:
//!
//! - [`context`]: who is calling, for which realm ([`RequestContext`]), and the one
//!   authorization check ([`context::Requirement`]).
//! - [`error`]: the small error vocabulary ([`ErrorKind`]) that every crate's error enum maps
//!   onto, and the single `ErrorKind → HTTP status` table.
//! - [`ids`], [`time`]: identifier formats of the seed APIs and UTC timestamps truncated to
//!   microseconds, with an injectable [`time::Clock`].
//! - [`page`], [`sort`], [`cursor`], [`hal`], [`etag`]: Axual page/size/sort (one sort
//!   declaration per resource) with typed HAL envelopes, MATTR limit/cursor with tamper-evident
//!   cursors, and version-based ETags.
//! - [`properties`]: map-valued fields, merged key by key on every write (RFC 7396), values
//!   kept as sent; [`text`]: what every text field and every name may contain.
//! - [`seal`]: AES-256-GCM sealing of secrets at rest under a key-encryption key with key ids.
//! - [`db`]: one diesel code path over SQLite and PostgreSQL, an r2d2 pool, write transactions,
//!   per-domain migrations, per-realm resource counters and the audit trail.
//!
//! With the `http` feature it adds the actix-web glue the crates' `http/` modules use; without
//! it this crate has no web-framework dependency, so services can embed a domain crate directly.

pub mod audit;
#[cfg(feature = "avro")]
pub mod avro;
pub mod background;
pub mod context;
pub mod cursor;
pub mod db;
pub mod dependents;
pub mod error;
pub mod etag;
pub mod hal;
pub mod hooks;
pub mod ids;
pub mod page;
pub mod properties;
pub mod seal;
pub mod sort;
pub mod text;
pub mod time;
pub mod write;
pub mod x509;

#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "testing")]
pub mod testing;

pub use context::{Principal, RealmRef, RequestContext};
pub use db::{Database, DbConnection, DbError};
pub use error::{CoreError, DomainError, ErrorKind};
pub use ids::RealmId;
pub use time::{Clock, Timestamp};

/// Runs blocking work (diesel, Argon2, sealing) on the blocking thread pool, off the async executor.
///
/// Every `http/` handler calls its (synchronous) service trait through this one helper.
pub async fn run_blocking<T, E, F>(work: F) -> Result<T, E>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(join) => Err(E::from(DbError::Background(join.to_string()))),
    }
}
