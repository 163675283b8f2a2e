//! [`IdentityStore`]: the diesel implementation of the identity service traits.

mod authenticate;
mod grants;
mod groups;
mod realms;
mod tenants;
mod users;

pub use grants::issuer as grants_issuer;

use crate::config::IdentityConfig;
use crate::error::IdentityError;
use crate::password::PasswordHasher;
use crate::tokens::KeyRing;
use portico_core::hooks::RealmHooks;
use portico_core::seal::Sealer;
use portico_core::{Clock, Database, Principal, RealmRef};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The identity domain over a database.
pub struct IdentityStore {
    pub(crate) db: Database,
    pub(crate) sealer: Sealer,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) hasher: PasswordHasher,
    pub(crate) keys: KeyRing,
    pub(crate) config: IdentityConfig,
    /// Every domain's realm lifecycle and dependents (identity owns realms and groups).
    pub(crate) hooks: Arc<RealmHooks>,
    basic_cache: Mutex<HashMap<[u8; 32], (Principal, Instant)>>,
    /// Verified bearer tokens (by SHA-256).
    bearer_cache: Mutex<HashMap<[u8; 32], VerifiedBearer>>,
    realm_cache: Mutex<HashMap<String, (Option<RealmRef>, Instant)>>,
}

impl std::fmt::Debug for IdentityStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityStore").field("db", &self.db).finish_non_exhaustive()
    }
}

const BASIC_CACHE_LIMIT: usize = 10_000;

/// A bearer token whose signature, issuer and expiry were checked, with the caller as the
/// subject stood when it was last looked at.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedBearer {
    /// The caller, with the subject's current roles.
    pub(crate) principal: Principal,
    /// The scopes the token grants (narrowed to what the current roles allow).
    pub(crate) token_scopes: std::collections::BTreeSet<String>,
    /// `exp`, seconds since the epoch: the token is refused from this second on.
    pub(crate) expires: i64,
    /// The subject's version when `principal` was built; another version means it changed.
    pub(crate) subject_version: i64,
}
const REALM_CACHE_TTL: Duration = Duration::from_secs(5);

impl IdentityStore {
    /// Opens the identity domain: loads (or creates) the signing keys.
    pub fn open(
        db: Database,
        sealer: Sealer,
        clock: Arc<dyn Clock>,
        config: IdentityConfig,
    ) -> Result<IdentityStore, IdentityError> {
        let keys = KeyRing::open(db.clone(), sealer.clone(), clock.now())?;
        Ok(IdentityStore {
            hasher: PasswordHasher::new(config.password_cost),
            db,
            sealer,
            clock,
            keys,
            config,
            hooks: RealmHooks::new(),
            basic_cache: Mutex::new(HashMap::new()),
            bearer_cache: Mutex::new(HashMap::new()),
            realm_cache: Mutex::new(HashMap::new()),
        })
    }

    /// Uses `hooks` for what other domains do when realms are created or deleted and for what
    /// refers to identity's entities. Modules register into the same hooks when they start.
    pub fn with_hooks(mut self, hooks: Arc<RealmHooks>) -> IdentityStore {
        self.hooks = hooks;
        self
    }

    /// The signing keys (rotation, JWKS).
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The configuration.
    pub fn config(&self) -> &IdentityConfig {
        &self.config
    }

    pub(crate) fn basic_cached(&self, key: &[u8; 32]) -> Option<Principal> {
        let ttl = Duration::from_secs(u64::try_from(self.config.basic_cache_ttl).unwrap_or(0));
        let cache = self.basic_cache.lock().ok()?;
        cache.get(key).filter(|(_, at)| at.elapsed() < ttl).map(|(principal, _)| principal.clone())
    }

    pub(crate) fn verified_cached(&self, key: &[u8; 32], now: i64) -> Option<VerifiedBearer> {
        let cache = self.bearer_cache.lock().ok()?;
        cache.get(key).filter(|entry| entry.expires > now).cloned()
    }

    pub(crate) fn remember_verified(&self, key: [u8; 32], entry: VerifiedBearer) {
        if let Ok(mut cache) = self.bearer_cache.lock() {
            if cache.len() >= BASIC_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, entry);
        }
    }

    pub(crate) fn remember_basic(&self, key: [u8; 32], principal: Principal) {
        if let Ok(mut cache) = self.basic_cache.lock() {
            if cache.len() >= BASIC_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, (principal, Instant::now()));
        }
    }

    /// Forgets every remembered Basic check (a password, role or user changed).
    pub(crate) fn forget_credentials(&self) {
        if let Ok(mut cache) = self.basic_cache.lock() {
            cache.clear();
        }
    }

    /// The realm named `name` (case-insensitive: realm names are DNS labels), from a
    /// five-second cache.
    pub fn realm_by_name(&self, name: &str) -> Result<Option<RealmRef>, IdentityError> {
        let lowered = name.to_ascii_lowercase();
        let name = lowered.as_str();
        if let Ok(cache) = self.realm_cache.lock()
            && let Some((realm, at)) = cache.get(name)
            && at.elapsed() < REALM_CACHE_TTL
        {
            return Ok(realm.clone());
        }
        let realm = self
            .db
            .read(|conn| crate::store::realms::by_name(conn, name).map_err(IdentityError::from))?
            .map(|r| r.reference());
        if let Ok(mut cache) = self.realm_cache.lock() {
            if cache.len() >= BASIC_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(name.to_owned(), (realm.clone(), Instant::now()));
        }
        Ok(realm)
    }

    pub(crate) fn forget_realm(&self, name: &str) {
        if let Ok(mut cache) = self.realm_cache.lock() {
            cache.remove(&name.to_ascii_lowercase());
        }
        self.forget_credentials();
    }
}

impl crate::service::Authenticator for IdentityStore {
    fn authenticate_bearer(&self, token: &str) -> Result<Principal, IdentityError> {
        IdentityStore::authenticate_bearer(self, token)
    }

    fn authenticate_basic(
        &self,
        realm: Option<&str>,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<Principal, IdentityError> {
        IdentityStore::authenticate_basic(self, realm, username, password, source)
    }

    fn realm_by_name(&self, name: &str) -> Result<Option<RealmRef>, IdentityError> {
        IdentityStore::realm_by_name(self, name)
    }
}

impl crate::service::TokenService for IdentityStore {
    fn grant(
        &self,
        request: &crate::oauth::GrantRequest,
    ) -> Result<crate::oauth::IssuedTokens, crate::oauth::OAuthError> {
        IdentityStore::grant(self, request)
    }

    fn introspect(
        &self,
        realm: &str,
        client: &crate::oauth::ClientAuth,
        token: &str,
    ) -> Result<crate::oauth::Introspection, crate::oauth::OAuthError> {
        IdentityStore::introspect(self, realm, client, token)
    }

    fn revoke(
        &self,
        realm: &str,
        client: &crate::oauth::ClientAuth,
        token: &str,
    ) -> Result<(), crate::oauth::OAuthError> {
        IdentityStore::revoke(self, realm, client, token)
    }

    fn logout(&self, token: &str) -> Result<(), IdentityError> {
        IdentityStore::logout(self, token)
    }

    fn jwks(&self) -> jsonwebtoken::jwk::JwkSet {
        self.keys.jwks()
    }

    fn realm_exists(&self, name: &str) -> Result<bool, IdentityError> {
        Ok(self.realm_by_name(name)?.is_some())
    }

    fn issuer(&self, realm: &str) -> String {
        grants::issuer(&self.config.issuer, realm)
    }
}
