//! Configuration: one [`Settings`] struct loaded by the `config` crate from defaults, an
//! optional TOML file (`--config FILE`) and `PORTICO_*` environment variables (`__` separates
//! levels: `PORTICO_HTTP__BIND`, `PORTICO_DATABASE__URL`, `PORTICO_DATA_DIR`, ...).
//!
//! `portico.example.toml` documents every field; a test checks that it parses and equals the
//! defaults.

use config::{Config, Environment, File, FileFormat};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything the gateway can be configured with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Directory for the SQLite file, the generated sealing key and object storage.
    pub data_dir: PathBuf,
    /// HTTP server.
    pub http: HttpSettings,
    /// Database.
    pub database: DatabaseSettings,
    /// First-start principals.
    pub bootstrap: BootstrapSettings,
    /// Identity and tokens.
    pub identity: IdentitySettings,
    /// Sealing of secrets at rest.
    pub secrets: SecretSettings,
    /// Logging.
    pub log: LogSettings,
    /// Git-synced instance configuration (Onegini).
    pub gitsync: GitsyncSettings,
    /// The event-bus catalog (Axual).
    pub catalog: CatalogSettings,
}

/// `[catalog]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CatalogSettings {
    /// A PEM file with the certificate (and its intermediates) the catalog presents to Kafka
    /// TLS listeners that require client authentication. Empty: none.
    pub kafka_client_certificate: String,
    /// A PEM file with that certificate's private key (keep it readable by Portico only).
    pub kafka_client_key: String,
}

/// `[http]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Listen address; port 0 picks a free port (the bound address is logged).
    pub bind: String,
    /// The URL clients use to reach this server: HAL links and the token issuer. Empty: links
    /// follow each request's `Host`, and tokens are issued under `http://<bound address>`.
    pub public_url: String,
    /// Proxies (addresses or CIDR ranges) whose `Forwarded` / `X-Forwarded-*` headers are
    /// believed. From the environment: comma-separated. Empty: such headers are ignored.
    #[serde(deserialize_with = "list_or_comma_separated")]
    pub trusted_proxies: Vec<String>,
    /// Browser origins (`https://console.example.com`) allowed to call the APIs cross-origin
    /// (CORS). From the environment: comma-separated. Empty: no CORS headers at all.
    #[serde(deserialize_with = "list_or_comma_separated")]
    pub cors_origins: Vec<String>,
    /// Largest accepted request body in bytes (413 beyond).
    pub body_limit: usize,
    /// Worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// Seconds to finish in-flight requests after SIGTERM/SIGINT.
    pub shutdown_timeout: u64,
}

/// `[database]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` or `postgres://...`. Empty: `sqlite://<data_dir>/portico.db`.
    pub url: String,
    /// Largest number of pooled connections (SQLite uses at most 8).
    pub max_connections: u32,
}

/// `[bootstrap]`: used only when the database is empty.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BootstrapSettings {
    /// E-mail (login) of the first platform admin in realm `master`.
    pub admin_email: String,
    /// Their password. Empty: a random one is generated and printed once.
    pub admin_password: String,
    /// Client id of a platform management client (`client_credentials`). Empty: none.
    pub client_id: String,
    /// Its secret. Empty with a client id: generated and printed once.
    pub client_secret: String,
    /// Name of the MATTR environment created on first start.
    pub environment: String,
}

/// `[identity]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentitySettings {
    /// The `audience` that `POST /oauth/token` requires.
    pub management_audience: String,
    /// Access-token lifetime in seconds.
    pub access_token_ttl: i64,
    /// Refresh-token lifetime in seconds.
    pub refresh_token_ttl: i64,
    /// MATTR environments to create (if missing) at every start, besides the bootstrap one.
    /// From the environment: comma-separated.
    #[serde(deserialize_with = "list_or_comma_separated")]
    pub environments: Vec<String>,
    /// Client id of a public browser-console client in realm `master` (authorization code +
    /// PKCE), created or updated at every start. Empty: none.
    pub console_client_id: String,
    /// Its exact redirect URIs. From the environment: comma-separated.
    #[serde(deserialize_with = "list_or_comma_separated")]
    pub console_redirect_uris: Vec<String>,
    /// Its exact post-logout redirect URIs. From the environment: comma-separated.
    #[serde(deserialize_with = "list_or_comma_separated")]
    pub console_post_logout_redirect_uris: Vec<String>,
}

