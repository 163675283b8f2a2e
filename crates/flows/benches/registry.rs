//! The registry at scale, through the flows service on a real SQLite or PostgreSQL database:
//!
//! - dynamic-table lookups by column and value (what `GET .../tables/{table}/rows/{column}/{value}`
//!   runs) in a table of 1,000 rows and one of `BENCH_ROWS` (default 1,000,000), three cells
//!   per row, both in one owner;
//! - `GET .../registry/resources?textQuery=` in an owner with 1,000 resources and one with
//!   `BENCH_RESOURCES` (default 100,000).
//!
//! Tables are filled by one statement on the server; resources through the store's own insert
//! (so the search index is the one the service writes). Each query is timed on the small and the
//! large data in the same run (p50 of 200), and the ratio is large to small. `BENCH_ONLY=tables`
//! or `BENCH_ONLY=resources` runs one part.
//!
//! ```sh
//! cargo bench -p portico-flows --bench registry                  # SQLite
//! PORTICO_TEST_POSTGRES_URL=postgres://portico_test@127.0.0.1:5432/postgres \
//!   cargo bench -p portico-flows --bench registry                # PostgreSQL
//! ```

#![expect(clippy::unwrap_used, reason = "a benchmark that cannot set up fails loudly")]

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use portico_core::RealmRef;
use portico_core::db::{Backend, DbBackend};
use portico_core::hooks::RealmHooks;
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::SystemClock;
use portico_core::{Clock, Database, DbError, RealmId, RequestContext};
use portico_flows::resources::{ResourceQuery, ResourceType};
use portico_flows::service::FlowsService;
use portico_flows::store::FlowsStore;
use portico_flows::store::resources::NewRevision;
use portico_identity::testing::TestRealms;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

type Statement = diesel::query_builder::BoxedSqlQuery<'static, DbBackend, diesel::query_builder::SqlQuery>;

fn statement(sql: &str) -> Statement {
    diesel::sql_query(sql.to_owned()).into_boxed()
}

fn execute(db: &Database, statement: Statement) {
    db.write(|conn| {
        statement.execute(conn)?;
        Ok::<_, DbError>(())
    })
    .unwrap();
}

/// A table of `rows` rows (`meter` = `M-0000001`..., `site`, `kwh`), written by one statement.
fn fill_table(db: &Database, realm: RealmId, table: &str, rows: usize) {
    let now = SystemClock.now().as_primitive();
    execute(
        db,
        statement(
            "INSERT INTO flow_tables (realm_id, table_name, next_row, row_count, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, 'bench')",
        )
        .bind::<Text, _>(realm)
        .bind::<Text, _>(table.to_owned())
        .bind::<BigInt, _>(rows as i64 + 1)
        .bind::<BigInt, _>(rows as i64)
        .bind::<diesel::sql_types::Timestamp, _>(now),
    );
    let sql = match db.backend() {
        Backend::Sqlite => {
            // `?N`: SQLite numbers `$N` parameters in the order they first appear.
            "WITH RECURSIVE n(i) AS (SELECT ?3 UNION ALL SELECT i + 1 FROM n WHERE i < ?4) \
             INSERT INTO flow_table_cells (realm_id, table_name, row_id, column_name, value) \
             SELECT ?1, ?2, i, c.name, CASE c.name WHEN 'meter' THEN printf('M-%07d', i) \
             WHEN 'site' THEN 'site-' || (i % 97) ELSE CAST(i % 1000 AS TEXT) END \
             FROM n, (SELECT 'meter' AS name UNION ALL SELECT 'site' UNION ALL SELECT 'kwh') AS c"
        }
        Backend::Postgres => {
            "INSERT INTO flow_table_cells (realm_id, table_name, row_id, column_name, value) \
             SELECT $1, $2, i, c.name, CASE c.name WHEN 'meter' THEN 'M-' || lpad(i::text, 7, '0') \
             WHEN 'site' THEN 'site-' || (i % 97) ELSE (i % 1000)::text END \
             FROM generate_series($3::bigint, $4::bigint) AS i, (VALUES ('meter'), ('site'), ('kwh')) AS c(name)"
        }
    };
    // 50,000 rows per transaction: a transaction's changed pages then fit SQLite's page cache
    // (raised while it runs, and set back to the default before the connection returns to the
    // pool and is measured); one transaction of 3 million cells spilled and reread pages for
    // many minutes.
    let sqlite = db.backend() == Backend::Sqlite;
    for start in (1..=rows).step_by(50_000) {
        let end = (start + 49_999).min(rows);
        let fill = statement(sql)
            .bind::<Text, _>(realm)
            .bind::<Text, _>(table.to_owned())
            .bind::<BigInt, _>(start as i64)
            .bind::<BigInt, _>(end as i64);
        db.write(|conn| {
            if sqlite {
                statement("PRAGMA cache_size = -524288").execute(conn)?;
            }
            fill.execute(conn)?;
            if sqlite {
                statement("PRAGMA cache_size = -2000").execute(conn)?;
            }
            Ok::<_, DbError>(())
        })
        .unwrap();
    }
}

