//! One diesel code path over SQLite (the embedded default) and PostgreSQL (production).
//!
//! - [`DbConnection`] is a diesel `MultiConnection`: one `table!` schema and one set of queries
//!   serve both backends. Only the SQL types both share are used (text UUIDs, text JSON, naive
//!   UTC `TIMESTAMP`), see `docs/architecture.md`.
//! - [`Database`] wraps an r2d2 pool. SQLite connections get `foreign_keys`, `busy_timeout`, WAL
//!   and `synchronous=NORMAL` on every pooled connection.
//! - [`Database::write`] runs a closure in a write transaction; on SQLite that is
//!   `BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of failing with
//!   "database is locked" when a read lock would have to be upgraded.
//! - Blocking: call these from [`crate::run_blocking`], never on the async executor.

pub mod counters;
pub mod generation;
mod migrate;
mod pool;
mod table;
pub use table::{purge_declared, realm_scoped};
pub mod text;

pub use migrate::Migrations;
use pool::Target;
pub use pool::{ConnectionFactory, DbCounts, DbStats, PoolOptions, TrackedConnection};

use crate::error::ErrorKind;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, Pool, PooledConnection};
use diesel::result::DatabaseErrorKind;
use diesel::{Connection, RunQueryDsl};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use connection::{DbConnection, MultiBackend as DbBackend};

#[expect(missing_docs, reason = "the MultiConnection derive generates undocumented items (MultiBackend, ...)")]
mod connection {
    use diesel::pg::PgConnection;
    use diesel::sqlite::SqliteConnection;

    /// A connection to either backend.
    #[derive(diesel::MultiConnection)]
    pub enum DbConnection {
        /// PostgreSQL (first: its URL is recognisable, SQLite accepts any string as a path).
        Postgres(PgConnection),
        /// SQLite.
        Sqlite(SqliteConnection),
    }
}

/// Runs a query on the backend's own connection instead of through [`DbConnection`].
///
/// diesel's `MultiConnection` serialises a query's SQL on every execution (twice: to check
/// whether it may be cached and to collect its binds), even when the prepared statement is
/// already cached; for a wide join that is most of the work of a one-row read. The body is
/// compiled once per backend with `$c` bound to the `PgConnection` or `SqliteConnection`, so
/// it is looked up in the statement cache by its type alone. Use it for the queries on every
/// request's path (authentication, single-resource reads); the rest go through
/// `DbConnection` as usual. Instrumentation (statement counts) is unaffected.
///
/// ```text
/// let row = portico_core::on_backend!(conn, |c| users::table.find(id).first::<UserRow>(c))?;
/// ```
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

/// Which backend a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// A database failure. Unique and foreign-key violations keep their meaning for the caller.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be taken from the pool in time.
    #[error("database unavailable: {0}")]
    Pool(String),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migration(String),
    /// The URL is not `sqlite://PATH` or `postgres://...`.
    #[error("unsupported database URL: {0}")]
    Url(String),
    /// A blocking task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Background(String),
    /// The realm a write acts in was deleted before the write could start.
    #[error("realm {0} no longer exists")]
    RealmGone(crate::RealmId),
}

impl DbError {
    /// How this failure should be reported.
    pub fn kind(&self) -> ErrorKind {
        match self {
            DbError::Pool(_) => ErrorKind::Unavailable,
            DbError::RealmGone(_) => ErrorKind::NotFound,
            DbError::Query(diesel::result::Error::NotFound) => ErrorKind::NotFound,
            DbError::Query(diesel::result::Error::DatabaseError(kind, _)) => match kind {
                DatabaseErrorKind::UniqueViolation => ErrorKind::AlreadyExists,
                DatabaseErrorKind::ForeignKeyViolation | DatabaseErrorKind::SerializationFailure => ErrorKind::Conflict,
                DatabaseErrorKind::ClosedConnection => ErrorKind::Unavailable,
                _ => ErrorKind::Internal,
            },
            _ => ErrorKind::Internal,
        }
    }