/// `[secrets]`
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecretSettings {
    /// Key-encryption key: base64 of 32 random bytes. Empty: `<data_dir>/sealing.key`,
    /// generated on first start. Every replica over one PostgreSQL needs the same key.
    pub key: String,
    /// Earlier keys (base64), still used to open values sealed before a rotation. From the
    /// environment: comma-separated.
    #[serde(deserialize_with = "list_or_comma_separated")]
    pub previous_keys: Vec<String>,
}

/// `[gitsync]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct GitsyncSettings {
    /// Admit `file:` and loopback/private git remotes (development and tests only).
    pub allow_local_remotes: bool,
    /// The references a `PRODUCTION` configuration offers and fetches: `TAG` or `BRANCH`.
    pub production_reference_type: String,
    /// The references a `DEVELOPMENT` configuration offers and fetches: `TAG` or `BRANCH`.
    pub development_reference_type: String,
    /// Seconds to connect to a git remote.
    pub connect_timeout: u64,
    /// Seconds a listing or a synchronisation's git work may take (then it is stopped).
    pub timeout: u64,
    /// Largest total size of a synchronised tree, in bytes.
    pub max_bytes: u64,
    /// Most files a synchronised tree may hold.
    pub max_files: usize,
    /// Directory of the synchronised files (object storage on the local filesystem). Empty:
    /// `<data_dir>/objects`.
    pub files_dir: String,
    /// A bucket of an S3-compatible store for the synchronised files instead of `files_dir`.
    pub s3_bucket: String,
    /// Its region.
    pub s3_region: String,
    /// The endpoint of a self-hosted store (`http://minio:9000`); empty: AWS.
    pub s3_endpoint: String,
    /// Access key id; empty: the AWS environment (`AWS_ACCESS_KEY_ID`, instance roles).
    pub s3_access_key_id: String,
    /// Secret access key.
    pub s3_secret_access_key: String,
    /// Allow an `http://` endpoint.
    pub s3_allow_http: bool,
}

impl Default for GitsyncSettings {
    fn default() -> Self {
        let limits = portico_gitsync::git::GitLimits::default();
        GitsyncSettings {
            allow_local_remotes: false,
            production_reference_type: "TAG".into(),
            development_reference_type: "BRANCH".into(),
            connect_timeout: limits.connect_timeout.as_secs(),
            timeout: limits.timeout.as_secs(),
            max_bytes: limits.max_bytes,
            max_files: limits.max_files,
            files_dir: String::new(),
            s3_bucket: String::new(),
            s3_region: "us-east-1".into(),
            s3_endpoint: String::new(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            s3_allow_http: false,
        }
    }
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter such as `info` or `portico_gateway=debug,info` (`RUST_LOG` overrides it).
    pub level: String,
    /// A line per request at `info` (request id, method, path, status, time); server errors
    /// are logged as errors either way.
    pub access: bool,
}

/// Environment variables are text (parsing them would turn a password like `007` into `7`),
/// so lists arrive as comma-separated strings.
/// A configured CORS origin as browsers send it in `Origin`: `http(s)://host[:port]`, lower
/// case, without a path. `*` is refused: Portico names the origins it trusts.
pub fn cors_origin(origin: &str) -> Result<String, String> {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let host = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    match host {
        Some(host)
            if !host.is_empty()
                && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')) =>
        {
            Ok(origin)
        }
        _ => Err(format!("'{origin}' is not an origin like https://console.example.com (scheme, host, optional port)")),
    }
}

fn list_or_comma_separated<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrText {
        List(Vec<String>),
        Text(String),
    }
    Ok(match ListOrText::deserialize(deserializer)? {
        ListOrText::List(list) => list,
        ListOrText::Text(text) => text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
    })
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("./data"),
            http: HttpSettings::default(),
            database: DatabaseSettings::default(),
            bootstrap: BootstrapSettings::default(),
            identity: IdentitySettings::default(),
            secrets: SecretSettings::default(),
            log: LogSettings::default(),
            gitsync: GitsyncSettings::default(),
            catalog: CatalogSettings::default(),
        }
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            bind: "127.0.0.1:8080".into(),
            public_url: String::new(),
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            body_limit: 1024 * 1024,
            workers: 0,
            shutdown_timeout: 30,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings { url: String::new(), max_connections: 10 }
    }
}

