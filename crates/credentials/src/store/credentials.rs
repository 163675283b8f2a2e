//! Credentials and their sealed input values.

use super::schema::{credential_inputs as inputs, credential_store_input_defs as defs, credentials};
use crate::model::{CredentialScope, Stamp};
use diesel::prelude::*;
use portico_core::RealmId;
use portico_core::db::text::contains;
use portico_core::{DbConnection, Timestamp};
use time::PrimitiveDateTime;

/// A stored credential; input values still sealed.
#[derive(Debug, Clone)]
pub struct CredentialRecord {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Active.
    pub active: bool,
    /// Scope.
    pub scope: CredentialScope,
    /// Store.
    pub store_id: i64,
    /// Inputs: definition, sealed value, version.
    pub inputs: Vec<SealedInput>,
    /// Version.
    pub version: i64,
    /// Audit fields.
    pub stamp: Stamp,
}

/// A stored input value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedInput {
    /// Definition.
    pub def_id: i64,
    /// Sealed value.
    pub sealed: String,
    /// Version.
    pub version: i64,
    /// Whether its definition marks it secret (a value without a definition counts as secret).
    pub secret: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = credentials)]
struct CredentialRow {
    id: i64,
    name: String,
    active: bool,
    scope: String,
    store_id: i64,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

/// A stored scope; an unknown one is a corrupt row and fails the query (never a guess).
fn scope_of(text: &str) -> QueryResult<CredentialScope> {
    CredentialScope::parse("credentialScope", text).map_err(|_| {
        diesel::result::Error::DeserializationError(format!("unknown credential scope '{text}' in the database").into())
    })
}

fn with_inputs(
    conn: &mut DbConnection,
    realm: RealmId,
    rows: Vec<CredentialRow>,
) -> QueryResult<Vec<CredentialRecord>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    // Each value with its definition's `secret` flag, in the same statement: reading a
    // credential needs nothing else of its store or provider.
    let joined = inputs::table
        .left_join(defs::table.on(defs::id.eq(inputs::input_def_id).and(defs::realm_id.eq(inputs::realm_id))))
        .filter(inputs::realm_id.eq(realm))
        .order((inputs::credential_id.asc(), inputs::input_def_id.asc()))
        .select((inputs::credential_id, inputs::input_def_id, inputs::value, inputs::version, defs::secret.nullable()));
    // One credential (the common read) is a statement the connection keeps prepared; a list of
    // ids (`IN (...)` of varying length) cannot be.
    let all: Vec<(i64, i64, String, i64, Option<bool>)> = match ids.as_slice() {
        [id] => joined.filter(inputs::credential_id.eq(id)).load(conn)?,
        _ => joined.filter(inputs::credential_id.eq_any(&ids)).load(conn)?,
    };
    rows.into_iter()
        .map(|row| {
            let values = all
                .iter()
                .filter(|(credential, ..)| *credential == row.id)
                .map(|(_, def_id, sealed, version, secret)| SealedInput {
                    def_id: *def_id,
                    sealed: sealed.clone(),
                    version: *version,
                    secret: secret.unwrap_or(true),
                })
                .collect();
            record(row, values)
        })
        .collect()
}

/// A credential row with its values.
fn record(row: CredentialRow, inputs: Vec<SealedInput>) -> QueryResult<CredentialRecord> {
    Ok(CredentialRecord {
        inputs,
        id: row.id,
        name: row.name,
        active: row.active,
        scope: scope_of(&row.scope)?,
        store_id: row.store_id,
        version: row.version,
        stamp: Stamp::from_columns(row.created_at, row.created_by, row.modified_at, row.modified_by),
    })
}

/// The fields of a credential write.
#[derive(Debug, Clone, Copy)]
pub struct CredentialFields<'a> {
    /// Name.
    pub name: &'a str,
    /// Active.
    pub active: bool,
    /// Scope.
    pub scope: CredentialScope,
    /// Store.
    pub store_id: i64,
}

/// The columns a credential write sets (insert and update alike).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = credentials)]
struct CredentialColumns<'a> {
    name: &'a str,
    active: bool,
    scope: &'static str,
    store_id: i64,
}

impl<'a> From<CredentialFields<'a>> for CredentialColumns<'a> {
    fn from(fields: CredentialFields<'a>) -> Self {
        CredentialColumns {
            name: fields.name,
            active: fields.active,
            scope: fields.scope.as_str(),
            store_id: fields.store_id,
        }
    }
}