    /// What a client may be told: never the database's own message.
    pub fn public_message(&self) -> &'static str {
        match DbError::kind(self) {
            ErrorKind::AlreadyExists => "An entry with the same unique key already exists",
            ErrorKind::Conflict => "The change conflicts with a concurrent change; retry",
            ErrorKind::NotFound if matches!(self, DbError::RealmGone(_)) => "The realm no longer exists",
            ErrorKind::NotFound => "The entry was not found",
            ErrorKind::Unavailable => "The database is temporarily unavailable",
            _ => "The database failed",
        }
    }

    /// Whether the transaction failed only because it ran concurrently with another
    /// (PostgreSQL serialization failure or deadlock, SQLite busy): running it again is safe.
    pub fn is_retryable(&self) -> bool {
        match self {
            DbError::Query(diesel::result::Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _)) => true,
            DbError::Query(diesel::result::Error::DatabaseError(_, info)) => {
                let message = info.message();
                message.contains("deadlock detected") || message.contains("database is locked")
            }
            _ => false,
        }
    }

    /// Whether this is a unique-constraint violation (a concurrent create of the same key).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Query(diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)))
    }
}

impl crate::error::DomainError for DbError {
    fn kind(&self) -> ErrorKind {
        DbError::kind(self)
    }

    fn is_retryable(&self) -> bool {
        DbError::is_retryable(self)
    }

    fn code(&self) -> &'static str {
        match DbError::kind(self) {
            ErrorKind::AlreadyExists => "already_exists",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unavailable => "database_unavailable",
            _ => "database",
        }
    }
}

/// A lookup by a unique key (primary key or unique index): the row, if any.
///
/// Use it instead of `.first(conn).optional()`: `first` adds `LIMIT ?`, and SQLite re-prepares a
/// statement whose LIMIT is a bound parameter every time it runs (measured at twice the cost of
/// the statement itself); a unique key finds one row at most anyway. Two rows mean the key is
/// not unique after all, and the query fails rather than pick one.
pub trait UniqueDsl: RunQueryDsl<DbConnection> + Sized {
    /// The one row the query finds, or `None`.
    fn unique<'query, U>(self, conn: &mut DbConnection) -> diesel::QueryResult<Option<U>>
    where
        Self: diesel::query_dsl::LoadQuery<'query, DbConnection, U> + 'query,
    {
        let mut rows: Vec<U> = self.load(conn)?;
        if rows.len() > 1 {
            let message = format!("a lookup by a unique key found {} rows", rows.len());
            return Err(diesel::result::Error::DeserializationError(message.into()));
        }
        Ok(rows.pop())
    }
}

impl<T: RunQueryDsl<DbConnection>> UniqueDsl for T {}

/// A pooled connection.
pub type PooledDb = PooledConnection<ConnectionFactory>;

/// The database: a pool over one backend.
#[derive(Clone)]
pub struct Database {
    pool: Pool<ConnectionFactory>,
    backend: Backend,
    stats: Arc<DbStats>,
    validate_idle_after: Duration,
    factory: ConnectionFactory,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Database {
    /// Opens `url`: `sqlite://PATH` (the parent directory is created) or `postgres://...`.
    pub fn open(url: &str, options: &PoolOptions) -> Result<Database, DbError> {
        let (target, backend) = parse_url(url)?;
        if let Target::Sqlite(path) = &target
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Url(format!("{}: {e}", dir.display())))?;
        }
        if let Target::Sqlite(path) = &target {
            create_private(path)?;
        }
        let max = match backend {
            Backend::Sqlite => options.max_connections.clamp(1, 8),
            Backend::Postgres => options.max_connections.max(1),
        };
        let stats = Arc::new(DbStats::default());
        let factory = ConnectionFactory { target, busy_timeout: options.sqlite_busy_timeout, stats: stats.clone() };
        let pool_factory = factory.clone();
        let pool = Pool::builder()
            .max_size(max)
            // No idle floor: r2d2 refills a floor on its own threads, and a libpq connect still
            // running there when a short-lived command (configtest, migrate) exits crashes the
            // process in OpenSSL's exit handlers. Connections are made when first needed.
            .min_idle(Some(0))
            // No `SELECT 1` before every checkout: a connection that turns out to be gone is
            // marked by the statement that failed and dropped when it comes back (see
            // `TrackedConnection`), and connections are renewed by age anyway.
            .test_on_check_out(false)
            .max_lifetime(Some(Duration::from_secs(30 * 60)))
            .idle_timeout(Some(Duration::from_secs(10 * 60)))
            .connection_timeout(options.acquire_timeout)
            .build(pool_factory)
            .map_err(|e| DbError::Pool(e.to_string()))?;
        Ok(Database { pool, backend, stats, validate_idle_after: options.validate_idle_after, factory })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection from the pool.
    pub fn conn(&self) -> Result<PooledDb, DbError> {
        self.stats.checkouts.fetch_add(1, Ordering::Relaxed);
        // Every idle connection may have been closed by the server; try each at most once.
        for _ in 0..=self.pool.max_size() {
            let mut conn = self.pool.get().map_err(|e| DbError::Pool(e.to_string()))?;
            let idle = conn.last_checkout.elapsed() > self.validate_idle_after;
            conn.last_checkout = std::time::Instant::now();
            if !idle || conn.conn.batch_execute("SELECT 1").is_ok() {
                return Ok(conn);
            }
            // Gone: dropped by the pool when it comes back, here.
            conn.broken.store(true, Ordering::Relaxed);
        }
        Err(DbError::Pool("no connection to the database answers".into()))
    }

