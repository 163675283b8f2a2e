//! [`CredentialStore`]: the diesel implementation of [`crate::service::CredentialService`].
//! Query functions live in one file per aggregate; the service logic in `service.rs`.

pub mod credentials;
pub mod providers;
pub(crate) mod schema;
mod service;
pub mod stores;

use crate::error::CredentialsError;
use portico_core::db::{DbError, RealmPurger};
use portico_core::seal::Sealer;
use portico_core::{Clock, Database, DbConnection, RealmRef};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Name of each realm's built-in provider and store.
pub const BUILTIN_NAME: &str = "Local";
/// Name of the built-in provider's one input definition.
pub const BUILTIN_INPUT: &str = "Secret";

/// The credentials domain over a database.
pub struct CredentialStore {
    db: Database,
    sealer: Sealer,
    clock: Arc<dyn Clock>,
    ready: Mutex<HashSet<Uuid>>,
}

impl std::fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialStore").field("db", &self.db).finish_non_exhaustive()
    }
}

impl CredentialStore {
    /// The domain over `db` (migrated with [`crate::MIGRATIONS`]); input values are sealed with `sealer`.
    pub fn new(db: Database, sealer: Sealer, clock: Arc<dyn Clock>) -> CredentialStore {
        CredentialStore { db, sealer, clock, ready: Mutex::new(HashSet::new()) }
    }

    /// Creates the realm's built-in `Local` provider (input `Secret`: required, secret) and
    /// `Local` store the first time the realm is used.
    pub(crate) fn ensure_builtins(&self, realm: &RealmRef) -> Result<(), CredentialsError> {
        if self.ready.lock().is_ok_and(|ready| ready.contains(&realm.id)) {
            return Ok(());
        }
        let now = self.clock.now();
        let created: Result<(), CredentialsError> = self.db.write(|conn| {
            if providers::builtin(conn, realm.id)?.is_some() {
                return Ok(());
            }
            let provider = providers::insert(
                conn,
                realm.id,
                BUILTIN_NAME,
                Some("Secrets sealed in Portico's database"),
                true,
                true,
                None,
                now,
            )?;
            providers::insert_def(conn, realm.id, provider, BUILTIN_INPUT, Some("The secret value"), true, true, 1)?;
            let fields = stores::StoreFields {
                name: BUILTIN_NAME,
                description: Some("Portico's own store"),
                provider_id: provider,
                active: true,
            };
            stores::insert(conn, realm.id, fields, true, None, now)?;
            Ok(())
        });
        match created {
            Ok(()) => {}
            // Another request created them first.
            Err(CredentialsError::Db(err)) if err.is_unique_violation() => {}
            Err(err) => return Err(err),
        }
        if let Ok(mut ready) = self.ready.lock() {
            ready.insert(realm.id);
        }
        Ok(())
    }
}

impl RealmPurger for CredentialStore {
    fn domain(&self) -> &'static str {
        "credentials"
    }

    fn purge_realm(&self, conn: &mut DbConnection, realm: Uuid) -> Result<(), DbError> {
        credentials::purge(conn, realm)?;
        stores::purge(conn, realm)?;
        providers::purge(conn, realm)?;
        if let Ok(mut ready) = self.ready.lock() {
            ready.remove(&realm);
        }
        Ok(())
    }
}
