//! portico-identity against a real database (SQLite, or PostgreSQL when
//! PORTICO_TEST_POSTGRES_URL is set), through its public API.

mod service;
