//! Axual stream listings and searches at 1,000 and at 200,000 streams in one realm (with ten
//! other realms holding 10,000 streams each), through the catalog's stream service — the
//! queries `GET /streams` and its searches run, page, total and the page's related entities
//! together — on a real SQLite or PostgreSQL database. Each query is measured on the small and
//! the large realm in the same run; the ratio is large to small.
//!
//! Run: `cargo bench -p portico-gateway --bench streams` (SQLite; set
//! `PORTICO_TEST_POSTGRES_URL` for PostgreSQL; `BENCH_STREAMS` changes the large realm's count).

mod support;

use portico_catalog::service::StreamService;
use portico_catalog::store::CatalogStore;
use portico_catalog::store::streams::StreamFilter;
use portico_core::db::{DbConnection, DbError};
use portico_core::hooks::RealmHooks;
use portico_core::page::{PageRequest, SortKey};
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::SystemClock;
use portico_core::{Clock, RealmId};
use portico_identity::config::IdentityConfig;
use portico_identity::password::PasswordCost;
use portico_identity::store::IdentityStore;
use std::sync::Arc;
use support::{context, fill_trigrams, insert_environment, insert_realm, realm_id, settle, sql, time};

/// A realm with a group owning `count` streams named `stream-<n>`, the last one named
/// `payments-ledger` instead (one name every realm has once), in one statement per backend.
fn fill(db: &portico_core::Database, realm: &str, tag: u32, count: usize) {
    db.write(|conn| {
        let group = format!("00000000-0000-4000-9000-{tag:012}");
        insert_realm(conn, tag);
        sql(
            conn,
            &format!(
                "INSERT INTO user_groups (id, realm_id, name, email, phone_number, created_at, created_by, modified_at, modified_by, version) \
                 VALUES ('{group}', '{realm}', 'owners', NULL, NULL, '2026-01-01 00:00:00', NULL, NULL, NULL, 0)"
            ),
        );
        let columns = format!(
            "'{realm}', CASE WHEN n = {count} THEN 'payments-ledger' ELSE 'stream-' || n END, NULL, '{{}}', '{group}', 'delete', 'JSON', 'JSON', NULL, NULL, NULL, NULL, \
             '2026-01-01 00:00:00', NULL, '2026-01-01 00:00:00', NULL, 0"
        );
        let statement = match conn {
            DbConnection::Sqlite(_) => format!(
                "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {count}) \
                 INSERT INTO catalog_streams SELECT printf('{tag:08}-0000-4000-8000-%012d', n), {columns} FROM c"
            ),
            DbConnection::Postgres(_) => format!(
                "INSERT INTO catalog_streams SELECT '{tag:08}-0000-4000-8000-' || lpad(n::text, 12, '0'), {columns} \
                 FROM generate_series(1, {count}) AS n"
            ),
        };
        sql(conn, &statement);
        // The names' trigrams, as the store writes them (the migration's backfill, for this realm).
        let names = "SELECT realm_id, id, name AS text FROM catalog_streams";
        fill_trigrams(conn, "catalog_stream_trigrams", "catalog_stream_trigram_counts", names, realm);
        let realm_id = RealmId::from(uuid::Uuid::parse_str(realm).unwrap_or_else(|e| panic!("{e}")));
        portico_core::db::counters::adjust(conn, realm_id, "streams", i64::try_from(count).unwrap_or(i64::MAX))?;
        Ok::<(), DbError>(())
    })
    .unwrap_or_else(|e| panic!("fill: {e}"));
}

fn main() {
    let large: usize = std::env::var("BENCH_STREAMS").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let small = 1_000;
    let runs: usize = std::env::var("BENCH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let test_db = TestDatabase::migrated(&portico_gateway::server::migrations());
    let db = test_db.database();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let hooks = RealmHooks::new();
    let config = IdentityConfig { password_cost: PasswordCost::Minimal, ..IdentityConfig::default() };
    let identity = Arc::new(
        IdentityStore::open(db.clone(), Sealer::generate(), clock.clone(), config)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_hooks(hooks.clone()),
    );
    hooks.set_groups(identity.clone());
    let catalog = CatalogStore::new(db.clone(), clock, hooks);
    insert_environment(&db);
    fill(&db, &realm_id(1), 1, small);
    fill(&db, &realm_id(2), 2, large);
    for other in 3..13 {
        fill(&db, &realm_id(other), other, 10_000);
    }
    settle(&db, &["catalog_streams", "catalog_stream_trigrams", "catalog_stream_trigram_counts"]);
    println!(
        "{:?}: {small} and {large} streams in two realms, ten more realms of 10,000; {runs} runs per cell",
        db.backend()
    );
    println!("{:<46} {:>12} {:>12} {:>7}", "query (page of 20)", small, large, "ratio");
    let last_page =
        |count: usize| PageRequest { page: u32::try_from(count / 20 - 1).unwrap_or(u32::MAX), size: 20, sort: vec![] };
    type Query = (&'static str, Box<dyn Fn(usize) -> (StreamFilter, PageRequest)>);
    let queries: Vec<Query> = vec![
        (
            "GET /streams (first page)",
            Box::new(|_| (StreamFilter::All, PageRequest { page: 0, size: 20, sort: vec![] })),
        ),
        ("GET /streams (last page)", Box::new(move |count| (StreamFilter::All, last_page(count)))),
        (
            "GET /streams?sort=name,desc",
            Box::new(|_| {
                (
                    StreamFilter::All,
                    PageRequest { page: 0, size: 20, sort: vec![SortKey { field: "name".into(), descending: true }] },
                )
            }),
        ),
        (
            "findByNameContaining 'stream-777' (page + total)",
            Box::new(|_| {
                (StreamFilter::NameContains("stream-777".into()), PageRequest { page: 0, size: 20, sort: vec![] })
            }),
        ),
        (
            "findByNameContaining 'ledger' (1 match in each)",
            Box::new(|_| {
                (StreamFilter::NameContains("ledger".into()), PageRequest { page: 0, size: 20, sort: vec![] })
            }),
        ),
        (
            "findByName 'stream-500' (exact)",
            Box::new(|_| (StreamFilter::Name("stream-500".into()), PageRequest { page: 0, size: 1000, sort: vec![] })),
        ),
    ];
    for (name, query) in queries {
        let mut cells = Vec::new();
        for (tag, count) in [(1, small), (2, large)] {
            let ctx = context(tag, &["STREAM_ADMIN"]);
            let (filter, request) = query(count);
            let (p50, _) = time(runs, || {
                let page = catalog.streams(&ctx, &filter, &request).unwrap_or_else(|e| panic!("{name}: {e}")).page;
                assert!(!page.items.is_empty(), "{name}: an empty page");
                page.total
            });
            cells.push(p50);
        }
        println!(
            "{name:<46} {:>9.2} ms {:>9.2} ms {:>6.1}x",
            cells[0].as_secs_f64() * 1e3,
            cells[1].as_secs_f64() * 1e3,
            cells[1].as_secs_f64() / cells[0].as_secs_f64()
        );
    }
}
