//! The database layer's own checks.

use super::*;

#[test]
fn many_rows_get_numbered_placeholders() {
    assert_eq!(insert_values_sql("t", &["a", "b"], 2), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
}

#[test]
fn urls_select_the_backend() {
    assert!(matches!(parse_url("sqlite://data/portico.db"), Ok((Target::Sqlite(_), Backend::Sqlite))));
    assert!(
        matches!(parse_url("sqlite:///tmp/x.db"), Ok((Target::Sqlite(p), _)) if p == std::path::Path::new("/tmp/x.db"))
    );
    assert!(matches!(parse_url("postgres://u@h/db"), Ok((_, Backend::Postgres))));
    assert!(parse_url("mysql://x").is_err());
    assert!(parse_url("sqlite://:memory:").is_err());
}

#[test]
fn passwords_are_redacted() {
    assert_eq!(redact_url("postgres://app:s3cret@db:5432/portico"), "postgres://app:***@db:5432/portico");
    assert_eq!(redact_url("postgres://app@db/portico"), "postgres://app@db/portico");
    assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
}

#[test]
fn write_transactions_commit_or_roll_back() -> Result<(), DbError> {
    let dir = tempfile::tempdir().map_err(|e| DbError::Url(e.to_string()))?;
    let db = Database::open(&format!("sqlite://{}/t.db", dir.path().display()), &PoolOptions::default())?;
    db.write(|c| c.batch_execute("CREATE TABLE t (v INTEGER)").map_err(DbError::from))?;
    let failed: Result<(), DbError> = db.write(|c| {
        c.batch_execute("INSERT INTO t VALUES (1)")?;
        Err(DbError::Migration("boom".into()))
    });
    assert!(failed.is_err());
    db.write(|c| c.batch_execute("INSERT INTO t VALUES (2)").map_err(DbError::from))?;
    use std::os::unix::fs::PermissionsExt;
    let mode =
        std::fs::metadata(dir.path().join("t.db")).map_err(|e| DbError::Url(e.to_string()))?.permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the database file is private to its owner");
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Row> =
        db.read(|c| diesel::sql_query("SELECT COUNT(*) AS n FROM t").load(c).map_err(DbError::from))?;
    assert_eq!(rows.first().map(|r| r.n), Some(1));
    db.ping()
}
