//! Per-realm resource counters: the totals of unfiltered listings, kept in the same
//! transaction as the insert or delete they count, so a page never counts a whole table.

use super::DbConnection;
use super::UniqueDsl;
use crate::RealmId;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

diesel::table! {
    /// Running totals per realm and resource kind.
    resource_counts (realm_id, resource) {
        /// The realm.
        realm_id -> Text,
        /// Resource kind, e.g. `users`, `credentials`.
        resource -> Text,
        /// How many exist.
        n -> BigInt,
    }
}

/// Adds `delta` (may be negative) to the counter of `resource` in `realm`.
pub fn adjust(conn: &mut DbConnection, realm: RealmId, resource: &str, delta: i64) -> QueryResult<()> {
    // Same upsert syntax on SQLite (3.24+) and PostgreSQL; MultiConnection has no on_conflict DSL.
    diesel::sql_query(
        "INSERT INTO resource_counts (realm_id, resource, n) VALUES ($1, $2, $3) \
         ON CONFLICT (realm_id, resource) DO UPDATE SET n = resource_counts.n + excluded.n",
    )
    .bind::<Text, _>(realm)
    .bind::<Text, _>(resource)
    .bind::<BigInt, _>(delta)
    .execute(conn)?;
    Ok(())
}

/// The number of `resource` in `realm`.
pub fn get(conn: &mut DbConnection, realm: RealmId, resource: &str) -> QueryResult<u64> {
    let n: Option<i64> = resource_counts::table
        .filter(resource_counts::realm_id.eq(realm))
        .filter(resource_counts::resource.eq(resource))
        .select(resource_counts::n)
        .unique(conn)?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// Forgets every counter of `realm` (the realm is being deleted).
pub fn clear_realm(conn: &mut DbConnection, realm: RealmId) -> QueryResult<()> {
    diesel::delete(resource_counts::table.filter(resource_counts::realm_id.eq(realm))).execute(conn)?;
    Ok(())
}
