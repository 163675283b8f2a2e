//! Domain types of the catalog domain.

mod browse;
pub use browse::{BrowseConfig, BrowsePage, BrowseQuery};

use portico_core::audit::Stamp;
pub use portico_core::properties::PropertyPatch;
use uuid::Uuid;

/// The two kinds of classification level a tenant defines and tags streams with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LevelKind {
    /// `/confidentialities`, e.g. C=0 Public ... C=3 Secret.
    Confidentiality,
    /// `/integrities`.
    Integrity,
}

impl LevelKind {
    /// Both kinds.
    pub const ALL: [LevelKind; 2] = [LevelKind::Confidentiality, LevelKind::Integrity];

    /// The stored `kind` value, and the name errors and audit events use.
    pub fn as_str(self) -> &'static str {
        match self {
            LevelKind::Confidentiality => "confidentiality",
            LevelKind::Integrity => "integrity",
        }
    }

    /// The Axual collection (relation and path).
    pub fn rel(self) -> &'static str {
        self.rel_const()
    }

    /// [`rel`](Self::rel) in constant contexts.
    pub const fn rel_const(self) -> &'static str {
        match self {
            LevelKind::Confidentiality => "confidentialities",
            LevelKind::Integrity => "integrities",
        }
    }

    /// The kind a stored `kind` value names.
    pub fn from_stored(value: &str) -> Option<LevelKind> {
        LevelKind::ALL.into_iter().find(|kind| kind.as_str() == value)
    }
}

/// A confidentiality or integrity level of a realm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// Id (`uid`).
    pub id: Uuid,
    /// Which kind.
    pub kind: LevelKind,
    /// The level's name, lower case (1–50 characters), unique per realm and kind.
    pub level: String,
    /// Description (at most 200 characters).
    pub description: Option<String>,
    /// Display colour (at most 12 characters), e.g. `blue`.
    pub color: Option<String>,
    /// Who created and last changed it.
    pub stamp: Stamp,
    /// Optimistic-concurrency version (the ETag; 0 when created).
    pub version: i64,
}

/// A new level, or a PATCH (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelInput {
    /// The level's name (required on create; lower-cased).
    pub level: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Colour.
    pub color: Option<Option<String>>,
}

/// A support tier (read-only reference data every realm has: `GOLD`, `SILVER`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportTier {
    /// Id (`uid`).
    pub id: Uuid,
    /// Name, e.g. `GOLD`.
    pub name: String,
    /// Description.
    pub description: Option<String>,
}

/// A cluster: a set of Kafka brokers in one location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Id (`uid`).
    pub id: Uuid,
    /// Name (3–50 of letters, digits, `.`, `-`, `_`, space), unique in the realm.
    pub name: String,
    /// Description (at most 200).
    pub description: Option<String>,
    /// Data centre or place (at most 50).
    pub location: Option<String>,
    /// The cluster API's URL.
    pub api_url: Option<String>,
    /// The cluster browser's URL.
    pub cluster_browse_url: Option<String>,
    /// `host:port` of each bootstrap server (a set: no duplicates; at least one).
    pub bootstrap_servers: Vec<String>,
    /// Whether cloud billing is on (`None`: never said).
    pub billing_cloud_enabled: Option<bool>,
    /// Optimistic-concurrency version (the ETag; 0 when created).
    pub version: i64,
}

/// A new cluster, or a PATCH (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterInput {
    /// Name (required on create).
    pub name: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Location.
    pub location: Option<Option<String>>,
    /// API URL.
    pub api_url: Option<Option<String>>,
    /// Browse URL.
    pub cluster_browse_url: Option<Option<String>>,
    /// Bootstrap servers (required on create; a PATCH replaces the set).
    pub bootstrap_servers: Option<Vec<String>>,
    /// Cloud billing.
    pub billing_cloud_enabled: Option<Option<bool>>,
}

/// Which clusters a listing wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterFilter {
    /// Every cluster of the realm.
    All,
    /// Names containing the text, ignoring case.
    NameContains(String),
}

/// A CA certificate of an instance: the PEM as given, and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaCert {
    /// The PEM text.
    pub pem: String,
    /// The earliest `notAfter` of its certificates (`None` only for rows stored unparsed).
    pub expires_on: Option<portico_core::Timestamp>,
}

