//! Revoked access tokens and rotating refresh tokens.

use super::schema::{refresh_tokens, revoked_tokens};
use diesel::prelude::*;
use portico_core::RealmId;
use portico_core::db::UniqueDsl;
use portico_core::{DbConnection, Timestamp};
use time::PrimitiveDateTime;

/// Records that the access token `jti` is revoked until it would have expired.
pub fn revoke_access(conn: &mut DbConnection, jti: &str, realm: RealmId, expires_at: Timestamp) -> QueryResult<()> {
    let exists: Option<String> = revoked_tokens::table.find(jti).select(revoked_tokens::jti).unique(conn)?;
    if exists.is_none() {
        diesel::insert_into(revoked_tokens::table)
            .values((
                revoked_tokens::jti.eq(jti),
                revoked_tokens::realm_id.eq(realm),
                revoked_tokens::expires_at.eq(expires_at.as_primitive()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Who a bearer token was issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// A user, by id.
    User(&'a str),
    /// A client, by `client_id`.
    Client(&'a str),
}

/// What every bearer request checks, in one round trip: the subject's current version (`None`:
/// it no longer exists) and whether the token `jti` or its session `sid` is revoked.
pub fn subject_state(
    conn: &mut DbConnection,
    subject: Subject<'_>,
    realm: RealmId,
    jti: &str,
    sid: Option<&str>,
) -> QueryResult<(Option<i64>, bool)> {
    #[derive(QueryableByName)]
    struct State {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        version: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        revoked: bool,
    }
    let (sql, key) = match subject {
        Subject::User(id) => (
            "SELECT (SELECT version FROM users WHERE id = $1 AND realm_id = $2) AS version, \
             EXISTS (SELECT 1 FROM revoked_tokens WHERE jti IN ($3, $4)) AS revoked",
            id,
        ),
        Subject::Client(client_id) => (
            "SELECT (SELECT version FROM clients WHERE client_id = $1 AND realm_id = $2) AS version, \
             EXISTS (SELECT 1 FROM revoked_tokens WHERE jti IN ($3, $4)) AS revoked",
            client_id,
        ),
    };
    let state: State = diesel::sql_query(sql)
        .bind::<diesel::sql_types::Text, _>(key)
        .bind::<diesel::sql_types::Text, _>(realm)
        .bind::<diesel::sql_types::Text, _>(jti)
        .bind::<diesel::sql_types::Text, _>(sid.unwrap_or(jti))
        .get_result(conn)?;
    Ok((state.version, state.revoked))
}

/// Whether the access token `jti`, or the session `sid` it belongs to, is revoked. Revoked
/// sessions are kept beside revoked tokens under their id (both are random UUIDs).
pub fn is_revoked(conn: &mut DbConnection, jti: &str, sid: Option<&str>) -> QueryResult<bool> {
    let ids = [jti, sid.unwrap_or(jti)];
    let found: Option<String> = revoked_tokens::table
        .filter(revoked_tokens::jti.eq_any(ids))
        .select(revoked_tokens::jti)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Ends the session `sid` (a refresh-token family): its refresh tokens are deleted and every
/// access token carrying it is refused until `until` (when the last of them expires anyway).
pub fn end_session(conn: &mut DbConnection, sid: &str, realm: RealmId, until: Timestamp) -> QueryResult<()> {
    revoke_family(conn, sid)?;
    revoke_access(conn, sid, realm, until)
}

/// Forgets revocations of tokens that have expired anyway.
pub fn purge_expired(conn: &mut DbConnection, now: Timestamp) -> QueryResult<usize> {
    diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.lt(now.as_primitive()))).execute(conn)?;
    super::codes::purge_expired(conn, now)?;
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(now.as_primitive()))).execute(conn)
}

/// A stored refresh token (only its hash).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Realm.
    pub realm_id: RealmId,
    /// All tokens rotated from one login share a family; reuse of a spent token ends the family.
    pub family_id: String,
    /// The user.
    pub user_id: String,
    /// The client the token was issued to.
    pub client_id: Option<String>,
    /// Granted scope.
    pub scope: String,
    /// Issued at.
    pub created_at: PrimitiveDateTime,
    /// Expires at.
    pub expires_at: PrimitiveDateTime,
    /// When it was exchanged for a new one.
    pub used_at: Option<PrimitiveDateTime>,
}

/// Stores a refresh token.
pub fn insert_refresh(conn: &mut DbConnection, row: &RefreshTokenRow) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// The refresh token with `hash`.
pub fn refresh_by_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table.find(hash).select(RefreshTokenRow::as_select()).unique(conn)
}

/// Marks a refresh token spent if it was not yet; returns whether this call spent it.
pub fn spend_refresh(conn: &mut DbConnection, hash: &str, now: Timestamp) -> QueryResult<bool> {
    let updated = diesel::update(refresh_tokens::table.find(hash).filter(refresh_tokens::used_at.is_null()))
        .set(refresh_tokens::used_at.eq(now.as_primitive()))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Ends a whole refresh-token family (logout, revocation, or reuse of a spent token).
pub fn revoke_family(conn: &mut DbConnection, family: &str) -> QueryResult<usize> {
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family))).execute(conn)
}
