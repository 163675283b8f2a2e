//! One audit trail of every write in every domain: who, what, when, outcome.
//!
//! MATTR's START/SUCCESS/FAIL analytic events, generalised: [`audited_write`] runs a write and
//! records `SUCCESS` in the same transaction, or `FAIL` (with the error code) in a separate one.
//! Audit rows never hold secret values.

use crate::RealmId;
use crate::context::RequestContext;
use crate::db::{Database, DbConnection, DbError};
use crate::error::DomainError;
use crate::time::{Clock, Timestamp};
use diesel::prelude::*;

diesel::table! {
    /// The audit trail.
    audit_events (id) {
        /// Sequence.
        id -> BigInt,
        /// Realm the write acted in.
        realm_id -> Text,
        /// When.
        at -> Timestamp,
        /// Request id (also in the logs).
        request_id -> Text,
        /// Who: user e-mail or client id.
        actor -> Text,
        /// What, e.g. `credential.update`.
        action -> Text,
        /// Resource kind.
        resource -> Text,
        /// Resource id (empty when a create failed).
        resource_id -> Text,
        /// `SUCCESS` or `FAIL`.
        outcome -> Text,
        /// Error code of a failure.
        detail -> Nullable<Text>,
    }
}

/// Who created and last changed a row, and when: the five audit columns' values but the
/// version (`created_at`, `created_by`, `modified_at`, `modified_by`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Creation time.
    pub created_at: Timestamp,
    /// Creator (`None`: seeded by Portico).
    pub created_by: Option<String>,
    /// Last change.
    pub modified_at: Timestamp,
    /// Last changer.
    pub modified_by: Option<String>,
}

impl Stamp {
    /// The stamp of a row's audit columns, in their column order.
    pub fn from_columns(
        created_at: time::PrimitiveDateTime,
        created_by: Option<String>,
        modified_at: time::PrimitiveDateTime,
        modified_by: Option<String>,
    ) -> Stamp {
        Stamp { created_at: created_at.into(), created_by, modified_at: modified_at.into(), modified_by }
    }
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct AuditEvent {
    /// Sequence.
    pub id: i64,
    /// Realm id.
    pub realm_id: RealmId,
    /// When.
    pub at: time::PrimitiveDateTime,
    /// Request id.
    pub request_id: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Resource kind.
    pub resource: String,
    /// Resource id.
    pub resource_id: String,
    /// `SUCCESS` or `FAIL`.
    pub outcome: String,
    /// Error code of a failure.
    pub detail: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewAuditEventRow<'a> {
    realm_id: RealmId,
    at: time::PrimitiveDateTime,
    request_id: &'a str,
    actor: &'a str,
    action: &'a str,
    resource: &'a str,
    resource_id: &'a str,
    outcome: &'a str,
    detail: Option<&'a str>,
}

/// Records one event on `conn`.
#[expect(clippy::too_many_arguments, reason = "one flat record; a builder would only move the same fields")]
pub fn record(
    conn: &mut DbConnection,
    ctx: &RequestContext,
    at: Timestamp,
    action: &str,
    resource: &str,
    resource_id: &str,
    outcome: &str,
    detail: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(NewAuditEventRow {
            realm_id: ctx.realm.id,
            at: at.as_primitive(),
            request_id: &ctx.request_id,
            actor: ctx.actor(),
            action,
            resource,
            resource_id,
            outcome,
            detail,
        })
        .execute(conn)?;
    Ok(())
}

/// How often an unconditional write that keeps losing races is run before it gives up.
pub const WRITE_ATTEMPTS: u32 = 12;

/// Runs `work` as an audited write. `work` returns its value and the id of the resource it
/// wrote; `SUCCESS` is recorded in the same transaction, `FAIL` afterwards on its own. The
/// realm is held in place first ([`crate::db::hold_realm`]), so a write never leaves rows in
/// a realm that a concurrent deletion removed.
///
/// When `work` fails with a retryable error (it lost a race with another writer, see
/// [`crate::write`]), the transaction is rolled back and run again, up to [`WRITE_ATTEMPTS`]
/// times, with a short growing pause; `work` therefore reads what it changes inside it.
pub fn audited_write<T, E>(
    db: &Database,
    clock: &dyn Clock,
    ctx: &RequestContext,
    action: &str,
    resource: &str,
    mut work: impl FnMut(&mut DbConnection) -> Result<(T, String), E>,
) -> Result<T, E>
where
    E: From<DbError> + DomainError,
{
    audited_write_prepared(db, clock, ctx, action, resource, || Ok(()), |conn, ()| work(conn))
}

/// [`audited_write`] for a write that must first check something no transaction should be
/// held open for (a git remote's references): `prepare` runs before each attempt, outside the
/// transaction, and `work` gets what it prepared. `work` fails with a retryable error when the
/// rows it reads are no longer those `prepare` saw ([`crate::write::Precondition::lost`]);
/// then both run again. A failure of `prepare` is recorded as `FAIL` like any other.
pub fn audited_write_prepared<P, T, E>(
    db: &Database,
    clock: &dyn Clock,
    ctx: &RequestContext,
    action: &str,
    resource: &str,
    mut prepare: impl FnMut() -> Result<P, E>,
    mut work: impl FnMut(&mut DbConnection, &P) -> Result<(T, String), E>,
) -> Result<T, E>
where
    E: From<DbError> + DomainError,
{
    let mut attempt = 0;
    let result: Result<T, E> = loop {
        attempt += 1;
        let result: Result<T, E> = prepare().and_then(|prepared| {
            db.write(|conn| {
                crate::db::hold_realm(conn, ctx.realm.id)?;
                let (value, resource_id) = work(conn, &prepared)?;
                record(conn, ctx, clock.now(), action, resource, &resource_id, "SUCCESS", None)
                    .map_err(DbError::from)?;
                Ok(value)
            })
        });
        match result {
            Err(err) if err.is_retryable() && attempt < WRITE_ATTEMPTS => {
                // Spread the retries of writers that collided (1–3 ms, growing).
                let jitter = u64::from(crate::ids::random_bytes::<1>()[0] % 3);
                std::thread::sleep(std::time::Duration::from_millis(u64::from(attempt) + jitter));
            }
            other => break other,
        }
    };
    if let Err(err) = &result {
        let code = err.code();
        let failure: Result<(), DbError> = db.write(|conn| {
            record(conn, ctx, clock.now(), action, resource, "", "FAIL", Some(code)).map_err(DbError::from)
        });
        if let Err(audit_err) = failure {
            tracing::warn!(error = %audit_err, action, "could not record a failed write in the audit trail");
        }
    }
    result
}

/// The newest `limit` events of `realm`, newest first.
pub fn recent(conn: &mut DbConnection, realm: RealmId, limit: i64) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table.filter(audit_events::realm_id.eq(realm)).order(audit_events::id.desc()).limit(limit).load(conn)
}
