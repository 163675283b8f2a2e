//! Credential store providers and their input definitions.

use super::schema::{credential_inputs, credential_store_input_defs as defs, credential_store_providers as providers};
use crate::model::{InputDef, Provider, ProviderQuery, Stamp};
use diesel::prelude::*;
use portico_core::RealmId;
use portico_core::db::text::contains;
use portico_core::{DbConnection, Timestamp};
use time::PrimitiveDateTime;

#[derive(Queryable, Selectable)]
#[diesel(table_name = providers)]
struct ProviderRow {
    id: i64,
    name: String,
    description: Option<String>,
    active: bool,
    builtin: bool,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = defs)]
struct InputDefRow {
    id: i64,
    provider_id: i64,
    name: String,
    description: Option<String>,
    required: bool,
    secret: bool,
    display_order: i64,
    version: i64,
}

impl From<&InputDefRow> for InputDef {
    fn from(row: &InputDefRow) -> Self {
        InputDef {
            id: row.id,
            name: row.name.clone(),
            description: row.description.clone(),
            required: row.required,
            secret: row.secret,
            display_order: row.display_order,
            version: row.version,
        }
    }
}

fn with_defs(conn: &mut DbConnection, realm: RealmId, rows: Vec<ProviderRow>) -> QueryResult<Vec<Provider>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let all: Vec<InputDefRow> = defs::table
        .filter(defs::realm_id.eq(realm))
        .filter(defs::provider_id.eq_any(&ids))
        .order((defs::display_order.asc(), defs::id.asc()))
        .select(InputDefRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| Provider {
            id: row.id,
            name: row.name,
            description: row.description,
            active: row.active,
            builtin: row.builtin,
            input_defs: all.iter().filter(|d| d.provider_id == row.id).map(InputDef::from).collect(),
            version: row.version,
            stamp: Stamp::from_columns(row.created_at, row.created_by, row.modified_at, row.modified_by),
        })
        .collect())
}

/// The columns a provider write sets (insert and update alike).
#[derive(Debug, Clone, Copy, Insertable, AsChangeset)]
#[diesel(table_name = providers, treat_none_as_null = true)]
pub struct ProviderFields<'a> {
    /// Name.
    pub name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Active.
    pub active: bool,
}

/// The columns an input definition write sets (insert and update alike).
#[derive(Debug, Clone, Copy, Insertable, AsChangeset)]
#[diesel(table_name = defs, treat_none_as_null = true)]
pub struct InputDefFields<'a> {
    /// Name.
    pub name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Whether credentials must carry a value.
    pub required: bool,
    /// Whether the value is secret.
    pub secret: bool,
    /// Position in the provider's list.
    pub display_order: i64,
}

/// Creates a provider (without definitions); returns its id.
pub fn insert(
    conn: &mut DbConnection,
    realm: RealmId,
    fields: ProviderFields<'_>,
    builtin: bool,
    actor: Option<&str>,
    now: Timestamp,
) -> QueryResult<i64> {
    diesel::insert_into(providers::table)
        .values((
            fields,
            providers::realm_id.eq(realm),
            providers::builtin.eq(builtin),
            portico_core::created_columns!(providers, actor, now),
        ))
        .returning(providers::id)
        .get_result(conn)
}

/// Adds an input definition; returns its id.
pub fn insert_def(
    conn: &mut DbConnection,
    realm: RealmId,
    provider: i64,
    fields: InputDefFields<'_>,
) -> QueryResult<i64> {
    diesel::insert_into(defs::table)
        .values((fields, defs::realm_id.eq(realm), defs::provider_id.eq(provider), defs::version.eq(1_i64)))
        .returning(defs::id)
        .get_result(conn)
}

/// Changes an input definition of `provider`, bumping its version.
pub fn update_def(
    conn: &mut DbConnection,
    realm: RealmId,
    provider: i64,
    id: i64,
    fields: InputDefFields<'_>,
) -> QueryResult<()> {
    diesel::update(
        defs::table.filter(defs::realm_id.eq(realm)).filter(defs::provider_id.eq(provider)).filter(defs::id.eq(id)),
    )
    .set((fields, defs::version.eq(defs::version + 1)))
    .execute(conn)?;
    Ok(())
}

/// Removes an input definition.
pub fn delete_def(conn: &mut DbConnection, realm: RealmId, id: i64) -> QueryResult<()> {
    diesel::delete(defs::table.filter(defs::realm_id.eq(realm)).filter(defs::id.eq(id))).execute(conn)?;
    Ok(())
}

/// Whether any credential has a value for the definition.
pub fn def_in_use(conn: &mut DbConnection, realm: RealmId, id: i64) -> QueryResult<bool> {
    let used: i64 = credential_inputs::table
        .filter(credential_inputs::realm_id.eq(realm))
        .filter(credential_inputs::input_def_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(used > 0)
}

/// The provider `id` of `realm` with its definitions.
pub fn get(conn: &mut DbConnection, realm: RealmId, id: i64) -> QueryResult<Option<Provider>> {
    let rows: Vec<ProviderRow> = providers::table
        .filter(providers::realm_id.eq(realm))
        .filter(providers::id.eq(id))
        .select(ProviderRow::as_select())
        .load(conn)?;
    Ok(with_defs(conn, realm, rows)?.pop())
}

/// The providers of `realm` matching `query`, by id.
pub fn list(conn: &mut DbConnection, realm: RealmId, query: &ProviderQuery) -> QueryResult<Vec<Provider>> {
    let mut select = providers::table.filter(providers::realm_id.eq(realm)).into_boxed();
    if let Some(id) = query.id {
        select = select.filter(providers::id.eq(id));
    }
    if let Some(name) = &query.name {
        select = select.filter(contains(providers::name, name));
    }
    let rows: Vec<ProviderRow> = select.order(providers::id.asc()).select(ProviderRow::as_select()).load(conn)?;
    with_defs(conn, realm, rows)
}

/// Whether another provider of `realm` is named `name`.
pub fn name_taken(conn: &mut DbConnection, realm: RealmId, name: &str, except: Option<i64>) -> QueryResult<bool> {
    let ids: Vec<i64> = providers::table
        .filter(providers::realm_id.eq(realm))
        .filter(providers::name.eq(name))
        .select(providers::id)
        .load(conn)?;
    Ok(ids.iter().any(|id| Some(*id) != except))
}

/// Writes the provider's own fields when its version is `expected`; returns whether it changed.
pub fn update(
    conn: &mut DbConnection,
    realm: RealmId,
    id: i64,
    expected: i64,
    fields: ProviderFields<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let changed = diesel::update(
        providers::table
            .filter(providers::realm_id.eq(realm))
            .filter(providers::id.eq(id))
            .filter(providers::version.eq(expected)),
    )
    .set((fields, portico_core::modified_columns!(providers, actor, now, expected)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The realm's built-in provider, if created.
pub fn builtin(conn: &mut DbConnection, realm: RealmId) -> QueryResult<Option<i64>> {
    providers::table
        .filter(providers::realm_id.eq(realm))
        .filter(providers::builtin.eq(true))
        .select(providers::id)
        .first(conn)
        .optional()
}