/// Creates a credential (without inputs); returns its id.
pub fn insert(
    conn: &mut DbConnection,
    realm: RealmId,
    fields: CredentialFields<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<i64> {
    diesel::insert_into(credentials::table)
        .values((
            CredentialColumns::from(fields),
            credentials::realm_id.eq(realm),
            portico_core::created_columns!(credentials, actor, now),
        ))
        .returning(credentials::id)
        .get_result(conn)
}

/// Writes the credential's own fields when its version is `expected`; returns whether it changed.
pub fn update(
    conn: &mut DbConnection,
    realm: RealmId,
    id: i64,
    expected: i64,
    fields: CredentialFields<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let changed = diesel::update(
        credentials::table
            .filter(credentials::realm_id.eq(realm))
            .filter(credentials::id.eq(id))
            .filter(credentials::version.eq(expected)),
    )
    .set((CredentialColumns::from(fields), portico_core::modified_columns!(credentials, actor, now, expected)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Stores an input value (sealed) with its version, replacing any previous one.
pub fn put_input(conn: &mut DbConnection, realm: RealmId, credential: i64, input: &SealedInput) -> QueryResult<()> {
    let target = inputs::table
        .filter(inputs::realm_id.eq(realm))
        .filter(inputs::credential_id.eq(credential))
        .filter(inputs::input_def_id.eq(input.def_id));
    let updated = diesel::update(target)
        .set((inputs::value.eq(&input.sealed), inputs::version.eq(input.version)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(inputs::table)
            .values((
                inputs::credential_id.eq(credential),
                inputs::input_def_id.eq(input.def_id),
                inputs::realm_id.eq(realm),
                inputs::value.eq(&input.sealed),
                inputs::version.eq(input.version),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes an input value.
pub fn remove_input(conn: &mut DbConnection, realm: RealmId, credential: i64, def_id: i64) -> QueryResult<()> {
    diesel::delete(
        inputs::table
            .filter(inputs::realm_id.eq(realm))
            .filter(inputs::credential_id.eq(credential))
            .filter(inputs::input_def_id.eq(def_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// The credential `id` of `realm` with its values and their definitions' secret flags: one
/// statement (a row per value).
pub fn get(conn: &mut DbConnection, realm: RealmId, id: i64) -> QueryResult<Option<CredentialRecord>> {
    type Value = (i64, String, i64, Option<bool>);
    // On every credential read: straight to the backend (see `on_backend!`).
    let rows: Vec<(CredentialRow, Option<Value>)> = portico_core::on_backend!(conn, |c| credentials::table
        .left_join(
            inputs::table.on(inputs::credential_id.eq(credentials::id).and(inputs::realm_id.eq(credentials::realm_id))),
        )
        .left_join(defs::table.on(defs::id.eq(inputs::input_def_id).and(defs::realm_id.eq(inputs::realm_id))))
        .filter(credentials::realm_id.eq(realm))
        .filter(credentials::id.eq(id))
        .order(inputs::input_def_id.asc())
        .select((
            CredentialRow::as_select(),
            (inputs::input_def_id, inputs::value, inputs::version, defs::secret.nullable()).nullable(),
        ))
        .load(c))?;
    let mut values = Vec::with_capacity(rows.len());
    let mut credential = None;
    for (row, value) in rows {
        if let Some((def_id, sealed, version, secret)) = value {
            values.push(SealedInput { def_id, sealed, version, secret: secret.unwrap_or(true) });
        }
        credential.get_or_insert(row);
    }
    credential.map(|row| record(row, values)).transpose()
}

/// The credentials of `realm` matching every given criterion, by id.
pub fn list(
    conn: &mut DbConnection,
    realm: RealmId,
    id: Option<i64>,
    name: Option<&str>,
    scope: Option<CredentialScope>,
    store: Option<i64>,
) -> QueryResult<Vec<CredentialRecord>> {
    let mut select = credentials::table.filter(credentials::realm_id.eq(realm)).into_boxed();
    if let Some(id) = id {
        select = select.filter(credentials::id.eq(id));
    }
    if let Some(name) = name {
        select = select.filter(contains(credentials::name, name));
    }
    if let Some(scope) = scope {
        select = select.filter(credentials::scope.eq(scope.as_str()));
    }
    if let Some(store) = store {
        select = select.filter(credentials::store_id.eq(store));
    }
    let rows: Vec<CredentialRow> = select.order(credentials::id.asc()).select(CredentialRow::as_select()).load(conn)?;
    with_inputs(conn, realm, rows)
}

/// Whether another credential of `realm` is named `name`.
pub fn name_taken(conn: &mut DbConnection, realm: RealmId, name: &str, except: Option<i64>) -> QueryResult<bool> {
    let ids: Vec<i64> = credentials::table
        .filter(credentials::realm_id.eq(realm))
        .filter(credentials::name.eq(name))
        .select(credentials::id)
        .load(conn)?;
    Ok(ids.iter().any(|id| Some(*id) != except))
}
