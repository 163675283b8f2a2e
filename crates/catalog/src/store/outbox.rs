//! The topic outbox: what the catalog still has to do on its Kafka clusters. One row per realm,
//! cluster and topic holds the newest wanted state; each change bumps its `revision`. A worker
//! claims a row (one replica at a time, until its claim expires), applies it and removes it
//! only if no newer revision arrived meanwhile; a failure schedules the next attempt.

use super::schema::catalog_topic_outbox as outbox;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp as SqlTimestamp};
use portico_core::{DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;
use uuid::Uuid;

/// What a topic should be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// Exist with (at least) these partitions and these configs.
    Apply {
        /// Partitions.
        partitions: i32,
        /// Topic configs (`retention.ms`, `cleanup.policy`, ...).
        configs: Vec<(String, String)>,
        /// Configs the stream config no longer has: back to the cluster's default.
        removed: Vec<String>,
    },
    /// Be gone.
    Delete,
}

/// One topic on one cluster, wanted in some state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The cluster.
    pub cluster: Uuid,
    /// The topic's name there.
    pub topic: String,
    /// What it should be.
    pub wanted: Wanted,
}

/// A claimed row: the change at the revision the claimer saw.
#[derive(Clone, Debug)]
pub struct Claimed {
    /// The realm.
    pub realm: RealmId,
    /// The change.
    pub change: Change,
    /// Its revision when claimed.
    pub revision: i64,
    /// Attempts before this one.
    pub attempts: i64,
}

/// A row as a status report shows it.
#[derive(Clone, Debug)]
pub struct Pending {
    /// The change.
    pub change: Change,
    /// Failed attempts so far.
    pub attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// Whether a worker holds it now.
    pub claimed: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox)]
struct Row {
    cluster_id: String,
    topic: String,
    action: String,
    partitions: i64,
    configs: String,
    revision: i64,
    attempts: i64,
    claimed_until: Option<PrimitiveDateTime>,
    last_error: Option<String>,
}

impl Row {
    fn change(&self) -> QueryResult<Change> {
        let wanted = match self.action.as_str() {
            "DELETE" => Wanted::Delete,
            _ => {
                let (configs, removed) = super::properties::changes_from_column(&self.configs)?;
                Wanted::Apply { partitions: i32::try_from(self.partitions).unwrap_or(i32::MAX), configs, removed }
            }
        };
        Ok(Change { cluster: super::uuid(&self.cluster_id)?, topic: self.topic.clone(), wanted })
    }
}

/// Records `change` as wanted in `realm` (replacing whatever was wanted of that topic before),
/// due now. Call it in the transaction of the write that wants it. A removal still waiting in
/// the row it replaces is carried over (unless the change sets that config again), so a
/// removed config is never forgotten because a newer change came before the worker.
pub fn enqueue(conn: &mut DbConnection, realm: RealmId, change: &Change, now: Timestamp) -> QueryResult<()> {
    let (action, partitions, configs) = match &change.wanted {
        Wanted::Apply { partitions, configs, removed } => {
            let mut removed = removed.clone();
            let waiting: Option<Row> = keyed(realm, change.cluster.to_string(), &change.topic)
                .select(Row::as_select())
                .first(conn)
                .optional()?;
            if let Some(Ok(Change { wanted: Wanted::Apply { removed: earlier, .. }, .. })) =
                waiting.map(|row| row.change())
            {
                removed.extend(earlier);
            }
            removed.retain(|key| !configs.iter().any(|(set, _)| set == key));
            removed.sort();
            removed.dedup();
            ("APPLY", i64::from(*partitions), super::properties::changes_to_column(configs, &removed))
        }
        Wanted::Delete => ("DELETE", 0, super::properties::to_column(&[])),
    };
    // Same upsert syntax on SQLite (3.24+) and PostgreSQL; MultiConnection has no on_conflict DSL.
    diesel::sql_query(
        "INSERT INTO catalog_topic_outbox (realm_id, cluster_id, topic, action, partitions, configs, revision, \
         attempts, due_at, claimed_by, claimed_until, last_error, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, 0, $7, NULL, NULL, NULL, $7, $7) \
         ON CONFLICT (realm_id, cluster_id, topic) DO UPDATE SET action = excluded.action, \
         partitions = excluded.partitions, configs = excluded.configs, \
         revision = catalog_topic_outbox.revision + 1, attempts = 0, due_at = excluded.due_at, \
         last_error = NULL, updated_at = excluded.updated_at",
    )
    .bind::<Text, _>(realm)
    .bind::<Text, _>(change.cluster.to_string())
    .bind::<Text, _>(&change.topic)
    .bind::<Text, _>(action)
    .bind::<BigInt, _>(partitions)
    .bind::<Text, _>(configs)
    .bind::<SqlTimestamp, _>(now.as_primitive())
    .execute(conn)?;
    Ok(())
}

