//! Provisioning: the topics of stream configs on the Kafka clusters of their environment's
//! instance, through the outbox ([`super::outbox`]).
//!
//! A stream config's create, change and delete write what its topics should be into the
//! outbox in their own transaction; a worker on any replica claims due rows and applies them
//! (create the topic, grow its partitions, set the configs that differ; or delete it), with
//! retries on a growing delay. `synchronize` of an instance or environment writes every config's
//! wanted state again and applies it at once, answering only when it is done (or failed).

use super::outbox::{self, Change, Wanted};
use super::{CatalogStore, clusters, environments, instances, stream_configs, streams};
use crate::error::CatalogError;
use crate::kafka::{Cluster, KafkaError, KafkaLimits, KafkaTls};
use crate::model::{Environment, Stream, StreamConfig};
use portico_core::{DbConnection, RealmId, RealmRef, Timestamp};
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

/// How long a worker holds a claimed row before another may take it over.
const CLAIM: Duration = Duration::from_secs(120);
/// The longest delay between attempts at a failing row.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Rows one worker pass takes on.
pub(crate) const PASS: i64 = 50;

/// The topic of `stream` on `environment` of `instance` in `realm`:
/// `{tenant}-{instance}-{environment}-{stream}`, Axual's default naming pattern, with the
/// stream name's spaces (which Kafka does not allow) as `_`.
pub fn topic_name(realm: &str, instance: &str, environment: &str, stream: &str) -> String {
    format!("{realm}-{instance}-{environment}-{}", stream.replace(' ', "_"))
}

/// The configs a topic gets from its config and stream.
fn topic_configs(config: &StreamConfig, stream: &Stream) -> Vec<(String, String)> {
    let mut configs = vec![
        ("retention.ms".to_owned(), config.retention_time.to_string()),
        ("cleanup.policy".to_owned(), if stream.compacted { "compact" } else { "delete" }.to_owned()),
    ];
    configs.extend(config.properties.iter().cloned());
    configs
}

/// The delay before attempt `attempts + 1`: 1 s, 2 s, 4 s, ... up to [`MAX_BACKOFF`].
fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    Duration::from_secs(1u64 << exponent).min(MAX_BACKOFF)
}

fn later(now: Timestamp, delay: Duration) -> Timestamp {
    now.plus(time::Duration::try_from(delay).unwrap_or(time::Duration::MINUTE))
}

