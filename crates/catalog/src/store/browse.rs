//! Reading a stream config's topic (Axual `browse`): the records of a time window on one
//! cluster of the environment's instance, optionally those containing a text, newest first.
//!
//! A request looks at no more than [`SCAN_RECORDS`] records and [`SCAN_BYTES`] bytes in all
//! (the page says when it stopped early): a browser asks for narrower windows on busy topics.

use super::provisioning::topic_name;
use super::{CatalogStore, clusters, instances};
use crate::error::CatalogError;
use crate::kafka::{Cluster, EARLIEST, KafkaError, KafkaLimits, KafkaTls, LATEST, Message};
use crate::model::{BrowsePage, BrowseQuery};
use portico_core::RequestContext;
use uuid::Uuid;

/// Records one browse looks at, over all partitions.
pub const SCAN_RECORDS: usize = 10_000;
/// Bytes of keys and values one browse keeps, over all partitions.
pub const SCAN_BYTES: usize = 32 << 20;
/// Bytes asked of a partition per fetch.
const FETCH_BYTES: i32 = 1 << 20;

fn contains(haystack: Option<&bytes::Bytes>, needle: &str) -> bool {
    haystack.is_some_and(|bytes| String::from_utf8_lossy(bytes).to_lowercase().contains(needle))
}

/// The first offset in `lo..hi` (`hi` when none) whose record's timestamp is at or after
/// `at`, taking timestamps to grow with offsets (as Kafka's own time index does): `hint` is
/// checked first, then the range is bisected with one-batch fetches.
fn first_at_or_after(
    kafka: &mut Cluster,
    topic: &str,
    partition: (i32, i32),
    at: i64,
    (mut lo, mut hi): (i64, i64),
    hint: i64,
) -> Result<i64, KafkaError> {
    // The hint is exact when the record before it (if in range) is older and the record at it
    // is not: one fetch tells.
    if (lo..hi).contains(&hint) {
        let near = kafka.fetch(topic, partition, if hint > lo { hint - 1 } else { hint }, 1)?.messages;
        let older_before = hint == lo
            || near.iter().find(|m| m.offset < hint).is_some_and(|m| m.offset == hint - 1 && m.timestamp < at);
        let newer_at = near.iter().find(|m| m.offset >= hint).is_some_and(|m| m.timestamp >= at);
        if older_before && newer_at {
            return Ok(hint);
        }
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let fetched = kafka.fetch(topic, partition, mid, 1)?.messages;
        match fetched.iter().position(|m| m.timestamp >= at) {
            // Every record that came back is older: the answer is after them.
            None => match fetched.last() {
                Some(last) => lo = last.offset + 1,
                None => hi = mid,
            },
            Some(index) => {
                if index > 0 {
                    lo = fetched[index - 1].offset + 1;
                }
                let bound = fetched[index].offset;
                if bound < hi {
                    hi = bound;
                } else if index == 0 {
                    // Nothing is stored from `mid` to `hi`.
                    hi = mid;
                }
            }
        }
    }
    Ok(hi)
}

