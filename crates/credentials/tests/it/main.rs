//! portico-credentials against a real database (SQLite, or PostgreSQL when
//! PORTICO_TEST_POSTGRES_URL is set), through the service trait only: the way an embedding
//! service uses the crate.

mod service;