    /// What the database has done so far (checkouts, statements, connections opened).
    pub fn counts(&self) -> DbCounts {
        self.stats.read()
    }

    /// Runs read-only work on a pooled connection.
    pub fn read<T, E>(&self, work: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut conn = self.conn()?;
        work(&mut conn)
    }

    /// Runs read-only `work` in one snapshot of the database, so that what several statements
    /// read belongs together: a page and its total, rows and the rows they refer to. A
    /// PostgreSQL `REPEATABLE READ, READ ONLY` transaction; on SQLite a deferred one (in WAL
    /// mode a reader sees the database as of its first read). Two statements more than
    /// [`Database::read`], so single-statement reads use that.
    pub fn snapshot<T, E>(&self, work: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut conn = self.conn()?;
        snapshot_transaction(&mut conn, work)
    }

    /// Runs `work` in a write transaction: committed if it returns `Ok`, rolled back otherwise.
    pub fn write<T, E>(&self, work: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut conn = self.conn()?;
        write_transaction(&mut conn, work)
    }

    /// [`Database::write`] of rows of `realm` made outside [`crate::audit::audited_write`] (a
    /// background worker, a login, a token): the realm is held first, as audited writes hold
    /// it ([`hold_realm`]), so a concurrent deletion of the realm waits for this write, or this
    /// write finds the realm gone ([`DbError::RealmGone`]) and leaves no row behind in it.
    pub fn write_in<T, E>(
        &self,
        realm: crate::RealmId,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<DbError>,
    {
        self.write(|conn| {
            hold_realm(conn, realm)?;
            work(conn)
        })
    }

    /// Connection counts of the pool (metrics).
    pub fn pool_state(&self) -> r2d2::State {
        self.pool.state()
    }

    /// Checks that the database answers (readiness probe).
    pub fn ping(&self) -> Result<(), DbError> {
        let mut conn = self.conn()?;
        diesel::sql_query("SELECT 1").execute(&mut **conn)?;
        Ok(())
    }

    /// Applies every pending migration of each set, in order. Returns the versions applied.
    pub fn migrate(&self, sets: &[&Migrations]) -> Result<Vec<String>, DbError> {
        let mut conn = self.conn()?;
        let mut applied = Vec::new();
        for set in sets {
            applied.extend(set.run_pending(&mut conn)?);
        }
        Ok(applied)
    }
}

/// Locks row `$key` of realm `$realm` in table `$table` (the path of a diesel `table!` module
/// with `id` and `realm_id` columns) until the transaction ends, so concurrent writers of that
/// row queue instead of racing. Evaluates to `diesel::QueryResult<()>`.
///
/// PostgreSQL: `SELECT id ... WHERE realm_id = $realm AND id = $key FOR UPDATE`, written with
/// the table's own diesel columns, so a table or column that does not exist does not compile
/// and a key of another realm locks nothing. SQLite: every write transaction already holds the
/// database's write lock (`BEGIN IMMEDIATE`), the same guarantee.
///
/// ```ignore
/// use super::schema::catalog_streams;
/// portico_core::lock_row!(conn, catalog_streams, ctx.realm.id, id.to_string())?;
/// ```
#[macro_export]
macro_rules! lock_row {
    ($conn:expr, $($table:ident)::+, $realm:expr, $key:expr) => {{
        use ::diesel::{ExpressionMethods as _, QueryDsl as _, RunQueryDsl as _};
        match $conn {
            $crate::db::DbConnection::Postgres(pg) => $($table)::+::table
                .filter($($table)::+::realm_id.eq($realm))
                .filter($($table)::+::id.eq($key))
                .select($($table)::+::id)
                .for_update()
                .execute(pg)
                .map(|_| ()),
            $crate::db::DbConnection::Sqlite(_) => ::diesel::QueryResult::Ok(()),
        }
    }};
}

/// Locks the realm itself until the transaction ends (its deletion, a rename): every write
/// that holds the realm ([`hold_realm`]) waits, or finds it gone once the lock is released.
/// PostgreSQL `FOR UPDATE` on the tenancy table; on SQLite write transactions are serialised.
pub fn lock_realm(conn: &mut DbConnection, realm: crate::RealmId) -> Result<(), DbError> {
    if let DbConnection::Postgres(_) = conn {
        diesel::sql_query("SELECT 1 FROM realms WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Text, _>(realm)
            .execute(conn)?;
    }
    Ok(())
}

/// Locks one key of `realm` until the transaction ends, whether or not a row holds it yet
/// (a secret's key, a resource's type and id, a flow's id): concurrent writers of the key
/// queue instead of racing, so a write that named no precondition never fails because
/// another one won (DESIGN.md, "concurrent writes"), creates included. `kind` names the key's
/// space (`flows.secret`). PostgreSQL: a transaction-scoped advisory lock on a 64-bit digest of
/// kind, realm and key (two keys sharing a digest only queue behind each other); SQLite: every
/// write transaction already holds the database's write lock (`BEGIN IMMEDIATE`).
pub fn lock_key(conn: &mut DbConnection, realm: crate::RealmId, kind: &'static str, key: &str) -> Result<(), DbError> {
    use sha2::Digest;
    if let DbConnection::Postgres(_) = conn {
        let digest = sha2::Sha256::new()
            .chain_update(kind.as_bytes())
            .chain_update([0])
            .chain_update(realm.to_string().as_bytes())
            .chain_update([0])
            .chain_update(key.as_bytes())
            .finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(i64::from_be_bytes(first))
            .execute(conn)?;
    }
    Ok(())
}

/// Holds the realm of a write in place until the transaction ends: a concurrent deletion of
/// the realm waits for this write, or this write finds the realm gone ([`DbError::RealmGone`])
/// and writes nothing. `realms` is the tenancy table (owned by identity); on PostgreSQL this is
/// a `FOR KEY SHARE` lock, which the deleting transaction's `FOR UPDATE` waits for; on SQLite
/// write transactions are serialised anyway.
pub fn hold_realm(conn: &mut DbConnection, realm: crate::RealmId) -> Result<(), DbError> {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        #[expect(dead_code, reason = "only its presence matters")]
        one: i32,
    }
    let sql = match conn {
        DbConnection::Postgres(_) => "SELECT 1 AS one FROM realms WHERE id = $1 FOR KEY SHARE",
        DbConnection::Sqlite(_) => "SELECT 1 AS one FROM realms WHERE id = $1",
    };
    let found: Vec<Found> = diesel::sql_query(sql).bind::<diesel::sql_types::Text, _>(realm).load(conn)?;
    if found.is_empty() { Err(DbError::RealmGone(realm)) } else { Ok(()) }
}

/// `INSERT INTO table (columns) VALUES ($1, ..), (..)` for `rows` rows, with the `$n`
/// placeholders both backends take: one statement for many rows, where diesel's batch insert
/// is not available on the multi-backend connection. The caller binds row by row, column by
/// column. Keep `rows * columns` under 32,766 (SQLite's limit; PostgreSQL's is 65,535).
pub fn insert_values_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let values = (0..rows)
        .map(|row| {
            let places: Vec<String> = (1..=width).map(|column| format!("${}", row * width + column)).collect();
            format!("({})", places.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("INSERT INTO {table} ({}) VALUES {values}", columns.join(", "))
}

/// Runs `work` in a write transaction on `conn` (see [`Database::write`]).
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    in_transaction(conn, ("BEGIN IMMEDIATE", "BEGIN"), work)
}

/// Runs read-only `work` in one snapshot on `conn` (see [`Database::snapshot`]).
pub fn snapshot_transaction<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    // A deferred transaction: in WAL mode a reader sees the database as of its first read.
    in_transaction(conn, ("BEGIN DEFERRED", "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"), work)
}

/// Runs `work` in a transaction begun with `(sqlite, postgres)`: committed if it returns `Ok`,
/// rolled back otherwise.
fn in_transaction<T, E>(
    conn: &mut DbConnection,
    (sqlite, postgres): (&str, &str),
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    let begun = match conn {
        DbConnection::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, sqlite),
        DbConnection::Postgres(inner) => AnsiTransactionManager::begin_transaction_sql(inner, postgres),
    };
    begun.map_err(DbError::from)?;
    match work(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn).map_err(DbError::from)?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
}