/// Rows due at `now` that nobody holds, oldest first: `(realm, cluster, topic)`.
pub fn due(conn: &mut DbConnection, now: Timestamp, limit: i64) -> QueryResult<Vec<(RealmId, Uuid, String)>> {
    let now = now.as_primitive();
    let rows: Vec<(String, String, String)> = outbox::table
        .filter(outbox::due_at.le(now))
        .filter(outbox::claimed_until.is_null().or(outbox::claimed_until.lt(now)))
        .order((outbox::due_at.asc(), outbox::topic.asc()))
        .limit(limit)
        .select((outbox::realm_id, outbox::cluster_id, outbox::topic))
        .load(conn)?;
    rows.into_iter().map(|(realm, cluster, topic)| Ok((realm_id(&realm)?, super::uuid(&cluster)?, topic))).collect()
}

fn realm_id(text: &str) -> QueryResult<RealmId> {
    super::uuid(text).map(RealmId::from)
}

/// The row of one realm, cluster and topic (every statement below starts from it).
#[diesel::dsl::auto_type(no_type_alias)]
fn keyed<'a>(realm: RealmId, cluster: String, topic: &'a str) -> _ {
    outbox::table
        .filter(outbox::realm_id.eq(realm))
        .filter(outbox::cluster_id.eq(cluster))
        .filter(outbox::topic.eq(topic))
}

/// Claims the row for `holder` until `until` unless another holder's claim is still running;
/// `None` when it is held or gone. Exactly one of several racing claimers gets it.
pub fn claim(
    conn: &mut DbConnection,
    (realm, cluster, topic): (RealmId, Uuid, &str),
    holder: &str,
    now: Timestamp,
    until: Timestamp,
) -> QueryResult<Option<Claimed>> {
    let now = now.as_primitive();
    let taken = diesel::update(
        keyed(realm, cluster.to_string(), topic)
            .filter(outbox::claimed_until.is_null().or(outbox::claimed_until.lt(now))),
    )
    .set((outbox::claimed_by.eq(holder), outbox::claimed_until.eq(until.as_primitive())))
    .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    let row: Option<Row> = keyed(realm, cluster.to_string(), topic).select(Row::as_select()).first(conn).optional()?;
    row.map(|row| Ok(Claimed { realm, change: row.change()?, revision: row.revision, attempts: row.attempts }))
        .transpose()
}

/// The claimed revision was applied: the row goes unless a newer revision arrived, which is
/// then due at once.
pub fn done(conn: &mut DbConnection, claimed: &Claimed, holder: &str) -> QueryResult<()> {
    let (realm, change) = (claimed.realm, &claimed.change);
    let removed = diesel::delete(
        keyed(realm, change.cluster.to_string(), &change.topic)
            .filter(outbox::revision.eq(claimed.revision))
            .filter(outbox::claimed_by.eq(holder)),
    )
    .execute(conn)?;
    if removed == 0 {
        release(conn, claimed, holder, None, None)?;
    }
    Ok(())
}

/// Gives the claim back: after a failure (`error`, next attempt at `retry_at`), or with the
/// row due as it is.
pub fn release(
    conn: &mut DbConnection,
    claimed: &Claimed,
    holder: &str,
    error: Option<&str>,
    retry_at: Option<Timestamp>,
) -> QueryResult<()> {
    let (realm, change) = (claimed.realm, &claimed.change);
    let target = || keyed(realm, change.cluster.to_string(), &change.topic).filter(outbox::claimed_by.eq(holder));
    match (error, retry_at) {
        (Some(error), Some(retry_at)) => diesel::update(target().filter(outbox::revision.eq(claimed.revision)))
            .set((
                outbox::claimed_by.eq(None::<String>),
                outbox::claimed_until.eq(None::<PrimitiveDateTime>),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::last_error.eq(error),
                outbox::due_at.eq(retry_at.as_primitive()),
            ))
            .execute(conn)?,
        _ => 0,
    };
    // Still held (a newer revision arrived, or no failure): free it, due as it is.
    diesel::update(target())
        .set((outbox::claimed_by.eq(None::<String>), outbox::claimed_until.eq(None::<PrimitiveDateTime>)))
        .execute(conn)?;
    Ok(())
}

/// The rows still wanted of `topics` on `cluster` in `realm`.
pub fn pending(conn: &mut DbConnection, realm: RealmId, cluster: Uuid, topics: &[String]) -> QueryResult<Vec<Pending>> {
    let now_claimed = |row: &Row| row.claimed_until.is_some();
    let rows: Vec<Row> = outbox::table
        .filter(outbox::realm_id.eq(realm))
        .filter(outbox::cluster_id.eq(cluster.to_string()))
        .filter(outbox::topic.eq_any(topics))
        .select(Row::as_select())
        .load(conn)?;
    rows.iter()
        .map(|row| {
            Ok(Pending {
                change: row.change()?,
                attempts: row.attempts,
                last_error: row.last_error.clone(),
                claimed: now_claimed(row),
            })
        })
        .collect()
}
