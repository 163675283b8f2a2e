//! Axual user listings and "contains" searches at 1,000 and at 200,000 users in one realm,
//! through the identity service (the queries the HTTP handlers run, page and total together),
//! on a real SQLite or PostgreSQL database. Each query is measured on the small and the large
//! realm in the same run; the ratio is large to small. Each realm's last user is Grace Hopper
//! (`grace@navy.test`), so the selective searches have the same answer (1 match) in both.
//!
//! Run: `cargo bench -p portico-gateway --bench search` (SQLite; set
//! `PORTICO_TEST_POSTGRES_URL` for PostgreSQL; `BENCH_USERS` changes the large realm's count).

mod support;

use portico_core::db::{DbConnection, DbError};
use portico_core::page::{PageRequest, SortKey};
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::SystemClock;
use portico_core::{Clock, RealmId};
use portico_identity::config::IdentityConfig;
use portico_identity::password::PasswordCost;
use portico_identity::service::{UserFilter, UserService};
use portico_identity::store::IdentityStore;
use std::sync::Arc;
use support::{context, fill_trigrams, insert_environment, insert_realm, realm_id, settle, sql, time};

/// Realm `tag` with `count` users (`First<n>`, `Last<n % 1000>`, `user<n>@bench.test`), the
/// last one Grace Hopper, their search trigrams and their counter.
fn fill(db: &portico_core::Database, tag: u32, count: usize) {
    let realm = realm_id(tag);
    db.write(|conn| {
        insert_realm(conn, tag);
        let columns = format!(
            "'{realm}', CASE WHEN n = {count} THEN 'grace@navy.test' ELSE 'user' || n || '@bench.test' END, \
             CASE WHEN n = {count} THEN 'Grace' ELSE 'First' || n END, \
             CASE WHEN n = {count} THEN 'Hopper' ELSE 'Last' || (n % 1000) END, \
             NULL, NULL, NULL, '2026-01-01 00:00:00', NULL, '2026-01-01 00:00:00', NULL, 0"
        );
        let statement = match conn {
            DbConnection::Sqlite(_) => format!(
                "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {count}) \
                 INSERT INTO users SELECT printf('{tag:08}-0000-4000-8000-%012d', n), {columns} FROM c"
            ),
            DbConnection::Postgres(_) => format!(
                "INSERT INTO users SELECT '{tag:08}-0000-4000-8000-' || lpad(n::text, 12, '0'), {columns} \
                 FROM generate_series(1, {count}) AS n"
            ),
        };
        sql(conn, &statement);
        // The users' search text, as the store indexes it (names and e-mail joined by line feeds).
        let newline = if matches!(conn, DbConnection::Sqlite(_)) { "char(10)" } else { "chr(10)" };
        let texts = format!(
            "SELECT realm_id, id, first_name || {newline} || last_name || {newline} || coalesce(middle_name, '') \
             || {newline} || email AS text FROM users"
        );
        fill_trigrams(conn, "identity_user_trigrams", "identity_user_trigram_counts", &texts, &realm);
        let id = RealmId::from(uuid::Uuid::parse_str(&realm).unwrap_or_else(|e| panic!("{e}")));
        portico_core::db::counters::adjust(conn, id, "users", i64::try_from(count).unwrap_or(i64::MAX))?;
        Ok::<(), DbError>(())
    })
    .unwrap_or_else(|e| panic!("fill: {e}"));
}

fn page(sort: Vec<SortKey>) -> PageRequest {
    PageRequest { page: 0, size: 20, sort }
}

fn by_last_name(descending: bool) -> Vec<SortKey> {
    vec![SortKey { field: "lastName".into(), descending }]
}

fn main() {
    let large: usize = std::env::var("BENCH_USERS").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let small = 1_000;
    let runs: usize = std::env::var("BENCH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let test_db = TestDatabase::migrated(&portico_gateway::server::migrations());
    let db = test_db.database();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let config = IdentityConfig { password_cost: PasswordCost::Minimal, ..IdentityConfig::default() };
    let identity = IdentityStore::open(db.clone(), Sealer::generate(), clock, config).unwrap_or_else(|e| panic!("{e}"));
    insert_environment(&db);
    fill(&db, 1, small);
    fill(&db, 2, large);
    settle(&db, &["users", "identity_user_trigrams", "identity_user_trigram_counts"]);
    println!("{:?}: {small} and {large} users in two realms; {runs} runs per cell", db.backend());
    println!("{:<52} {:>12} {:>12} {:>7}", "query (page of 20, total)", small, large, "ratio");
    type Query = (&'static str, Box<dyn Fn(usize) -> (UserFilter, PageRequest)>);
    let queries: Vec<Query> = vec![
        (
            "findByEmailAddress 'grace@navy.test' (exact)",
            Box::new(|_| (UserFilter::Email("grace@navy.test".into()), page(vec![]))),
        ),
        ("GET /users?sort=lastName (first page)", Box::new(|_| (UserFilter::All, page(by_last_name(false))))),
        (
            "GET /users?sort=lastName,desc (last page)",
            Box::new(|count| {
                let last = u32::try_from(count / 20 - 1).unwrap_or(u32::MAX);
                (UserFilter::All, PageRequest { page: last, size: 20, sort: by_last_name(true) })
            }),
        ),
        (
            "findByFirstName 'race' (1 match in each)",
            Box::new(|_| (UserFilter::FirstNameContains("race".into()), page(vec![]))),
        ),
        (
            "findByLastName 'hopp' (1 match in each)",
            Box::new(|_| (UserFilter::LastNameContains("hopp".into()), page(vec![]))),
        ),
        (
            "searchUser 'navy' (four columns, 1 match in each)",
            Box::new(|_| (UserFilter::Search("navy".into()), page(vec![]))),
        ),
        (
            "findByLastName 'ast99' (11 vs 2,200 matches)",
            Box::new(|_| (UserFilter::LastNameContains("ast99".into()), page(vec![]))),
        ),
        (
            "findByFirstName 'irst999' (1 vs 111 matches)",
            Box::new(|_| (UserFilter::FirstNameContains("irst999".into()), page(vec![]))),
        ),
    ];
    for (name, query) in queries {
        let mut cells = Vec::new();
        for (tag, count) in [(1, small), (2, large)] {
            let ctx = context(tag, &["TENANT_ADMIN"]);
            let (filter, request) = query(count);
            let (p50, found) = time(runs, || {
                let page = identity.users(&ctx, &filter, &request).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(!page.items.is_empty(), "{name}: an empty page");
                page.total
            });
            cells.push((p50, found));
        }
        println!(
            "{name:<52} {:>9.2} ms {:>9.2} ms {:>6.1}x   ({} / {} matches)",
            cells[0].0.as_secs_f64() * 1e3,
            cells[1].0.as_secs_f64() * 1e3,
            cells[1].0.as_secs_f64() / cells[0].0.as_secs_f64(),
            cells[0].1,
            cells[1].1,
        );
    }
}
