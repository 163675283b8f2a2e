//! The flows domain's public API: [`FlowsService`], implemented by
//! [`crate::store::FlowsStore`]. Every method takes the caller's [`RequestContext`] first and
//! checks authorization itself: the scope `management` (which only users holding `Admin` or
//! `Deployer` get, and lose at once with those roles) and one of those roles. The owner
//! (`ownerId`) is the realm; no query reads or writes another owner's rows.

use crate::error::FlowsError;
use crate::model::{Flow, FlowDefinition, FlowRevision, StatusChange, StatusRequest};
use crate::resources::{
    ResourceQuery, ResourceRevision, ResourceSummary, ResourceType, ResourceWrite, RevisionSummary,
};
use crate::secrets::{Secret, SecretSummary, SecretVersion, SecretWrite};
use crate::tables::{Row, RowQuery, TableSummary, Upsert};
use portico_core::RequestContext;
use portico_core::context::Requirement;
use portico_core::write::Precondition;

/// The scope the management API requires.
pub const SCOPE: &str = "management";
/// The roles that may use the management API.
pub const ROLES: &[&str] = &["Admin", "Deployer"];
/// The role that reads secrets' clear values (`Deployer`s see `null`).
pub const SECRET_READER: &str = "Admin";
/// What every route requires (the scope; the roles are checked by the service too).
pub const REQUIREMENT: Requirement<'static> = Requirement::Scope(SCOPE);

/// Flows: definitions with revisions, and their state with its history.
pub trait FlowsService: Send + Sync + 'static {
    /// The owner's flows, by id.
    fn flows(&self, ctx: &RequestContext) -> Result<Vec<Flow>, FlowsError>;
    /// The owner's flow ids, sorted.
    fn flow_ids(&self, ctx: &RequestContext) -> Result<Vec<String>, FlowsError>;
    /// One flow.
    fn flow(&self, ctx: &RequestContext, id: &str) -> Result<Flow, FlowsError>;
    /// Deploys a new flow (revision 1, enabled); its id must be free.
    fn create_flow(&self, ctx: &RequestContext, definition: FlowDefinition) -> Result<Flow, FlowsError>;
    /// Replaces a flow's definition as a new revision (the previous ones stay readable).
    fn update_flow(
        &self,
        ctx: &RequestContext,
        id: &str,
        definition: FlowDefinition,
        precondition: &Precondition,
    ) -> Result<Flow, FlowsError>;
    /// Deletes a flow with its revisions and history (`If-Match`: 412 when stale).
    fn delete_flow(&self, ctx: &RequestContext, id: &str, precondition: &Precondition) -> Result<(), FlowsError>;
    /// Disables a flow whose source supports it (`principalId` and `reason` required).
    fn disable_flow(&self, ctx: &RequestContext, id: &str, request: StatusRequest) -> Result<Flow, FlowsError>;
    /// Enables a disabled flow (`principalId` required).
    fn enable_flow(&self, ctx: &RequestContext, id: &str, request: StatusRequest) -> Result<Flow, FlowsError>;
    /// The flow's revisions, oldest first.
    fn flow_revisions(&self, ctx: &RequestContext, id: &str) -> Result<Vec<FlowRevision>, FlowsError>;
    /// One revision of a flow.
    fn flow_revision(&self, ctx: &RequestContext, id: &str, revision: i64) -> Result<FlowRevision, FlowsError>;
    /// Every disable and enable of the flow, oldest first.
    fn flow_history(&self, ctx: &RequestContext, id: &str) -> Result<Vec<StatusChange>, FlowsError>;

    /// The types the owner has resources of.
    fn resource_types(&self, ctx: &RequestContext) -> Result<Vec<ResourceType>, FlowsError>;
    /// The owner's resources matching `query` (latest revisions' metadata), by type and id.
    fn resources(&self, ctx: &RequestContext, query: &ResourceQuery) -> Result<Vec<ResourceSummary>, FlowsError>;
    /// A resource with its revisions (without their documents).
    fn resource(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
    ) -> Result<(ResourceSummary, Vec<RevisionSummary>), FlowsError>;
    /// Creates a resource, or adds a revision when its document or description changed (a
    /// write of the latest revision again changes nothing); `true` when a revision was added.
    /// `If-Match` makes it conditional on the resource's version.
    fn put_resource(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
        write: ResourceWrite,
        precondition: &Precondition,
    ) -> Result<(ResourceRevision, bool), FlowsError>;
    /// One revision of a resource (`None`: the latest).
    fn resource_revision(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
        revision: Option<i64>,
    ) -> Result<ResourceRevision, FlowsError>;
    /// Deletes a resource with every revision (`If-Match`: 412 when stale).
    fn delete_resource(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
        precondition: &Precondition,
    ) -> Result<(), FlowsError>;

    /// The owner's secrets, by key, without values.
    fn secrets(&self, ctx: &RequestContext) -> Result<Vec<SecretSummary>, FlowsError>;
    /// One secret; its clear value only for [`SECRET_READER`]s.
    fn secret(&self, ctx: &RequestContext, key: &str) -> Result<Secret, FlowsError>;
    /// Creates a secret or writes a new version of it (its type is fixed when it is created);
    /// `true` when it was created. A write that changes nothing is no new version.
    fn put_secret(&self, ctx: &RequestContext, key: &str, write: SecretWrite) -> Result<(Secret, bool), FlowsError>;
    /// Deletes a secret with every version (`If-Match`: 412 when stale).
    fn delete_secret(&self, ctx: &RequestContext, key: &str, precondition: &Precondition) -> Result<(), FlowsError>;
    /// The versions of a secret, oldest first (values stay sealed).
    fn secret_versions(&self, ctx: &RequestContext, key: &str) -> Result<Vec<SecretVersion>, FlowsError>;

    /// The owner's dynamic tables, by name.
    fn tables(&self, ctx: &RequestContext) -> Result<Vec<TableSummary>, FlowsError>;
    /// A page of a table's rows (all, or those matching a column and value).
    fn table_rows(&self, ctx: &RequestContext, table: &str, query: &RowQuery) -> Result<Vec<Row>, FlowsError>;
    /// The first row (by id) whose `column` holds `value`.
    fn lookup_row(&self, ctx: &RequestContext, table: &str, column: &str, value: &str) -> Result<Row, FlowsError>;
    /// Adds a row, creating the table when it does not exist.
    fn add_row(
        &self,
        ctx: &RequestContext,
        table: &str,
        cells: std::collections::BTreeMap<String, String>,
    ) -> Result<Row, FlowsError>;
    /// Gets the row matching the lookup, updating the given cells; adds it (and the table) when
    /// asked to. `true` when a row was added. Concurrent calls for one key add one row.
    fn upsert_row(&self, ctx: &RequestContext, table: &str, upsert: Upsert) -> Result<(Row, bool), FlowsError>;
    /// Deletes a table with every row.
    fn delete_table(&self, ctx: &RequestContext, table: &str) -> Result<(), FlowsError>;
    /// Deletes a column from every row; returns how many cells were removed.
    fn delete_column(&self, ctx: &RequestContext, table: &str, column: &str) -> Result<i64, FlowsError>;
    /// Deletes the rows whose `column` holds `value`; returns how many.
    fn delete_rows(&self, ctx: &RequestContext, table: &str, column: &str, value: &str) -> Result<i64, FlowsError>;
    /// Deletes the `target` cells of the rows whose `column` holds `value`; returns how many.
    fn delete_cells(
        &self,
        ctx: &RequestContext,
        table: &str,
        column: &str,
        value: &str,
        target: &str,
    ) -> Result<i64, FlowsError>;
}
