//! Confidentiality and integrity levels: one table, every query filtered on realm and kind.

use super::schema::catalog_levels as levels;
use crate::model::{Level, LevelKind};
use diesel::prelude::*;
use portico_core::audit::Stamp;
use portico_core::db::{DbBackend, UniqueDsl, counters};
use portico_core::page::{Page, PageRequest};
use portico_core::{CoreError, DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;
use uuid::Uuid;

portico_core::sort_map! {
    /// How levels sort (Axual property names → columns).
    pub static LEVEL_SORT: levels::table {
        "level" => levels::level,
        "description" => levels::description,
        "color" => levels::color,
        "uid" => levels::id,
        "created_at" => levels::created_at,
        "modified_at" => levels::modified_at,
    }
    default levels::created_at, key levels::id
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = levels)]
struct LevelRow {
    id: String,
    kind: String,
    level: String,
    description: Option<String>,
    color: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

impl TryFrom<LevelRow> for Level {
    type Error = diesel::result::Error;

    fn try_from(row: LevelRow) -> QueryResult<Level> {
        let kind = LevelKind::from_stored(&row.kind).ok_or_else(|| {
            diesel::result::Error::DeserializationError(format!("'{}' is not a level kind", row.kind).into())
        })?;
        Ok(Level {
            id: super::uuid(&row.id)?,
            kind,
            level: row.level,
            description: row.description,
            color: row.color,
            stamp: Stamp::from_columns(row.created_at, row.created_by, row.modified_at, row.modified_by),
            version: row.version,
        })
    }
}

/// The columns a level write sets (insert and update alike).
#[derive(Debug, Clone, Copy, Insertable, AsChangeset)]
#[diesel(table_name = levels, treat_none_as_null = true)]
pub struct LevelFields<'a> {
    /// Name (lower case).
    pub level: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Colour.
    pub color: Option<&'a str>,
}

/// The counter of a realm's levels of `kind`.
fn counter(kind: LevelKind) -> &'static str {
    kind.rel()
}

fn scoped<'a>(realm: RealmId, kind: LevelKind) -> levels::BoxedQuery<'a, DbBackend> {
    levels::table.filter(levels::realm_id.eq(realm)).filter(levels::kind.eq(kind.as_str())).into_boxed()
}

/// Creates a level at version 0 (Axual's first ETag) and counts it.
pub fn insert(
    conn: &mut DbConnection,
    realm: RealmId,
    kind: LevelKind,
    id: Uuid,
    fields: LevelFields<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    diesel::insert_into(levels::table)
        .values((
            fields,
            levels::id.eq(id.to_string()),
            levels::realm_id.eq(realm),
            levels::kind.eq(kind.as_str()),
            portico_core::created_columns!(levels, actor, now, 0_i64),
        ))
        .execute(conn)?;
    counters::adjust(conn, realm, counter(kind), 1)
}

/// The level `id` of `realm` and `kind`.
pub fn get(conn: &mut DbConnection, realm: RealmId, kind: LevelKind, id: Uuid) -> QueryResult<Option<Level>> {
    scoped(realm, kind)
        .filter(levels::id.eq(id.to_string()))
        .select(LevelRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// Whether another level of `realm` and `kind` is named `level`.
pub fn name_taken(
    conn: &mut DbConnection,
    realm: RealmId,
    kind: LevelKind,
    level: &str,
    except: Option<Uuid>,
) -> QueryResult<bool> {
    let ids: Vec<String> = scoped(realm, kind).filter(levels::level.eq(level)).select(levels::id).load(conn)?;
    Ok(ids.iter().any(|id| except.is_none_or(|except| except.to_string() != *id)))
}

/// One page of the levels of `realm` and `kind`.
pub fn page(
    conn: &mut DbConnection,
    realm: RealmId,
    kind: LevelKind,
    request: &PageRequest,
) -> Result<Page<Level>, CoreError> {
    let total = counters::get(conn, realm, counter(kind))?;
    let rows: Vec<LevelRow> = LEVEL_SORT.page(scoped(realm, kind), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(LevelRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}

/// Writes the level when its version is `expected`; returns whether it changed.
#[expect(clippy::too_many_arguments, reason = "the row's key, its version, the fields and the audit columns")]
pub fn update(
    conn: &mut DbConnection,
    realm: RealmId,
    kind: LevelKind,
    id: Uuid,
    expected: i64,
    fields: LevelFields<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let changed = diesel::update(
        levels::table
            .filter(levels::realm_id.eq(realm))
            .filter(levels::kind.eq(kind.as_str()))
            .filter(levels::id.eq(id.to_string()))
            .filter(levels::version.eq(expected)),
    )
    .set((fields, portico_core::modified_columns!(levels, actor, now, expected)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Deletes the level; returns whether it existed.
pub fn delete(conn: &mut DbConnection, realm: RealmId, kind: LevelKind, id: Uuid) -> QueryResult<bool> {
    let deleted = diesel::delete(
        levels::table
            .filter(levels::realm_id.eq(realm))
            .filter(levels::kind.eq(kind.as_str()))
            .filter(levels::id.eq(id.to_string())),
    )
    .execute(conn)?;
    if deleted == 1 {
        counters::adjust(conn, realm, counter(kind), -1)?;
    }
    Ok(deleted == 1)
}