/// One cluster powering an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceCluster {
    /// The cluster.
    pub cluster: Uuid,
    /// Comma-separated schema registry URLs.
    pub schema_registry_urls: Option<String>,
}

/// The Kafka defaults every new instance gets (the seed's create response), in its order.
pub const DEFAULT_INSTANCE_PROPERTIES: &[(&str, &str)] = &[
    ("replication.factor", "1"),
    ("cleanup.policy", "delete"),
    ("num.partitions", "12"),
    ("min.insync.replicas", "1"),
    ("segment.ms", "86400000"),
    ("retention.ms", "604800000"),
];

/// An instance: one installation of the event bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Id (`uid`).
    pub id: Uuid,
    /// Name (3–50 of letters, digits, `.`, `-`, `_`, space).
    pub name: String,
    /// Short name (2–12 letters and digits), unique in the realm.
    pub short_name: String,
    /// Description (at most 200).
    pub description: Option<String>,
    /// The instance API's URL.
    pub api_url: String,
    /// Its clusters, in order (at least one).
    pub clusters: Vec<InstanceCluster>,
    /// Its support tier.
    pub support_tier: Option<Uuid>,
    /// Whether Kafka Connect is on.
    pub connect_enabled: bool,
    /// Comma-separated Connect URLs.
    pub connect_urls: Option<String>,
    /// CA certificates (at least one).
    pub ca_certs: Vec<CaCert>,
    /// Kafka defaults for its streams (string values, in order).
    pub properties: Vec<(String, String)>,
    /// Who created and last changed it.
    pub stamp: Stamp,
    /// Optimistic-concurrency version (the ETag; 0 when created).
    pub version: i64,
}

impl Instance {
    /// Its CA certificates' PEM texts: what its TLS listeners and Connect workers are trusted by.
    pub fn ca_pems(&self) -> Vec<String> {
        self.ca_certs.iter().map(|cert| cert.pem.clone()).collect()
    }
}

/// A new instance, or a PATCH (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstanceInput {
    /// Name.
    pub name: Option<String>,
    /// Short name.
    pub short_name: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// API URL.
    pub api_url: Option<String>,
    /// Clusters (a PATCH replaces them).
    pub clusters: Option<Vec<InstanceCluster>>,
    /// Support tier.
    pub support_tier: Option<Option<Uuid>>,
    /// Connect on or off.
    pub connect_enabled: Option<bool>,
    /// Connect URLs.
    pub connect_urls: Option<Option<String>>,
    /// CA certificates, PEM (a PATCH replaces them).
    pub ca_certs: Option<Vec<String>>,
    /// Properties, merged key by key (see [`PropertyPatch`]).
    pub properties: Option<PropertyPatch>,
}

/// Which instances a listing wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceFilter {
    /// Every instance of the realm.
    All,
    /// Names containing the text, ignoring case.
    NameContains(String),
}

/// An instance with what its representations show of its relations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceView {
    /// The instance.
    pub instance: Instance,
    /// Its clusters, in the instance's order.
    pub clusters: Vec<Cluster>,
    /// Its support tier.
    pub support_tier: Option<SupportTier>,
}

/// Default retention of an environment's streams, in milliseconds (7 days).
pub const DEFAULT_RETENTION_MS: i64 = 604_800_000;
/// Default partitions of an environment's streams.
pub const DEFAULT_PARTITIONS: i64 = 12;

/// An environment: a functional stage of the tenant (test, acceptance, production).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Id (`uid`).
    pub id: Uuid,
    /// Name (3–50 of letters, digits, `.`, `-`, `_`, space).
    pub name: String,
    /// Short name (3–20 lower-case letters and digits), unique in the realm.
    pub short_name: String,
    /// Description (at most 200).
    pub description: Option<String>,
    /// Colour (at most 12).
    pub color: Option<String>,
    /// Access to it is granted automatically (`Auto`) rather than by the stream's owner.
    pub auto_approved: bool,
    /// Visible to its owners only.
    pub private: bool,
    /// The instance it is deployed on (linked by platform admins).
    pub instance: Option<Uuid>,
    /// The owning group.
    pub owner: Uuid,
    /// Default retention of its streams, ms (1,000–160,704,000,000).
    pub retention_time: i64,
    /// Default partitions of its streams (1–120,000).
    pub partitions: i64,
    /// Properties (string values, in order).
    pub properties: Vec<(String, String)>,
    /// Who created and last changed it.
    pub stamp: Stamp,
    /// Optimistic-concurrency version (the ETag; 0 when created).
    pub version: i64,
}

