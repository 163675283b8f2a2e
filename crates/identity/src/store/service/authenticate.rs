//! Authenticating API calls (Bearer JWTs, Basic passwords), introspection, revocation, logout.

use super::grants::{LoginFailure, hash_token, is_platform_admin};
use super::{IdentityStore, VerifiedBearer};
use crate::error::IdentityError;
use crate::model::scopes;
use crate::oauth::{ClientAuth, Introspection, OAuthError};
use crate::store::tokens;
use crate::tokens::AccessClaims;
use jsonwebtoken::{Algorithm, Validation};
use portico_core::RealmId;
use portico_core::context::{Principal, PrincipalKind};
use portico_core::{RealmRef, Timestamp};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::time::Instant;

/// Clock skew tolerated when checking expiry, in seconds. None: Portico issues and verifies
/// its own tokens, and its replicas keep their clocks in step (NTP), so a token is refused
/// from the second its `exp` names (RFC 7519 §4.1.4), by requests and introspection alike.
pub const CLOCK_SKEW: i64 = 0;

/// The bearer cache's key: the token's SHA-256.
fn bearer_key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The Basic cache's key: a digest of realm, user name and password (length-prefixed).
pub(super) fn basic_key(realm: Option<&str>, username: &str, password: &str) -> [u8; 32] {
    let mut digest = Sha256::new();
    for part in [realm.unwrap_or(""), username, password] {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part.as_bytes());
    }
    digest.finalize().into()
}

/// Whether a verified token's subject check still holds at `generation`.
fn fresh(entry: &VerifiedBearer, generation: Option<u64>, recheck_after: std::time::Duration) -> bool {
    generation.is_some() && entry.generation == generation && entry.checked_at.elapsed() < recheck_after
}

impl IdentityStore {
    /// Verifies a token's signature and issuer; `check_expiry` also refuses expired tokens.
    fn decode(&self, token: &str, check_expiry: bool) -> Result<AccessClaims, IdentityError> {
        if !crate::tokens::low_s::is_low_s(token) {
            return Err(IdentityError::InvalidCredentials);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| IdentityError::InvalidCredentials)?;
        let kid = header.kid.ok_or(IdentityError::InvalidCredentials)?;
        let now = self.clock.now();
        let key = self.keys.decoding_key(&kid, now).ok_or(IdentityError::InvalidCredentials)?;
        let mut validation = Validation::new(Algorithm::ES256);
        // Expiry is checked against the injected clock below; audience per endpoint.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map_err(|_| IdentityError::InvalidCredentials)?
            .claims;
        // Bound to the configured issuer: a token minted under another host name is not ours.
        if claims.iss != super::grants::issuer(&self.config.issuer, &claims.realm) {
            return Err(IdentityError::InvalidCredentials);
        }
        if check_expiry && claims.exp + CLOCK_SKEW <= now.unix() {
            return Err(IdentityError::InvalidCredentials);
        }
        Ok(claims)
    }

