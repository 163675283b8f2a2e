//! [`IdentityStore`]: the diesel implementation of the identity service traits.

mod authenticate;
mod authorize;
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
use portico_core::db::generation::Generation;
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
    /// Successful Basic checks (by a digest of realm, name and password).
    basic_cache: Mutex<HashMap<[u8; 32], Remembered<Principal>>>,
    /// Verified bearer tokens (by SHA-256).
    bearer_cache: Mutex<HashMap<[u8; 32], VerifiedBearer>>,
    realm_cache: Mutex<HashMap<String, Remembered<Option<RealmRef>>>>,
    /// Moves whenever users, clients, realms or revocations change, here or on another replica:
    /// remembered answers of an older generation are not used.
    pub(crate) security: Arc<Generation>,
}

/// A remembered answer, with the generation and time it was found at.
#[derive(Debug, Clone)]
pub(crate) struct Remembered<T> {
    pub(crate) value: T,
    pub(crate) generation: Option<u64>,
    pub(crate) at: Instant,
}

impl<T: Clone> Remembered<T> {
    /// The value if it was found at generation `now` (a trusted one) within `ttl`.
    pub(crate) fn current(&self, generation: Option<u64>, ttl: Duration) -> Option<T> {
        (generation.is_some() && self.generation == generation && self.at.elapsed() < ttl).then(|| self.value.clone())
    }
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
    /// The login session (`sid`) the token belongs to, if any: ending it revokes the token.
    pub(crate) session: Option<String>,
    /// The subject's version when `principal` was built; another version means it changed.
    pub(crate) subject_version: i64,
    /// The security generation the subject was last checked at (`None`: not checked).
    pub(crate) generation: Option<u64>,
    /// When it was last checked.
    pub(crate) checked_at: Instant,
}

impl IdentityStore {
    /// Opens the identity domain: loads (or creates) the signing keys.
    pub fn open(
        db: Database,
        sealer: Sealer,
        clock: Arc<dyn Clock>,
        config: IdentityConfig,
    ) -> Result<IdentityStore, IdentityError> {
        let keys = KeyRing::open(db.clone(), sealer.clone(), clock.now())?;
        let security = Generation::new(&db, "portico_security");
        Ok(IdentityStore {
            security,
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
        let generation = self.security.current();
        let cache = self.basic_cache.lock().ok()?;
        cache.get(key).and_then(|entry| entry.current(generation, ttl))
    }

    /// A verified token whose subject was checked at the current generation, recently.
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

    pub(crate) fn remember_basic(&self, key: [u8; 32], principal: Principal, generation: Option<u64>) {
        if let Ok(mut cache) = self.basic_cache.lock() {
            if cache.len() >= BASIC_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, Remembered { value: principal, generation, at: Instant::now() });
        }
    }

    /// Users, clients, realms or revocations changed (the write committed): every replica stops
    /// using what it remembered of them.
    pub(crate) fn security_changed(&self) {
        if let Ok(mut cache) = self.basic_cache.lock() {
            cache.clear();
        }
        self.security.changed(&self.db);
    }

    /// The realm named `name` (case-insensitive: realm names are DNS labels), remembered until
    /// realms change (`recheck_after` at most).
    pub fn realm_by_name(&self, name: &str) -> Result<Option<RealmRef>, IdentityError> {
        if let Some(realm) = self.realm_cached(name) {
            return Ok(realm);
        }
        let lowered = name.to_ascii_lowercase();
        let generation = self.security.current();
        let realm = self
            .db
            .read(|conn| crate::store::realms::by_name(conn, &lowered).map_err(IdentityError::from))?
            .map(|r| r.reference());
        if let Ok(mut cache) = self.realm_cache.lock() {
            if cache.len() >= BASIC_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(lowered, Remembered { value: realm.clone(), generation, at: Instant::now() });
        }
        Ok(realm)
    }

    /// The realm named `name` from memory alone, when remembered at the current generation.
    pub fn realm_cached(&self, name: &str) -> Option<Option<RealmRef>> {
        let generation = self.security.current();
        let cache = self.realm_cache.lock().ok()?;
        cache.get(&name.to_ascii_lowercase()).and_then(|entry| entry.current(generation, self.config.recheck_after))
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

    fn bearer_cached(&self, token: &str) -> Option<Principal> {
        IdentityStore::bearer_cached(self, token)
    }

    fn basic_remembered(&self, realm: Option<&str>, username: &str, password: &str) -> Option<Principal> {
        self.basic_cached(&authenticate::basic_key(realm, username, password))
    }

    fn realm_cached(&self, name: &str) -> Option<Option<RealmRef>> {
        IdentityStore::realm_cached(self, name)
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

    fn authorization(
        &self,
        realm: &str,
        request: &crate::oauth::AuthorizationRequest,
    ) -> Result<crate::oauth::Authorization, crate::oauth::AuthorizationError> {
        IdentityStore::authorization(self, realm, request)
    }

    fn login_form_token(&self, cookie: &str, authorization: &crate::oauth::Authorization) -> String {
        IdentityStore::login_form_token(self, cookie, authorization)
    }

    fn login_form_token_valid(&self, cookie: &str, authorization: &crate::oauth::Authorization, token: &str) -> bool {
        IdentityStore::login_form_token_valid(self, cookie, authorization, token)
    }

    fn sign_in(
        &self,
        authorization: &crate::oauth::Authorization,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<String, crate::oauth::SignInError> {
        IdentityStore::sign_in(self, authorization, username, password, source)
    }

    fn end_session(
        &self,
        realm: &str,
        request: &crate::oauth::EndSessionRequest,
    ) -> Result<Option<String>, crate::oauth::AuthorizationError> {
        IdentityStore::end_session_request(self, realm, request)
    }
}
