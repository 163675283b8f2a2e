//! Authenticating API calls (Bearer JWTs, Basic passwords), introspection, revocation, logout.

use super::IdentityStore;
use super::grants::{LoginFailure, hash_token, is_platform_admin};
use crate::error::IdentityError;
use crate::model::scopes;
use crate::oauth::{ClientAuth, Introspection, OAuthError};
use crate::store::tokens;
use crate::tokens::AccessClaims;
use jsonwebtoken::{Algorithm, Validation};
use portico_core::context::{Principal, PrincipalKind};
use portico_core::{RealmRef, Timestamp};
use sha2::{Digest, Sha256};

/// Clock skew tolerated when checking expiry, in seconds.
const LEEWAY: i64 = 30;

impl IdentityStore {
    /// Verifies a token's signature and issuer; `check_expiry` also refuses expired tokens.
    fn decode(&self, token: &str, check_expiry: bool) -> Result<AccessClaims, IdentityError> {
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
        if !claims.iss.ends_with(&format!("/auth/realms/{}", claims.realm)) {
            return Err(IdentityError::InvalidCredentials);
        }
        if check_expiry && claims.exp + LEEWAY < now.unix() {
            return Err(IdentityError::InvalidCredentials);
        }
        Ok(claims)
    }

    /// The caller behind a Bearer token: valid signature, not expired, not revoked.
    ///
    /// A verified token's principal is remembered until the token expires, so the signature is
    /// checked once; revocation is still checked against the database on every call, so a
    /// revocation on any replica takes effect everywhere at once.
    pub fn authenticate_bearer(&self, token: &str) -> Result<Principal, IdentityError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = self.clock.now().unix();
        let (principal, jti) = match self.verified_cached(&key, now) {
            Some(principal) => {
                let jti = principal.token_id.clone().unwrap_or_default();
                (principal, jti)
            }
            None => {
                let claims = self.decode(token, true)?;
                let expires = claims.exp + LEEWAY;
                let jti = claims.jti.clone();
                let principal = principal_from_claims(claims);
                self.remember_verified(key, principal.clone(), expires);
                (principal, jti)
            }
        };
        let revoked = self.db.read(|conn| tokens::is_revoked(conn, &jti).map_err(IdentityError::from))?;
        if revoked {
            return Err(IdentityError::InvalidCredentials);
        }
        Ok(principal)
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
        let mut digest = Sha256::new();
        for part in [realm.unwrap_or(""), username, password] {
            digest.update((part.len() as u64).to_be_bytes());
            digest.update(part.as_bytes());
        }
        let key: [u8; 32] = digest.finalize().into();
        if let Some(principal) = self.basic_cached(&key) {
            return Ok(principal);
        }
        let login = match self.login(realm, username, password, source) {
            Ok(login) => login,
            Err(LoginFailure::Wrong | LoginFailure::Ambiguous) => return Err(IdentityError::InvalidCredentials),
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
        self.remember_basic(key, principal.clone());
        Ok(principal)
    }

    /// RFC 7662: whether `token` (access or refresh) is active, for a client of `realm` (or a
    /// platform client). Tokens of other realms are reported inactive.
    pub fn introspect(&self, realm: &str, client: &ClientAuth, token: &str) -> Result<Introspection, OAuthError> {
        let realm = self.caller_realm(realm, client)?;
        if let Ok(claims) = self.decode(token, true) {
            let revoked = self.db.read(|conn| tokens::is_revoked(conn, &claims.jti).map_err(IdentityError::from))?;
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
            Some(row)
                if row.realm_id == realm.id.to_string()
                    && row.used_at.is_none()
                    && Timestamp::from(row.expires_at) > now =>
            {
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
        if let Some(row) = row.filter(|row| row.realm_id == realm.id.to_string()) {
            self.db.write(|conn| tokens::revoke_family(conn, &row.family_id).map_err(IdentityError::from))?;
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

    fn revoke_claims(&self, claims: &AccessClaims) -> Result<(), IdentityError> {
        let realm = crate::store::uuid(&claims.realm_id);
        let expires = Timestamp::from_unix(claims.exp + LEEWAY).unwrap_or_else(|| self.clock.now());
        self.db.write(|conn| tokens::revoke_access(conn, &claims.jti, realm, expires).map_err(IdentityError::from))
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

fn principal_from_claims(claims: AccessClaims) -> Principal {
    let kind = if claims.is_client() { PrincipalKind::Client } else { PrincipalKind::User };
    Principal {
        kind,
        display_name: claims.email.clone().or_else(|| claims.client_id.clone()).unwrap_or_else(|| claims.sub.clone()),
        id: claims.sub,
        realm: RealmRef { id: crate::store::uuid(&claims.realm_id), name: claims.realm },
        roles: claims.roles.into_iter().collect(),
        scopes: claims.scope.split_whitespace().map(str::to_owned).collect(),
        token_id: Some(claims.jti),
    }
}