/// `count` OpenAPI resources `api-000001`... titled `Service 1 (v1)`..., every tenth described as a
/// payments API, written through the store's insert (and its search index), 1,000 per transaction.
fn fill_resources(db: &Database, realm: RealmId, count: usize) {
    let now = SystemClock.now();
    for start in (1..=count).step_by(1000) {
        let end = (start + 999).min(count);
        db.write(|conn| {
            for i in start..=end {
                let id = format!("api-{i:06}");
                let title = format!("Service {i} (v1)");
                let description = if i % 10 == 0 { "Payments and refunds" } else { "Meter readings" };
                let new = NewRevision {
                    kind: ResourceType::OpenApiV3,
                    resource_id: &id,
                    revision: 1,
                    content: "openapi: 3.0.3",
                    sha256: "0",
                    title: Some(&title),
                    description: Some(description),
                };
                portico_flows::store::resources::insert(conn, realm, &new, "bench", now)?;
            }
            Ok::<_, DbError>(())
        })
        .unwrap();
    }
}

fn p50(runs: usize, mut work: impl FnMut(usize)) -> Duration {
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        work(i);
        samples.push(started.elapsed());
    }
    samples.sort();
    samples[runs / 2]
}

/// Statistics for the planner, and on PostgreSQL the visibility map too (`VACUUM`, outside a
/// transaction): the steady state autovacuum keeps, in which the trigram probes are index-only.
fn analyze(db: &Database) {
    let sql = if db.backend() == Backend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" };
    let mut conn = db.conn().unwrap();
    statement(sql).execute(&mut **conn).unwrap();
}

fn caller(realm: &RealmRef, role: &str) -> RequestContext {
    let mut ctx: RequestContext = TestRealms::caller(realm, &[role]);
    ctx.principal.scopes.insert("management".into());
    ctx
}

fn report(rows: &[(&str, Duration, Duration)], small: usize, large: usize) {
    println!("{:<44} {:>12} {:>14} {:>7}", "query (p50 of 200)", format!("{small}"), format!("{large}"), "ratio");
    for (name, small_time, large_time) in rows {
        println!(
            "{name:<44} {:>9.3} ms {:>11.3} ms {:>6.2}x",
            small_time.as_secs_f64() * 1000.0,
            large_time.as_secs_f64() * 1000.0,
            large_time.as_secs_f64() / small_time.as_secs_f64()
        );
    }
}

fn main() {
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let db = TestDatabase::migrated(&[
        &portico_core::db::MIGRATIONS,
        &portico_identity::MIGRATIONS,
        &portico_flows::MIGRATIONS,
    ]);
    let database = db.database();
    let store = Arc::new(FlowsStore::new(database.clone(), Sealer::generate(), Arc::new(SystemClock)));
    let hooks = RealmHooks::new();
    hooks.add_lifecycle(store.clone());
    let realms = TestRealms::open(&database, hooks);
    let runs = 200;

    if only.is_empty() || only == "tables" {
        let (small, large) = (1000, env_number("BENCH_ROWS", 1_000_000));
        let realm = realms.create("bench");
        let ctx = caller(&realm, "Deployer");
        let started = Instant::now();
        fill_table(&database, realm.id, "small", small);
        fill_table(&database, realm.id, "large", large);
        analyze(&database);
        println!(
            "tables: filled {small} and {large} rows in {:.1} s ({:?})",
            started.elapsed().as_secs_f64(),
            database.backend()
        );
        let lookup = |table: &'static str, rows: usize, stride: usize| {
            let (store, ctx) = (store.clone(), ctx.clone());
            p50(runs, move |i| {
                let row = 1 + (i * stride) % rows;
                let found = store.lookup_row(&ctx, table, "meter", &format!("M-{row:07}")).unwrap();
                assert_eq!(found.id, row as i64);
                assert!(found.cells.contains_key("kwh"));
            })
        };
        // Warm both tables alike (the first pass over a table reads its pages from the OS).
        lookup("small", small, 7919);
        lookup("large", large, 7919);
        report(
            &[
                ("lookup row by column/value", lookup("small", small, 7919), lookup("large", large, 7919)),
                ("lookup row, other keys", lookup("small", small, 104_729), lookup("large", large, 104_729)),
            ],
            small,
            large,
        );
    }

    if only.is_empty() || only == "resources" {
        let (small, large) = (1000, env_number("BENCH_RESOURCES", 100_000));
        let few = realms.create("few");
        let many = realms.create("many");
        let started = Instant::now();
        fill_resources(&database, few.id, small);
        fill_resources(&database, many.id, large);
        analyze(&database);
        println!(
            "resources: filled {small} and {large} in {:.1} s ({:?})",
            started.elapsed().as_secs_f64(),
            database.backend()
        );
        let search = |realm: &RealmRef, text: &'static str, expected: Option<usize>| {
            let (store, ctx) = (store.clone(), caller(realm, "Deployer"));
            p50(runs, move |_| {
                let query = ResourceQuery::parse(Some(text), []).unwrap();
                let found = store.resources(&ctx, &query).unwrap();
                if let Some(expected) = expected {
                    assert_eq!(found.len(), expected, "{text}");
                }
            })
        };
        report(
            &[
                (
                    "textQuery one id (api-000777)",
                    search(&few, "api-000777", Some(1)),
                    search(&many, "api-000777", Some(1)),
                ),
                (
                    "textQuery one title (service 777 (v1)",
                    search(&few, "service 777 (v1", Some(1)),
                    search(&many, "service 777 (v1", Some(1)),
                ),
                (
                    "textQuery absent text (zzz-qqq)",
                    search(&few, "zzz-qqq", Some(0)),
                    search(&many, "zzz-qqq", Some(0)),
                ),
            ],
            small,
            large,
        );
    }
}
