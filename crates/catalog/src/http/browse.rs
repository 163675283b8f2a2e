//! Reading a stream config's topic: `/streams/{streamConfigUid}/browse-access`,
//! `/browse-config` and `/browse` (the uid is a stream config's, as the seed insists).

use crate::model::BrowseQuery;
use crate::service::StreamConfigService;
use actix_web::web::Data;
use actix_web::{HttpResponse, get};
use portico_core::http::{ApiError, PathUid};
use portico_core::page::{MAX_POSITION, bounded};
use portico_core::{RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Axual "browse stream access": 200 with no body when the caller may read the topic of the
/// stream config `{uid}` (a stream config's uid, not a stream's, as the seed insists).
#[utoipa::path(tag = "axual", params(("uid" = String, Path, description = "a stream config's uid")),
    responses((status = 200, description = "the caller may browse"), (status = 401, description = "no credentials"), (status = 403, description = "the caller may not browse"), (status = 404, description = "no such stream config")))]
#[get("/streams/{uid}/browse-access")]
pub async fn browse_access(
    ctx: RequestContext,
    PathUid(id): PathUid,
    svc: Data<dyn StreamConfigService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.browse_access(&ctx, id)).await?;
    Ok(HttpResponse::Ok().finish())
}

/// `browse-config`'s query.
#[derive(Debug, Deserialize)]
pub struct BrowseConfigQuery {
    /// The name of the cluster to read from.
    #[serde(rename = "selectedCluster")]
    pub selected_cluster: Option<String>,
}

/// The selected cluster's details (`{}` when the instance does not run on it).
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterDetails {
    /// The cluster's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its browse service's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_browse_url: Option<String>,
    /// Its bootstrap servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrap_servers: Option<Vec<String>>,
    /// The instance's schema registry URLs on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_registry_urls: Option<String>,
}

/// Axual `browse-config`, in the seed's key order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrowseConfigBody {
    /// The selected cluster.
    pub cluster_details: ClusterDetails,
    /// The tenant's short name.
    pub tenant: String,
    /// The instance's short name (`null`: the environment is on none).
    pub instance: Option<String>,
    /// The instance's CA certificates (PEM).
    #[serde(rename = "instanceCAs")]
    pub instance_cas: Vec<String>,
    /// The stream's name.
    pub stream: String,
    /// The environment's short name.
    pub environment: String,
    /// The stream's key type.
    pub key_type: &'static str,
    /// The stream's value type.
    pub value_type: &'static str,
}

/// Axual "stream browse config": what a browser needs to read the topic of the stream config
/// `{uid}` on `selectedCluster` (a cluster of the environment's instance, by name).
#[utoipa::path(tag = "axual", params(("uid" = String, Path, description = "a stream config's uid"), ("selectedCluster" = Option<String>, Query)),
    responses((status = 200, description = "the browse configuration", body = BrowseConfigBody, content_type = "application/json"), (status = 401, description = "no credentials"), (status = 403, description = "the caller may not browse"), (status = 404, description = "no such stream config")))]
#[get("/streams/{uid}/browse-config")]
pub async fn browse_config(
    ctx: RequestContext,
    PathUid(id): PathUid,
    query: actix_web::web::Query<BrowseConfigQuery>,
    svc: Data<dyn StreamConfigService>,
) -> Result<HttpResponse, ApiError> {
    let cluster = query.into_inner().selected_cluster;
    let config = run_blocking(move || svc.browse_config(&ctx, id, cluster.as_deref())).await?;
    let cluster_details = config
        .cluster
        .map(|(cluster, registries)| ClusterDetails {
            name: Some(cluster.name),
            cluster_browse_url: cluster.cluster_browse_url,
            bootstrap_servers: Some(cluster.bootstrap_servers),
            schema_registry_urls: registries,
        })
        .unwrap_or_default();
    let body = BrowseConfigBody {
        cluster_details,
        tenant: config.tenant,
        instance: config.instance,
        instance_cas: config.instance_cas,
        stream: config.stream,
        environment: config.environment,
        key_type: config.key_type.as_str(),
        value_type: config.value_type.as_str(),
    };
    Ok(HttpResponse::Ok().content_type("application/json;charset=UTF-8").json(body))
}

/// `browse`'s query: every parameter as text, checked here so a bad one is a 400 naming it.
#[derive(Debug, Deserialize)]
pub struct BrowseParams {
    #[serde(rename = "fromTime")]
    from_time: Option<String>,
    #[serde(rename = "toTime")]
    to_time: Option<String>,
    query: Option<String>,
    page: Option<String>,
    #[serde(rename = "pageSize")]
    page_size: Option<String>,
    #[serde(rename = "selectedCluster")]
    selected_cluster: Option<String>,
}

/// The latest time `fromTime` and `toTime` may name: 9999-12-31T23:59:59Z.
const LAST_SECOND: i64 = 253_402_300_799;
/// The largest `pageSize`.
pub const MAX_BROWSE_PAGE: i64 = 500;

fn number<T: std::str::FromStr>(field: &str, value: Option<&str>, default: T, rule: &str) -> Result<T, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| super::invalid(field, format!("'{field}' must be {rule}"))),
    }
}

