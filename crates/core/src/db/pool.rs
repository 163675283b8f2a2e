//! The connection pool: options, the factory that opens and instruments connections for
//! r2d2, the counters of checkouts, statements and connects, and the pooled connection that
//! remembers whether it broke.

use super::DbConnection;
use diesel::Connection;
use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Largest number of open connections (SQLite is capped at 8: one writer at a time anyway).
    pub max_connections: u32,
    /// How long to wait for a free connection.
    pub acquire_timeout: Duration,
    /// SQLite `busy_timeout`: how long a writer waits for the write lock.
    pub sqlite_busy_timeout: Duration,
    /// A connection idle for longer is checked with `SELECT 1` before it is handed out (the
    /// server may have closed it meanwhile); one in steady use is not, which saves a round
    /// trip per checkout under load.
    pub validate_idle_after: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
            sqlite_busy_timeout: Duration::from_secs(10),
            validate_idle_after: Duration::from_secs(5),
        }
    }
}

/// Opens connections for the pool, applying SQLite's per-connection settings.
#[derive(Debug, Clone)]
pub struct ConnectionFactory {
    pub(super) target: Target,
    pub(super) busy_timeout: Duration,
    pub(super) stats: Arc<DbStats>,
}

/// Running totals of the database's work: pool checkouts and SQL statements sent. They feed
/// `/metrics`, and tests assert exact per-request counts with them (a change that adds a
/// round trip fails a test without timing anything).
#[derive(Debug, Default)]
pub struct DbStats {
    pub(super) checkouts: AtomicU64,
    pub(super) statements: AtomicU64,
    pub(super) connects: AtomicU64,
}

/// A reading of [`DbStats`]; subtract two readings to count what happened in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DbCounts {
    /// Connections taken from the pool.
    pub checkouts: u64,
    /// Statements sent (queries, and `BEGIN`/`COMMIT` of transactions).
    pub statements: u64,
    /// Connections opened.
    pub connects: u64,
}

impl std::ops::Sub for DbCounts {
    type Output = DbCounts;

    fn sub(self, earlier: DbCounts) -> DbCounts {
        DbCounts {
            checkouts: self.checkouts - earlier.checkouts,
            statements: self.statements - earlier.statements,
            connects: self.connects - earlier.connects,
        }
    }
}

impl DbStats {
    pub(super) fn read(&self) -> DbCounts {
        DbCounts {
            checkouts: self.checkouts.load(Ordering::Relaxed),
            statements: self.statements.load(Ordering::Relaxed),
            connects: self.connects.load(Ordering::Relaxed),
        }
    }
}

/// A pooled connection with what its statements taught about it.
///
/// The pool does not test a connection with a query each time it hands it out (that was one
/// extra round trip per checkout); instead a statement that fails because the connection is
/// gone marks it broken, and the pool drops it when it comes back.
pub struct TrackedConnection {
    pub(super) conn: DbConnection,
    pub(super) broken: Arc<AtomicBool>,
    pub(super) last_checkout: std::time::Instant,
}

impl std::ops::Deref for TrackedConnection {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for TrackedConnection {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// Counts the statements a connection sends and notices when the connection is gone.
fn instrument(stats: Arc<DbStats>, broken: Arc<AtomicBool>) -> impl diesel::connection::Instrumentation {
    use diesel::connection::InstrumentationEvent;
    use diesel::result::{DatabaseErrorKind, Error};
    move |event: InstrumentationEvent<'_>| match event {
        InstrumentationEvent::StartQuery { .. } => {
            stats.statements.fetch_add(1, Ordering::Relaxed);
        }
        InstrumentationEvent::FinishQuery {
            error:
                Some(Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _)),
            ..
        } => broken.store(true, Ordering::Relaxed),
        _ => {}
    }
}

#[derive(Debug, Clone)]
pub(super) enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl ManageConnection for ConnectionFactory {
    type Connection = TrackedConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<TrackedConnection, r2d2::Error> {
        self.open()
    }

    fn is_valid(&self, conn: &mut TrackedConnection) -> Result<(), r2d2::Error> {
        conn.conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut TrackedConnection) -> bool {
        conn.broken.load(Ordering::Relaxed)
            || <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(&mut conn.conn)
                .transaction_depth()
                .is_err()
    }
}

/// How much of a SQLite file connections map into memory (address space, not memory: the
/// pages are the operating system's file cache, shared by every connection).
const MMAP_SIZE: u64 = 1 << 30;

impl ConnectionFactory {
    /// A new connection, configured and instrumented (outside the pool: listeners).
    pub(super) fn open(&self) -> Result<TrackedConnection, r2d2::Error> {
        let mut conn = match &self.target {
            Target::Postgres(url) => {
                DbConnection::Postgres(PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?)
            }
            Target::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&path).map_err(r2d2::Error::ConnectionError)?;
                // Reads go through a shared memory map of the file (up to `MMAP_SIZE`) instead of a
                // read call and a copy into each connection's page cache per page: a lookup in a
                // large table touches a few pages that are rarely in that cache.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA mmap_size = {MMAP_SIZE};",
                    self.busy_timeout.as_millis()
                ))
                .map_err(r2d2::Error::QueryError)?;
                DbConnection::Sqlite(conn)
            }
        };
        // Set on the backend's own connection (also for `on_backend!`); the settings above
        // are not counted as statements.
        let broken = Arc::new(AtomicBool::new(false));
        conn.set_instrumentation(instrument(self.stats.clone(), broken.clone()));
        self.stats.connects.fetch_add(1, Ordering::Relaxed);
        Ok(TrackedConnection { conn, broken, last_checkout: std::time::Instant::now() })
    }
}
