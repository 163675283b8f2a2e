//! What the listing benches share: timing, raw SQL for bulk fills, realms made by SQL, and a
//! caller of one realm.

use diesel::RunQueryDsl;
use portico_core::context::{Principal, PrincipalKind};
use portico_core::db::{DbConnection, DbError};
use portico_core::{RealmRef, RequestContext};
use std::time::{Duration, Instant};

/// The p50 of `runs` runs of `work`, and what its last run returned.
pub fn time(runs: usize, mut work: impl FnMut() -> u64) -> (Duration, u64) {
    let mut samples: Vec<Duration> = Vec::with_capacity(runs);
    let mut found = 0;
    for _ in 0..runs {
        let started = Instant::now();
        found = work();
        samples.push(started.elapsed());
    }
    samples.sort();
    (samples[samples.len() / 2], found)
}

/// Runs one statement, panicking with it when it fails.
pub fn sql(conn: &mut DbConnection, statement: &str) {
    diesel::sql_query(statement).execute(conn).unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// The id of bench realm `tag`.
pub fn realm_id(tag: u32) -> String {
    format!("00000000-0000-4000-a000-{tag:012}")
}

/// The bench environment every bench realm belongs to.
pub fn insert_environment(db: &portico_core::Database) {
    db.write(|conn| {
        sql(
            conn,
            "INSERT INTO environments (id, name, domain, created_at) \
             VALUES ('00000000-0000-4000-b000-000000000000', 'bench', 'bench.local', '2026-01-01 00:00:00')",
        );
        Ok::<(), DbError>(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Inserts bench realm `tag` (named `bench<tag>`).
pub fn insert_realm(conn: &mut DbConnection, tag: u32) {
    let realm = realm_id(tag);
    sql(
        conn,
        &format!(
            "INSERT INTO realms (id, name, display_name, environment_id, domain, logo, issuer_url, \
             data_classification_enabled, feature_config, retention_time, partitions, properties, contact_user_id, \
             created_at, created_by, modified_at, modified_by, version) \
             VALUES ('{realm}', 'bench{tag}', 'Bench {tag}', '00000000-0000-4000-b000-000000000000', NULL, NULL, NULL, \
             false, NULL, 604800000, 12, '{{}}', NULL, '2026-01-01 00:00:00', NULL, '2026-01-01 00:00:00', NULL, 0)"
        ),
    );
}

/// A caller of bench realm `tag` holding `roles`.
pub fn context(tag: u32, roles: &[&str]) -> RequestContext {
    let id = uuid::Uuid::parse_str(&realm_id(tag)).unwrap_or_else(|e| panic!("{e}"));
    let realm = RealmRef { id: id.into(), name: format!("bench{tag}") };
    RequestContext {
        realm: realm.clone(),
        principal: Principal {
            kind: PrincipalKind::User,
            id: "bench".into(),
            display_name: "bench".into(),
            realm,
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            scopes: Default::default(),
            token_id: None,
        },
        request_id: "bench".into(),
    }
}

/// `VACUUM ANALYZE` of `tables` on PostgreSQL (autovacuum's steady state after a bulk load:
/// statistics and the visibility map, so index probes are index-only); nothing on SQLite.
pub fn settle(db: &portico_core::Database, tables: &[&str]) {
    if let portico_core::db::Backend::Postgres = db.backend() {
        // VACUUM runs outside a transaction.
        let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
        for table in tables {
            sql(&mut conn, &format!("VACUUM ANALYZE {table}"));
        }
    }
}

/// Indexes the rows of `realm` in the trigram tables `table` and `counts`, as
/// `portico_core::db::text::TrigramIndex` would (for ASCII text): `rows` is a `SELECT` of
/// `(realm_id, id, text)`; texts up to 400 characters.
pub fn fill_trigrams(conn: &mut DbConnection, table: &str, counts: &str, rows: &str, realm: &str) {
    let statement = match conn {
        DbConnection::Sqlite(_) => format!(
            "WITH RECURSIVE p(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < 400) \
             INSERT OR IGNORE INTO {table} (realm_id, trigram, entity_id) \
             SELECT r.realm_id, substr(lower(r.text), p.i, 3), r.id FROM ({rows}) r JOIN p ON p.i <= length(r.text) - 2 \
             WHERE r.realm_id = '{realm}'"
        ),
        DbConnection::Postgres(_) => format!(
            "INSERT INTO {table} (realm_id, trigram, entity_id) \
             SELECT r.realm_id, substr(lower(r.text), p.i, 3), r.id FROM ({rows}) r \
             CROSS JOIN generate_series(1, 400) AS p (i) WHERE p.i <= length(r.text) - 2 AND r.realm_id = '{realm}' \
             ON CONFLICT DO NOTHING"
        ),
    };
    sql(conn, &statement);
    sql(
        conn,
        &format!(
            "INSERT INTO {counts} (realm_id, trigram, n) \
             SELECT realm_id, trigram, COUNT(*) FROM {table} WHERE realm_id = '{realm}' GROUP BY realm_id, trigram"
        ),
    );
}
