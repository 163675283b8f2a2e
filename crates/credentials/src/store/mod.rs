//! Diesel implementation of [`crate::service::CredentialsService`].

use crate::service::CredentialsService;
use portico_core::Database;

/// The credentials service over a database.
#[derive(Debug, Clone)]
pub struct CredentialsStore {
    db: Database,
}

impl CredentialsStore {
    /// A store over `db`.
    pub fn new(db: Database) -> CredentialsStore {
        CredentialsStore { db }
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl CredentialsService for CredentialsStore {}
