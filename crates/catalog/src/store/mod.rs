//! [`CatalogStore`]: the diesel implementation of the catalog's service traits. Query
//! functions live in one file per aggregate (`levels.rs`, `streams.rs`, ...); the service logic in one
//! `*_service.rs` per resource family, sharing the field checks of `validate.rs`.

pub mod browse;
mod cluster_service;
pub mod clusters;
mod connect_plugin_service;
pub mod connect_plugins;
mod environment_service;
pub mod environments;
mod instance_service;
pub mod instances;
mod level_service;
pub mod levels;
pub mod outbox;
mod properties;
mod provisioning;
pub(crate) mod schema;
mod schema_service;
pub mod schemas;
mod stream_config_service;
pub mod stream_configs;
mod stream_service;
pub mod streams;
pub mod support_tiers;
mod validate;

use portico_core::db::DbError;
use portico_core::dependents::{Dependents, Target};
use portico_core::hooks::{RealmHooks, RealmLifecycle};
use portico_core::{Clock, Database, DbConnection, RealmId, RealmRef, Timestamp};
use std::sync::Arc;

pub use schema::declared_tables;

pub(crate) use portico_core::db::stored_uuid as uuid;

/// The catalog domain over a database.
pub struct CatalogStore {
    db: Database,
    clock: Arc<dyn Clock>,
    /// Every domain's dependents (what refers to a level, an environment, ...).
    hooks: Arc<RealmHooks>,
    /// The worker applying the topic outbox, once started.
    provisioner: std::sync::OnceLock<portico_core::background::Worker>,
    /// The worker reading the instances' Kafka Connect plugins, once started.
    connect_reader: std::sync::OnceLock<portico_core::background::Worker>,
    /// The client certificate presented to Kafka TLS listeners that ask for one.
    kafka_client: Option<crate::kafka::ClientIdentity>,
}

impl std::fmt::Debug for CatalogStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogStore").field("db", &self.db).finish_non_exhaustive()
    }
}

impl CatalogStore {
    /// The domain over `db` (migrated with [`crate::MIGRATIONS`]); `hooks` answer what refers
    /// to its entities. Register it as a [`RealmLifecycle`] so deleting a realm empties it.
    pub fn new(db: Database, clock: Arc<dyn Clock>, hooks: Arc<RealmHooks>) -> CatalogStore {
        CatalogStore {
            db,
            clock,
            hooks,
            provisioner: std::sync::OnceLock::new(),
            connect_reader: std::sync::OnceLock::new(),
            kafka_client: None,
        }
    }

    /// Presents `identity` to Kafka TLS listeners that require a client certificate.
    pub fn with_kafka_client(mut self, identity: Option<crate::kafka::ClientIdentity>) -> CatalogStore {
        self.kafka_client = identity;
        self
    }

    /// Starts the workers that apply the topic outbox to the Kafka clusters and read the
    /// instances' Kafka Connect plugins: every `every`, and at once after a change wants
    /// something of a topic or of Connect. Without them, both change only on `synchronize`.
    pub fn start_provisioning(self: &Arc<Self>, every: std::time::Duration) -> std::io::Result<()> {
        let worker =
            portico_core::background::Worker::spawn("catalog-topics", Arc::downgrade(self), every, |store: &Self| {
                loop {
                    match store.provision_due(provisioning::PASS) {
                        Ok(attempted) if attempted as i64 == provisioning::PASS => continue,
                        Ok(_) => break,
                        Err(err) => {
                            tracing::error!(error = %err, "the topic outbox could not be read");
                            break;
                        }
                    }
                }
            })?;
        let _ = self.provisioner.set(worker);
        // Its own thread, so a slow or unreachable Connect never holds up the topics.
        let reader =
            portico_core::background::Worker::spawn("catalog-connect", Arc::downgrade(self), every, |store: &Self| {
                if let Err(err) = store.refresh_connect_plugins() {
                    tracing::error!(error = %err, "the connect plugins could not be refreshed");
                }
            })?;
        let _ = self.connect_reader.set(reader);
        Ok(())
    }

    /// Tells the Connect reader (if started) that an instance's Connect settings changed.
    pub(crate) fn wake_connect_reader(&self) {
        if let Some(worker) = self.connect_reader.get() {
            worker.wake();
        }
    }

    /// Tells the worker (if started) that a change wants something of a topic.
    pub(crate) fn wake_provisioner(&self) {
        if let Some(worker) = self.provisioner.get() {
            worker.wake();
        }
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The groups of the realm the caller belongs to (a user's; a client belongs to none):
    /// what makes an owning group's environments and streams the caller's.
    pub(crate) fn caller_groups(
        &self,
        conn: &mut DbConnection,
        ctx: &portico_core::RequestContext,
    ) -> Result<Vec<uuid::Uuid>, crate::CatalogError> {
        Ok(match uuid::Uuid::try_parse(&ctx.principal.id) {
            Ok(user) if ctx.principal.kind == portico_core::context::PrincipalKind::User => {
                self.hooks.groups()?.groups_of(conn, ctx.realm.id, user)?
            }
            _ => Vec::new(),
        })
    }
}

/// A realm starts with the seeded support tiers; deleting it removes every catalog row of it.
impl RealmLifecycle for CatalogStore {
    fn domain(&self) -> &'static str {
        "catalog"
    }

    fn realm_created(&self, conn: &mut DbConnection, realm: &RealmRef, now: Timestamp) -> Result<(), DbError> {
        support_tiers::seed(conn, realm.id, now)?;
        Ok(())
    }

    fn realm_deleting(&self, conn: &mut DbConnection, realm: RealmId) -> Result<(), DbError> {
        Ok(purge_realm(conn, realm)?)
    }
}

/// Deletes every catalog row of `realm`: the stream name index (its tables are not diesel
/// tables) and every declared realm-scoped table, from the declarations.
pub fn purge_realm(conn: &mut DbConnection, realm: RealmId) -> diesel::QueryResult<()> {
    streams::NAME_INDEX.purge(conn, realm)?;
    schema::purge_realm(conn, realm)
}

/// What the catalog holds of other entities: environments and streams owned by a group, streams
/// tagged with a level (application counts come with applications).
impl Dependents for CatalogStore {
    fn count(&self, conn: &mut DbConnection, target: &Target) -> Result<Vec<(&'static str, u64)>, DbError> {
        let mut counts = Vec::new();
        if target.collection == "groups" {
            counts.push(("environmentsCount", environments::count_owned_by(conn, target.realm, target.id)?));
        }
        if let Some(count) = streams::count_referring(conn, target.realm, target.collection, target.id)? {
            counts.push(("streamsCount", count));
        }
        if let Some(count) = stream_configs::count_referring(conn, target.realm, target.collection, target.id)? {
            counts.push(("streamConfigsCount", count));
        }
        Ok(counts)
    }
}
