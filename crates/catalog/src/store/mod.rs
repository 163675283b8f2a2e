//! Diesel implementation of [`crate::service::CatalogService`].

use crate::service::CatalogService;
use portico_core::Database;

/// The catalog service over a database.
#[derive(Debug, Clone)]
pub struct CatalogStore {
    db: Database,
}

impl CatalogStore {
    /// A store over `db`.
    pub fn new(db: Database) -> CatalogStore {
        CatalogStore { db }
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl CatalogService for CatalogStore {}
