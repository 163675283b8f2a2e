//! portico-credentials against a real database (SQLite, or PostgreSQL when
//! PORTICO_TEST_POSTGRES_URL is set), through the service trait only: the way an embedding
//! service uses the crate.
#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

mod service;
