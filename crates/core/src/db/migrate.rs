//! Per-domain, per-backend migrations embedded in each crate.
//!
//! Each crate declares `pub const MIGRATIONS: Migrations` over
//! `migrations/<domain>/{sqlite,postgres}`. Versions are globally unique across domains (each
//! domain owns a time slot), so every domain's migrations share diesel's one bookkeeping table.

use super::{DbConnection, DbError};
use diesel::migration::{Migration, MigrationSource};
use diesel::pg::Pg;
use diesel::sqlite::Sqlite;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

/// The migrations of one domain for both backends.
///
/// The sets are functions because `EmbeddedMigrations` is neither `Copy` nor `Clone`:
/// `sqlite: || embed_migrations!("../../migrations/<domain>/sqlite")`.
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    /// Domain name, for logs.
    pub domain: &'static str,
    /// `migrations/<domain>/sqlite`.
    pub sqlite: fn() -> EmbeddedMigrations,
    /// `migrations/<domain>/postgres`.
    pub postgres: fn() -> EmbeddedMigrations,
}

fn failed(err: impl std::fmt::Display) -> DbError {
    DbError::Migration(err.to_string())
}

impl Migrations {
    /// Applies pending migrations; returns the versions applied.
    pub fn run_pending(&self, conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
        let applied = match conn {
            DbConnection::Sqlite(c) => {
                c.run_pending_migrations((self.sqlite)()).map_err(failed)?.iter().map(|v| v.to_string()).collect()
            }
            DbConnection::Postgres(c) => {
                c.run_pending_migrations((self.postgres)()).map_err(failed)?.iter().map(|v| v.to_string()).collect()
            }
        };
        Ok(applied)
    }

    /// Reverts every applied migration of this domain, newest first (up/down/up tests, `portico migrate --revert`).
    pub fn revert_all(&self, conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
        match conn {
            DbConnection::Sqlite(c) => revert::<Sqlite, _>(c, (self.sqlite)(), usize::MAX),
            DbConnection::Postgres(c) => revert::<Pg, _>(c, (self.postgres)(), usize::MAX),
        }
    }

    /// Reverts the newest `count` applied migrations of this domain.
    pub fn revert(&self, conn: &mut DbConnection, count: usize) -> Result<Vec<String>, DbError> {
        match conn {
            DbConnection::Sqlite(c) => revert::<Sqlite, _>(c, (self.sqlite)(), count),
            DbConnection::Postgres(c) => revert::<Pg, _>(c, (self.postgres)(), count),
        }
    }

    /// Names of this domain's migrations for `backend` (`sqlite` or `postgres`), oldest first.
    pub fn names(&self, postgres: bool) -> Result<Vec<String>, DbError> {
        let mut names: Vec<String> = if postgres {
            MigrationSource::<Pg>::migrations(&(self.postgres)())
                .map_err(failed)?
                .iter()
                .map(|m| m.name().to_string())
                .collect()
        } else {
            MigrationSource::<Sqlite>::migrations(&(self.sqlite)())
                .map_err(failed)?
                .iter()
                .map(|m| m.name().to_string())
                .collect()
        };
        names.sort();
        Ok(names)
    }
}

fn revert<DB, C>(conn: &mut C, source: EmbeddedMigrations, count: usize) -> Result<Vec<String>, DbError>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let applied: Vec<String> = conn.applied_migrations().map_err(failed)?.iter().map(|v| v.to_string()).collect();
    let mut ours: Vec<Box<dyn Migration<DB>>> = source
        .migrations()
        .map_err(failed)?
        .into_iter()
        .filter(|m| applied.contains(&m.name().version().to_string()))
        .collect();
    ours.sort_by_key(|m| std::cmp::Reverse(m.name().version().to_string()));
    let mut reverted = Vec::new();
    for migration in ours.into_iter().take(count) {
        let version = conn.revert_migration(&migration).map_err(failed)?;
        reverted.push(version.to_string());
    }
    Ok(reverted)
}
