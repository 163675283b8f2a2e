//! Diesel implementation of [`crate::service::FlowsService`].

use crate::service::FlowsService;
use portico_core::Database;

/// The flows service over a database.
#[derive(Debug, Clone)]
pub struct FlowsStore {
    db: Database,
}

impl FlowsStore {
    /// A store over `db`.
    pub fn new(db: Database) -> FlowsStore {
        FlowsStore { db }
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl FlowsService for FlowsStore {}
