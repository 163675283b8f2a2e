//! Configuration of the identity domain, passed to its constructor (never read from the
//! environment by this crate).

use crate::password::PasswordCost;

/// Identity settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityConfig {
    /// The `audience` that MATTR's `POST /oauth/token` requires.
    pub management_audience: String,
    /// Access-token lifetime in seconds.
    pub access_token_ttl: i64,
    /// Refresh-token lifetime in seconds.
    pub refresh_token_ttl: i64,
    /// How long a rotated-out signing key stays published (must exceed the access-token TTL).
    pub key_overlap: i64,
    /// Cost of new password hashes (tests use `Minimal`; not settable from the file).
    pub password_cost: PasswordCost,
    /// How long a successful Basic-authentication check is remembered, in seconds.
    pub basic_cache_ttl: i64,
    /// MATTR environments created (when missing) at every start.
    pub environments: Vec<String>,
    /// The base URL tokens are issued under (`iss` is `{issuer}/auth/realms/{realm}`), and the
    /// only one accepted: the configured public URL, never a request's `Host`.
    pub issuer: String,
    /// How long a remembered subject check or realm lookup is used when no change was
    /// signalled: the bound for a change made where no signal reaches (another process on the
    /// same SQLite file, a row edited by hand). Changes made through any Portico of the same
    /// database (PostgreSQL replicas included) apply to the next request regardless.
    pub recheck_after: std::time::Duration,
    /// A public browser-console client of realm `master`, created or updated at every start.
    pub console_client: Option<ConsoleClient>,
}

/// A configured browser console: a public client (no secret; authorization code with PKCE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleClient {
    /// Its client id.
    pub client_id: String,
    /// Its exact redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Its exact post-logout redirect URIs.
    pub post_logout_redirect_uris: Vec<String>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            management_audience: "portico-management".into(),
            access_token_ttl: 3600,
            refresh_token_ttl: 8 * 3600,
            key_overlap: 2 * 3600,
            password_cost: PasswordCost::Standard,
            basic_cache_ttl: 60,
            environments: Vec::new(),
            issuer: "http://localhost:8080".into(),
            recheck_after: std::time::Duration::from_secs(10),
            console_client: None,
        }
    }
}
