//! A small blocking client of the Kafka Connect REST API: which connector plugins a Connect
//! cluster offers (`GET /connector-plugins`) and the configuration each one takes (`PUT
//! /connector-plugins/{class}/config/validate`, answered by every Connect version since 0.10;
//! `GET /connector-plugins/{class}/config` of Kafka 3.5+ where validation fails).
//!
//! Every call blocks on the network: run it off the async executor. Requests have connect and
//! total timeouts, answers are bounded in size, redirects are not followed, and messages name
//! the worker by its URL without any credentials in it.

use serde::Deserialize;
use std::io::Read;
use std::time::Duration;
use url::Url;

/// How long to wait for a Connect worker and how much to read from it.
#[derive(Clone, Debug)]
pub struct ConnectLimits {
    /// Connecting.
    pub connect_timeout: Duration,
    /// A whole request.
    pub timeout: Duration,
    /// The largest answer read.
    pub max_body_bytes: u64,
    /// The most plugins taken from one cluster.
    pub max_plugins: usize,
}

impl Default for ConnectLimits {
    fn default() -> Self {
        ConnectLimits {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
            max_plugins: 1000,
        }
    }
}

/// Whether a plugin reads from or writes to Kafka.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PluginType {
    /// Writes Kafka records elsewhere.
    Sink,
    /// Brings records into Kafka.
    Source,
}

impl PluginType {
    /// The Axual spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginType::Sink => "SINK",
            PluginType::Source => "SOURCE",
        }
    }

    /// From the Axual spelling (as stored).
    pub fn parse(text: &str) -> Option<PluginType> {
        match text {
            "SINK" => Some(PluginType::Sink),
            "SOURCE" => Some(PluginType::Source),
            _ => None,
        }
    }
}

/// A connector plugin as a Connect cluster offers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferedPlugin {
    /// The connector class.
    pub class: String,
    /// Sink or source.
    pub kind: PluginType,
    /// Its version (`undefined` when the plugin states none, as Connect itself says).
    pub version: String,
    /// Its configuration keys and their types (`STRING`, `INT`, `CLASS`, `LIST`, ...), in the
    /// order Connect lists them.
    pub configs: Vec<(String, String)>,
}

/// Why a Connect cluster could not be read. The message names each worker tried.
#[derive(Debug, thiserror::Error)]
#[error("Kafka Connect {0}")]
pub struct ConnectError(String);

#[derive(Deserialize)]
struct PluginInfo {
    class: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct Definition {
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct ValidatedConfig {
    definition: Definition,
}

#[derive(Deserialize)]
struct Validation {
    configs: Vec<ValidatedConfig>,
}

/// Connect's default REST port, for worker entries given as a bare host.
pub const DEFAULT_PORT: u16 = 8083;

/// The worker URLs of a comma-separated list (blank entries skipped). An entry is an `http`
/// or `https` URL, or a bare `host[:port]` (as the seed's `test-connect-worker-1`), taken as
/// `http://host:port` with Connect's default port 8083.
pub fn worker_urls(list: &str) -> Result<Vec<Url>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bare = !entry.contains("://");
            let parsed = if bare { Url::parse(&format!("http://{entry}")) } else { Url::parse(entry) };
            match parsed {
                Ok(mut url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                    if bare && url.port().is_none() {
                        let _ = url.set_port(Some(DEFAULT_PORT));
                    }
                    Ok(url)
                }
                _ => Err(format!("'{entry}' is not an http(s) URL of a Kafka Connect worker")),
            }
        })
        .collect()
}

/// A URL as messages show it: without user name or password.
fn shown(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// One Connect worker.
struct Worker<'a> {
    client: &'a reqwest013::blocking::Client,
    base: &'a Url,
    limits: &'a ConnectLimits,
}

impl Worker<'_> {
    /// `base` + the path segments, as a URL (each segment escaped).
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn read<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest013::blocking::RequestBuilder,
        what: &str,
    ) -> Result<T, String> {
        let response = request.header("Accept", "application/json").send().map_err(|err| {
            // The innermost cause ("Connection refused", "invalid peer certificate: ...");
            // reqwest's own message would repeat the URL, credentials and all.
            let mut cause: &dyn std::error::Error = &err;
            while let Some(next) = cause.source() {
                cause = next;
            }
            let reason = if err.is_timeout() { "timed out".to_owned() } else { cause.to_string() };
            format!("{what}: {reason}")
        })?;
        let status = response.status();
        let mut body = Vec::new();
        response
            .take(self.limits.max_body_bytes + 1)
            .read_to_end(&mut body)
            .map_err(|err| format!("{what}: the answer broke off ({err})"))?;
        if body.len() as u64 > self.limits.max_body_bytes {
            return Err(format!("{what}: the answer is over {} bytes", self.limits.max_body_bytes));
        }
        if !status.is_success() {
            return Err(format!("{what}: HTTP {}", status.as_u16()));
        }
        serde_json::from_slice(&body).map_err(|err| format!("{what}: not a Kafka Connect answer ({err})"))
    }

    fn plugins(&self) -> Result<Vec<OfferedPlugin>, String> {
        let mut url = self.url(&["connector-plugins"]);
        url.set_query(Some("connectorsOnly=true"));
        let listed: Vec<PluginInfo> = self.read(self.client.get(url), "GET /connector-plugins")?;
        let mut offered: Vec<OfferedPlugin> = Vec::new();
        for plugin in listed {
            let kind = match plugin.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("sink") => PluginType::Sink,
                Some("source") => PluginType::Source,
                _ => continue, // converters, transformations, ... (older workers list them too)
            };
            // One row per class: a worker offering several versions of a class shows the first.
            if offered.iter().any(|known| known.class == plugin.class) {
                continue;
            }
            if offered.len() == self.limits.max_plugins {
                return Err(format!("offers more than {} connector plugins", self.limits.max_plugins));
            }
            let configs = self.configs(&plugin.class)?;
            let version = plugin.version.filter(|v| !v.is_empty()).unwrap_or_else(|| "undefined".to_owned());
            offered.push(OfferedPlugin { class: plugin.class, kind, version, configs });
        }
        Ok(offered)
    }

    /// The plugin's configuration keys: from a validation of an empty config (the connector's
    /// own keys and the common ones), else from `GET .../config` (Kafka 3.5+).
    fn configs(&self, class: &str) -> Result<Vec<(String, String)>, String> {
        let validate = self.url(&["connector-plugins", class, "config", "validate"]);
        let body = serde_json::json!({ "connector.class": class });
        let what = format!("PUT /connector-plugins/{class}/config/validate");
        let definitions = match self.read::<Validation>(self.client.put(validate).json_body(&body), &what) {
            Ok(validation) => validation.configs.into_iter().map(|config| config.definition).collect(),
            Err(validation_failed) => {
                let described = self.url(&["connector-plugins", class, "config"]);
                let what = format!("GET /connector-plugins/{class}/config");
                self.read::<Vec<Definition>>(self.client.get(described), &what)
                    .map_err(|described_failed| format!("{validation_failed}; {described_failed}"))?
            }
        };
        Ok(definitions
            .into_iter()
            .map(|definition| (definition.name, definition.kind.unwrap_or_else(|| "STRING".to_owned())))
            .collect())
    }
}

