-- SQLite has no trigram index: "contains" searches scan the realm's rows (through the
-- realm_id index). PostgreSQL, the backend for large deployments, serves them with trigram
-- indexes (this migration's PostgreSQL twin). Measured in docs/benchmarks.md.
SELECT 1;