/// Creates the SQLite file readable by its owner only (like the sealing key), unless it exists.
/// SQLite gives its `-wal` and `-shm` files the database file's permissions.
fn create_private(path: &std::path::Path) -> Result<(), DbError> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(DbError::Url(format!("{}: {err}", path.display()))),
    }
}

fn parse_url(url: &str) -> Result<(Target, Backend), DbError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Target::Postgres(url.to_owned()), Backend::Postgres));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| DbError::Url(redact_url(url)))?;
    if path.is_empty() || path.contains(":memory:") {
        return Err(DbError::Url(format!("{url} (an SQLite file path is required)")));
    }
    Ok((Target::Sqlite(PathBuf::from(path)), Backend::Sqlite))
}

/// The URL with any password replaced by `***`, for logs and error messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Declares a domain's [`Migrations`] from its two folders (paths relative to the crate).
///
/// The calling crate needs `diesel_migrations` as a dependency (the embedding macro names it).
#[macro_export]
macro_rules! domain_migrations {
    ($domain:literal, sqlite: $sqlite:literal, postgres: $postgres:literal $(,)?) => {
        $crate::db::Migrations {
            domain: $domain,
            sqlite: || {
                const SET: diesel_migrations::EmbeddedMigrations = diesel_migrations::embed_migrations!($sqlite);
                SET
            },
            postgres: || {
                const SET: diesel_migrations::EmbeddedMigrations = diesel_migrations::embed_migrations!($postgres);
                SET
            },
        }
    };
}