impl CatalogStore {
    pub(super) fn browse_topic(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        query: &BrowseQuery,
    ) -> Result<BrowsePage, CatalogError> {
        let (topic, cluster, trusted) = self.db.read(|conn| {
            let (_, environment, stream) = self.managed_config(conn, ctx, id)?;
            let not_deployed = || {
                CatalogError::conflict(
                    "stream_config_not_deployed",
                    "the stream config's environment runs on no instance: it has no topic to read",
                )
            };
            let instance = match environment.instance {
                Some(instance) => instances::get(conn, ctx.realm.id, instance)?.ok_or_else(not_deployed)?,
                None => return Err(not_deployed()),
            };
            let mut selected = None;
            for running in &instance.clusters {
                let Some(cluster) = clusters::get(conn, ctx.realm.id, running.cluster)? else { continue };
                if query.cluster.as_deref().is_none_or(|name| name == cluster.name) {
                    selected = Some(cluster);
                    break;
                }
            }
            let cluster = selected.ok_or_else(|| match &query.cluster {
                Some(name) => CatalogError::invalid(
                    "selectedCluster",
                    format!("'selectedCluster': the instance does not run on a cluster named '{name}'"),
                ),
                None => not_deployed(),
            })?;
            let topic = topic_name(&ctx.realm.name, &instance.short_name, &environment.short_name, &stream.name);
            Ok::<_, CatalogError>((topic, cluster, instance.ca_pems()))
        })?;
        let failed = |err: KafkaError| {
            CatalogError::upstream("cluster_unavailable", format!("cluster '{}': {err}", cluster.name))
        };
        let tls = KafkaTls::trusting_as(&trusted, self.kafka_client.as_ref());
        let mut kafka =
            Cluster::connect_with(&cluster.bootstrap_servers, &KafkaLimits::default(), tls.as_ref()).map_err(failed)?;
        let Some(state) = kafka.topic(&topic).map_err(failed)? else {
            return Err(CatalogError::conflict(
                "topic_not_provisioned",
                format!(
                    "the topic '{topic}' does not exist on cluster '{}' (yet); synchronize the environment",
                    cluster.name
                ),
            ));
        };
        let needle = query.text.as_ref().map(|text| text.to_lowercase());
        let window = query.from_ms..=query.to_ms.unwrap_or_else(|| self.clock.now().unix_millis());
        let mut found: Vec<Message> = Vec::new();
        let (mut records, mut bytes, mut truncated) = (0usize, 0usize, false);
        'partitions: for partition in state.partitions {
            let Some(earliest) = kafka.offset(&topic, partition, EARLIEST).map_err(failed)? else { continue };
            let latest = kafka.offset(&topic, partition, LATEST).map_err(failed)?.unwrap_or(earliest);
            // `ListOffsets` by time narrows the start where the broker answers it exactly (Kafka
            // does; tansu answers the partition's start); bisection makes both ends exact.
            let hint = kafka.offset(&topic, partition, *window.start()).map_err(failed)?.unwrap_or(latest);
            let start = first_at_or_after(&mut kafka, &topic, partition, *window.start(), (earliest, latest), hint)
                .map_err(failed)?;
            let after = window.end().saturating_add(1);
            let end =
                first_at_or_after(&mut kafka, &topic, partition, after, (start, latest), latest).map_err(failed)?;
            let mut next = start;
            while next < end {
                let fetched = kafka.fetch(&topic, partition, next, FETCH_BYTES).map_err(failed)?;
                if fetched.messages.is_empty() {
                    break;
                }
                for message in fetched.messages {
                    if message.offset >= end {
                        break;
                    }
                    if records >= SCAN_RECORDS || bytes >= SCAN_BYTES {
                        truncated = true;
                        break 'partitions;
                    }
                    records += 1;
                    next = message.offset + 1;
                    let in_window = window.contains(&message.timestamp);
                    let matches = needle.as_deref().is_none_or(|needle| {
                        contains(message.key.as_ref(), needle) || contains(message.value.as_ref(), needle)
                    });
                    if in_window && matches {
                        bytes +=
                            message.key.as_ref().map_or(0, |k| k.len()) + message.value.as_ref().map_or(0, |v| v.len());
                        found.push(message);
                    }
                }
            }
        }
        found.sort_by(|a, b| {
            b.timestamp.cmp(&a.timestamp).then(a.partition.cmp(&b.partition)).then(b.offset.cmp(&a.offset))
        });
        let total = found.len() as u64;
        let skip = usize::try_from(query.page.saturating_mul(query.page_size)).unwrap_or(usize::MAX);
        let take = usize::try_from(query.page_size).unwrap_or(usize::MAX);
        let messages = found.into_iter().skip(skip).take(take).collect();
        Ok(BrowsePage { messages, total, truncated })
    }
}