/// A JSON body without reqwest's `json` feature.
trait JsonBody {
    fn json_body(self, body: &serde_json::Value) -> Self;
}

impl JsonBody for reqwest013::blocking::RequestBuilder {
    fn json_body(self, body: &serde_json::Value) -> Self {
        self.header("Content-Type", "application/json").body(body.to_string())
    }
}

/// The connector plugins of the Connect cluster whose workers are `urls` (comma-separated):
/// the first worker that answers in full is believed. `https` workers are trusted by the
/// system's roots and the certificates in `trusted` (the instance's CA certificates, PEM).
pub fn offered_plugins(
    urls: &str,
    trusted: &[String],
    limits: &ConnectLimits,
) -> Result<Vec<OfferedPlugin>, ConnectError> {
    let workers = worker_urls(urls).map_err(ConnectError)?;
    if workers.is_empty() {
        return Err(ConnectError("has no worker URL".to_owned()));
    }
    let roots =
        trusted.iter().filter_map(|pem| reqwest013::Certificate::from_pem_bundle(pem.as_bytes()).ok()).flatten();
    let client = reqwest013::blocking::Client::builder()
        .tls_certs_merge(roots)
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.timeout)
        .redirect(reqwest013::redirect::Policy::none())
        .build()
        .map_err(|err| ConnectError(format!("client could not be built: {err}")))?;
    let mut reasons = Vec::new();
    for base in &workers {
        match (Worker { client: &client, base, limits }).plugins() {
            Ok(plugins) => return Ok(plugins),
            Err(reason) => reasons.push(format!("{}: {reason}", shown(base))),
        }
    }
    Err(ConnectError(format!("cannot be read: {}", reasons.join("; "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_lists_take_http_urls_only() {
        let urls = worker_urls(" http://a:8083 ,, https://b.example.com/connect/ ").unwrap();
        assert_eq!(urls.len(), 2);
        assert_eq!(urls[1].as_str(), "https://b.example.com/connect/");
        let bare = worker_urls("test-connect-worker-1,worker2:9000").unwrap();
        assert_eq!(bare[0].as_str(), "http://test-connect-worker-1:8083/");
        assert_eq!(bare[1].as_str(), "http://worker2:9000/");
        for bad in ["ftp://a", "file:///tmp/x", "http://", "a b"] {
            assert!(worker_urls(bad).unwrap_err().contains("is not an http(s) URL"), "{bad}");
        }
        assert!(worker_urls(" , ").unwrap().is_empty());
    }

    #[test]
    fn messages_never_show_credentials() {
        let url = Url::parse("http://admin:s3cret@connect:8083/").unwrap();
        assert_eq!(shown(&url), "http://connect:8083/");
    }

    #[test]
    fn paths_escape_the_class_and_keep_a_base_path() {
        let client = reqwest013::blocking::Client::new();
        let base = Url::parse("http://connect:8083/kc/").unwrap();
        let worker = Worker { client: &client, base: &base, limits: &ConnectLimits::default() };
        assert_eq!(
            worker.url(&["connector-plugins", "a.B$C/d", "config"]).as_str(),
            "http://connect:8083/kc/connector-plugins/a.B$C%2Fd/config"
        );
    }

    #[test]
    fn an_unreachable_cluster_names_each_worker() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let limits = ConnectLimits { connect_timeout: Duration::from_millis(500), ..ConnectLimits::default() };
        let err = offered_plugins(&format!("http://u:p@127.0.0.1:{port}, http://127.0.0.1:{port}/b"), &[], &limits)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("http://127.0.0.1:{port}/: GET /connector-plugins")), "{err}");
        assert!(err.contains(&format!("http://127.0.0.1:{port}/b: GET")), "{err}");
        assert!(!err.contains("u:p"), "{err}");
    }
}
