//! [`FlowsStore`]: the diesel implementation of [`crate::service::FlowsService`]. Queries
//! live in one file per aggregate (`flows.rs`, `resources.rs`, `secrets.rs`, `tables.rs`), the
//! service logic beside them (`resource_service.rs`, `secret_service.rs`, `table_service.rs`).

pub mod flows;
mod resource_service;
pub mod resources;
pub(crate) mod schema;
mod secret_service;
pub mod secrets;
mod table_service;
pub mod tables;

use crate::error::FlowsError;
use crate::model::{Flow, FlowDefinition, FlowRevision, StatusAction, StatusChange, StatusRequest};
use crate::resources::{
    ResourceQuery, ResourceRevision, ResourceSummary, ResourceType, ResourceWrite, RevisionSummary,
};
use crate::secrets::{Secret, SecretSummary, SecretVersion, SecretWrite};
use crate::service::{FlowsService, REQUIREMENT, ROLES};
use crate::tables::{Row, RowQuery, TableSummary, Upsert};
use portico_core::audit::audited_write;
use portico_core::context::Requirement;
use portico_core::db::DbError;
use portico_core::hooks::RealmLifecycle;
use portico_core::seal::Sealer;
use portico_core::write::{Precondition, committed};
use portico_core::{Clock, Database, DbConnection, RealmId, RealmRef, RequestContext, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use schema::declared_tables;

/// The flows domain over a database.
pub struct FlowsStore {
    db: Database,
    sealer: Sealer,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for FlowsStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowsStore").field("db", &self.db).finish_non_exhaustive()
    }
}

fn not_found(id: &str) -> FlowsError {
    crate::error::not_found("Flow", "flow_not_found", id)
}

/// The key spaces of [`lock`].
const FLOW: &str = "flows.flow";
pub(super) const SECRET: &str = "flows.secret";
pub(super) const RESOURCE: &str = "flows.resource";

impl FlowsStore {
    /// The domain over `db` (migrated with [`crate::MIGRATIONS`]). Register it as a
    /// [`RealmLifecycle`] so a deleted owner loses its flows.
    pub fn new(db: Database, sealer: Sealer, clock: Arc<dyn Clock>) -> FlowsStore {
        FlowsStore { db, sealer, clock }
    }

    fn allowed(&self, ctx: &RequestContext) -> Result<(), FlowsError> {
        ctx.require(REQUIREMENT)?;
        Ok(ctx.require(Requirement::AnyRole(ROLES))?)
    }

    fn existing(&self, conn: &mut DbConnection, realm: RealmId, id: &str) -> Result<Flow, FlowsError> {
        flows::get(conn, realm, id)?.ok_or_else(|| not_found(id))
    }
}

/// Holds flow `id` of `realm` for the rest of the write: writers of one flow, secret or
/// resource queue behind each other (creates included), so a write without a precondition
/// never fails because another one won.
pub(super) fn lock(conn: &mut DbConnection, realm: RealmId, kind: &'static str, key: &str) -> Result<(), FlowsError> {
    Ok(portico_core::db::lock_key(conn, realm, kind, key)?)
}

impl FlowsStore {
    /// Disables or enables.
    fn set_status(
        &self,
        ctx: &RequestContext,
        id: &str,
        request: StatusRequest,
        action: StatusAction,
    ) -> Result<Flow, FlowsError> {
        self.allowed(ctx)?;
        let disabling = action == StatusAction::Disabled;
        request.check(disabling)?;
        let realm = ctx.realm.id;
        let name = if disabling { "flow.disable" } else { "flow.enable" };
        audited_write(&self.db, self.clock.as_ref(), ctx, name, "flow", |conn| {
            lock(conn, realm, FLOW, id)?;
            let current = self.existing(conn, realm, id)?;
            if disabling && !current.definition.source.can_disable() {
                return Err(FlowsError::Invalid {
                    field: "source.type".into(),
                    message: format!(
                        "flow '{id}' has a '{}' source, which cannot be disabled (only rest and messaging sources can)",
                        current.definition.source.as_str()
                    ),
                });
            }
            if current.enabled != disabling {
                let state = if disabling { "disabled" } else { "enabled" };
                return Err(FlowsError::conflict("flow_state", format!("flow '{id}' is already {state}")));
            }
            let now = self.clock.now();
            let change = StatusChange {
                action,
                principal_id: request.principal_id.trim().to_owned(),
                reason: request.reason.clone().filter(|r| !r.trim().is_empty()),
                at: now,
                by: ctx.actor().to_owned(),
            };
            let written = flows::set_enabled(conn, realm, &current, &change, now)?;
            committed(&Precondition::none(), "flow", id, current.version, written)?;
            Ok((self.existing(conn, realm, id)?, id.to_owned()))
        })
    }
}

impl FlowsService for FlowsStore {
    fn flows(&self, ctx: &RequestContext) -> Result<Vec<Flow>, FlowsError> {
        self.allowed(ctx)?;
        self.db.read(|conn| Ok(flows::list(conn, ctx.realm.id)?))
    }

