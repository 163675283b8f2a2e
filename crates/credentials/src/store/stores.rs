//! Credential stores.

use super::schema::{credential_stores as stores, credentials};
use crate::model::{Stamp, Store, StoreQuery};
use diesel::prelude::*;
use portico_core::RealmId;
use portico_core::db::UniqueDsl;
use portico_core::db::text::contains;
use portico_core::{DbConnection, Timestamp};
use time::PrimitiveDateTime;

#[derive(Queryable, Selectable)]
#[diesel(table_name = stores)]
struct StoreRow {
    id: i64,
    name: String,
    description: Option<String>,
    provider_id: i64,
    active: bool,
    builtin: bool,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

impl From<StoreRow> for Store {
    fn from(row: StoreRow) -> Self {
        Store {
            id: row.id,
            name: row.name,
            description: row.description,
            provider_id: row.provider_id,
            active: row.active,
            builtin: row.builtin,
            version: row.version,
            stamp: Stamp::from_columns(row.created_at, row.created_by, row.modified_at, row.modified_by),
        }
    }
}

/// The columns a store write sets (insert and update alike).
#[derive(Debug, Clone, Copy, Insertable, AsChangeset)]
#[diesel(table_name = stores, treat_none_as_null = true)]
pub struct StoreFields<'a> {
    /// Name.
    pub name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Provider.
    pub provider_id: i64,
    /// Active.
    pub active: bool,
}

/// Creates a store; returns its id.
pub fn insert(
    conn: &mut DbConnection,
    realm: RealmId,
    fields: StoreFields<'_>,
    builtin: bool,
    actor: Option<&str>,
    now: Timestamp,
) -> QueryResult<i64> {
    diesel::insert_into(stores::table)
        .values((
            fields,
            stores::realm_id.eq(realm),
            stores::builtin.eq(builtin),
            portico_core::created_columns!(stores, actor, now),
        ))
        .returning(stores::id)
        .get_result(conn)
}

/// The store `id` of `realm`.
pub fn get(conn: &mut DbConnection, realm: RealmId, id: i64) -> QueryResult<Option<Store>> {
    stores::table
        .filter(stores::realm_id.eq(realm))
        .filter(stores::id.eq(id))
        .select(StoreRow::as_select())
        .unique(conn)
        .map(|row| row.map(Into::into))
}

/// The stores of `realm` matching `query`, by id.
pub fn list(conn: &mut DbConnection, realm: RealmId, query: &StoreQuery) -> QueryResult<Vec<Store>> {
    let mut select = stores::table.filter(stores::realm_id.eq(realm)).into_boxed();
    if let Some(id) = query.id {
        select = select.filter(stores::id.eq(id));
    }
    if let Some(name) = &query.name {
        select = select.filter(contains(stores::name, name));
    }
    if let Some(provider) = query.provider_id {
        select = select.filter(stores::provider_id.eq(provider));
    }
    let rows: Vec<StoreRow> = select.order(stores::id.asc()).select(StoreRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Whether another store of `realm` is named `name`.
pub fn name_taken(conn: &mut DbConnection, realm: RealmId, name: &str, except: Option<i64>) -> QueryResult<bool> {
    let ids: Vec<i64> =
        stores::table.filter(stores::realm_id.eq(realm)).filter(stores::name.eq(name)).select(stores::id).load(conn)?;
    Ok(ids.iter().any(|id| Some(*id) != except))
}

/// Writes the store when its version is `expected`; returns whether it changed.
pub fn update(
    conn: &mut DbConnection,
    realm: RealmId,
    id: i64,
    expected: i64,
    fields: StoreFields<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let changed = diesel::update(
        stores::table.filter(stores::realm_id.eq(realm)).filter(stores::id.eq(id)).filter(stores::version.eq(expected)),
    )
    .set((fields, portico_core::modified_columns!(stores, actor, now, expected)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// How many credentials live in the store.
pub fn credential_count(conn: &mut DbConnection, realm: RealmId, id: i64) -> QueryResult<i64> {
    credentials::table
        .filter(credentials::realm_id.eq(realm))
        .filter(credentials::store_id.eq(id))
        .count()
        .get_result(conn)
}