/// Parses a UUID stored as text. A malformed value is a corrupt row: the query fails (and the
/// request with it, logged as an internal error) rather than carry on with a made-up id.
pub fn stored_uuid(text: &str) -> diesel::QueryResult<uuid::Uuid> {
    uuid::Uuid::try_parse(text).map_err(|_| {
        diesel::result::Error::DeserializationError(format!("'{text}' in the database is not a UUID").into())
    })
}

/// portico-core's own tables as their `table!` declarations have them (see
/// `testing::assert_schema_matches`).
pub fn declared_tables() -> Vec<(&'static str, String)> {
    use diesel::QueryDsl;
    use diesel::sqlite::Sqlite;
    vec![
        (
            "resource_counts",
            diesel::debug_query::<Sqlite, _>(
                &counters::resource_counts::table.select(counters::resource_counts::all_columns),
            )
            .to_string(),
        ),
        (
            "audit_events",
            diesel::debug_query::<Sqlite, _>(
                &crate::audit::audit_events::table.select(crate::audit::audit_events::all_columns),
            )
            .to_string(),
        ),
    ]
}

/// portico-core's own tables: resource counters and the audit trail.
pub const MIGRATIONS: Migrations = crate::domain_migrations!(
    "core",
    sqlite: "../../migrations/core/sqlite",
    postgres: "../../migrations/core/postgres",
);

#[cfg(test)]
mod tests;