    fn flow_ids(&self, ctx: &RequestContext) -> Result<Vec<String>, FlowsError> {
        self.allowed(ctx)?;
        self.db.read(|conn| Ok(flows::ids(conn, ctx.realm.id)?))
    }

    fn flow(&self, ctx: &RequestContext, id: &str) -> Result<Flow, FlowsError> {
        self.allowed(ctx)?;
        self.db.read(|conn| self.existing(conn, ctx.realm.id, id))
    }

    fn create_flow(&self, ctx: &RequestContext, definition: FlowDefinition) -> Result<Flow, FlowsError> {
        self.allowed(ctx)?;
        let realm = ctx.realm.id;
        let taken =
            || FlowsError::already_exists("flow_exists", format!("a flow with id '{}' already exists", definition.id));
        audited_write(&self.db, self.clock.as_ref(), ctx, "flow.create", "flow", |conn| {
            lock(conn, realm, FLOW, &definition.id)?;
            if flows::get(conn, realm, &definition.id)?.is_some() {
                return Err(taken());
            }
            flows::insert(conn, realm, &definition, ctx.actor(), self.clock.now())
                .map_err(|err| FlowsError::on_unique(err, taken))?;
            Ok((self.existing(conn, realm, &definition.id)?, definition.id.clone()))
        })
    }

