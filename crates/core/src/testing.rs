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
                TestDatabase { url: with_database(&admin_url, &name), database: None, cleanup: Cleanup::Postgres { admin_url, name } }
            }
            None => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
                let url = format!("sqlite://{}/portico-test.db", dir.path().display());
                TestDatabase { url, database: None, cleanup: Cleanup::Sqlite(dir) }
            }
        }
    }

    /// A database with `sets` migrated and a pool open.
    pub fn migrated(sets: &[&Migrations]) -> TestDatabase {
        let mut test_db = TestDatabase::empty();
        let options = PoolOptions { max_connections: 4, ..PoolOptions::default() };
        let db = Database::open(&test_db.url, &options).unwrap_or_else(|e| panic!("cannot open test database: {e}"));
        db.migrate(sets).unwrap_or_else(|e| panic!("cannot migrate test database: {e}"));
        test_db.database = Some(db);
        test_db
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
    fn database_names_are_swapped_in_urls() {
        assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"), "postgres://postgres@127.0.0.1:5432/t1");
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "t2"), "postgres://u:p@h/t2?sslmode=disable");
        assert_eq!(with_database("postgres://h", "t3"), "postgres://h/t3");
    }
}