/// The outcome of applying one row.
#[derive(Debug)]
pub(crate) struct Applied {
    /// The topic and cluster.
    pub change: Change,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl CatalogStore {
    /// Writes what `config`'s topics should be (or that they should be gone, with `delete`)
    /// into the outbox, in the caller's transaction: one change per cluster of its environment's
    /// instance (none when the environment has no instance). Wake the worker once committed.
    pub(super) fn want_topics(
        &self,
        conn: &mut DbConnection,
        realm: &RealmRef,
        config: &StreamConfig,
        stream: &Stream,
        environment: &Environment,
        wish: TopicWish<'_>,
    ) -> Result<Vec<Change>, CatalogError> {
        let Some(instance) = environment.instance else { return Ok(Vec::new()) };
        let Some(instance) = instances::get(conn, realm.id, instance)? else { return Ok(Vec::new()) };
        let topic = topic_name(&realm.name, &instance.short_name, &environment.short_name, &stream.name);
        let wanted = match wish {
            TopicWish::Gone => Wanted::Delete,
            TopicWish::Current { removed } => {
                let mut configs = topic_configs(config, stream);
                // The instance's replication factor, for creating the topic (not a topic config).
                if let Some((_, factor)) = instance.properties.iter().find(|(key, _)| key == REPLICATION_FACTOR) {
                    configs.push((REPLICATION_FACTOR.to_owned(), factor.clone()));
                }
                let partitions = i32::try_from(config.partitions).unwrap_or(i32::MAX);
                Wanted::Apply { partitions, configs, removed: removed.to_vec() }
            }
        };
        let changes: Vec<Change> = instance
            .clusters
            .iter()
            .map(|running| Change { cluster: running.cluster, topic: topic.clone(), wanted: wanted.clone() })
            .collect();
        let now = self.clock.now();
        for change in &changes {
            outbox::enqueue(conn, realm.id, change, now)?;
        }
        Ok(changes)
    }

    /// Writes the wanted state of every config of `stream` again (its retention policy changed).
    pub(super) fn want_stream_topics(
        &self,
        conn: &mut DbConnection,
        realm: &RealmRef,
        stream: &Stream,
    ) -> Result<(), CatalogError> {
        for config in stream_configs::matching(conn, realm.id, stream_configs::StreamConfigFilter::Stream(stream.id))? {
            if let Some(environment) = environments::get(conn, realm.id, config.environment)? {
                self.want_topics(conn, realm, &config, stream, &environment, TopicWish::UNCHANGED)?;
            }
        }
        Ok(())
    }

    /// Writes the wanted state of every stream config on `environments` again; returns the
    /// changes written.
    pub(super) fn want_all_topics(
        &self,
        conn: &mut DbConnection,
        realm: &RealmRef,
        environments: &[Uuid],
    ) -> Result<Vec<Change>, CatalogError> {
        let mut changes = Vec::new();
        let mut streams_seen: HashMap<Uuid, Stream> = HashMap::new();
        for id in environments {
            let Some(environment) = environments::get(conn, realm.id, *id)? else { continue };
            for config in
                stream_configs::matching(conn, realm.id, stream_configs::StreamConfigFilter::Environment(*id))?
            {
                let stream = match streams_seen.get(&config.stream) {
                    Some(stream) => stream.clone(),
                    None => {
                        let Some(stream) = streams::get(conn, realm.id, config.stream)? else { continue };
                        streams_seen.insert(stream.id, stream.clone());
                        stream
                    }
                };
                changes.extend(self.want_topics(conn, realm, &config, &stream, &environment, TopicWish::UNCHANGED)?);
            }
        }
        Ok(changes)
    }

    /// Applies what is due (at most `limit` rows); returns how many rows were attempted.
    pub(crate) fn provision_due(&self, limit: i64) -> Result<usize, CatalogError> {
        let now = self.clock.now();
        let due = self.db.read(|conn| Ok::<_, CatalogError>(outbox::due(conn, now, limit)?))?;
        Ok(self.apply_rows(&due)?.len())
    }

    /// Claims and applies each row of `keys` that nobody else holds; returns what happened to
    /// each one claimed here.
    pub(crate) fn apply_rows(&self, keys: &[(RealmId, Uuid, String)]) -> Result<Vec<Applied>, CatalogError> {
        let holder = Uuid::new_v4().to_string();
        let mut connected: HashMap<(RealmId, Uuid), Result<(Cluster, String), String>> = HashMap::new();
        let mut results = Vec::new();
        for (realm, cluster, topic) in keys {
            let now = self.clock.now();
            let claimed = self.db.write(|conn| {
                Ok::<_, CatalogError>(outbox::claim(conn, (*realm, *cluster, topic), &holder, now, later(now, CLAIM))?)
            })?;
            let Some(claimed) = claimed else { continue };
            let outcome = match connected.entry((*realm, *cluster)) {
                std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::hash_map::Entry::Vacant(entry) => entry.insert(self.connect(*realm, *cluster)),
            };
            let outcome = match outcome {
                Ok((kafka, name)) => apply(kafka, &claimed.change).map_err(|err| format!("cluster '{name}': {err}")),
                Err(reason) => Err(reason.clone()),
            };
            let now = self.clock.now();
            self.db.write(|conn| {
                match &outcome {
                    Ok(()) => outbox::done(conn, &claimed, &holder)?,
                    Err(error) => {
                        let retry = later(now, backoff(claimed.attempts));
                        outbox::release(conn, &claimed, &holder, Some(error), Some(retry))?
                    }
                }
                Ok::<_, CatalogError>(())
            })?;
            if let Err(error) = &outcome {
                tracing::warn!(topic = %claimed.change.topic, cluster = %claimed.change.cluster, attempts = claimed.attempts + 1, %error, "a topic change failed; it is retried");
                // A broken connection is not reused for the next row.
                connected.remove(&(*realm, *cluster));
            }
            results.push(Applied { change: claimed.change.clone(), error: outcome.err() });
        }
        Ok(results)
    }

    /// A connection to the cluster's brokers and the cluster's name, or why there is none.
    fn connect(&self, realm: RealmId, cluster: Uuid) -> Result<(Cluster, String), String> {
        let (found, pems) = self
            .db
            .read(|conn| {
                let found = clusters::get(conn, realm, cluster)?;
                Ok::<_, CatalogError>((found, instances::ca_pems_using_cluster(conn, realm, cluster)?))
            })
            .map_err(|err| err.to_string())?;
        let Some(found) = found else { return Err(format!("the cluster '{}' no longer exists", cluster.simple())) };
        let tls = KafkaTls::trusting_as(&pems, self.kafka_client.as_ref());
        match Cluster::connect_with(&found.bootstrap_servers, &KafkaLimits::default(), tls.as_ref()) {
            Ok(kafka) => Ok((kafka, found.name)),
            Err(err) => Err(format!("cluster '{}': {err}", found.name)),
        }
    }
}

/// What a write wants of a stream config's topics.
#[derive(Clone, Copy, Debug)]
pub(super) enum TopicWish<'a> {
    /// As the config is now; `removed` are properties it no longer has.
    Current {
        /// Removed properties: their topic configs go back to the cluster's default.
        removed: &'a [String],
    },
    /// Gone.
    Gone,
}

