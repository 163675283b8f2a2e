//! Schemas and their versions.

use super::schema::{catalog_schema_versions as versions, catalog_schemas as schemas};
use crate::avro::CompatibilityMode;
use crate::model::{SchemaEntry, SchemaVersion};
use diesel::prelude::*;
use portico_core::audit::Stamp;
use portico_core::db::text::contains;
use portico_core::db::{DbBackend, UniqueDsl};
use portico_core::page::{Page, PageRequest};
use portico_core::{CoreError, DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;
use uuid::Uuid;

portico_core::sort_map! {
    /// How schemas sort.
    pub static SCHEMA_SORT: schemas::table {
        "name" => schemas::name,
        "description" => schemas::description,
        "uid" => schemas::id,
        "created_at" => schemas::created_at,
        "modified_at" => schemas::modified_at,
    }
    default schemas::created_at, key schemas::id
}

portico_core::sort_map! {
    /// How schema versions sort.
    pub static VERSION_SORT: versions::table {
        "version" => versions::label,
        "uid" => versions::id,
        "created_at" => versions::created_at,
        "modified_at" => versions::modified_at,
    }
    default versions::created_at, key versions::id
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = schemas)]
struct SchemaRow {
    id: String,
    name: String,
    description: Option<String>,
    compatibility: String,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

impl TryFrom<SchemaRow> for SchemaEntry {
    type Error = diesel::result::Error;

    fn try_from(row: SchemaRow) -> QueryResult<SchemaEntry> {
        let compatibility = CompatibilityMode::parse(&row.compatibility).ok_or_else(|| {
            diesel::result::Error::DeserializationError(
                format!("'{}' is not a compatibility mode", row.compatibility).into(),
            )
        })?;
        Ok(SchemaEntry {
            id: super::uuid(&row.id)?,
            name: row.name,
            description: row.description,
            compatibility,
            stamp: Stamp::from_columns(row.created_at, row.created_by, row.modified_at, row.modified_by),
            version: row.version,
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = versions)]
struct VersionRow {
    id: String,
    schema_id: String,
    label: String,
    body: String,
    canonical: Option<String>,
    fingerprint: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
}

impl TryFrom<VersionRow> for SchemaVersion {
    type Error = diesel::result::Error;

    fn try_from(row: VersionRow) -> QueryResult<SchemaVersion> {
        Ok(SchemaVersion {
            id: super::uuid(&row.id)?,
            schema: super::uuid(&row.schema_id)?,
            label: row.label,
            body: row.body,
            canonical: row.canonical,
            fingerprint: row.fingerprint,
            stamp: Stamp::from_columns(row.created_at, row.created_by, row.modified_at, row.modified_by),
        })
    }
}

/// Creates a schema at version 0.
pub fn insert(
    conn: &mut DbConnection,
    realm: RealmId,
    schema: &SchemaEntry,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    diesel::insert_into(schemas::table)
        .values((
            schemas::id.eq(schema.id.to_string()),
            schemas::realm_id.eq(realm),
            schemas::name.eq(&schema.name),
            schemas::description.eq(schema.description.as_deref()),
            schemas::compatibility.eq(schema.compatibility.as_str()),
            portico_core::created_columns!(schemas, actor, now, 0_i64),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes the schema's description and mode when its version is `expected`.
pub fn update(
    conn: &mut DbConnection,
    realm: RealmId,
    schema: &SchemaEntry,
    expected: i64,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let changed = diesel::update(
        schemas::table
            .filter(schemas::realm_id.eq(realm))
            .filter(schemas::id.eq(schema.id.to_string()))
            .filter(schemas::version.eq(expected)),
    )
    .set((
        schemas::description.eq(schema.description.as_deref()),
        schemas::compatibility.eq(schema.compatibility.as_str()),
        portico_core::modified_columns!(schemas, actor, now, expected),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

fn scoped<'a>(realm: RealmId) -> schemas::BoxedQuery<'a, DbBackend> {
    schemas::table.filter(schemas::realm_id.eq(realm)).into_boxed()
}

/// The schema `id` of `realm`.
pub fn get(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<SchemaEntry>> {
    scoped(realm)
        .filter(schemas::id.eq(id.to_string()))
        .select(SchemaRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// The schema of `realm` named exactly `name`.
pub fn by_name(conn: &mut DbConnection, realm: RealmId, name: &str) -> QueryResult<Option<SchemaEntry>> {
    scoped(realm)
        .filter(schemas::name.eq(name))
        .select(SchemaRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// Which schemas a listing wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaFilter {
    /// All of the realm's.
    All,
    /// Exactly this name.
    Name(String),
    /// Names containing the text, ignoring case.
    NameContains(String),
}

/// One page of the schemas of `realm` matching `filter`.
pub fn page(
    conn: &mut DbConnection,
    realm: RealmId,
    filter: &SchemaFilter,
    request: &PageRequest,
) -> Result<Page<SchemaEntry>, CoreError> {
    let filtered = || match filter {
        SchemaFilter::All => scoped(realm),
        SchemaFilter::Name(name) => scoped(realm).filter(schemas::name.eq(name.clone())),
        SchemaFilter::NameContains(text) => scoped(realm).filter(contains(schemas::name, text)),
    };
    let total = filtered().count().get_result::<i64>(conn)?.max(0) as u64;
    let rows: Vec<SchemaRow> = SCHEMA_SORT.page(filtered(), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(SchemaRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}

/// Stores a version at entity version 0, after the schema's `existing` versions (the caller
/// holds the schema's row lock, so positions do not collide).
pub fn insert_version(
    conn: &mut DbConnection,
    realm: RealmId,
    version: &SchemaVersion,
    existing: usize,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    diesel::insert_into(versions::table)
        .values((
            versions::id.eq(version.id.to_string()),
            versions::realm_id.eq(realm),
            versions::schema_id.eq(version.schema.to_string()),
            versions::label.eq(&version.label),
            versions::body.eq(&version.body),
            versions::canonical.eq(version.canonical.as_deref()),
            versions::fingerprint.eq(version.fingerprint.as_deref()),
            versions::position.eq(i64::try_from(existing).unwrap_or(i64::MAX)),
            portico_core::created_columns!(versions, actor, now, 0_i64),
        ))
        .execute(conn)?;
    Ok(())
}

/// The version `id` of `realm`.
pub fn get_version(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<SchemaVersion>> {
    versions::table
        .filter(versions::realm_id.eq(realm))
        .filter(versions::id.eq(id.to_string()))
        .select(VersionRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// Every version of `schema`, in upload order.
pub fn versions_of(conn: &mut DbConnection, realm: RealmId, schema: Uuid) -> QueryResult<Vec<SchemaVersion>> {
    let rows: Vec<VersionRow> = versions::table
        .filter(versions::realm_id.eq(realm))
        .filter(versions::schema_id.eq(schema.to_string()))
        .order(versions::position.asc())
        .select(VersionRow::as_select())
        .load(conn)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// One page of the versions of `realm`.
pub fn version_page(
    conn: &mut DbConnection,
    realm: RealmId,
    request: &PageRequest,
) -> Result<Page<SchemaVersion>, CoreError> {
    let scoped = || versions::table.filter(versions::realm_id.eq(realm)).into_boxed();
    let total = scoped().count().get_result::<i64>(conn)?.max(0) as u64;
    let rows: Vec<VersionRow> = VERSION_SORT.page(scoped(), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(VersionRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}
