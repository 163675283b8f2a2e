//! Diesel implementation of [`crate::service::GitsyncService`].

use crate::service::GitsyncService;
use portico_core::Database;

/// The gitsync service over a database.
#[derive(Debug, Clone)]
pub struct GitsyncStore {
    db: Database,
}

impl GitsyncStore {
    /// A store over `db`.
    pub fn new(db: Database) -> GitsyncStore {
        GitsyncStore { db }
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl GitsyncService for GitsyncStore {}