impl TopicWish<'_> {
    /// As the config is, nothing removed.
    pub(super) const UNCHANGED: TopicWish<'static> = TopicWish::Current { removed: &[] };
}

/// The instance property that is the replication factor of the topics created on its clusters.
/// In an outbox row it rides with the configs; [`apply`] takes it out.
const REPLICATION_FACTOR: &str = "replication.factor";

/// Makes the topic what `change` wants.
fn apply(kafka: &mut Cluster, change: &Change) -> Result<(), KafkaError> {
    match &change.wanted {
        Wanted::Delete => kafka.delete_topic(&change.topic).map(|_| ()),
        Wanted::Apply { partitions, configs, removed } => {
            let replication = configs
                .iter()
                .find(|(key, _)| key == REPLICATION_FACTOR)
                .and_then(|(_, factor)| factor.parse::<i16>().ok());
            let configs: Vec<(String, String)> =
                configs.iter().filter(|(key, _)| key != REPLICATION_FACTOR).cloned().collect();
            let configs = &configs;
            let existing = match kafka.topic(&change.topic)? {
                Some(existing) => existing,
                None => {
                    if kafka.create_topic(&change.topic, *partitions, replication, configs)? {
                        return Ok(());
                    }
                    // Created meanwhile by someone else: make it what is wanted.
                    kafka.topic(&change.topic)?.unwrap_or(crate::kafka::TopicState { partitions: Vec::new() })
                }
            };
            if existing.partitions.len() < usize::try_from(*partitions).unwrap_or(0) {
                kafka.add_partitions(&change.topic, *partitions)?;
            }
            let current: HashMap<String, Option<String>> = kafka.topic_configs(&change.topic)?.into_iter().collect();
            let mut differing: Vec<(String, Option<String>)> = configs
                .iter()
                .filter(|(key, value)| current.get(key).and_then(|v| v.as_deref()) != Some(value.as_str()))
                .map(|(key, value)| (key.clone(), Some(value.clone())))
                .collect();
            // A property removed from the config (`null` on PATCH) goes back to the cluster's
            // default on the topic (deleting a config that is not set changes nothing).
            differing.extend(removed.iter().map(|key| (key.clone(), None)));
            if !differing.is_empty() {
                kafka.set_topic_configs(&change.topic, &differing)?;
            }
            Ok(())
        }
    }
}