impl BrowseParams {
    fn into_query(self) -> Result<BrowseQuery, ApiError> {
        let seconds = |field: &str, value: Option<&str>| -> Result<Option<i64>, ApiError> {
            let rule = "a time in seconds since 1970-01-01T00:00:00Z";
            if value.map(str::trim).is_none_or(str::is_empty) {
                return Ok(None);
            }
            let parsed: i64 = number(field, value, 0, rule)?;
            if !(0..=LAST_SECOND).contains(&parsed) {
                return Err(super::invalid(field, format!("'{field}' must be {rule}")));
            }
            Ok(Some(parsed))
        };
        let from = seconds("fromTime", self.from_time.as_deref())?.unwrap_or(0);
        let to = seconds("toTime", self.to_time.as_deref())?;
        if to.is_some_and(|to| from > to) {
            return Err(super::invalid("fromTime", "'fromTime' must not be after 'toTime'".to_owned()));
        }
        let page = bounded("page", self.page.as_deref(), 0, 0, MAX_POSITION)?;
        let page_size = bounded("pageSize", self.page_size.as_deref(), 20, 1, MAX_BROWSE_PAGE)?;
        let text = self.query.filter(|text| !text.is_empty());
        if let Some(text) = &text {
            portico_core::text::check_field("query", text, 255, false).map_err(ApiError::from)?;
        }
        Ok(BrowseQuery {
            // Whole seconds: the window ends with the last millisecond of `toTime`.
            from_ms: from * 1000,
            to_ms: to.map(|to| to * 1000 + 999),
            text,
            cluster: self.selected_cluster.filter(|name| !name.is_empty()),
            // Both bounded to non-negative values above.
            page: u64::try_from(page).unwrap_or_default(),
            page_size: u64::try_from(page_size).unwrap_or(20),
        })
    }
}

/// A record as `browse` shows it: text as text, anything else as base64 (said per field).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrowsedMessage {
    /// The partition.
    pub partition: i32,
    /// The offset in it.
    pub offset: i64,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// The key (`null`: none).
    pub key: Option<String>,
    /// `UTF8` or `BASE64`: how `key` is written.
    pub key_encoding: &'static str,
    /// The value (`null`: a tombstone).
    pub value: Option<String>,
    /// `UTF8` or `BASE64`: how `value` is written.
    pub value_encoding: &'static str,
    /// Headers by name (values as text, or base64 with the name in `binaryHeaders`).
    pub headers: serde_json::Map<String, serde_json::Value>,
    /// The names of headers whose values are base64.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub binary_headers: Vec<String>,
}

/// Text when the bytes are UTF-8, base64 otherwise.
fn shown(bytes: Option<&bytes::Bytes>) -> (Option<String>, &'static str) {
    use base64::Engine;
    match bytes {
        None => (None, "UTF8"),
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => (Some(text.to_owned()), "UTF8"),
            Err(_) => (Some(base64::engine::general_purpose::STANDARD.encode(bytes)), "BASE64"),
        },
    }
}

impl From<&crate::kafka::Message> for BrowsedMessage {
    fn from(message: &crate::kafka::Message) -> Self {
        let (key, key_encoding) = shown(message.key.as_ref());
        let (value, value_encoding) = shown(message.value.as_ref());
        let mut headers = serde_json::Map::new();
        let mut binary_headers = Vec::new();
        for (name, value) in &message.headers {
            let (text, encoding) = shown(value.as_ref());
            if encoding == "BASE64" {
                binary_headers.push(name.clone());
            }
            headers.insert(name.clone(), text.map_or(serde_json::Value::Null, serde_json::Value::String));
        }
        BrowsedMessage {
            partition: message.partition,
            offset: message.offset,
            timestamp: message.timestamp,
            key,
            key_encoding,
            value,
            value_encoding,
            headers,
            binary_headers,
        }
    }
}

/// `browse`'s page block, as the seed prints it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrowsePageInfo {
    /// Records per page.
    pub size: u64,
    /// Matching records in all.
    pub total_elements: u64,
    /// Pages in all.
    pub total_pages: u64,
    /// This page (0-based).
    pub number: u64,
}

/// `browse`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrowseBody {
    /// The page's records, newest first.
    pub messages: Vec<BrowsedMessage>,
    /// Paging.
    pub page: BrowsePageInfo,
    /// Beyond the seed: `true` when the scan stopped at its limit before the window's end
    /// (ask for a narrower window); absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// Axual "browse stream": the records of the stream config's topic between `fromTime` and
/// `toTime` (seconds since the epoch; the whole topic up to now by default) on
/// `selectedCluster` (the instance's first cluster by default), those whose key or value
/// contains `query` (ignoring case) when given, newest first, `pageSize` (1–500, 20) per page.
#[utoipa::path(tag = "axual", params(("uid" = String, Path, description = "a stream config's uid"), ("fromTime" = Option<i64>, Query), ("toTime" = Option<i64>, Query), ("query" = Option<String>, Query), ("page" = Option<u64>, Query), ("pageSize" = Option<u64>, Query), ("selectedCluster" = Option<String>, Query)),
    responses((status = 200, description = "a page of records", body = BrowseBody, content_type = "application/json"), (status = 400, description = "a bad parameter (named)"), (status = 401, description = "no credentials"), (status = 403, description = "the caller may not browse"), (status = 404, description = "no such stream config"), (status = 409, description = "the config has no topic yet (no instance, or not provisioned)"), (status = 500, description = "the cluster failed (named)")))]
#[get("/streams/{uid}/browse")]
pub async fn browse(
    ctx: RequestContext,
    PathUid(id): PathUid,
    params: actix_web::web::Query<BrowseParams>,
    svc: Data<dyn StreamConfigService>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_inner().into_query()?;
    let size = query.page_size;
    let number = query.page;
    let page = run_blocking(move || svc.browse(&ctx, id, &query)).await?;
    let body = BrowseBody {
        messages: page.messages.iter().map(BrowsedMessage::from).collect(),
        page: BrowsePageInfo { size, total_elements: page.total, total_pages: page.total.div_ceil(size), number },
        truncated: page.truncated,
    };
    Ok(HttpResponse::Ok().content_type("application/json;charset=UTF-8").json(body))
}
