//! A change counter shared by every process serving one database.
//!
//! Caches of security decisions (which subjects exist, which roles they hold, which tokens are
//! revoked) stay correct by remembering the generation they were filled at: a cached answer is
//! used only while the generation has not moved. A write that changes such data calls
//! [`Generation::changed`] after it commits: this process moves at once, and on PostgreSQL a
//! `NOTIFY` moves every other replica within [`POLL`] (each runs a listener on its own
//! connection). A replica whose listener is not connected does not trust its caches at all
//! until it is again. SQLite is one process's file; there is nothing else to tell.

use super::{Backend, Database, DbConnection, TrackedConnection};
use diesel::RunQueryDsl;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the listener looks for notifications from other replicas.
pub const POLL: Duration = Duration::from_millis(25);

/// The counter; see the module documentation.
#[derive(Debug)]
pub struct Generation {
    channel: &'static str,
    /// This process's own notifications carry it; the listener skips them (already counted).
    instance: String,
    value: AtomicU64,
    /// Whether cached answers may be trusted: always on SQLite; on PostgreSQL only while the
    /// listener is connected.
    trusted: AtomicBool,
    /// The listener thread (PostgreSQL), stopped and joined when the counter goes: it must not
    /// be inside libpq when the process exits (its exit handlers would pull the library out
    /// from under it).
    listener: Mutex<Option<JoinHandle<()>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Generation {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        let handle = self.listener.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        // The listener may itself drop the last reference (it upgrades its weak one to poll).
        if let Some(handle) = handle.filter(|h| h.thread().id() != std::thread::current().id()) {
            let _ = handle.join();
        }
    }
}

impl Generation {
    /// A counter for `channel` (a PostgreSQL identifier) over `db`; on PostgreSQL its listener
    /// thread runs until the counter is dropped.
    pub fn new(db: &Database, channel: &'static str) -> Arc<Generation> {
        let postgres = db.backend() == Backend::Postgres;
        let generation = Arc::new(Generation {
            channel,
            instance: uuid::Uuid::new_v4().simple().to_string(),
            value: AtomicU64::new(0),
            trusted: AtomicBool::new(!postgres),
            listener: Mutex::new(None),
            stop: Arc::new(AtomicBool::new(false)),
        });
        if postgres {
            // The first connection is made here, so caches work from the first request.
            let first = subscribe(db, channel);
            generation.trusted.store(first.is_some(), Ordering::Release);
            let weak = Arc::downgrade(&generation);
            let stop = generation.stop.clone();
            let db = db.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("listen-{channel}"))
                .spawn(move || listen(&db, channel, &weak, &stop, first));
            match spawned {
                Ok(handle) => {
                    *generation.listener.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(handle);
                }
                Err(err) => {
                    generation.trusted.store(false, Ordering::Release);
                    tracing::error!(error = %err, "cannot start the {channel} listener; caches stay off");
                }
            }
        }
        generation
    }

    /// The current generation, or `None` when cached answers must not be used.
    pub fn current(&self) -> Option<u64> {
        let value = self.value.load(Ordering::Acquire);
        self.trusted.load(Ordering::Acquire).then_some(value)
    }

    /// Tells every replica that data behind cached answers changed. Call it after the write
    /// committed (a reader must not cache the old state under the new generation).
    pub fn changed(&self, db: &Database) {
        self.bump();
        if db.backend() == Backend::Postgres {
            let notify = db.conn().and_then(|mut conn| {
                diesel::sql_query(format!("NOTIFY {}, '{}'", self.channel, self.instance))
                    .execute(&mut **conn)
                    .map_err(Into::into)
            });
            if let Err(err) = notify {
                // Other replicas re-check when their listener reconnects or their entries age out.
                tracing::warn!(error = %err, channel = self.channel, "NOTIFY failed");
            }
        }
    }

    fn bump(&self) {
        self.value.fetch_add(1, Ordering::AcqRel);
    }
}

/// A connection of its own that `LISTEN`s on `channel`.
fn subscribe(db: &Database, channel: &str) -> Option<TrackedConnection> {
    let mut conn = match db.factory.open() {
        Ok(conn) => conn,
        Err(err) => {
            tracing::warn!(error = %err, channel, "listener cannot connect; caches stay off");
            return None;
        }
    };
    match diesel::sql_query(format!("LISTEN {channel}")).execute(&mut *conn) {
        Ok(_) => Some(conn),
        Err(err) => {
            tracing::warn!(error = %err, channel, "LISTEN failed; caches stay off");
            None
        }
    }
}

/// The listener: moves the generation for every notification of another process; while it is
/// disconnected the caches are off, and it reconnects with a growing pause.
fn listen(
    db: &Database,
    channel: &'static str,
    generation: &Weak<Generation>,
    stop: &AtomicBool,
    first: Option<TrackedConnection>,
) {
    let mut backoff = POLL;
    let mut connection = first;
    loop {
        let Some(mut conn) = connection.take() else {
            std::thread::sleep(backoff);
            if stop.load(Ordering::Acquire) {
                return;
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
            let Some(current) = generation.upgrade() else { return };
            connection = subscribe(db, channel);
            if connection.is_some() {
                // Whatever changed while nobody listened is covered by this bump.
                current.bump();
                current.trusted.store(true, Ordering::Release);
                backoff = POLL;
            }
            continue;
        };
        let DbConnection::Postgres(pg) = &mut *conn else { return };
        loop {
            std::thread::sleep(POLL);
            if stop.load(Ordering::Acquire) {
                return;
            }
            let Some(current) = generation.upgrade() else { return };
            let mut lost = false;
            for notification in pg.notifications_iter() {
                match notification {
                    Ok(notice) if notice.payload == current.instance => {}
                    Ok(_) => current.bump(),
                    Err(_) => {
                        lost = true;
                        break;
                    }
                }
            }
            if lost {
                current.trusted.store(false, Ordering::Release);
                current.bump();
                tracing::warn!(channel, "listener lost its connection; caches off until it reconnects");
                break;
            }
        }
    }
}
