//! [`CredentialStore`]: the diesel implementation of [`crate::service::CredentialService`].
//! Query functions live in one file per aggregate; the service logic in `service.rs`.

pub mod credentials;
pub mod providers;
pub(crate) mod schema;
mod service;
pub mod stores;

use portico_core::RealmId;
use portico_core::db::DbError;
use portico_core::hooks::RealmLifecycle;
use portico_core::seal::Sealer;
use portico_core::{Clock, Database, DbConnection, RealmRef, Timestamp};
use std::sync::Arc;

pub use schema::declared_tables;

/// Name of each realm's built-in provider and store.
pub const BUILTIN_NAME: &str = "Local";
/// Name of the built-in provider's one input definition.
pub const BUILTIN_INPUT: &str = "Secret";

/// The credentials domain over a database.
pub struct CredentialStore {
    db: Database,
    sealer: Sealer,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialStore").field("db", &self.db).finish_non_exhaustive()
    }
}

impl CredentialStore {
    /// The domain over `db` (migrated with [`crate::MIGRATIONS`]); input values are sealed with
    /// `sealer`. Register it as a [`RealmLifecycle`] so every realm gets its built-ins.
    pub fn new(db: Database, sealer: Sealer, clock: Arc<dyn Clock>) -> CredentialStore {
        CredentialStore { db, sealer, clock }
    }
}

/// Every realm has a built-in `Local` provider (input `Secret`: required, secret) and a `Local`
/// store of it, created with the realm; deleting the realm removes every credentials row of it.
impl RealmLifecycle for CredentialStore {
    fn domain(&self) -> &'static str {
        "credentials"
    }

    fn realm_created(&self, conn: &mut DbConnection, realm: &RealmRef, now: Timestamp) -> Result<(), DbError> {
        if providers::builtin(conn, realm.id)?.is_some() {
            return Ok(());
        }
        let fields = providers::ProviderFields {
            name: BUILTIN_NAME,
            description: Some("Secrets sealed in Portico's database"),
            active: true,
        };
        let provider = providers::insert(conn, realm.id, fields, true, None, now)?;
        let secret = providers::InputDefFields {
            name: BUILTIN_INPUT,
            description: Some("The secret value"),
            required: true,
            secret: true,
            display_order: 1,
        };
        providers::insert_def(conn, realm.id, provider, secret)?;
        let fields = stores::StoreFields {
            name: BUILTIN_NAME,
            description: Some("Portico's own store"),
            provider_id: provider,
            active: true,
        };
        stores::insert(conn, realm.id, fields, true, None, now)?;
        Ok(())
    }

    fn realm_deleting(&self, conn: &mut DbConnection, realm: RealmId) -> Result<(), DbError> {
        Ok(schema::purge_realm(conn, realm)?)
    }
}