    /// The caller behind a Bearer token: valid signature and issuer, not expired, not revoked,
    /// and its subject still there — with the subject's roles as they are now.
    ///
    /// A verified token is remembered until it expires, so its signature is checked once. The
    /// subject is checked against the database (whether the token was revoked, which version
    /// its user or client has) in one round trip; that check is remembered at the current
    /// security generation, which moves on every replica whenever users, clients, realms or
    /// revocations change (see [`Generation`](portico_core::db::generation::Generation)). A
    /// deleted subject is refused, and a changed one re-read, on the next request after the
    /// change; with nothing signalled the check is repeated after `recheck_after` anyway.
    pub fn authenticate_bearer(&self, token: &str) -> Result<Principal, IdentityError> {
        let key = bearer_key(token);
        let now = self.clock.now().unix();
        // Read before the check: a change committed meanwhile moves it, and the entry with it.
        let generation = self.security.current();
        let cached = self.verified_cached(&key, now);
        if let Some(entry) = &cached
            && fresh(entry, generation, self.config.recheck_after)
        {
            return Ok(entry.principal.clone());
        }
        let entry = match cached {
            Some(entry) => entry,
            None => {
                let claims = self.decode(token, true)?;
                let expires = claims.exp;
                let session = claims.sid.clone();
                let token_scopes = claims.scope.split_whitespace().map(str::to_owned).collect();
                // Version -1: never seen, so the subject is read below.
                VerifiedBearer {
                    principal: principal_from_claims(claims)?,
                    token_scopes,
                    expires,
                    session,
                    subject_version: -1,
                    generation: None,
                    checked_at: Instant::now(),
                }
            }
        };
        let jti = entry.principal.token_id.clone().unwrap_or_default();
        let subject = match entry.principal.kind {
            PrincipalKind::User => tokens::Subject::User(&entry.principal.id),
            PrincipalKind::Client => tokens::Subject::Client(&entry.principal.id),
        };
        let realm = entry.principal.realm.clone();
        let session = entry.session.as_deref();
        let checked = self.db.read(|conn| {
            let (version, revoked) = tokens::subject_state(conn, subject, realm.id, &jti, session)?;
            let Some(version) = version.filter(|_| !revoked) else {
                return Ok(None);
            };
            let mut fresh = entry.clone();
            fresh.generation = generation;
            fresh.checked_at = Instant::now();
            if version == entry.subject_version {
                return Ok(Some(fresh));
            }
            let roles: BTreeSet<String> = match subject {
                tokens::Subject::User(id) => {
                    let id = uuid::Uuid::try_parse(id).map_err(|_| IdentityError::InvalidCredentials)?;
                    crate::store::users::get(conn, realm.id, id)?.map(|user| user.roles).unwrap_or_default()
                }
                tokens::Subject::Client(client_id) => crate::store::clients::in_realm(conn, realm.id, client_id)?
                    .map(|(client, _)| client.roles.into_iter().collect())
                    .unwrap_or_default(),
            };
            let allowed = scopes::allowed(&roles, is_platform_admin(&realm, &roles));
            fresh.principal.scopes = entry.token_scopes.intersection(&allowed).cloned().collect();
            fresh.principal.roles = roles;
            fresh.subject_version = version;
            Ok::<_, IdentityError>(Some(fresh))
        })?;
        let Some(current) = checked else {
            return Err(IdentityError::InvalidCredentials);
        };
        let principal = current.principal.clone();
        self.remember_verified(key, current);
        Ok(principal)
    }

    /// The caller behind a Bearer token from memory alone: `None` unless the token was verified
    /// and its subject checked at the current security generation (then the answer is exactly
    /// what [`authenticate_bearer`](Self::authenticate_bearer) would give, without a database
    /// trip or a blocking thread).
    pub fn bearer_cached(&self, token: &str) -> Option<Principal> {
        let generation = self.security.current();
        let entry = self.verified_cached(&bearer_key(token), self.clock.now().unix())?;
        fresh(&entry, generation, self.config.recheck_after).then_some(entry.principal)
    }

