//! A small blocking Kafka client: what the catalog needs of a cluster — its topics, their
//! partitions and configuration, and reading (and, for tests and tools, writing) records.
//!
//! Every call blocks on the network: run it off the async executor. Each connection has a
//! connect timeout, a read/write timeout and a bound on the size of what a broker may send.
//! The wire format comes from the `kafka-protocol` crate; versions are negotiated per API with
//! each broker (`ApiVersions`) within the ranges this client knows the meaning of. Plaintext
//! and TLS (`SSL://`, with a client certificate where one is configured) listeners; SASL is not
//! spoken here.

use bytes::{Buf, Bytes, BytesMut};
use kafka_protocol::ResponseError;
use kafka_protocol::indexmap::IndexMap;
use kafka_protocol::messages::{
    ApiKey, BrokerId, CreatePartitionsRequest, CreateTopicsRequest, DeleteTopicsRequest, DescribeConfigsRequest,
    FetchRequest, IncrementalAlterConfigsRequest, ListOffsetsRequest, MetadataRequest, ProduceRequest, TopicName,
    create_partitions_request::CreatePartitionsTopic,
    create_topics_request::{CreatableTopic, CreatableTopicConfig},
    delete_topics_request::DeleteTopicState,
    describe_configs_request::DescribeConfigsResource,
    fetch_request::{FetchPartition, FetchTopic},
    incremental_alter_configs_request::{AlterConfigsResource, AlterableConfig},
    list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic},
    metadata_request::MetadataRequestTopic,
    produce_request::{PartitionProduceData, TopicProduceData},
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};
use std::collections::HashMap;
use std::time::Duration;

mod connection;
mod tls;
use connection::Connection;
pub use tls::{ClientIdentity, KafkaTls};

/// How long to wait for a broker.
#[derive(Clone, Debug)]
pub struct KafkaLimits {
    /// Opening a connection.
    pub connect_timeout: Duration,
    /// Each read or write on a connection.
    pub io_timeout: Duration,
    /// The largest response accepted from a broker.
    pub max_response_bytes: usize,
}

impl Default for KafkaLimits {
    fn default() -> Self {
        KafkaLimits {
            connect_timeout: Duration::from_secs(5),
            io_timeout: Duration::from_secs(30),
            max_response_bytes: 64 << 20,
        }
    }
}

/// What went wrong talking to a cluster. The messages name the broker and the Kafka error and
/// carry nothing secret.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    /// No broker could be reached.
    #[error("no broker could be reached: {0}")]
    Unreachable(String),
    /// The broker does not offer an operation (or no version of it this client speaks).
    #[error("the broker at {broker} does not support {api}")]
    Unsupported {
        /// The broker's address.
        broker: String,
        /// The Kafka API.
        api: &'static str,
    },
    /// The broker refused the operation.
    #[error("{operation} of '{subject}' failed: {error}{}", detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        /// What was asked.
        operation: &'static str,
        /// Of what (a topic).
        subject: String,
        /// Kafka's error.
        error: ResponseError,
        /// The broker's message, if it sent one.
        detail: Option<String>,
    },
    /// The connection failed or the answer was malformed.
    #[error("the broker at {broker}: {reason}")]
    Protocol {
        /// The broker's address.
        broker: String,
        /// What failed.
        reason: String,
    },
}

impl KafkaError {
    /// Whether the error is Kafka's `code`.
    pub fn is(&self, code: ResponseError) -> bool {
        matches!(self, KafkaError::Refused { error, .. } if *error == code)
    }
}

fn refused(operation: &'static str, subject: &str, code: i16, detail: Option<&StrBytes>) -> Result<(), KafkaError> {
    match ResponseError::try_from_code(code) {
        None => Ok(()),
        Some(error) => Err(KafkaError::Refused {
            operation,
            subject: subject.to_owned(),
            error,
            detail: detail.map(|d| d.as_str().to_owned()).filter(|d| !d.is_empty()),
        }),
    }
}

