//! Failed-login back-off per account name and source address.
//!
//! The account is the name a login gives (see `IdentityStore::login_key`), not the user it
//! finds: names that match no user back off exactly like names that do, so the answers of a
//! login never tell whether an account exists.

use super::schema::login_failures;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp as SqlTimestamp};
use portico_core::db::UniqueDsl;
use portico_core::{DbConnection, Timestamp};

/// Failures before the back-off: after this many in a row, every further attempt waits.
pub const FREE_FAILURES: i64 = 5;
/// Longest single back-off, in seconds.
pub const MAX_BACKOFF_SECONDS: i64 = 300;
/// After this many seconds without a failure the count starts again.
pub const FORGET_AFTER_SECONDS: i64 = 900;

/// The recent failures of `user` from `source`: none recorded, or counted (and maybe blocked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No failure on record.
    Clean,
    /// Failures on record; logins are refused until the time given, if any.
    Failed {
        /// Refused until then (in the future), if blocked.
        blocked_until: Option<Timestamp>,
    },
}

/// The failure status of `user` from `source` at `now`.
pub fn status(conn: &mut DbConnection, account: &str, source: &str, now: Timestamp) -> QueryResult<Status> {
    let until: Option<Option<time::PrimitiveDateTime>> =
        login_failures::table.find((account, source)).select(login_failures::blocked_until).unique(conn)?;
    Ok(match until {
        None => Status::Clean,
        Some(until) => Status::Failed { blocked_until: until.map(Timestamp::from).filter(|until| *until > now) },
    })
}

/// Counts one more failure and sets the next back-off: the fifth failure in a row makes the next
/// attempt wait 1 second, each further one doubles it, up to five minutes. A quiet quarter of an
/// hour forgets the count.
pub fn record_failure(conn: &mut DbConnection, account: &str, source: &str, now: Timestamp) -> QueryResult<()> {
    let previous: Option<(i64, time::PrimitiveDateTime)> = login_failures::table
        .find((account, source))
        .select((login_failures::failures, login_failures::last_failure_at))
        .unique(conn)?;
    let failures = match previous {
        Some((count, last)) if now.unix() - Timestamp::from(last).unix() < FORGET_AFTER_SECONDS => count + 1,
        _ => 1,
    };
    let blocked = (failures >= FREE_FAILURES).then(|| {
        let exponent = u32::try_from((failures - FREE_FAILURES).min(16)).unwrap_or(16);
        now.plus(time::Duration::seconds((1i64 << exponent).min(MAX_BACKOFF_SECONDS)))
    });
    diesel::sql_query(
        "INSERT INTO login_failures (account, source, failures, last_failure_at, blocked_until) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (account, source) DO UPDATE SET failures = excluded.failures, \
         last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until",
    )
    .bind::<Text, _>(account)
    .bind::<Text, _>(source)
    .bind::<BigInt, _>(failures)
    .bind::<SqlTimestamp, _>(now.as_primitive())
    .bind::<diesel::sql_types::Nullable<SqlTimestamp>, _>(blocked.map(Timestamp::as_primitive))
    .execute(conn)?;
    Ok(())
}

/// Forgets the failures of `account` from `source` (after a successful login).
pub fn reset(conn: &mut DbConnection, account: &str, source: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.find((account, source))).execute(conn)?;
    Ok(())
}
