//! Resource queries. Every one filters on the realm (the owner); `textQuery` goes through the
//! trigram index of the resources' search text.

use super::schema::{flow_resource_revisions as revisions, flow_resources as resources};
use crate::resources::{ResourceQuery, ResourceRevision, ResourceSummary, ResourceType, RevisionSummary};
use diesel::prelude::*;
use portico_core::db::UniqueDsl;
use portico_core::db::text::{TrigramIndex, contains};
use portico_core::{DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;
use uuid::Uuid;

const SEARCH_INDEX: TrigramIndex = TrigramIndex {
    table: "flow_resource_trigrams",
    counts: "flow_resource_trigram_counts",
    realm: "flow_resources.realm_id",
    id: "flow_resources.id",
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = resources)]
struct ResourceRow {
    resource_type: String,
    resource_id: String,
    latest_revision: i64,
    title: Option<String>,
    description: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

/// A type as stored (written from [`ResourceType::as_str`]).
fn stored_type(value: &str) -> ResourceType {
    ResourceType::parse(value).unwrap_or(ResourceType::OpenApiV3)
}

impl From<ResourceRow> for ResourceSummary {
    fn from(row: ResourceRow) -> Self {
        ResourceSummary {
            kind: stored_type(&row.resource_type),
            resource_id: row.resource_id,
            latest_revision: row.latest_revision,
            title: row.title,
            description: row.description,
            created_at: row.created_at.into(),
            created_by: row.created_by.unwrap_or_default(),
            updated_at: row.modified_at.into(),
            updated_by: row.modified_by.unwrap_or_default(),
            version: row.version,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = revisions)]
struct RevisionRow {
    revision: i64,
    content: String,
    sha256: String,
    title: Option<String>,
    description: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = revisions)]
struct RevisionSummaryRow {
    revision: i64,
    sha256: String,
    title: Option<String>,
    description: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: String,
}

fn scoped(realm: RealmId) -> resources::BoxedQuery<'static, portico_core::db::DbBackend> {
    resources::table.filter(resources::realm_id.eq(realm)).into_boxed()
}

/// The revisions of one resource.
fn revisions_of(realm: RealmId, summary: &ResourceSummary) -> revisions::BoxedQuery<'_, portico_core::db::DbBackend> {
    revisions::table
        .filter(revisions::realm_id.eq(realm))
        .filter(revisions::resource_type.eq(summary.kind.as_str()))
        .filter(revisions::resource_id.eq(&summary.resource_id))
        .into_boxed()
}

/// The realm's resources matching `query`, by type and id.
pub fn list(conn: &mut DbConnection, realm: RealmId, query: &ResourceQuery) -> QueryResult<Vec<ResourceSummary>> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    let narrowing = match &query.text {
        Some(text) => SEARCH_INDEX.narrowing(conn, realm, text)?,
        None => None,
    };
    let mut select = match &narrowing {
        // The realm's resources holding the text's rarest trigrams.
        Some(narrowing) => resources::table.into_boxed().filter(SEARCH_INDEX.candidates(sqlite, realm, narrowing)),
        None => scoped(realm),
    };
    if let Some(text) = &query.text {
        select = select.filter(contains(resources::search_text, text));
    }
    if !query.types.is_empty() {
        select = select.filter(resources::resource_type.eq_any(query.types.iter().map(|kind| kind.as_str())));
    }
    if let Some(limit) = query.limit {
        select = select.offset(query.offset).limit(limit);
    } else if query.offset > 0 {
        // An OFFSET needs a LIMIT on SQLite: the largest one stands for none.
        select = select.offset(query.offset).limit(i64::MAX);
    }
    let rows: Vec<ResourceRow> = select
        .order((resources::resource_type.asc(), resources::resource_id.asc()))
        .select(ResourceRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The types the realm has resources of.
pub fn types(conn: &mut DbConnection, realm: RealmId) -> QueryResult<Vec<ResourceType>> {
    let names: Vec<String> = resources::table
        .filter(resources::realm_id.eq(realm))
        .select(resources::resource_type)
        .distinct()
        .order(resources::resource_type.asc())
        .load(conn)?;
    Ok(names.iter().map(|name| stored_type(name)).collect())
}

/// One resource's metadata and its row id (the search index's key).
pub fn get(
    conn: &mut DbConnection,
    realm: RealmId,
    kind: ResourceType,
    id: &str,
) -> QueryResult<Option<(Uuid, ResourceSummary)>> {
    let row: Option<(String, ResourceRow)> = scoped(realm)
        .filter(resources::resource_type.eq(kind.as_str()))
        .filter(resources::resource_id.eq(id))
        .select((resources::id, ResourceRow::as_select()))
        .unique(conn)?;
    Ok(row.map(|(key, row)| (Uuid::try_parse(&key).unwrap_or_default(), row.into())))
}

/// One revision of a resource.
pub fn revision(
    conn: &mut DbConnection,
    realm: RealmId,
    summary: &ResourceSummary,
    number: i64,
) -> QueryResult<Option<ResourceRevision>> {
    let row: Option<RevisionRow> = revisions_of(realm, summary)
        .filter(revisions::revision.eq(number))
        .select(RevisionRow::as_select())
        .unique(conn)?;
    Ok(row.map(|row| ResourceRevision {
        kind: summary.kind,
        resource_id: summary.resource_id.clone(),
        revision: row.revision,
        content: row.content,
        sha256: row.sha256,
        title: row.title,
        description: row.description,
        created_at: row.created_at.into(),
        created_by: row.created_by,
        resource_version: summary.version,
    }))
}

/// Every revision of a resource without the documents, oldest first.
pub fn revisions(
    conn: &mut DbConnection,
    realm: RealmId,
    summary: &ResourceSummary,
) -> QueryResult<Vec<RevisionSummary>> {
    let rows: Vec<RevisionSummaryRow> = revisions_of(realm, summary)
        .order(revisions::revision.asc())
        .select(RevisionSummaryRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| RevisionSummary {
            revision: row.revision,
            sha256: row.sha256,
            title: row.title,
            description: row.description,
            created_at: row.created_at.into(),
            created_by: row.created_by,
        })
        .collect())
}

