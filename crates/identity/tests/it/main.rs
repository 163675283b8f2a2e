//! portico-identity against a real database (SQLite, or PostgreSQL when
//! PORTICO_TEST_POSTGRES_URL is set), through its public API.
#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

mod authorization;
mod search;
mod service;
