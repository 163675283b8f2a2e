//! A fresh database per test: an SQLite file in a temporary directory, or — when
//! `PORTICO_TEST_POSTGRES_URL` is set (CI sets it) — a new PostgreSQL database created on that
//! server and dropped when the test ends.
//!
//! ```no_run
//! # use portico_core::testing::TestDatabase;
//! let test_db = TestDatabase::migrated(&[&portico_core::db::MIGRATIONS]);
//! let db = test_db.database();
//! ```

use crate::db::{Backend, Database, Migrations, PoolOptions, redact_url};
use diesel::Connection;
use diesel::RunQueryDsl;
use diesel::pg::PgConnection;

/// The environment variable that selects PostgreSQL for tests.
pub const POSTGRES_ENV: &str = "PORTICO_TEST_POSTGRES_URL";

/// A database that exists for one test.
pub struct TestDatabase {
    url: String,
    database: Option<Database>,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[expect(dead_code, reason = "held so the directory lives as long as the database")] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// An empty database (nothing migrated, no pool opened): for tests that start the binary.
    pub fn empty() -> TestDatabase {
        match std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty()) {
            Some(admin_url) => {
                let name = format!("portico_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", redact_url(&admin_url)));
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
                TestDatabase {
                    url: with_database(&admin_url, &name),
                    database: None,
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
            None => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
                let url = format!("sqlite://{}/portico-test.db", dir.path().display());
                TestDatabase { url, database: None, cleanup: Cleanup::Sqlite(dir) }
            }
        }
    }

    /// A database with `sets` migrated and a pool open. On PostgreSQL it is a copy of a
    /// template database migrated once per set of migrations (`portico_tmpl_<hash>`), so a test
    /// costs a `CREATE DATABASE ... TEMPLATE`, not a run of every migration.
    pub fn migrated(sets: &[&Migrations]) -> TestDatabase {
        if let Some(admin_url) = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty()) {
            let template = postgres_template(&admin_url, sets);
            return TestDatabase::from_postgres_template(admin_url, &template);
        }
        let mut test_db = TestDatabase::empty();
        let options = PoolOptions { max_connections: 4, ..PoolOptions::default() };
        let db = Database::open(&test_db.url, &options).unwrap_or_else(|e| panic!("cannot open test database: {e}"));
        db.migrate(sets).unwrap_or_else(|e| panic!("cannot migrate test database: {e}"));
        test_db.database = Some(db);
        test_db
    }

    fn from_postgres_template(admin_url: String, template: &str) -> TestDatabase {
        let name = format!("portico_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", redact_url(&admin_url)));
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("cannot create test database {name} from {template}: {e}"));
        let url = with_database(&admin_url, &name);
        let options = PoolOptions { max_connections: 4, ..PoolOptions::default() };
        let db = Database::open(&url, &options).unwrap_or_else(|e| panic!("cannot open test database: {e}"));
        TestDatabase { url, database: Some(db), cleanup: Cleanup::Postgres { admin_url, name } }
    }

    /// The database (only for [`TestDatabase::migrated`]).
    pub fn database(&self) -> Database {
        match &self.database {
            Some(db) => db.clone(),
            None => panic!("TestDatabase::empty() has no pool; use TestDatabase::migrated()"),
        }
    }

    /// The URL, for `PORTICO_DATABASE__URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which backend the tests run on.
    pub fn backend() -> Backend {
        if std::env::var(POSTGRES_ENV).is_ok_and(|u| !u.is_empty()) { Backend::Postgres } else { Backend::Sqlite }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        self.database = None;
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            // WITH (FORCE) closes connections a failed test may have left open (PostgreSQL 13+).
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
        }
    }
}

/// The name of a template database with `sets` migrated, made (once, by whichever test process
/// gets there first) if it does not exist yet. Its name is a hash of the migrations' names: a
/// new migration makes a new template. A migration edited in place keeps its name, so after
/// such an edit drop the `portico_tmpl_%` databases (CI starts from none).
fn postgres_template(admin_url: &str, sets: &[&Migrations]) -> String {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for set in sets {
        digest.update(set.domain.as_bytes());
        for name in set.names(true).unwrap_or_else(|e| panic!("migration names: {e}")) {
            digest.update(name.as_bytes());
        }
    }
    let hash: String = crate::ids::hex(&digest.finalize()[..8]);
    let template = format!("portico_tmpl_{hash}");
    let mut admin = PgConnection::establish(admin_url)
        .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", redact_url(admin_url)));
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let exists = |admin: &mut PgConnection| -> bool {
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(&template)
            .get_result::<Exists>(admin)
            .map(|row| row.exists)
            .unwrap_or_else(|e| panic!("looking for {template}: {e}"))
    };
    if exists(&mut admin) {
        return template;
    }
    // One builder at a time across test processes; the others wait, then find it.
    let lock = i64::from_be_bytes(hash.as_bytes()[..8].try_into().unwrap_or([0; 8]));
    diesel::sql_query(format!("SELECT pg_advisory_lock({lock})")).execute(&mut admin).unwrap_or_else(|e| panic!("{e}"));
    if !exists(&mut admin) {
        let building = format!("{template}_building");
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).execute(&mut admin);
        diesel::sql_query(format!("CREATE DATABASE {building}")).execute(&mut admin).unwrap_or_else(|e| panic!("{e}"));
        {
            let options = PoolOptions { max_connections: 1, ..PoolOptions::default() };
            let db = Database::open(&with_database(admin_url, &building), &options)
                .unwrap_or_else(|e| panic!("cannot open {building}: {e}"));
            db.migrate(sets).unwrap_or_else(|e| panic!("cannot migrate {building}: {e}"));
        }
        // Renamed only when complete: a template that exists is a migrated one.
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {template}"))
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("cannot publish {template}: {e}"));
    }
    diesel::sql_query(format!("SELECT pg_advisory_unlock({lock})"))
        .execute(&mut admin)
        .unwrap_or_else(|e| panic!("{e}"));
    template
}

