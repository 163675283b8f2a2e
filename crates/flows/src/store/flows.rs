//! Flow queries. Every one filters on the realm (the owner).

use super::schema::{flow_revisions, flow_status_events, flows};
use crate::model::{Flow, FlowDefinition, FlowRevision, SourceType, StatusAction, StatusChange};
use diesel::prelude::*;
use portico_core::db::UniqueDsl;
use portico_core::{DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;

#[derive(Queryable, Selectable)]
#[diesel(table_name = flows)]
struct FlowRow {
    flow_id: String,
    definition: String,
    revision: i64,
    enabled: bool,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

/// A definition as stored (validated when it was written): its label and source read back
/// from the JSON itself.
fn stored_definition(id: String, text: &str) -> FlowDefinition {
    let json: serde_json::Value = serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    let label = json.get("version").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let source = json.pointer("/source/type").and_then(|v| v.as_str()).and_then(SourceType::parse);
    FlowDefinition { id, version: label, source: source.unwrap_or(SourceType::Rest), json }
}

impl FlowRow {
    fn into_flow(self, last_change: Option<StatusChange>) -> Flow {
        Flow {
            definition: stored_definition(self.flow_id.clone(), &self.definition),
            id: self.flow_id,
            revision: self.revision,
            enabled: self.enabled,
            last_change,
            created_at: self.created_at.into(),
            created_by: self.created_by.unwrap_or_default(),
            updated_at: self.modified_at.into(),
            updated_by: self.modified_by.unwrap_or_default(),
            version: self.version,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = flow_status_events)]
struct EventRow {
    flow_id: String,
    action: String,
    principal_id: String,
    reason: Option<String>,
    changed_at: PrimitiveDateTime,
    changed_by: String,
}

impl From<EventRow> for StatusChange {
    fn from(row: EventRow) -> Self {
        StatusChange {
            action: StatusAction::parse(&row.action),
            principal_id: row.principal_id,
            reason: row.reason,
            at: row.changed_at.into(),
            by: row.changed_by,
        }
    }
}

/// The latest status change of each of the realm's flows (or of one).
fn last_changes(
    conn: &mut DbConnection,
    realm: RealmId,
    flow: Option<&str>,
) -> QueryResult<std::collections::HashMap<String, StatusChange>> {
    let mut query = flow_status_events::table.filter(flow_status_events::realm_id.eq(realm)).into_boxed();
    if let Some(flow) = flow {
        query = query.filter(flow_status_events::flow_id.eq(flow.to_owned()));
    }
    let rows: Vec<EventRow> = query
        .order((flow_status_events::changed_at.asc(), flow_status_events::id.asc()))
        .select(EventRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|row| (row.flow_id.clone(), StatusChange::from(row))).collect())
}

/// The realm's flows, by id.
pub fn list(conn: &mut DbConnection, realm: RealmId) -> QueryResult<Vec<Flow>> {
    let rows: Vec<FlowRow> = flows::table
        .filter(flows::realm_id.eq(realm))
        .order(flows::flow_id.asc())
        .select(FlowRow::as_select())
        .load(conn)?;
    let mut changes = last_changes(conn, realm, None)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let change = changes.remove(&row.flow_id);
            row.into_flow(change)
        })
        .collect())
}

/// The realm's flow ids, sorted.
pub fn ids(conn: &mut DbConnection, realm: RealmId) -> QueryResult<Vec<String>> {
    flows::table.filter(flows::realm_id.eq(realm)).order(flows::flow_id.asc()).select(flows::flow_id).load(conn)
}

/// One flow.
pub fn get(conn: &mut DbConnection, realm: RealmId, id: &str) -> QueryResult<Option<Flow>> {
    let row: Option<FlowRow> = flows::table
        .filter(flows::realm_id.eq(realm))
        .filter(flows::flow_id.eq(id))
        .select(FlowRow::as_select())
        .unique(conn)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let change = last_changes(conn, realm, Some(id))?.remove(id);
    Ok(Some(row.into_flow(change)))
}

/// Saves a new flow (revision 1) with its first revision row.
pub fn insert(
    conn: &mut DbConnection,
    realm: RealmId,
    definition: &FlowDefinition,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    let text = definition.json.to_string();
    diesel::insert_into(flows::table)
        .values((
            flows::realm_id.eq(realm),
            flows::flow_id.eq(&definition.id),
            flows::version_label.eq(&definition.version),
            flows::source_type.eq(definition.source.as_str()),
            flows::definition.eq(&text),
            flows::revision.eq(1_i64),
            flows::enabled.eq(true),
            portico_core::created_columns!(flows, Some(actor), now),
        ))
        .execute(conn)?;
    insert_revision(conn, realm, &definition.id, 1, &text, actor, now)
}

