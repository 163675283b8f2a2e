//! Secret queries. Every one filters on the realm (the owner); values stay sealed here.

use super::schema::{flow_secret_versions, flow_secrets};
use crate::secrets::{SecretSummary, SecretType, SecretVersion};
use diesel::prelude::*;
use portico_core::db::UniqueDsl;
use portico_core::{DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;

#[derive(Queryable, Selectable)]
#[diesel(table_name = flow_secrets)]
struct SecretRow {
    secret_key: String,
    secret_type: String,
    description: Option<String>,
    expires_at: Option<PrimitiveDateTime>,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

impl From<SecretRow> for SecretSummary {
    fn from(row: SecretRow) -> Self {
        SecretSummary {
            key: row.secret_key,
            kind: SecretType::parse(&row.secret_type).unwrap_or(SecretType::Generic),
            description: row.description,
            version: row.version,
            expires_at: row.expires_at.map(Into::into),
            created_at: row.created_at.into(),
            created_by: row.created_by.unwrap_or_default(),
            updated_at: row.modified_at.into(),
            updated_by: row.modified_by.unwrap_or_default(),
        }
    }
}

/// The realm's secrets, by key.
pub fn list(conn: &mut DbConnection, realm: RealmId) -> QueryResult<Vec<SecretSummary>> {
    let rows: Vec<SecretRow> = flow_secrets::table
        .filter(flow_secrets::realm_id.eq(realm))
        .order(flow_secrets::secret_key.asc())
        .select(SecretRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One secret's metadata.
pub fn get(conn: &mut DbConnection, realm: RealmId, key: &str) -> QueryResult<Option<SecretSummary>> {
    let row: Option<SecretRow> = flow_secrets::table
        .filter(flow_secrets::realm_id.eq(realm))
        .filter(flow_secrets::secret_key.eq(key))
        .select(SecretRow::as_select())
        .unique(conn)?;
    Ok(row.map(Into::into))
}

/// The sealed value of `version`.
pub fn sealed(conn: &mut DbConnection, realm: RealmId, key: &str, version: i64) -> QueryResult<Option<String>> {
    flow_secret_versions::table
        .filter(flow_secret_versions::realm_id.eq(realm))
        .filter(flow_secret_versions::secret_key.eq(key))
        .filter(flow_secret_versions::version.eq(version))
        .select(flow_secret_versions::sealed_value)
        .unique(conn)
}

/// What a write stores besides the value.
pub struct SecretFields<'a> {
    /// The type.
    pub kind: SecretType,
    /// The description.
    pub description: Option<&'a str>,
    /// For certificates, the earliest expiry.
    pub expires_at: Option<Timestamp>,
}

/// Creates a secret at version 1.
pub fn insert(
    conn: &mut DbConnection,
    realm: RealmId,
    key: &str,
    fields: &SecretFields<'_>,
    sealed_value: &str,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    diesel::insert_into(flow_secrets::table)
        .values((
            flow_secrets::realm_id.eq(realm),
            flow_secrets::secret_key.eq(key),
            flow_secrets::secret_type.eq(fields.kind.as_str()),
            flow_secrets::description.eq(fields.description),
            flow_secrets::expires_at.eq(fields.expires_at.map(Timestamp::as_primitive)),
            portico_core::created_columns!(flow_secrets, Some(actor), now),
        ))
        .execute(conn)?;
    insert_version(conn, realm, key, 1, sealed_value, actor, now)
}

fn insert_version(
    conn: &mut DbConnection,
    realm: RealmId,
    key: &str,
    version: i64,
    sealed_value: &str,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    diesel::insert_into(flow_secret_versions::table)
        .values((
            flow_secret_versions::realm_id.eq(realm),
            flow_secret_versions::secret_key.eq(key),
            flow_secret_versions::version.eq(version),
            flow_secret_versions::sealed_value.eq(sealed_value),
            flow_secret_versions::created_at.eq(now.as_primitive()),
            flow_secret_versions::created_by.eq(actor),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes version `expected + 1` when the secret is at `expected`; returns whether it did.
#[expect(clippy::too_many_arguments, reason = "one row and its version row, written together")]
pub fn update(
    conn: &mut DbConnection,
    realm: RealmId,
    key: &str,
    expected: i64,
    fields: &SecretFields<'_>,
    sealed_value: &str,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let changed = diesel::update(
        flow_secrets::table
            .filter(flow_secrets::realm_id.eq(realm))
            .filter(flow_secrets::secret_key.eq(key))
            .filter(flow_secrets::version.eq(expected)),
    )
    .set((
        flow_secrets::description.eq(fields.description),
        flow_secrets::expires_at.eq(fields.expires_at.map(Timestamp::as_primitive)),
        portico_core::modified_columns!(flow_secrets, Some(actor), now, expected),
    ))
    .execute(conn)?;
    if changed == 1 {
        insert_version(conn, realm, key, expected + 1, sealed_value, actor, now)?;
    }
    Ok(changed == 1)
}

/// Removes a secret with every version; returns whether it existed.
pub fn delete(conn: &mut DbConnection, realm: RealmId, key: &str) -> QueryResult<bool> {
    diesel::delete(
        flow_secret_versions::table
            .filter(flow_secret_versions::realm_id.eq(realm))
            .filter(flow_secret_versions::secret_key.eq(key)),
    )
    .execute(conn)?;
    let removed = diesel::delete(
        flow_secrets::table.filter(flow_secrets::realm_id.eq(realm)).filter(flow_secrets::secret_key.eq(key)),
    )
    .execute(conn)?;
    Ok(removed == 1)
}

/// The versions of a secret, oldest first.
pub fn versions(conn: &mut DbConnection, realm: RealmId, key: &str) -> QueryResult<Vec<SecretVersion>> {
    let rows: Vec<(i64, PrimitiveDateTime, String)> = flow_secret_versions::table
        .filter(flow_secret_versions::realm_id.eq(realm))
        .filter(flow_secret_versions::secret_key.eq(key))
        .order(flow_secret_versions::version.asc())
        .select((flow_secret_versions::version, flow_secret_versions::created_at, flow_secret_versions::created_by))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(version, at, by)| SecretVersion { version, created_at: at.into(), created_by: by })
        .collect())
}
