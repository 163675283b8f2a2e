//! Signing keys: the private key sealed at rest, the public JWK in clear.

use super::schema::signing_keys;
use diesel::prelude::*;
use portico_core::{DbConnection, Timestamp};
use time::PrimitiveDateTime;

/// A stored signing key.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    /// Key id (JWK SHA-256 thumbprint; never reused).
    pub kid: String,
    /// JWS algorithm, `ES256`.
    pub algorithm: String,
    /// The PKCS#8 private key, sealed.
    pub private_key: String,
    /// The public JWK (JSON).
    pub public_jwk: String,
    /// When it was made.
    pub created_at: PrimitiveDateTime,
    /// When it stopped signing (rotated out).
    pub retired_at: Option<PrimitiveDateTime>,
    /// When it leaves the JWKS (no token it signed is still valid).
    pub expires_at: Option<PrimitiveDateTime>,
}

/// Stores a new key.
pub fn insert(conn: &mut DbConnection, row: &SigningKeyRow) -> QueryResult<()> {
    diesel::insert_into(signing_keys::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// Keys still published at `now`, newest first.
pub fn published(conn: &mut DbConnection, now: Timestamp) -> QueryResult<Vec<SigningKeyRow>> {
    signing_keys::table
        .filter(signing_keys::expires_at.is_null().or(signing_keys::expires_at.gt(now.as_primitive())))
        .order((signing_keys::created_at.desc(), signing_keys::kid.desc()))
        .select(SigningKeyRow::as_select())
        .load(conn)
}

/// Retires every key still signing except `keep`: they stop signing now and leave the JWKS at `expires`.
pub fn retire_all_except(
    conn: &mut DbConnection,
    keep: &str,
    now: Timestamp,
    expires: Timestamp,
) -> QueryResult<usize> {
    diesel::update(signing_keys::table.filter(signing_keys::kid.ne(keep)).filter(signing_keys::retired_at.is_null()))
        .set((signing_keys::retired_at.eq(now.as_primitive()), signing_keys::expires_at.eq(expires.as_primitive())))
        .execute(conn)
}