/// How often, and how many times, a synchronisation looks again at rows another replica holds.
const WAIT_STEP: Duration = Duration::from_millis(200);
const WAIT_STEPS: u32 = 300;

impl CatalogStore {
    /// Writes the wanted state of every config on `environments` and applies it now; answers
    /// when every topic is as wanted, or with what failed (the failed rows stay in the outbox
    /// and are retried).
    pub(super) fn synchronize(
        &self,
        ctx: &portico_core::RequestContext,
        action: &'static str,
        entity: &'static str,
        id: Uuid,
        environments: impl Fn(&mut DbConnection) -> Result<Vec<Uuid>, CatalogError>,
    ) -> Result<(), CatalogError> {
        let changes = portico_core::audit::audited_write(&self.db, self.clock.as_ref(), ctx, action, entity, |conn| {
            let ids = environments(conn)?;
            Ok::<_, CatalogError>((self.want_all_topics(conn, &ctx.realm, &ids)?, id.simple().to_string()))
        })?;
        let mut keys: Vec<(RealmId, Uuid, String)> =
            changes.into_iter().map(|change| (ctx.realm.id, change.cluster, change.topic)).collect();
        keys.sort();
        keys.dedup();
        let total = keys.len();
        let mut failures = Vec::new();
        let mut remaining = keys;
        for step in 0..=WAIT_STEPS {
            let applied = self.apply_rows(&remaining)?;
            for outcome in &applied {
                if let Some(error) = &outcome.error {
                    failures.push(format!("{}: {error}", outcome.change.topic));
                }
            }
            remaining.retain(|(_, cluster, topic)| {
                !applied.iter().any(|a| a.change.cluster == *cluster && a.change.topic == *topic)
            });
            // What another replica holds: wait for it to finish (its row goes when applied).
            remaining = self.db.read(|conn| still_pending(conn, ctx.realm.id, remaining))?;
            if remaining.is_empty() || step == WAIT_STEPS {
                break;
            }
            std::thread::sleep(WAIT_STEP);
        }
        failures.extend(remaining.iter().map(|(_, _, topic)| format!("{topic}: still being applied elsewhere")));
        if failures.is_empty() {
            return Ok(());
        }
        let shown: Vec<&str> = failures.iter().take(5).map(String::as_str).collect();
        Err(CatalogError::upstream(
            "synchronization_failed",
            format!(
                "{} of {total} topics could not be synchronized (they are retried): {}{}",
                failures.len(),
                shown.join("; "),
                if failures.len() > shown.len() { "; ..." } else { "" }
            ),
        ))
    }
}

/// Those of `keys` (all of `realm`, sorted) whose rows are still in the outbox: one query per
/// cluster.
fn still_pending(
    conn: &mut DbConnection,
    realm: RealmId,
    keys: Vec<(RealmId, Uuid, String)>,
) -> Result<Vec<(RealmId, Uuid, String)>, CatalogError> {
    let mut still = Vec::new();
    for cluster_keys in keys.chunk_by(|a, b| a.1 == b.1) {
        let topics: Vec<String> = cluster_keys.iter().map(|key| key.2.clone()).collect();
        let pending = outbox::pending(conn, realm, cluster_keys[0].1, &topics)?;
        still.extend(cluster_keys.iter().filter(|key| pending.iter().any(|row| row.change.topic == key.2)).cloned());
    }
    Ok(still)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_follow_the_axual_pattern() {
        assert_eq!(topic_name("rabo", "ota", "dev", "payments.v1"), "rabo-ota-dev-payments.v1");
        assert_eq!(topic_name("rabo", "ota", "dev", "my stream"), "rabo-ota-dev-my_stream");
    }

    #[test]
    fn retries_back_off_up_to_five_minutes() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(9), MAX_BACKOFF);
        assert_eq!(backoff(1_000), MAX_BACKOFF);
        assert_eq!(backoff(-5), Duration::from_secs(1));
    }
}