/// Runs `sets` up, down (newest first) and up again on a fresh database, and asserts that the
/// schema after the second `up` equals the schema after the first, and that `down` left no
/// table behind: every migration is reversible on this backend.
pub fn assert_migrations_reversible(sets: &[&Migrations]) {
    let test_db = TestDatabase::migrated(sets);
    let db = test_db.database();
    let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
    let first = schema_dump(&mut conn);
    assert!(!first.is_empty(), "migrations created no schema");
    for set in sets.iter().rev() {
        set.revert_all(&mut conn).unwrap_or_else(|e| panic!("reverting {}: {e}", set.domain));
    }
    let left = schema_dump(&mut conn);
    assert!(left.is_empty(), "down migrations left schema objects behind: {left:#?}");
    for set in sets {
        set.run_pending(&mut conn).unwrap_or_else(|e| panic!("re-applying {}: {e}", set.domain));
    }
    assert_eq!(first, schema_dump(&mut conn), "schema differs after up, down, up");
}

/// The columns a `SELECT` of every column of a table names (as `diesel::debug_query` renders
/// it for SQLite: `` SELECT `users`.`id`, `users`.`email` FROM `users` ``).
pub fn select_columns(sql: &str) -> Vec<String> {
    let list = sql.trim_start_matches("SELECT ").split(" FROM ").next().unwrap_or_default();
    list.split(", ").filter_map(|column| column.rsplit('.').next()).map(|c| c.trim_matches('`').to_owned()).collect()
}

#[derive(diesel::QueryableByName, Debug)]
struct ColumnName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// Asserts that every declared table exists on this backend with exactly the declared columns
/// (`tables`: the table's name and the SQL of a `SELECT` of its every column, see
/// [`select_columns`]): the `table!` declarations and the migrations cannot drift apart.
pub fn assert_schema_matches(conn: &mut crate::db::DbConnection, tables: &[(&str, String)]) {
    for (table, select) in tables {
        let sql = match conn {
            crate::db::DbConnection::Sqlite(_) => "SELECT name FROM pragma_table_info($1)",
            crate::db::DbConnection::Postgres(_) => {
                "SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1"
            }
        };
        let mut actual: Vec<String> = diesel::sql_query(sql)
            .bind::<diesel::sql_types::Text, _>(*table)
            .load::<ColumnName>(conn)
            .unwrap_or_else(|e| panic!("columns of {table}: {e}"))
            .into_iter()
            .map(|c| c.name)
            .collect();
        let mut declared = select_columns(select);
        actual.sort();
        declared.sort();
        assert_eq!(
            actual, declared,
            "table {table}: migrated columns (left) differ from its table! declaration (right)"
        );
    }
}