/// The outcome of a topic operation from its per-topic results: `false` when one is the
/// `tolerated` error (nothing was left to do), the first other error refused by name, `true`
/// otherwise.
fn settled<'a>(
    operation: &'static str,
    subject: &str,
    results: impl IntoIterator<Item = (i16, Option<&'a StrBytes>)>,
    tolerated: ResponseError,
) -> Result<bool, KafkaError> {
    for (code, message) in results {
        if code == tolerated.code() {
            return Ok(false);
        }
        refused(operation, subject, code, message)?;
    }
    Ok(true)
}

fn text(value: &str) -> StrBytes {
    StrBytes::from_string(value.to_owned())
}

fn topic_name(value: &str) -> TopicName {
    TopicName(text(value))
}

/// A topic as the cluster holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicState {
    /// Partition index and the id of its leader.
    pub partitions: Vec<(i32, i32)>,
}

/// A record read from (or written to) a topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The partition.
    pub partition: i32,
    /// Its offset there.
    pub offset: i64,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// The key, if any.
    pub key: Option<Bytes>,
    /// The value (none for a tombstone).
    pub value: Option<Bytes>,
    /// Headers in order.
    pub headers: Vec<(String, Option<Bytes>)>,
}

/// One fetch from one partition.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The records at or after the offset asked for (control records left out).
    pub messages: Vec<Message>,
    /// The partition's end: the offset the next record will get.
    pub high_watermark: i64,
}

/// A connected cluster: its brokers, and a connection to each one used so far.
pub struct Cluster {
    limits: KafkaLimits,
    /// TLS for every broker when the bootstrap server was an `SSL://` listener.
    tls: Option<KafkaTls>,
    /// Where the brokers listen, by node id.
    brokers: HashMap<i32, String>,
    controller: Option<i32>,
    seed: Connection,
    connections: HashMap<i32, Connection>,
}

/// Topic config resources in DescribeConfigs and IncrementalAlterConfigs.
const TOPIC_RESOURCE: i8 = 2;

/// `ListOffsets` timestamps meaning "the end" and "the start".
pub const LATEST: i64 = -1;
/// See [`LATEST`].
pub const EARLIEST: i64 = -2;

/// How a listener is spoken to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain TCP.
    Plaintext,
    /// TLS.
    Tls,
}

/// A bootstrap server's security and `host:port`: `host:port` or `PLAINTEXT://host:port` in
/// plaintext, `SSL://host:port` over TLS (protocols in any case); the reason for another
/// protocol (SASL is not spoken).
pub fn listener(listed: &str) -> Result<(Security, &str), String> {
    match listed.split_once("://") {
        None => Ok((Security::Plaintext, listed)),
        Some((protocol, address)) if protocol.eq_ignore_ascii_case("PLAINTEXT") => Ok((Security::Plaintext, address)),
        Some((protocol, address)) if protocol.eq_ignore_ascii_case("SSL") => Ok((Security::Tls, address)),
        Some((protocol, _)) => {
            Err(format!("the {protocol} protocol is not spoken here (PLAINTEXT:// and SSL:// listeners only)"))
        }
    }
}

impl Cluster {
    /// Connects to the first of `bootstrap` (`host:port` each) that answers and learns the
    /// cluster's brokers from it: plaintext listeners only.
    pub fn connect(bootstrap: &[String], limits: &KafkaLimits) -> Result<Cluster, KafkaError> {
        Cluster::connect_with(bootstrap, limits, None)
    }