fn insert_revision(
    conn: &mut DbConnection,
    realm: RealmId,
    id: &str,
    revision: i64,
    text: &str,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    diesel::insert_into(flow_revisions::table)
        .values((
            flow_revisions::realm_id.eq(realm),
            flow_revisions::flow_id.eq(id),
            flow_revisions::revision.eq(revision),
            flow_revisions::definition.eq(text),
            flow_revisions::created_at.eq(now.as_primitive()),
            flow_revisions::created_by.eq(actor),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces the definition when the flow is at `expected` (version): a new revision. Returns
/// whether it was written.
pub fn update(
    conn: &mut DbConnection,
    realm: RealmId,
    current: &Flow,
    definition: &FlowDefinition,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let text = definition.json.to_string();
    let revision = current.revision + 1;
    let changed = diesel::update(
        flows::table
            .filter(flows::realm_id.eq(realm))
            .filter(flows::flow_id.eq(&current.id))
            .filter(flows::version.eq(current.version)),
    )
    .set((
        flows::version_label.eq(&definition.version),
        flows::source_type.eq(definition.source.as_str()),
        flows::definition.eq(&text),
        flows::revision.eq(revision),
        portico_core::modified_columns!(flows, Some(actor), now, current.version),
    ))
    .execute(conn)?;
    if changed == 1 {
        insert_revision(conn, realm, &current.id, revision, &text, actor, now)?;
    }
    Ok(changed == 1)
}

/// Sets the flow's state when it is at `expected` and records who did it and why.
pub fn set_enabled(
    conn: &mut DbConnection,
    realm: RealmId,
    current: &Flow,
    change: &StatusChange,
    now: Timestamp,
) -> QueryResult<bool> {
    let changed = diesel::update(
        flows::table
            .filter(flows::realm_id.eq(realm))
            .filter(flows::flow_id.eq(&current.id))
            .filter(flows::version.eq(current.version)),
    )
    .set((
        flows::enabled.eq(change.action == StatusAction::Enabled),
        portico_core::modified_columns!(flows, Some(change.by.as_str()), now, current.version),
    ))
    .execute(conn)?;
    if changed == 1 {
        diesel::insert_into(flow_status_events::table)
            .values((
                flow_status_events::id.eq(uuid::Uuid::now_v7().to_string()),
                flow_status_events::realm_id.eq(realm),
                flow_status_events::flow_id.eq(&current.id),
                flow_status_events::action.eq(change.action.as_str()),
                flow_status_events::principal_id.eq(&change.principal_id),
                flow_status_events::reason.eq(change.reason.as_deref()),
                flow_status_events::changed_at.eq(change.at.as_primitive()),
                flow_status_events::changed_by.eq(&change.by),
            ))
            .execute(conn)?;
    }
    Ok(changed == 1)
}

/// Removes a flow with its revisions and history; returns whether it existed.
pub fn delete(conn: &mut DbConnection, realm: RealmId, id: &str) -> QueryResult<bool> {
    diesel::delete(
        flow_status_events::table
            .filter(flow_status_events::realm_id.eq(realm))
            .filter(flow_status_events::flow_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        flow_revisions::table.filter(flow_revisions::realm_id.eq(realm)).filter(flow_revisions::flow_id.eq(id)),
    )
    .execute(conn)?;
    let removed =
        diesel::delete(flows::table.filter(flows::realm_id.eq(realm)).filter(flows::flow_id.eq(id))).execute(conn)?;
    Ok(removed == 1)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = flow_revisions)]
struct RevisionRow {
    flow_id: String,
    revision: i64,
    definition: String,
    created_at: PrimitiveDateTime,
    created_by: String,
}

impl From<RevisionRow> for FlowRevision {
    fn from(row: RevisionRow) -> Self {
        FlowRevision {
            revision: row.revision,
            definition: stored_definition(row.flow_id, &row.definition),
            created_at: row.created_at.into(),
            created_by: row.created_by,
        }
    }
}

/// The flow's revisions, oldest first.
pub fn revisions(conn: &mut DbConnection, realm: RealmId, id: &str) -> QueryResult<Vec<FlowRevision>> {
    let rows: Vec<RevisionRow> = flow_revisions::table
        .filter(flow_revisions::realm_id.eq(realm))
        .filter(flow_revisions::flow_id.eq(id))
        .order(flow_revisions::revision.asc())
        .select(RevisionRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One revision.
pub fn revision(conn: &mut DbConnection, realm: RealmId, id: &str, revision: i64) -> QueryResult<Option<FlowRevision>> {
    let row: Option<RevisionRow> = flow_revisions::table
        .filter(flow_revisions::realm_id.eq(realm))
        .filter(flow_revisions::flow_id.eq(id))
        .filter(flow_revisions::revision.eq(revision))
        .select(RevisionRow::as_select())
        .unique(conn)?;
    Ok(row.map(Into::into))
}

/// Every disable and enable of the flow, oldest first.
pub fn history(conn: &mut DbConnection, realm: RealmId, id: &str) -> QueryResult<Vec<StatusChange>> {
    let rows: Vec<EventRow> = flow_status_events::table
        .filter(flow_status_events::realm_id.eq(realm))
        .filter(flow_status_events::flow_id.eq(id))
        .order((flow_status_events::changed_at.asc(), flow_status_events::id.asc()))
        .select(EventRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Into::into).collect())
}