impl Default for BootstrapSettings {
    fn default() -> Self {
        BootstrapSettings {
            admin_email: "admin@localhost".into(),
            admin_password: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            environment: "local".into(),
        }
    }
}

impl Default for IdentitySettings {
    fn default() -> Self {
        IdentitySettings {
            management_audience: "portico-management".into(),
            access_token_ttl: 3600,
            refresh_token_ttl: 28_800,
            environments: Vec::new(),
            console_client_id: String::new(),
            console_redirect_uris: Vec::new(),
            console_post_logout_redirect_uris: Vec::new(),
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings { format: "text".into(), level: "info".into(), access: true }
    }
}

/// Configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file or an environment variable could not be read or has the wrong shape.
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    /// A value is out of range.
    #[error("configuration: {field}: {reason}")]
    Invalid {
        /// The setting (as in the file).
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl Settings {
    /// Loads defaults, then `file` (if given), then the `PORTICO_*` variables of `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, SettingsError> {
        let mut builder = Config::builder().add_source(Config::try_from(&Settings::default())?);
        if let Some(path) = file {
            builder = builder.add_source(File::from(path).format(FileFormat::Toml).required(true));
        }
        let vars: config::Map<String, String> = env.into_iter().filter(|(k, _)| k.starts_with("PORTICO_")).collect();
        builder = builder
            .add_source(Environment::with_prefix("PORTICO").prefix_separator("_").separator("__").source(Some(vars)));
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Parses a TOML document on its own (the example file test).
    pub fn from_toml(text: &str) -> Result<Settings, SettingsError> {
        let settings: Settings = Config::builder()
            .add_source(Config::try_from(&Settings::default())?)
            .add_source(File::from_str(text, FileFormat::Toml))
            .build()?
            .try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if self.http.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(SettingsError::Invalid {
                field: "http.bind",
                reason: format!("'{}' is not an address:port", self.http.bind),
            });
        }
        let public_url = self.http.public_url.trim();
        if !(public_url.is_empty() || public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(SettingsError::Invalid {
                field: "http.public_url",
                reason: format!("'{public_url}' is not an http:// or https:// URL"),
            });
        }
        for proxy in &self.http.trusted_proxies {
            portico_core::http::IpNet::parse(proxy)
                .map_err(|reason| SettingsError::Invalid { field: "http.trusted_proxies", reason })?;
        }
        for origin in &self.http.cors_origins {
            cors_origin(origin).map_err(|reason| SettingsError::Invalid { field: "http.cors_origins", reason })?;
        }
        if self.http.body_limit < 1024 {
            return Err(SettingsError::Invalid {
                field: "http.body_limit",
                reason: "must be at least 1024 bytes".into(),
            });
        }
        if !["text", "json"].contains(&self.log.format.as_str()) {
            return Err(SettingsError::Invalid { field: "log.format", reason: "must be 'text' or 'json'".into() });
        }
        let url = self.database_url();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(SettingsError::Invalid {
                field: "database.url",
                reason: "must start with sqlite:// or postgres://".into(),
            });
        }
        if !(60..=86_400).contains(&self.identity.access_token_ttl) {
            return Err(SettingsError::Invalid {
                field: "identity.access_token_ttl",
                reason: "must be 60..=86400 seconds".into(),
            });
        }
        if !(60..=2_592_000).contains(&self.identity.refresh_token_ttl) {
            return Err(SettingsError::Invalid {
                field: "identity.refresh_token_ttl",
                reason: "must be 60..=2592000 seconds".into(),
            });
        }
        for (field, value) in [
            ("gitsync.production_reference_type", &self.gitsync.production_reference_type),
            ("gitsync.development_reference_type", &self.gitsync.development_reference_type),
        ] {
            if portico_gitsync::model::ReferenceType::parse(value).is_none() {
                return Err(SettingsError::Invalid { field, reason: "must be 'TAG' or 'BRANCH'".into() });
            }
        }
        if !(1..=3_600).contains(&self.gitsync.timeout) || !(1..=300).contains(&self.gitsync.connect_timeout) {
            return Err(SettingsError::Invalid {
                field: "gitsync.timeout",
                reason: "timeout must be 1..=3600 and connect_timeout 1..=300 seconds".into(),
            });
        }
        if self.gitsync.max_files == 0 || self.gitsync.max_bytes == 0 {
            return Err(SettingsError::Invalid {
                field: "gitsync.max_files",
                reason: "limits must be positive".into(),
            });
        }
        if self.bootstrap.environment.trim().is_empty() {
            return Err(SettingsError::Invalid { field: "bootstrap.environment", reason: "must not be empty".into() });
        }
        Ok(())
    }

