//! Dynamic-table lookups by column and value at 1,000 and at 1,000,000 rows, through the flows
//! service (`GET .../tables/{table}/rows/{column}/{value}` runs the same call), on a real SQLite
//! or PostgreSQL database. Both tables live in one owner, filled with one statement per 1,000
//! rows (three cells each); each lookup is timed on the small and the large table in the same
//! run, and the ratio is large to small.
//!
//! ```sh
//! cargo bench -p portico-flows --bench tables                    # SQLite; BENCH_ROWS=1000000
//! PORTICO_TEST_POSTGRES_URL=postgres://portico_test@127.0.0.1:5432/postgres \
//!   cargo bench -p portico-flows --bench tables                  # PostgreSQL
//! ```

#![expect(clippy::unwrap_used, reason = "a benchmark that cannot set up fails loudly")]

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use portico_core::hooks::RealmHooks;
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::SystemClock;
use portico_core::{Clock, DbError, RealmId, RequestContext};
use portico_flows::service::FlowsService;
use portico_flows::store::FlowsStore;
use portico_identity::testing::TestRealms;
use std::sync::Arc;
use std::time::{Duration, Instant};

const BATCH: usize = 1000;

fn fill(db: &portico_core::Database, realm: RealmId, table: &str, rows: usize) {
    let now = SystemClock.now().as_primitive();
    db.write(|conn| {
        diesel::sql_query(
            "INSERT INTO flow_tables (realm_id, table_name, next_row, row_count, created_at, created_by) VALUES ($1, $2, $3, $4, $5, 'bench')",
        )
        .bind::<Text, _>(realm)
        .bind::<Text, _>(table)
        .bind::<BigInt, _>(rows as i64 + 1)
        .bind::<BigInt, _>(rows as i64)
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .execute(conn)?;
        Ok::<_, DbError>(())
    })
    .unwrap();
    let columns = ["realm_id", "table_name", "row_id", "column_name", "value"];
    for start in (1..=rows).step_by(BATCH) {
        let end = (start + BATCH - 1).min(rows);
        let count = (end - start + 1) * 3;
        db.write(|conn| {
            let sql = portico_core::db::insert_values_sql("flow_table_cells", &columns, count);
            let mut statement = diesel::sql_query(sql).into_boxed::<portico_core::db::DbBackend>();
            for row in start..=end {
                for (column, value) in [
                    ("meter", format!("M-{row:07}")),
                    ("site", format!("site-{}", row % 97)),
                    ("kwh", format!("{}", row % 1000)),
                ] {
                    statement = statement
                        .bind::<Text, _>(realm)
                        .bind::<Text, _>(table.to_owned())
                        .bind::<BigInt, _>(row as i64)
                        .bind::<Text, _>(column)
                        .bind::<Text, _>(value);
                }
            }
            statement.execute(conn)?;
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

fn main() {
    let large = std::env::var("BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000_usize);
    let small = 1000_usize;
    let db = TestDatabase::migrated(&[
        &portico_core::db::MIGRATIONS,
        &portico_identity::MIGRATIONS,
        &portico_flows::MIGRATIONS,
    ]);
    let store = Arc::new(FlowsStore::new(db.database(), Sealer::generate(), Arc::new(SystemClock)));
    let hooks = RealmHooks::new();
    hooks.add_lifecycle(store.clone());
    let realms = TestRealms::open(&db.database(), hooks);
    let realm = realms.create("bench");
    let mut ctx: RequestContext = TestRealms::caller(&realm, &["Deployer"]);
    ctx.principal.scopes.insert("management".into());

    let started = Instant::now();
    fill(&db.database(), realm.id, "small", small);
    fill(&db.database(), realm.id, "large", large);
    if db.database().backend() == portico_core::db::Backend::Postgres {
        db.database()
            .write(|conn| {
                diesel::sql_query("ANALYZE flow_table_cells").execute(conn)?;
                Ok::<_, DbError>(())
            })
            .unwrap();
    }
    println!(
        "filled {small} and {large} rows in {:.1} s ({:?})",
        started.elapsed().as_secs_f64(),
        db.database().backend()
    );

    let runs = 200;
    let lookup = |table: &'static str, rows: usize| {
        let store = store.clone();
        let ctx = ctx.clone();
        p50(runs, move |i| {
            let row = 1 + (i * 7919) % rows;
            let found = store.lookup_row(&ctx, table, "meter", &format!("M-{row:07}")).unwrap();
            assert_eq!(found.id, row as i64);
        })
    };
    let cell = |table: &'static str, rows: usize| {
        let store = store.clone();
        let ctx = ctx.clone();
        p50(runs, move |i| {
            let row = 1 + (i * 104_729) % rows;
            let found = store.lookup_row(&ctx, table, "meter", &format!("M-{row:07}")).unwrap();
            assert!(found.cells.contains_key("kwh"));
        })
    };
    println!(
        "{:<40} {:>12} {:>14} {:>7}",
        "query (p50 of 200)",
        format!("{small} rows"),
        format!("{large} rows"),
        "ratio"
    );
    for (name, small_time, large_time) in [
        ("lookup row by column/value", lookup("small", small), lookup("large", large)),
        ("lookup row, other keys", cell("small", small), cell("large", large)),
    ] {
        println!(
            "{name:<40} {:>9.3} ms {:>11.3} ms {:>6.2}x",
            small_time.as_secs_f64() * 1000.0,
            large_time.as_secs_f64() * 1000.0,
            large_time.as_secs_f64() / small_time.as_secs_f64()
        );
    }
}
