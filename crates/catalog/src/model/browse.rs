//! What reading a stream config's topic takes and gives.

use super::{Cluster, DataType};

/// What a message browser needs to read one stream config's topic (Axual `browse-config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowseConfig {
    /// The selected cluster, when the environment's instance runs on it, with its schema
    /// registry URLs there.
    pub cluster: Option<(Cluster, Option<String>)>,
    /// The tenant's (realm's) short name.
    pub tenant: String,
    /// The environment's instance's short name (`None`: not deployed on one).
    pub instance: Option<String>,
    /// The instance's CA certificates (PEM).
    pub instance_cas: Vec<String>,
    /// The stream's name.
    pub stream: String,
    /// The environment's short name.
    pub environment: String,
    /// The stream's key type.
    pub key_type: DataType,
    /// The stream's value type.
    pub value_type: DataType,
}

/// What `browse` reads of a stream config's topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowseQuery {
    /// Records at or after this time (ms since the epoch).
    pub from_ms: i64,
    /// Records at or before this time (ms since the epoch; `None`: now).
    pub to_ms: Option<i64>,
    /// Only records whose key or value contains this text (ignoring case).
    pub text: Option<String>,
    /// The cluster to read from, by name (the instance's first cluster by default).
    pub cluster: Option<String>,
    /// 0-based page.
    pub page: u64,
    /// Records per page.
    pub page_size: u64,
}

/// One page of what `browse` found, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowsePage {
    /// The records of the page.
    pub messages: Vec<crate::kafka::Message>,
    /// How many records matched in all.
    pub total: u64,
    /// Whether the scan stopped at its limit before the end of the window.
    pub truncated: bool,
}