/// A new environment, or a PATCH (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentInput {
    /// Name.
    pub name: Option<String>,
    /// Short name.
    pub short_name: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Colour.
    pub color: Option<Option<String>>,
    /// `true`: `Auto`; `false`: `Stream owner`.
    pub auto_approved: Option<bool>,
    /// `true`: private.
    pub private: Option<bool>,
    /// The instance (platform admins only).
    pub instance: Option<Option<Uuid>>,
    /// The owning group.
    pub owner: Option<Uuid>,
    /// Retention, ms.
    pub retention_time: Option<i64>,
    /// Partitions.
    pub partitions: Option<i64>,
    /// Properties, merged key by key (see [`PropertyPatch`]).
    pub properties: Option<PropertyPatch>,
}

/// Which environments a listing wants (always only those the caller may see).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvironmentFilter {
    /// Every visible environment.
    All,
    /// Exactly this name.
    Name(String),
    /// Names containing the text, ignoring case.
    NameContains(String),
    /// Exactly this short name.
    ShortName(String),
    /// Deployed on this instance.
    Instance(Uuid),
}

/// An environment with what its detail shows of its relations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentView {
    /// The environment.
    pub environment: Environment,
    /// Its instance, as embedded.
    pub instance: Option<InstanceView>,
    /// Its owning group.
    pub owner: Option<portico_core::hooks::GroupRef>,
    /// Whether the caller may change and (private ones) delete it.
    pub manage: bool,
    /// Whether the caller may synchronize it.
    pub synchronize: bool,
}

/// An Avro schema (its versions hold the bodies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaEntry {
    /// Id (`uid`).
    pub id: Uuid,
    /// Name: the full name of the Avro type (3–255 characters), unique in the realm.
    pub name: String,
    /// Description (at most 500).
    pub description: Option<String>,
    /// How new versions must relate to the earlier ones.
    pub compatibility: crate::avro::CompatibilityMode,
    /// Who created and last changed it.
    pub stamp: Stamp,
    /// Optimistic-concurrency version (the ETag; 0 when created).
    pub version: i64,
}

/// One version of a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaVersion {
    /// Id (`uid`).
    pub id: Uuid,
    /// The schema.
    pub schema: Uuid,
    /// Its label (`version`: `1.0`, `v2`, ...), unique per schema.
    pub label: String,
    /// The body as given.
    pub body: String,
    /// The body's Parsing Canonical Form (`None`: not Avro).
    pub canonical: Option<String>,
    /// The canonical form's fingerprint.
    pub fingerprint: Option<String>,
    /// Who created it.
    pub stamp: Stamp,
}

/// The data type of a stream's keys or values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// Avro, with a schema.
    Avro,
    /// JSON.
    Json,
    /// Plain text.
    String,
    /// Low-level bytes.
    Binary,
    /// XML.
    Xml,
}

impl DataType {
    /// Every type.
    pub const ALL: [DataType; 5] = [DataType::Avro, DataType::Json, DataType::String, DataType::Binary, DataType::Xml];

