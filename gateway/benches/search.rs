//! Axual user listings and "contains" searches over 200,000 users of one realm, through the
//! identity service (the queries the HTTP handlers run), on a real SQLite or PostgreSQL
//! database. The baseline, measured in the same run, is the exact e-mail lookup (an indexed
//! equality); on PostgreSQL the contains-search is measured again without its trigram index.
//!
//! Run: `cargo bench -p portico-gateway --bench search` (SQLite; set
//! `PORTICO_TEST_POSTGRES_URL` for PostgreSQL; `BENCH_USERS` changes the row count).

use diesel::RunQueryDsl;
use portico_core::context::{MASTER_REALM, PLATFORM_ADMIN_ROLE, Principal, PrincipalKind};
use portico_core::db::{DbConnection, DbError};
use portico_core::page::{PageRequest, SortKey};
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::SystemClock;
use portico_core::{Clock, RequestContext};
use portico_gateway::settings::Settings;
use portico_identity::config::IdentityConfig;
use portico_identity::password::PasswordCost;
use portico_identity::service::{UserFilter, UserService};
use portico_identity::store::IdentityStore;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn time(name: &str, runs: usize, mut work: impl FnMut() -> u64) -> Duration {
    let mut samples: Vec<Duration> = Vec::with_capacity(runs);
    let mut found = 0;
    for _ in 0..runs {
        let started = Instant::now();
        found = work();
        samples.push(started.elapsed());
    }
    samples.sort();
    let p50 = samples[samples.len() / 2];
    let p99 = samples[((samples.len() as f64 * 0.99) as usize).min(samples.len() - 1)];
    println!(
        "{name:<58} p50 {:>9.2} ms   p99 {:>9.2} ms   ({found} matches)",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    p50
}

fn sql(conn: &mut DbConnection, statement: &str) {
    diesel::sql_query(statement).execute(conn).unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// Inserts `count` users into realm `realm` in one statement per backend.
fn fill(db: &portico_core::Database, realm: &str, count: usize) {
    db.write(|conn| {
        let select = "printf('00000000-0000-4000-8000-%012d', n), '{realm}', 'user' || n || '@bench.test', \
                      'First' || n, 'Last' || (n % 1000), NULL, NULL, NULL, '2026-01-01 00:00:00', NULL, '2026-01-01 00:00:00', NULL, 0";
        let statement = match conn {
            DbConnection::Sqlite(_) => format!(
                "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {count}) \
                 INSERT INTO users SELECT {} FROM c",
                select.replace("{realm}", realm)
            ),
            DbConnection::Postgres(_) => format!(
                "INSERT INTO users SELECT {} FROM generate_series(1, {count}) AS n",
                select.replace("{realm}", realm).replace("printf('00000000-0000-4000-8000-%012d', n)", "'00000000-0000-4000-8000-' || lpad(n::text, 12, '0')")
            ),
        };
        sql(conn, &statement);
        sql(conn, &format!("UPDATE resource_counts SET n = n + {count} WHERE realm_id = '{realm}' AND resource = 'users'"));
        if let DbConnection::Postgres(_) = conn {
            sql(conn, "ANALYZE users");
        }
        Ok::<(), DbError>(())
    })
    .unwrap_or_else(|e| panic!("fill: {e}"));
}

fn main() {
    let count: usize = std::env::var("BENCH_USERS").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let runs: usize = std::env::var("BENCH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let test_db = TestDatabase::migrated(&portico_gateway::server::migrations());
    let db = test_db.database();
    let sealer = Sealer::generate();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut settings = Settings::default();
    settings.bootstrap.admin_email = "admin@bench.test".into();
    settings.bootstrap.admin_password = "bench password".into();
    portico_gateway::server::run_bootstrap(&settings, &db, &sealer, clock.as_ref(), PasswordCost::Minimal)
        .unwrap_or_else(|e| panic!("bootstrap: {e}"));
    let config = IdentityConfig { password_cost: PasswordCost::Minimal, ..IdentityConfig::default() };
    let identity = IdentityStore::open(db.clone(), sealer, clock, config).unwrap_or_else(|e| panic!("{e}"));
    let master = identity.realm_by_name(MASTER_REALM).ok().flatten().unwrap_or_else(|| panic!("no master realm"));
    fill(&db, &master.id.to_string(), count);
    let ctx = RequestContext {
        realm: master.clone(),
        principal: Principal {
            kind: PrincipalKind::User,
            id: "bench".into(),
            display_name: "bench".into(),
            realm: master,
            roles: [PLATFORM_ADMIN_ROLE.to_owned()].into(),
            scopes: Default::default(),
            token_id: None,
        },
        request_id: "bench".into(),
    };
    println!("{:?}, {count} users in one realm, {runs} runs per row", db.backend());
    let page = |sort: Vec<SortKey>| PageRequest { page: 0, size: 20, sort };
    let search = |filter: UserFilter, request: PageRequest| {
        let page = identity.users(&ctx, &filter, &request).unwrap_or_else(|e| panic!("{e}"));
        page.total
    };
    let baseline = time("baseline: exact e-mail (findByEmailAddress)", runs, || {
        search(UserFilter::Email("user123456@bench.test".into()), PageRequest { page: 0, size: 1000, sort: vec![] })
    });
    let by_name = vec![SortKey { field: "lastName".into(), descending: false }];
    let rows = [
        ("first page, sort=lastName (counter total)", UserFilter::All, page(by_name.clone())),
        (
            "page 5000, sort=lastName,desc",
            UserFilter::All,
            PageRequest { page: 5000, size: 20, sort: vec![SortKey { field: "lastName".into(), descending: true }] },
        ),
        ("contains, selective: firstName 'irst12345'", UserFilter::FirstNameContains("irst12345".into()), page(vec![])),
        (
            "contains, broad: lastName 'ast99' (page + total)",
            UserFilter::LastNameContains("ast99".into()),
            page(vec![]),
        ),
        (
            "searchUser 'user4242' (names or e-mail)",
            UserFilter::Search("user4242".into()),
            PageRequest { page: 0, size: 1000, sort: vec![] },
        ),
    ];
    let mut measured = Vec::new();
    for (name, filter, request) in rows {
        let p50 = time(name, runs, || search(filter.clone(), request.clone()));
        measured.push((name, p50));
    }
    if let portico_core::db::Backend::Postgres = db.backend() {
        db.write(|conn| {
            sql(conn, "DROP INDEX users_first_name_trgm");
            sql(conn, "DROP INDEX users_last_name_trgm");
            Ok::<(), DbError>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let without = time("contains, selective, WITHOUT the trigram index", runs, || {
            search(UserFilter::FirstNameContains("irst12345".into()), page(vec![]))
        });
        measured.push(("contains, selective, WITHOUT the trigram index", without));
    }
    println!("\nratio of p50 to the baseline (exact e-mail):");
    for (name, p50) in measured {
        println!("  {name:<58} {:>7.1}x", p50.as_secs_f64() / baseline.as_secs_f64());
    }
}