    /// [`Cluster::connect`], where `SSL://host:port` listeners are spoken to over TLS trusting
    /// `tls` (and every broker of such a cluster is). `PLAINTEXT://` or no prefix is plaintext;
    /// SASL listeners are refused by name before any connection.
    pub fn connect_with(
        bootstrap: &[String],
        limits: &KafkaLimits,
        tls: Option<&KafkaTls>,
    ) -> Result<Cluster, KafkaError> {
        let mut reasons = Vec::new();
        for listed in bootstrap {
            let (secured, address) = match listener(listed) {
                Ok((Security::Plaintext, address)) => (None, address),
                Ok((Security::Tls, address)) => match tls {
                    Some(tls) => (Some(tls.clone()), address),
                    None => {
                        reasons.push(format!("{listed}: a TLS listener, and no CA certificate to trust is known"));
                        continue;
                    }
                },
                Err(reason) => {
                    reasons.push(format!("{listed}: {reason}"));
                    continue;
                }
            };
            match Connection::open(address, limits, secured.as_ref()) {
                Ok(seed) => {
                    let mut cluster = Cluster {
                        limits: limits.clone(),
                        tls: secured,
                        brokers: HashMap::new(),
                        controller: None,
                        seed,
                        connections: HashMap::new(),
                    };
                    cluster.metadata(&[])?;
                    return Ok(cluster);
                }
                Err(err) => reasons.push(err.to_string()),
            }
        }
        Err(KafkaError::Unreachable(if reasons.is_empty() {
            "an empty bootstrap list".to_owned()
        } else {
            format!("[{}]: {}", bootstrap.join(", "), reasons.join("; "))
        }))
    }

    /// Metadata of `topics` (none: only the brokers); remembers brokers and the controller.
    fn metadata(&mut self, topics: &[&str]) -> Result<kafka_protocol::messages::MetadataResponse, KafkaError> {
        let version = self.seed.version(ApiKey::Metadata, "Metadata", 4..=12)?;
        let mut request = MetadataRequest::default();
        request.topics = Some(
            topics
                .iter()
                .map(|name| {
                    let mut topic = MetadataRequestTopic::default();
                    topic.name = Some(topic_name(name));
                    topic
                })
                .collect(),
        );
        request.allow_auto_topic_creation = false;
        let answer: kafka_protocol::messages::MetadataResponse = self.seed.send(ApiKey::Metadata, &request, version)?;
        self.brokers = answer
            .brokers
            .iter()
            .map(|broker| (broker.node_id.0, format!("{}:{}", broker.host.as_str(), broker.port)))
            .collect();
        self.controller = Some(answer.controller_id.0).filter(|id| *id >= 0);
        Ok(answer)
    }