/// A new revision's document and metadata.
pub struct NewRevision<'a> {
    /// The resource's type.
    pub kind: ResourceType,
    /// The resource's id.
    pub resource_id: &'a str,
    /// Its number.
    pub revision: i64,
    /// The document.
    pub content: &'a str,
    /// Its SHA-256, hex.
    pub sha256: &'a str,
    /// The document's title.
    pub title: Option<&'a str>,
    /// The revision's description.
    pub description: Option<&'a str>,
}

impl NewRevision<'_> {
    fn search_text(&self) -> String {
        crate::resources::search_text(self.resource_id, self.title, self.description)
    }
}

fn insert_revision(
    conn: &mut DbConnection,
    realm: RealmId,
    new: &NewRevision<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    diesel::insert_into(revisions::table)
        .values((
            revisions::realm_id.eq(realm),
            revisions::resource_type.eq(new.kind.as_str()),
            revisions::resource_id.eq(new.resource_id),
            revisions::revision.eq(new.revision),
            revisions::content.eq(new.content),
            revisions::sha256.eq(new.sha256),
            revisions::title.eq(new.title),
            revisions::description.eq(new.description),
            revisions::created_at.eq(now.as_primitive()),
            revisions::created_by.eq(actor),
        ))
        .execute(conn)?;
    Ok(())
}

/// Creates a resource with its first revision.
pub fn insert(
    conn: &mut DbConnection,
    realm: RealmId,
    new: &NewRevision<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    let key = Uuid::now_v7();
    let search_text = new.search_text();
    diesel::insert_into(resources::table)
        .values((
            resources::id.eq(key.to_string()),
            resources::realm_id.eq(realm),
            resources::resource_type.eq(new.kind.as_str()),
            resources::resource_id.eq(new.resource_id),
            resources::latest_revision.eq(new.revision),
            resources::title.eq(new.title),
            resources::description.eq(new.description),
            resources::search_text.eq(&search_text),
            portico_core::created_columns!(resources, Some(actor), now),
        ))
        .execute(conn)?;
    insert_revision(conn, realm, new, actor, now)?;
    SEARCH_INDEX.set(conn, realm, key, &search_text)
}

/// Adds revision `new.revision` when the resource is still at version `expected`; returns
/// whether it did.
pub fn add_revision(
    conn: &mut DbConnection,
    realm: RealmId,
    key: Uuid,
    new: &NewRevision<'_>,
    expected: i64,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let search_text = new.search_text();
    let changed = diesel::update(
        resources::table
            .filter(resources::realm_id.eq(realm))
            .filter(resources::resource_type.eq(new.kind.as_str()))
            .filter(resources::resource_id.eq(new.resource_id))
            .filter(resources::version.eq(expected)),
    )
    .set((
        resources::latest_revision.eq(new.revision),
        resources::title.eq(new.title),
        resources::description.eq(new.description),
        resources::search_text.eq(&search_text),
        portico_core::modified_columns!(resources, Some(actor), now, expected),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Ok(false);
    }
    insert_revision(conn, realm, new, actor, now)?;
    SEARCH_INDEX.set(conn, realm, key, &search_text)?;
    Ok(true)
}

/// Removes a resource with every revision.
pub fn delete(conn: &mut DbConnection, realm: RealmId, kind: ResourceType, id: &str, key: Uuid) -> QueryResult<()> {
    diesel::delete(
        revisions::table
            .filter(revisions::realm_id.eq(realm))
            .filter(revisions::resource_type.eq(kind.as_str()))
            .filter(revisions::resource_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        resources::table
            .filter(resources::realm_id.eq(realm))
            .filter(resources::resource_type.eq(kind.as_str()))
            .filter(resources::resource_id.eq(id)),
    )
    .execute(conn)?;
    SEARCH_INDEX.remove(conn, key)
}