#[derive(diesel::QueryableByName, Debug)]
struct IndexColumn {
    #[diesel(sql_type = diesel::sql_types::Text)]
    index_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

/// The column lists of every index of `table` (expressions as written, e.g. `lower(email)`).
pub fn index_columns(conn: &mut crate::db::DbConnection, table: &str) -> Vec<Vec<String>> {
    let sql = match conn {
        crate::db::DbConnection::Sqlite(_) => {
            "SELECT il.name AS index_name, COALESCE(ii.name, '<expression>') AS column_name \
             FROM pragma_index_list($1) il, pragma_index_info(il.name) ii ORDER BY il.name, ii.seqno"
        }
        crate::db::DbConnection::Postgres(_) => {
            "SELECT i.relname::text AS index_name, pg_get_indexdef(x.indexrelid, k.n, true) AS column_name \
             FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid \
             CROSS JOIN LATERAL generate_series(1, x.indnatts::int) AS k(n) \
             WHERE t.relname = $1 ORDER BY i.relname, k.n"
        }
    };
    let rows: Vec<IndexColumn> = diesel::sql_query(sql)
        .bind::<diesel::sql_types::Text, _>(table)
        .load(conn)
        .unwrap_or_else(|e| panic!("index columns of {table}: {e}"));
    let mut indexes: Vec<(String, Vec<String>)> = Vec::new();
    for row in rows {
        match indexes.last_mut() {
            Some((name, columns)) if *name == row.index_name => columns.push(row.column_name),
            _ => indexes.push((row.index_name, vec![row.column_name])),
        }
    }
    indexes.into_iter().map(|(_, columns)| columns).collect()
}

/// Asserts that every field of `sort` is served by an index of `table` that starts with
/// `(scope..., column)` (`scope`: the columns every listing filters on by equality, such as
/// the realm column of realm-scoped tables; empty for global tables).
pub fn assert_sort_indexed<QS>(
    conn: &mut crate::db::DbConnection,
    table: &str,
    sort: &crate::sort::SortMap<QS>,
    scope: &[&str],
) {
    let indexes = index_columns(conn, table);
    for field in sort.fields {
        let wanted: Vec<&str> = scope.iter().copied().chain([field.column]).collect();
        let served = indexes.iter().any(|columns| {
            columns.len() >= wanted.len() && columns.iter().zip(&wanted).all(|(have, want)| have == want)
        });
        assert!(
            served,
            "sorting {table} by '{}' needs an index on ({}); indexes: {indexes:?}",
            field.name,
            wanted.join(", ")
        );
    }
}

#[derive(diesel::QueryableByName, Debug, PartialEq, Eq)]
struct SchemaObject {
    #[diesel(sql_type = diesel::sql_types::Text)]
    description: String,
}

/// Tables, columns and indexes of the current database (diesel's own table excluded).
fn schema_dump(conn: &mut crate::db::DbConnection) -> Vec<String> {
    let sql = match conn {
        crate::db::DbConnection::Sqlite(_) => {
            "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') AS description FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '__diesel%' ORDER BY type, name"
        }
        crate::db::DbConnection::Postgres(_) => {
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' \
             || COALESCE(column_default, '') AS description FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%' \
             UNION ALL SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes \
             WHERE schemaname = 'public' AND tablename NOT LIKE '__diesel%' ORDER BY 1"
        }
    };
    let rows: Vec<SchemaObject> = diesel::sql_query(sql).load(conn).unwrap_or_else(|e| panic!("schema dump: {e}"));
    rows.into_iter().map(|r| r.description).collect()
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn select_lists_name_their_columns() {
        assert_eq!(
            super::select_columns("SELECT `users`.`id`, `users`.`email` FROM `users` -- binds: []"),
            vec!["id", "email"]
        );
    }

    #[test]
    fn database_names_are_swapped_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "t2"), "postgres://u:p@h/t2?sslmode=disable");
        assert_eq!(with_database("postgres://h", "t3"), "postgres://h/t3");
    }
}

/// The system allocator, counting the bytes in use and their peak. A test binary that names it
/// its `#[global_allocator]` measures what work allocates with [`measured`] (one test per
/// binary, so that no other test's allocations are counted with it).
///
/// ```text
/// #[global_allocator]
/// static ALLOCATOR: portico_core::testing::CountingAllocator = portico_core::testing::CountingAllocator;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CountingAllocator;

static ALLOCATED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PEAK_ALLOCATED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only counters are added.
#[expect(unsafe_code, reason = "a global allocator is an unsafe trait; this one only forwards to System")]
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use std::sync::atomic::Ordering;
        let now = ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK_ALLOCATED.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's contract is the one `System.alloc` requires.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        ALLOCATED.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this `layout`.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

/// Whether `result` is a refusal by authorization (403): the outcome a service-level
/// authorization test looks for.
pub fn denied<T, E: crate::DomainError>(result: Result<T, E>) -> bool {
    matches!(result, Err(err) if err.kind() == crate::ErrorKind::Forbidden)
}

/// Asserts that `call` (answering [`denied`]) is refused for `without` and not for `with`.
pub fn only_for(
    what: &str,
    without: &crate::RequestContext,
    with: &crate::RequestContext,
    call: impl Fn(&crate::RequestContext) -> bool,
) {
    assert!(call(without), "{what}: a caller without the role got through");
    assert!(!call(with), "{what}: a caller with the role was refused");
}

/// Runs `work`: its value, how long it took, and how many bytes more than before were
/// allocated at its peak (counted by [`CountingAllocator`], when it is the global allocator).
pub fn measured<T>(work: impl FnOnce() -> T) -> (T, std::time::Duration, usize) {
    use std::sync::atomic::Ordering;
    let before = ALLOCATED.load(Ordering::Relaxed);
    PEAK_ALLOCATED.store(before, Ordering::Relaxed);
    let started = std::time::Instant::now();
    let value = work();
    let elapsed = started.elapsed();
    (value, elapsed, PEAK_ALLOCATED.load(Ordering::Relaxed).saturating_sub(before))
}