    /// A connection to broker `id` (the seed's when the id is not known).
    fn broker(&mut self, id: Option<i32>) -> Result<&mut Connection, KafkaError> {
        let Some(address) = id.and_then(|id| self.brokers.get(&id).cloned()) else { return Ok(&mut self.seed) };
        Ok(match self.connections.entry(id.unwrap_or_default()) {
            std::collections::hash_map::Entry::Occupied(open) => open.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(Connection::open(&address, &self.limits, self.tls.as_ref())?)
            }
        })
    }

    fn controller(&mut self) -> Result<&mut Connection, KafkaError> {
        let controller = self.controller;
        self.broker(controller)
    }

    /// The topic's partitions and their leaders; `None` when the cluster has no such topic.
    pub fn topic(&mut self, name: &str) -> Result<Option<TopicState>, KafkaError> {
        let answer = self.metadata(&[name])?;
        let Some(topic) = answer.topics.into_iter().find(|t| t.name.as_ref().is_some_and(|n| n.0.as_str() == name))
        else {
            return Ok(None);
        };
        if topic.error_code == ResponseError::UnknownTopicOrPartition.code() {
            return Ok(None);
        }
        refused("Metadata", name, topic.error_code, None)?;
        let mut partitions: Vec<(i32, i32)> =
            topic.partitions.iter().map(|p| (p.partition_index, p.leader_id.0)).collect();
        partitions.sort_unstable();
        Ok(Some(TopicState { partitions }))
    }

    /// Creates the topic; `false` when it already existed (nothing changed then).
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: i32,
        replication_factor: Option<i16>,
        configs: &[(String, String)],
    ) -> Result<bool, KafkaError> {
        let connection = self.controller()?;
        let version = connection.version(ApiKey::CreateTopics, "CreateTopics", 2..=7)?;
        let mut topic = CreatableTopic::default();
        topic.name = topic_name(name);
        topic.num_partitions = partitions;
        topic.replication_factor = replication_factor.unwrap_or(-1);
        topic.configs = configs
            .iter()
            .map(|(key, value)| {
                let mut config = CreatableTopicConfig::default();
                config.name = text(key);
                config.value = Some(text(value));
                config
            })
            .collect();
        let mut request = CreateTopicsRequest::default();
        request.topics = vec![topic];
        request.timeout_ms = timeout_ms(&self.limits);
        let answer: kafka_protocol::messages::CreateTopicsResponse =
            self.controller()?.send(ApiKey::CreateTopics, &request, version)?;
        let results = answer.topics.iter().map(|r| (r.error_code, r.error_message.as_ref()));
        settled("CreateTopics", name, results, ResponseError::TopicAlreadyExists)
    }

    /// Deletes the topic; `false` when there was none.
    pub fn delete_topic(&mut self, name: &str) -> Result<bool, KafkaError> {
        let connection = self.controller()?;
        let version = connection.version(ApiKey::DeleteTopics, "DeleteTopics", 1..=6)?;
        let mut request = DeleteTopicsRequest::default();
        if version >= 6 {
            let mut topic = DeleteTopicState::default();
            topic.name = Some(topic_name(name));
            request.topics = vec![topic];
        } else {
            request.topic_names = vec![topic_name(name)];
        }
        request.timeout_ms = timeout_ms(&self.limits);
        let answer: kafka_protocol::messages::DeleteTopicsResponse =
            self.controller()?.send(ApiKey::DeleteTopics, &request, version)?;
        let results = answer.responses.iter().map(|r| (r.error_code, r.error_message.as_ref()));
        settled("DeleteTopics", name, results, ResponseError::UnknownTopicOrPartition)
    }

    /// Grows the topic to `count` partitions.
    pub fn add_partitions(&mut self, name: &str, count: i32) -> Result<(), KafkaError> {
        let connection = self.controller()?;
        let version = connection.version(ApiKey::CreatePartitions, "CreatePartitions", 0..=3)?;
        let mut topic = CreatePartitionsTopic::default();
        topic.name = topic_name(name);
        topic.count = count;
        let mut request = CreatePartitionsRequest::default();
        request.topics = vec![topic];
        request.timeout_ms = timeout_ms(&self.limits);
        let answer: kafka_protocol::messages::CreatePartitionsResponse =
            self.controller()?.send(ApiKey::CreatePartitions, &request, version)?;
        for result in &answer.results {
            refused("CreatePartitions", name, result.error_code, result.error_message.as_ref())?;
        }
        Ok(())
    }

    /// The topic's configuration as the broker reports it (every key it knows, with value).
    pub fn topic_configs(&mut self, name: &str) -> Result<Vec<(String, Option<String>)>, KafkaError> {
        let connection = self.controller()?;
        let version = connection.version(ApiKey::DescribeConfigs, "DescribeConfigs", 1..=4)?;
        let mut resource = DescribeConfigsResource::default();
        resource.resource_type = TOPIC_RESOURCE;
        resource.resource_name = text(name);
        resource.configuration_keys = None;
        let mut request = DescribeConfigsRequest::default();
        request.resources = vec![resource];
        let answer: kafka_protocol::messages::DescribeConfigsResponse =
            self.controller()?.send(ApiKey::DescribeConfigs, &request, version)?;
        let mut configs = Vec::new();
        for result in answer.results {
            refused("DescribeConfigs", name, result.error_code, result.error_message.as_ref())?;
            configs.extend(
                result
                    .configs
                    .into_iter()
                    .map(|config| (config.name.as_str().to_owned(), config.value.map(|v| v.as_str().to_owned()))),
            );
        }
        Ok(configs)
    }

    /// Sets each of `configs` on the topic, or removes it (`None`: the cluster's default applies
    /// again); the others keep their values.
    pub fn set_topic_configs(&mut self, name: &str, configs: &[(String, Option<String>)]) -> Result<(), KafkaError> {
        let connection = self.controller()?;
        let version = connection.version(ApiKey::IncrementalAlterConfigs, "IncrementalAlterConfigs", 0..=1)?;
        let mut resource = AlterConfigsResource::default();
        resource.resource_type = TOPIC_RESOURCE;
        resource.resource_name = text(name);
        resource.configs = configs
            .iter()
            .map(|(key, value)| {
                let mut config = AlterableConfig::default();
                config.name = text(key);
                config.config_operation = if value.is_some() { 0 } else { 1 }; // SET or DELETE
                config.value = value.as_deref().map(text);
                config
            })
            .collect();
        let mut request = IncrementalAlterConfigsRequest::default();
        request.resources = vec![resource];
        let answer: kafka_protocol::messages::IncrementalAlterConfigsResponse =
            self.controller()?.send(ApiKey::IncrementalAlterConfigs, &request, version)?;
        for result in &answer.responses {
            refused("IncrementalAlterConfigs", name, result.error_code, result.error_message.as_ref())?;
        }
        Ok(())
    }

    /// The first offset of `partition` whose timestamp is at or after `timestamp` (ms), or the
    /// partition's end ([`LATEST`]) or start ([`EARLIEST`]); `None` when no record is that new.
    pub fn offset(&mut self, topic: &str, partition: (i32, i32), timestamp: i64) -> Result<Option<i64>, KafkaError> {
        let connection = self.broker(Some(partition.1))?;
        let version = connection.version(ApiKey::ListOffsets, "ListOffsets", 1..=7)?;
        let mut asked = ListOffsetsPartition::default();
        asked.partition_index = partition.0;
        asked.timestamp = timestamp;
        let mut wanted = ListOffsetsTopic::default();
        wanted.name = topic_name(topic);
        wanted.partitions = vec![asked];
        let mut request = ListOffsetsRequest::default();
        request.replica_id = BrokerId(-1);
        request.topics = vec![wanted];
        let answer: kafka_protocol::messages::ListOffsetsResponse =
            self.broker(Some(partition.1))?.send(ApiKey::ListOffsets, &request, version)?;
        let Some(listed) = answer.topics.iter().flat_map(|t| &t.partitions).next() else { return Ok(None) };
        refused("ListOffsets", topic, listed.error_code, None)?;
        Ok(Some(listed.offset).filter(|offset| *offset >= 0))
    }

    /// Records of `partition` from `offset` on, at most about `max_bytes` of them.
    pub fn fetch(
        &mut self,
        topic: &str,
        partition: (i32, i32),
        offset: i64,
        max_bytes: i32,
    ) -> Result<Fetched, KafkaError> {
        let connection = self.broker(Some(partition.1))?;
        // Up to 11: later versions are flexible, and brokers add tagged fields to them that
        // the wire format rejects (tansu sends v16's node endpoints at v12); 13 and up name
        // topics by id only.
        let version = connection.version(ApiKey::Fetch, "Fetch", 4..=11)?;
        let mut asked = FetchPartition::default();
        asked.partition = partition.0;
        asked.fetch_offset = offset;
        asked.partition_max_bytes = max_bytes;
        let mut wanted = FetchTopic::default();
        wanted.topic = topic_name(topic);
        wanted.partitions = vec![asked];
        let mut request = FetchRequest::default();
        request.max_wait_ms = 0;
        request.min_bytes = 0;
        request.max_bytes = max_bytes;
        request.isolation_level = 1; // read committed
        request.topics = vec![wanted];
        let connection = self.broker(Some(partition.1))?;
        let answer: kafka_protocol::messages::FetchResponse = connection.send(ApiKey::Fetch, &request, version)?;
        refused("Fetch", topic, answer.error_code, None)?;
        let mut messages = Vec::new();
        let mut high_watermark = offset;
        for data in answer.responses.into_iter().flat_map(|t| t.partitions) {
            refused("Fetch", topic, data.error_code, None)?;
            high_watermark = data.high_watermark;
            let Some(mut records) = data.records else { continue };
            // The last batch may be cut off at the size limit: decode whole batches only.
            while records.remaining() >= 12 {
                let length = records.get(8..12).and_then(|b| <[u8; 4]>::try_from(b).ok()).map(i32::from_be_bytes);
                let whole = length.and_then(|l| usize::try_from(l).ok()).and_then(|l| l.checked_add(12));
                if whole.is_none_or(|whole| records.remaining() < whole) {
                    break;
                }
                let set = RecordBatchDecoder::decode(&mut records).map_err(|err| KafkaError::Protocol {
                    broker: connection.address.clone(),
                    reason: format!("an undecodable record batch: {err}"),
                })?;
                messages.extend(set.records.into_iter().filter(|r| !r.control && r.offset >= offset).map(|r| {
                    Message {
                        partition: partition.0,
                        offset: r.offset,
                        timestamp: r.timestamp,
                        key: r.key,
                        value: r.value,
                        headers: r.headers.into_iter().map(|(k, v)| (k.as_str().to_owned(), v)).collect(),
                    }
                }));
            }
        }
        Ok(Fetched { messages, high_watermark })
    }

    /// Appends `messages` (their `partition` and `offset` are ignored) to one partition, waiting
    /// for every in-sync replica; returns the first offset given.
    pub fn produce(&mut self, topic: &str, partition: (i32, i32), messages: &[Message]) -> Result<i64, KafkaError> {
        let connection = self.broker(Some(partition.1))?;
        let version = connection.version(ApiKey::Produce, "Produce", 3..=9)?;
        let records: Vec<Record> = messages
            .iter()
            .enumerate()
            .map(|(index, message)| Record {
                transactional: false,
                control: false,
                delete_horizon: false,
                partition_leader_epoch: -1,
                producer_id: -1,
                producer_epoch: -1,
                timestamp_type: TimestampType::Creation,
                offset: index as i64,
                sequence: -1,
                timestamp: message.timestamp,
                key: message.key.clone(),
                value: message.value.clone(),
                headers: message.headers.iter().map(|(k, v)| (text(k), v.clone())).collect::<IndexMap<_, _>>(),
            })
            .collect();
        let mut batch = BytesMut::new();
        RecordBatchEncoder::encode(
            &mut batch,
            &records,
            &RecordEncodeOptions { version: 2, compression: Compression::None },
        )
        .map_err(|err| KafkaError::Protocol {
            broker: connection.address.clone(),
            reason: format!("cannot encode records: {err}"),
        })?;
        let mut data = PartitionProduceData::default();
        data.index = partition.0;
        data.records = Some(batch.freeze());
        let mut target = TopicProduceData::default();
        target.name = topic_name(topic);
        target.partition_data = vec![data];
        let mut request = ProduceRequest::default();
        request.acks = -1;
        request.timeout_ms = timeout_ms(&self.limits);
        request.topic_data = vec![target];
        let answer: kafka_protocol::messages::ProduceResponse =
            self.broker(Some(partition.1))?.send(ApiKey::Produce, &request, version)?;
        let mut base = -1;
        for written in answer.responses.iter().flat_map(|t| &t.partition_responses) {
            refused("Produce", topic, written.error_code, written.error_message.as_ref())?;
            base = written.base_offset;
        }
        Ok(base)
    }
}

fn timeout_ms(limits: &KafkaLimits) -> i32 {
    i32::try_from(limits.io_timeout.as_millis()).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests;