    fn update_flow(
        &self,
        ctx: &RequestContext,
        id: &str,
        definition: FlowDefinition,
        precondition: &Precondition,
    ) -> Result<Flow, FlowsError> {
        self.allowed(ctx)?;
        if definition.id != id {
            return Err(FlowsError::Invalid {
                field: "id".into(),
                message: format!("'id' is '{}' but the path names flow '{id}'", definition.id),
            });
        }
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "flow.update", "flow", |conn| {
            lock(conn, realm, FLOW, id)?;
            let current = self.existing(conn, realm, id)?;
            precondition.check("flow", id, current.version)?;
            if current.definition.json == definition.json {
                return Ok((current, id.to_owned()));
            }
            let written = flows::update(conn, realm, &current, &definition, ctx.actor(), self.clock.now())?;
            committed(precondition, "flow", id, current.version, written)?;
            Ok((self.existing(conn, realm, id)?, id.to_owned()))
        })
    }

    fn delete_flow(&self, ctx: &RequestContext, id: &str, precondition: &Precondition) -> Result<(), FlowsError> {
        self.allowed(ctx)?;
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "flow.delete", "flow", |conn| {
            lock(conn, realm, FLOW, id)?;
            let current = self.existing(conn, realm, id)?;
            precondition.check("flow", id, current.version)?;
            if !flows::delete(conn, realm, id)? {
                return Err(not_found(id));
            }
            Ok(((), id.to_owned()))
        })
    }

    fn disable_flow(&self, ctx: &RequestContext, id: &str, request: StatusRequest) -> Result<Flow, FlowsError> {
        self.set_status(ctx, id, request, StatusAction::Disabled)
    }

    fn enable_flow(&self, ctx: &RequestContext, id: &str, request: StatusRequest) -> Result<Flow, FlowsError> {
        self.set_status(ctx, id, request, StatusAction::Enabled)
    }

    fn flow_revisions(&self, ctx: &RequestContext, id: &str) -> Result<Vec<FlowRevision>, FlowsError> {
        self.allowed(ctx)?;
        self.db.read(|conn| {
            self.existing(conn, ctx.realm.id, id)?;
            Ok(flows::revisions(conn, ctx.realm.id, id)?)
        })
    }

    fn flow_revision(&self, ctx: &RequestContext, id: &str, revision: i64) -> Result<FlowRevision, FlowsError> {
        self.allowed(ctx)?;
        self.db.read(|conn| {
            self.existing(conn, ctx.realm.id, id)?;
            flows::revision(conn, ctx.realm.id, id, revision)?.ok_or_else(|| {
                crate::error::not_found("Flow revision", "flow_revision_not_found", format!("{id}/{revision}"))
            })
        })
    }

    fn flow_history(&self, ctx: &RequestContext, id: &str) -> Result<Vec<StatusChange>, FlowsError> {
        self.allowed(ctx)?;
        self.db.read(|conn| {
            self.existing(conn, ctx.realm.id, id)?;
            Ok(flows::history(conn, ctx.realm.id, id)?)
        })
    }

    fn resource_types(&self, ctx: &RequestContext) -> Result<Vec<ResourceType>, FlowsError> {
        self.allowed(ctx)?;
        self.deployed_types(ctx)
    }

    fn resources(&self, ctx: &RequestContext, query: &ResourceQuery) -> Result<Vec<ResourceSummary>, FlowsError> {
        self.allowed(ctx)?;
        self.list_resources(ctx, query)
    }

    fn resource(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
    ) -> Result<(ResourceSummary, Vec<RevisionSummary>), FlowsError> {
        self.allowed(ctx)?;
        self.read_resource(ctx, kind, id)
    }

    fn put_resource(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
        write: ResourceWrite,
        precondition: &Precondition,
    ) -> Result<(ResourceRevision, bool), FlowsError> {
        self.allowed(ctx)?;
        self.write_resource(ctx, kind, id, write, precondition)
    }

    fn resource_revision(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
        revision: Option<i64>,
    ) -> Result<ResourceRevision, FlowsError> {
        self.allowed(ctx)?;
        self.read_revision(ctx, kind, id, revision)
    }

    fn delete_resource(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
        precondition: &Precondition,
    ) -> Result<(), FlowsError> {
        self.allowed(ctx)?;
        self.remove_resource(ctx, kind, id, precondition)
    }

    fn secrets(&self, ctx: &RequestContext) -> Result<Vec<SecretSummary>, FlowsError> {
        self.allowed(ctx)?;
        self.db.read(|conn| Ok(secrets::list(conn, ctx.realm.id)?))
    }

    fn secret(&self, ctx: &RequestContext, key: &str) -> Result<Secret, FlowsError> {
        self.allowed(ctx)?;
        self.read_secret(ctx, key)
    }

    fn put_secret(&self, ctx: &RequestContext, key: &str, write: SecretWrite) -> Result<(Secret, bool), FlowsError> {
        self.allowed(ctx)?;
        self.write_secret(ctx, key, write)
    }

    fn delete_secret(&self, ctx: &RequestContext, key: &str, precondition: &Precondition) -> Result<(), FlowsError> {
        self.allowed(ctx)?;
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "secret.delete", "secret", |conn| {
            lock(conn, realm, SECRET, key)?;
            let current = secrets::get(conn, realm, key)?.ok_or_else(|| secret_not_found(key))?;
            precondition.check("secret", key, current.version)?;
            if !secrets::delete(conn, realm, key)? {
                return Err(secret_not_found(key));
            }
            Ok(((), key.to_owned()))
        })
    }

    fn secret_versions(&self, ctx: &RequestContext, key: &str) -> Result<Vec<SecretVersion>, FlowsError> {
        self.allowed(ctx)?;
        self.db.read(|conn| {
            secrets::get(conn, ctx.realm.id, key)?.ok_or_else(|| secret_not_found(key))?;
            Ok(secrets::versions(conn, ctx.realm.id, key)?)
        })
    }

    fn tables(&self, ctx: &RequestContext) -> Result<Vec<TableSummary>, FlowsError> {
        self.allowed(ctx)?;
        self.db.read(|conn| Ok(tables::list(conn, ctx.realm.id)?))
    }

    fn table_rows(&self, ctx: &RequestContext, table: &str, query: &RowQuery) -> Result<Vec<Row>, FlowsError> {
        self.allowed(ctx)?;
        self.rows_of(ctx, table, query)
    }

    fn lookup_row(&self, ctx: &RequestContext, table: &str, column: &str, value: &str) -> Result<Row, FlowsError> {
        self.allowed(ctx)?;
        self.row_by(ctx, table, column, value)
    }

    fn add_row(&self, ctx: &RequestContext, table: &str, cells: BTreeMap<String, String>) -> Result<Row, FlowsError> {
        self.allowed(ctx)?;
        self.insert_row(ctx, table, cells)
    }

    fn upsert_row(&self, ctx: &RequestContext, table: &str, upsert: Upsert) -> Result<(Row, bool), FlowsError> {
        self.allowed(ctx)?;
        self.get_or_add(ctx, table, upsert)
    }

    fn delete_table(&self, ctx: &RequestContext, table: &str) -> Result<(), FlowsError> {
        self.allowed(ctx)?;
        self.remove_table(ctx, table)
    }

    fn delete_column(&self, ctx: &RequestContext, table: &str, column: &str) -> Result<i64, FlowsError> {
        self.allowed(ctx)?;
        self.remove_cells(ctx, table, column, None)
    }

    fn delete_rows(&self, ctx: &RequestContext, table: &str, column: &str, value: &str) -> Result<i64, FlowsError> {
        self.allowed(ctx)?;
        self.remove_rows(ctx, table, column, value)
    }

    fn delete_cells(
        &self,
        ctx: &RequestContext,
        table: &str,
        column: &str,
        value: &str,
        target: &str,
    ) -> Result<i64, FlowsError> {
        self.allowed(ctx)?;
        self.remove_cells(ctx, table, target, Some((column, value)))
    }
}

fn secret_not_found(key: &str) -> FlowsError {
    crate::error::not_found("Secret", "secret_not_found", key)
}

/// A deleted owner loses its flows.
impl RealmLifecycle for FlowsStore {
    fn domain(&self) -> &'static str {
        "flows"
    }

    fn realm_created(&self, _: &mut DbConnection, _: &RealmRef, _: Timestamp) -> Result<(), DbError> {
        Ok(())
    }

    fn realm_deleting(&self, conn: &mut DbConnection, realm: RealmId) -> Result<(), DbError> {
        // Every declared realm-scoped table (the search index's among them), from the
        // declarations.
        Ok(schema::purge_realm(conn, realm)?)
    }
}
