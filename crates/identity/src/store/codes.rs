//! One-time authorization codes (RFC 6749 §4.1, RFC 7636): only their SHA-256 is stored.

use super::schema::authorization_codes;
use diesel::prelude::*;
use portico_core::db::UniqueDsl;
use portico_core::{DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;

/// A stored authorization code.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = authorization_codes)]
pub struct CodeRow {
    /// SHA-256 of the code, hex.
    pub code_hash: String,
    /// Realm.
    pub realm_id: RealmId,
    /// The client the code was issued to.
    pub client_id: String,
    /// The user who signed in.
    pub user_id: String,
    /// The redirect URI it was sent to (the exchange must name the same).
    pub redirect_uri: String,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// The scope granted.
    pub scope: String,
    /// The client's `nonce`, echoed in the ID token.
    pub nonce: Option<String>,
    /// The session (refresh-token family, `sid`) the exchange starts.
    pub session_id: String,
    /// When the user signed in.
    pub auth_time: PrimitiveDateTime,
    /// Expiry.
    pub expires_at: PrimitiveDateTime,
    /// When it was exchanged.
    pub used_at: Option<PrimitiveDateTime>,
}

/// Stores a new code.
pub fn insert(conn: &mut DbConnection, row: &CodeRow) -> QueryResult<()> {
    diesel::insert_into(authorization_codes::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// The code with `hash` in `realm`.
pub fn find(conn: &mut DbConnection, realm: RealmId, hash: &str) -> QueryResult<Option<CodeRow>> {
    authorization_codes::table
        .find(hash)
        .filter(authorization_codes::realm_id.eq(realm))
        .select(CodeRow::as_select())
        .unique(conn)
}

/// Marks a code used if it was not yet; returns whether this call spent it (exactly one
/// exchange of a code ever succeeds, across replicas).
pub fn spend(conn: &mut DbConnection, realm: RealmId, hash: &str, now: Timestamp) -> QueryResult<bool> {
    let updated = diesel::update(
        authorization_codes::table
            .find(hash)
            .filter(authorization_codes::realm_id.eq(realm))
            .filter(authorization_codes::used_at.is_null()),
    )
    .set(authorization_codes::used_at.eq(now.as_primitive()))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Forgets codes that expired before `now`.
pub fn purge_expired(conn: &mut DbConnection, now: Timestamp) -> QueryResult<usize> {
    diesel::delete(authorization_codes::table.filter(authorization_codes::expires_at.lt(now.as_primitive())))
        .execute(conn)
}