    /// The spelling responses use (and the stored value).
    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Avro => "AVRO",
            DataType::Json => "JSON",
            DataType::String => "STRING",
            DataType::Binary => "BINARY",
            DataType::Xml => "XML",
        }
    }

    /// The type spelled `text` in any case (`AVRO`, `String`, `Xml`, ...).
    pub fn parse(text: &str) -> Option<DataType> {
        DataType::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// A stream: one flow of similar events, deployed per environment by stream configs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// Id (`uid`).
    pub id: Uuid,
    /// Name (3–180 of letters, digits, `.`, `-`, `_`, space), unique in the realm.
    pub name: String,
    /// Description (at most 200).
    pub description: Option<String>,
    /// Stream-specific variables.
    pub properties: Vec<(String, String)>,
    /// The owning group.
    pub owner: Uuid,
    /// `true`: `compact`; `false`: `delete`.
    pub compacted: bool,
    /// Key type.
    pub key_type: DataType,
    /// Value type.
    pub value_type: DataType,
    /// The key's Avro schema (AVRO keys only).
    pub key_schema: Option<Uuid>,
    /// The value's Avro schema (AVRO values only).
    pub value_schema: Option<Uuid>,
    /// Its integrity level.
    pub integrity: Option<Uuid>,
    /// Its confidentiality level.
    pub confidentiality: Option<Uuid>,
    /// Who created and last changed it.
    pub stamp: Stamp,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// A new stream, or a PATCH (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamInput {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Properties, merged key by key (see [`PropertyPatch`]).
    pub properties: Option<PropertyPatch>,
    /// Owning group.
    pub owner: Option<Uuid>,
    /// `compact` rather than `delete`.
    pub compacted: Option<bool>,
    /// Key type.
    pub key_type: Option<DataType>,
    /// Value type.
    pub value_type: Option<DataType>,
    /// Key schema.
    pub key_schema: Option<Option<Uuid>>,
    /// Value schema.
    pub value_schema: Option<Option<Uuid>>,
    /// Integrity level.
    pub integrity: Option<Option<Uuid>>,
    /// Confidentiality level.
    pub confidentiality: Option<Option<Uuid>>,
}

/// A stream with what its representations show of its relations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamView {
    /// The stream.
    pub stream: Stream,
    /// Its owning group.
    pub owner: Option<portico_core::hooks::GroupRef>,
    /// Its key schema.
    pub key_schema: Option<SchemaEntry>,
    /// Its value schema.
    pub value_schema: Option<SchemaEntry>,
    /// Its integrity level.
    pub integrity: Option<Level>,
    /// Its confidentiality level.
    pub confidentiality: Option<Level>,
    /// Whether the caller may change and delete it.
    pub manage: bool,
}

/// A stream config: one stream on one environment (its topic there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamConfig {
    /// Id (`uid`).
    pub id: Uuid,
    /// The stream.
    pub stream: Uuid,
    /// The environment.
    pub environment: Uuid,
    /// Retention, ms (1,000–160,704,000,000; the environment's by default).
    pub retention_time: i64,
    /// Partitions (1–120,000; the environment's by default; they only grow).
    pub partitions: i64,
    /// Kafka topic properties (string values, in order).
    pub properties: Vec<(String, String)>,
    /// The key schema's version (AVRO keys only; required for them).
    pub key_schema_version: Option<Uuid>,
    /// The value schema's version (AVRO values only; required for them).
    pub value_schema_version: Option<Uuid>,
    /// Who created and last changed it.
    pub stamp: Stamp,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// A new stream config, or a PATCH (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamConfigInput {
    /// The stream (set on create only).
    pub stream: Option<Uuid>,
    /// The environment (set on create only).
    pub environment: Option<Uuid>,
    /// Retention, ms.
    pub retention_time: Option<i64>,
    /// Partitions.
    pub partitions: Option<i64>,
    /// Properties, merged key by key (see [`PropertyPatch`]).
    pub properties: Option<PropertyPatch>,
    /// Key schema version.
    pub key_schema_version: Option<Option<Uuid>>,
    /// Value schema version.
    pub value_schema_version: Option<Option<Uuid>>,
}

/// A stream config with the stream and environment its representation embeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamConfigView {
    /// The config.
    pub config: StreamConfig,
    /// Its stream (with the stream's own relations).
    pub stream: StreamView,
    /// Its environment.
    pub environment: Environment,
    /// Whether the caller may change and delete it.
    pub manage: bool,
}

/// A Kafka Connect plugin available on an instance (read from its Connect cluster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectPlugin {
    /// Id (`uid`), kept while the instance offers the class.
    pub id: Uuid,
    /// The instance offering it.
    pub instance: Uuid,
    /// The connector class (what an application's `applicationClass` names).
    pub class: String,
    /// Sink or source.
    pub kind: crate::connect::PluginType,
    /// Its version.
    pub version: String,
    /// Its configuration keys and their types, in Connect's order.
    pub configs: Vec<(String, String)>,
}