    /// The realm user behind Basic credentials. `realm` (from the path or the `realm` header)
    /// is needed only when the e-mail address exists in several realms. Successful checks are
    /// remembered for `basic_cache_ttl` seconds.
    pub fn authenticate_basic(
        &self,
        realm: Option<&str>,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<Principal, IdentityError> {
        let key = basic_key(realm, username, password);
        if let Some(principal) = self.basic_cached(&key) {
            return Ok(principal);
        }
        let generation = self.security.current();
        let login = match self.login(realm, username, password, source) {
            Ok(login) => login,
            Err(LoginFailure::Wrong) => return Err(IdentityError::InvalidCredentials),
            Err(LoginFailure::Throttled(retry_after)) => return Err(IdentityError::Throttled { retry_after }),
            Err(LoginFailure::Internal(err)) => return Err(err),
        };
        let platform_admin = is_platform_admin(&login.realm, &login.user.roles);
        let principal = Principal {
            kind: PrincipalKind::User,
            id: login.user.id.to_string(),
            display_name: login.user.email.clone(),
            realm: login.realm,
            scopes: scopes::allowed(&login.user.roles, platform_admin),
            roles: login.user.roles,
            token_id: None,
        };
        self.remember_basic(key, principal.clone(), generation);
        Ok(principal)
    }

    /// RFC 7662: whether `token` (access or refresh) is active, for a client of `realm` (or a
    /// platform client). Tokens of other realms are reported inactive.
    pub fn introspect(&self, realm: &str, client: &ClientAuth, token: &str) -> Result<Introspection, OAuthError> {
        let realm = self.caller_realm(realm, client)?;
        if let Ok(claims) = self.decode(token, true) {
            let revoked = self.db.read(|conn| {
                tokens::is_revoked(conn, &claims.jti, claims.sid.as_deref()).map_err(IdentityError::from)
            })?;
            if revoked || claims.realm_id != realm.id.to_string() {
                return Ok(Introspection::default());
            }
            return Ok(Introspection {
                active: true,
                scope: Some(claims.scope),
                client_id: claims.client_id,
                username: claims.email,
                token_type: Some("Bearer".into()),
                exp: Some(claims.exp),
                iat: Some(claims.iat),
                sub: Some(claims.sub),
                iss: Some(claims.iss),
                jti: Some(claims.jti),
                realm: Some(claims.realm),
            });
        }
        let now = self.clock.now();
        let row =
            self.db.read(|conn| tokens::refresh_by_hash(conn, &hash_token(token)).map_err(IdentityError::from))?;
        match row {
            Some(row) if row.realm_id == realm.id && row.used_at.is_none() && Timestamp::from(row.expires_at) > now => {
                Ok(Introspection {
                    active: true,
                    scope: Some(row.scope),
                    client_id: row.client_id,
                    token_type: Some("refresh_token".into()),
                    exp: Some(Timestamp::from(row.expires_at).unix()),
                    iat: Some(Timestamp::from(row.created_at).unix()),
                    sub: Some(row.user_id),
                    realm: Some(realm.name),
                    ..Introspection::default()
                })
            }
            _ => Ok(Introspection::default()),
        }
    }

    /// RFC 7009: revokes `token` (access: its `jti`; refresh: its whole family). Unknown tokens
    /// and tokens of other realms are ignored; the answer is the same.
    pub fn revoke(&self, realm: &str, client: &ClientAuth, token: &str) -> Result<(), OAuthError> {
        let realm = self.caller_realm(realm, client)?;
        if let Ok(claims) = self.decode(token, false) {
            if claims.realm_id == realm.id.to_string() {
                self.revoke_claims(&claims)?;
            }
            return Ok(());
        }
        let row =
            self.db.read(|conn| tokens::refresh_by_hash(conn, &hash_token(token)).map_err(IdentityError::from))?;
        if let Some(row) = row.filter(|row| row.realm_id == realm.id) {
            // RFC 7009 §2.1: revoking a refresh token ends the grant, its access tokens too.
            self.end_session(&row.family_id, realm.id)?;
        }
        Ok(())
    }

    /// Axual `GET /logout`: revokes the access token in `X-Auth-Token`. Invalid tokens are ignored.
    pub fn logout(&self, token: &str) -> Result<(), IdentityError> {
        match self.decode(token, false) {
            Ok(claims) => self.revoke_claims(&claims),
            Err(_) => Ok(()),
        }
    }

    /// Ends the login session `sid`: its refresh tokens go, and its access tokens are refused
    /// on every replica from the next request on.
    pub(crate) fn end_session(&self, sid: &str, realm: RealmId) -> Result<(), IdentityError> {
        let until = self.clock.now().plus(time::Duration::seconds(self.config.access_token_ttl + 1));
        self.db.write(|conn| tokens::end_session(conn, sid, realm, until).map_err(IdentityError::from))?;
        self.security_changed();
        Ok(())
    }

    fn revoke_claims(&self, claims: &AccessClaims) -> Result<(), IdentityError> {
        let realm = RealmId::from(crate::store::uuid(&claims.realm_id)?);
        let expires = Timestamp::from_unix(claims.exp + CLOCK_SKEW).unwrap_or_else(|| self.clock.now());
        self.db.write(|conn| tokens::revoke_access(conn, &claims.jti, realm, expires).map_err(IdentityError::from))?;
        self.security_changed();
        Ok(())
    }

    /// The realm a client may introspect or revoke in: its own, or any for a platform client.
    fn caller_realm(&self, realm: &str, client: &ClientAuth) -> Result<RealmRef, OAuthError> {
        let target = self
            .realm_by_name(realm)?
            .ok_or_else(|| OAuthError::invalid_request(format!("Realm '{realm}' does not exist")))?;
        let (client, client_realm) = self.authenticate_client(client, None)?;
        let roles = client.roles.iter().cloned().collect();
        if client_realm.id == target.id || is_platform_admin(&client_realm, &roles) {
            Ok(target)
        } else {
            Err(OAuthError::invalid_client(false))
        }
    }
}

fn principal_from_claims(claims: AccessClaims) -> Result<Principal, IdentityError> {
    let kind = if claims.is_client() { PrincipalKind::Client } else { PrincipalKind::User };
    Ok(Principal {
        kind,
        display_name: claims.email.clone().or_else(|| claims.client_id.clone()).unwrap_or_else(|| claims.sub.clone()),
        id: claims.sub,
        realm: RealmRef {
            id: uuid::Uuid::try_parse(&claims.realm_id).map_err(|_| IdentityError::InvalidCredentials)?.into(),
            name: claims.realm,
        },
        roles: claims.roles.into_iter().collect(),
        scopes: claims.scope.split_whitespace().map(str::to_owned).collect(),
        token_id: Some(claims.jti),
    })
}