    /// How the server names itself to clients (`http.public_url`, `http.trusted_proxies`).
    pub fn origin(&self) -> portico_core::http::ServerOrigin {
        let public_url = self.http.public_url.trim().trim_end_matches('/');
        portico_core::http::ServerOrigin {
            public_url: Some(public_url.to_owned()).filter(|u| !u.is_empty()),
            trusted_proxies: self
                .http
                .trusted_proxies
                .iter()
                .filter_map(|p| portico_core::http::IpNet::parse(p).ok())
                .collect(),
        }
    }

    /// The token issuer's base URL: the public URL, else `http://` and the address the server
    /// listens on (`localhost` for an all-interfaces address).
    pub fn issuer(&self, listening: Option<std::net::SocketAddr>) -> String {
        if let Some(url) = self.origin().public_url {
            return url;
        }
        let address = listening.or_else(|| self.http.bind.parse().ok());
        match address {
            Some(addr) if addr.ip().is_unspecified() => format!("http://localhost:{}", addr.port()),
            Some(addr) => format!("http://{addr}"),
            None => "http://localhost".into(),
        }
    }

    /// The database URL, defaulting to the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database.url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("portico.db").display())
        } else {
            self.database.url.trim().to_owned()
        }
    }

    /// A copy safe to print: secrets and database passwords masked.
    pub fn redacted(&self) -> Settings {
        let mask = |s: &str| if s.is_empty() { String::new() } else { "***".to_owned() };
        let mut copy = self.clone();
        copy.bootstrap.admin_password = mask(&self.bootstrap.admin_password);
        copy.bootstrap.client_secret = mask(&self.bootstrap.client_secret);
        copy.secrets.key = mask(&self.secrets.key);
        copy.secrets.previous_keys = self.secrets.previous_keys.iter().map(|k| mask(k)).collect();
        copy.gitsync.s3_secret_access_key = mask(&self.gitsync.s3_secret_access_key);
        copy.database.url = portico_core::db::redact_url(&self.database.url);
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_follow_the_design() -> Result<(), SettingsError> {
        let settings = Settings::load(None, env(&[]))?;
        assert_eq!(settings, Settings::default());
        assert_eq!(settings.http.bind, "127.0.0.1:8080");
        assert_eq!(settings.database_url(), "sqlite://./data/portico.db");
        assert_eq!(settings.bootstrap.admin_email, "admin@localhost");
        assert_eq!(settings.bootstrap.environment, "local");
        assert_eq!(settings.identity.management_audience, "portico-management");
        Ok(())
    }

    #[test]
    fn environment_variables_use_the_fixed_names() -> Result<(), SettingsError> {
        let settings = Settings::load(
            None,
            env(&[
                ("PORTICO_HTTP__BIND", "0.0.0.0:0"),
                ("PORTICO_DATABASE__URL", "postgres://u:p@h/db"),
                ("PORTICO_DATA_DIR", "/var/lib/portico"),
                ("PORTICO_BOOTSTRAP__ADMIN_EMAIL", "root@example.com"),
                ("PORTICO_BOOTSTRAP__ADMIN_PASSWORD", "007"),
                ("PORTICO_BOOTSTRAP__CLIENT_ID", "mgmt"),
                ("PORTICO_BOOTSTRAP__CLIENT_SECRET", "s3cret"),
                ("PORTICO_BOOTSTRAP__ENVIRONMENT", "au01"),
                ("PORTICO_IDENTITY__MANAGEMENT_AUDIENCE", "aud"),
                ("PORTICO_SECRETS__PREVIOUS_KEYS", "a,b"),
                ("PORTICO_IDENTITY__ENVIRONMENTS", "au01, eu01"),
                ("OTHER_VAR", "ignored"),
            ]),
        )?;
        assert_eq!(settings.http.bind, "0.0.0.0:0");
        assert_eq!(settings.database_url(), "postgres://u:p@h/db");
        assert_eq!(settings.data_dir, PathBuf::from("/var/lib/portico"));
        assert_eq!(settings.bootstrap.admin_email, "root@example.com");
        assert_eq!(settings.bootstrap.admin_password, "007", "numeric-looking secrets stay text");
        assert_eq!(settings.bootstrap.client_id, "mgmt");
        assert_eq!(settings.bootstrap.environment, "au01");
        assert_eq!(settings.identity.management_audience, "aud");
        assert_eq!(settings.secrets.previous_keys, vec!["a", "b"]);
        assert_eq!(settings.identity.environments, vec!["au01", "eu01"]);
        let redacted = settings.redacted();
        assert_eq!(redacted.bootstrap.admin_password, "***");
        assert_eq!(redacted.database.url, "postgres://u:***@h/db");
        Ok(())
    }

    #[test]
    fn bad_values_are_rejected_with_the_setting_name() {
        let err = Settings::load(None, env(&[("PORTICO_HTTP__BIND", "nowhere")])).err();
        assert!(err.map(|e| e.to_string()).unwrap_or_default().contains("http.bind"));
        let err = Settings::load(None, env(&[("PORTICO_DATABASE__URL", "mysql://x")])).err();
        assert!(err.map(|e| e.to_string()).unwrap_or_default().contains("database.url"));
        assert!(Settings::from_toml("[http]\nbnd = \"x\"").is_err(), "unknown keys are errors");
    }

    #[test]
    fn cors_origins_are_comma_separated_origins_without_wildcards() -> Result<(), SettingsError> {
        let settings = Settings::load(
            None,
            env(&[("PORTICO_HTTP__CORS_ORIGINS", "https://console.example.com, http://localhost:5173/")]),
        )?;
        assert_eq!(settings.http.cors_origins, ["https://console.example.com", "http://localhost:5173/"]);
        assert_eq!(cors_origin("HTTPS://Console.Example.com/").as_deref(), Ok("https://console.example.com"));
        for bad in ["*", "console.example.com", "https://console.example.com/app", "ftp://x", "https://", "null"] {
            let err = Settings::load(None, env(&[("PORTICO_HTTP__CORS_ORIGINS", bad)])).err();
            assert!(err.map(|e| e.to_string()).unwrap_or_default().contains("http.cors_origins"), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn the_example_file_parses_and_equals_the_defaults() -> Result<(), SettingsError> {
        let text = include_str!("../../portico.example.toml");
        assert_eq!(Settings::from_toml(text)?, Settings::default());
        Ok(())
    }
}
