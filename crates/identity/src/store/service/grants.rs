//! The OAuth 2.0 grants of the three token endpoints.

use super::IdentityStore;
use crate::error::IdentityError;
use crate::model::{Client, PUBLIC_CLIENT_ID, User, scopes};
use crate::oauth::{ClientAuth, GrantRequest, IssuedTokens, OAuthError, TokenEndpoint};
use crate::secrets::verify_client_secret;
use crate::store::tokens::{self, RefreshTokenRow};
use crate::store::{clients, throttle, users};
use crate::tokens::AccessClaims;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portico_core::context::{MASTER_REALM, PLATFORM_ADMIN_ROLE};
use portico_core::ids::{new_uuid, random_bytes};
use portico_core::{RealmRef, Timestamp};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use uuid::Uuid;

/// A verified password login.
pub(crate) struct Login {
    pub(crate) user: User,
    pub(crate) realm: RealmRef,
}

/// Why a password was not accepted.
pub(crate) enum LoginFailure {
    /// Unknown user or wrong password.
    Wrong,
    /// Too many failures from this source; retry after this many seconds.
    Throttled(i64),
    /// A database or other internal failure.
    Internal(IdentityError),
}

impl From<IdentityError> for LoginFailure {
    fn from(err: IdentityError) -> Self {
        LoginFailure::Internal(err)
    }
}

impl From<diesel::result::Error> for LoginFailure {
    fn from(err: diesel::result::Error) -> Self {
        LoginFailure::Internal(err.into())
    }
}

/// A syntactically valid Argon2id hash that matches nothing: unknown users cost as much time
/// as known ones, so response times do not reveal which e-mail addresses exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2bqGTPqk3v3dGzsWNQ6A5wmeaRm2h3uMJCj5Hh3xdVk";

pub(crate) fn hash_token(token: &str) -> String {
    portico_core::ids::hex(&Sha256::digest(token.as_bytes()))
}

impl IdentityStore {
    /// Runs a token request.
    pub fn grant(&self, request: &GrantRequest) -> Result<IssuedTokens, OAuthError> {
        match (&request.endpoint, request.grant_type.as_str()) {
            (TokenEndpoint::Management, "client_credentials") => self.management_grant(request),
            (TokenEndpoint::Utilihive { realm }, "password") => self.password_grant(request, realm.as_deref(), true),
            (TokenEndpoint::Realm(realm), "password") => self.password_grant(request, Some(realm), false),
            (TokenEndpoint::Realm(realm), "client_credentials") => self.client_grant(request, realm),
            (TokenEndpoint::Realm(realm), "refresh_token") => self.refresh_grant(request, realm),
            (TokenEndpoint::Realm(realm), "authorization_code") => self.code_grant(request, realm),
            (_, "") => Err(OAuthError::invalid_request("grant_type is required")),
            (_, other) => {
                Err(OAuthError::new("unsupported_grant_type", format!("grant_type '{other}' is not supported here")))
            }
        }
    }

    fn realm_named(&self, name: &str) -> Result<RealmRef, OAuthError> {
        self.realm_by_name(name)?.ok_or_else(|| OAuthError::invalid_request(format!("Realm '{name}' does not exist")))
    }

    /// Checks a client's credentials; `realm` limits where it may come from.
    pub(crate) fn authenticate_client(
        &self,
        auth: &ClientAuth,
        realm: Option<&RealmRef>,
    ) -> Result<(Client, RealmRef), OAuthError> {
        // Every realm has the public client `self-service` (Axual's password grant): no row, no secret.
        if auth.client_id == PUBLIC_CLIENT_ID
            && let Some(realm) = realm
        {
            if auth.secret.is_some() {
                return Err(OAuthError::invalid_client(auth.via_basic));
            }
            let now = self.clock.now();
            let client = Client {
                id: Uuid::nil(),
                realm_id: realm.id,
                client_id: PUBLIC_CLIENT_ID.to_owned(),
                name: "Self-service".to_owned(),
                roles: Vec::new(),
                public: true,
                redirect_uris: Vec::new(),
                post_logout_redirect_uris: Vec::new(),
                created_at: now,
                modified_at: now,
                version: 0,
            };
            return Ok((client, realm.clone()));
        }
        // A realm endpoint looks for the client in its realm only; the management endpoint
        // finds it by its (globally unique) id and reads its realm in the same checkout.
        let found = self.db.read(|conn| -> Result<_, IdentityError> {
            Ok(match realm {
                Some(realm) => clients::in_realm(conn, realm.id, &auth.client_id)?
                    .map(|(client, hash)| (client, hash, realm.clone())),
                None => match clients::by_client_id(conn, &auth.client_id)? {
                    Some((client, hash)) => crate::store::realms::get(conn, client.realm_id)?
                        .map(|client_realm| (client, hash, client_realm.reference())),
                    None => None,
                },
            })
        })?;
        let Some((client, secret_hash, client_realm)) = found else {
            return Err(OAuthError::invalid_client(auth.via_basic));
        };
        let authenticated = match (&secret_hash, &auth.secret) {
            (Some(hash), Some(secret)) => verify_client_secret(&self.sealer, secret, hash),
            (None, None) => true,
            _ => false,
        };
        if authenticated { Ok((client, client_realm)) } else { Err(OAuthError::invalid_client(auth.via_basic)) }
    }

    /// Verifies a user's password with back-off per account and source.
    /// The back-off key of a login name: a keyed hash of the lower-cased name (no e-mail
    /// address is stored for unknown names, and the key is the same on every replica).
    fn login_key(&self, email: &str) -> String {
        crate::secrets::keyed_digest(&self.sealer, "identity/login-throttle", email.trim().to_lowercase().as_bytes()).0
    }

    pub(crate) fn login(
        &self,
        realm: Option<&str>,
        email: &str,
        password: &str,
        source: &str,
    ) -> Result<Login, LoginFailure> {
        let in_realm = |name: &str| -> Result<Vec<users::UserWithSecret>, IdentityError> {
            match self.realm_by_name(name)? {
                Some(realm) => Ok(self
                    .db
                    .read(|conn| users::by_email_with_secret(conn, realm.id, email).map_err(IdentityError::from))?
                    .into_iter()
                    .collect()),
                None => Ok(Vec::new()),
            }
        };
        let now = self.clock.now();
        let account = self.login_key(email);
        let status = self.db.read(|conn| throttle::status(conn, &account, source, now).map_err(IdentityError::from))?;
        if let throttle::Status::Failed { blocked_until: Some(until) } = status {
            return Err(LoginFailure::Throttled((until.unix() - now.unix()).max(1)));
        }
        let candidates = match realm {
            // A platform admin (realm master) may name any realm; the gateway checks the rest.
            Some(name) => match in_realm(name)? {
                found if found.is_empty() && name != MASTER_REALM => in_realm(MASTER_REALM)?,
                found => found,
            },
            None => self.db.read(|conn| users::by_email_anywhere(conn, email).map_err(IdentityError::from))?,
        };
        // Known and unknown names take the same steps: one Argon2 verification, the same
        // back-off, the same answer. A name found in several realms with no realm named counts
        // as unknown (the caller must name the realm; saying so would reveal the accounts).
        let found = match candidates.len() {
            1 => candidates.into_iter().next(),
            _ => None,
        };
        let valid = match found.as_ref().and_then(|f| f.password_hash.as_deref()) {
            Some(hash) => self.hasher.verify(password, hash),
            None => {
                self.hasher.verify(password, DUMMY_HASH);
                false
            }
        };
        let Some(found) = found.filter(|_| valid) else {
            self.db.write(|conn| throttle::record_failure(conn, &account, source, now).map_err(IdentityError::from))?;
            return Err(LoginFailure::Wrong);
        };
        if status != throttle::Status::Clean {
            self.db.write(|conn| throttle::reset(conn, &account, source).map_err(IdentityError::from))?;
        }
        let realm = self
            .db
            .read(|conn| crate::store::realms::get(conn, found.user.realm_id).map_err(IdentityError::from))?
            .ok_or(LoginFailure::Wrong)?
            .reference();
        Ok(Login { user: found.user, realm })
    }

    fn password_grant(
        &self,
        request: &GrantRequest,
        realm: Option<&str>,
        utilihive: bool,
    ) -> Result<IssuedTokens, OAuthError> {
        let username = required(&request.username, "username")?;
        let password = required(&request.password, "password")?;
        let realm_ref = match realm {
            Some(name) => Some(self.realm_named(name)?),
            None => None,
        };
        let client = match &request.client {
            Some(auth) => Some(self.authenticate_client(auth, realm_ref.as_ref())?.0),
            None => None,
        };
        let login = match self.login(realm, username, password, &request.source) {
            Ok(login) => login,
            Err(LoginFailure::Wrong) => return Err(OAuthError::invalid_grant("Invalid user credentials")),
            Err(LoginFailure::Throttled(seconds)) => {
                return Err(OAuthError::invalid_grant(format!(
                    "Too many failed login attempts; try again in {seconds} seconds"
                )));
            }
            Err(LoginFailure::Internal(err)) => return Err(err.into()),
        };
        // A realm's token endpoint issues tokens of that realm only (no master fallback here).
        if realm_ref.as_ref().is_some_and(|r| r.id != login.realm.id) {
            return Err(OAuthError::invalid_grant("Invalid user credentials"));
        }
        let platform_admin = is_platform_admin(&login.realm, &login.user.roles);
        let allowed = scopes::allowed(&login.user.roles, platform_admin);
        let requested = if utilihive && request.scope.is_none() {
            Some(scopes::MANAGEMENT.to_owned())
        } else {
            request.scope.clone()
        };
        let scope = resolve_scope(requested.as_deref(), &allowed)?;
        let client_id = client.map(|c| c.client_id);
        let session = new_uuid().to_string();
        self.user_tokens(&login.realm, &login.user, client_id.as_deref(), scope, &session)
    }

    fn client_grant(&self, request: &GrantRequest, realm: &str) -> Result<IssuedTokens, OAuthError> {
        let realm = self.realm_named(realm)?;
        let auth = request.client.as_ref().ok_or_else(|| OAuthError::invalid_client(false))?;
        let (client, realm) = self.authenticate_client(auth, Some(&realm))?;
        if client.public {
            return Err(OAuthError::new("unauthorized_client", "A public client cannot use client_credentials"));
        }
        self.client_token(request, &client, &realm, request.audience.clone())
    }

    fn management_grant(&self, request: &GrantRequest) -> Result<IssuedTokens, OAuthError> {
        let auth = request
            .client
            .as_ref()
            .ok_or_else(|| OAuthError::invalid_request("client_id and client_secret are required"))?;
        // The seed's own sample omits `audience`: it then means the management API.
        let audience = request.audience.as_deref().unwrap_or(&self.config.management_audience);
        let (client, realm) = self.authenticate_client(auth, None)?;
        if audience != self.config.management_audience {
            return Err(OAuthError::new("invalid_target", format!("Unknown audience '{audience}'")));
        }
        if client.public {
            return Err(OAuthError::new("unauthorized_client", "A public client cannot use client_credentials"));
        }
        self.client_token(request, &client, &realm, Some(audience.to_owned()))
    }

    fn client_token(
        &self,
        request: &GrantRequest,
        client: &Client,
        realm: &RealmRef,
        audience: Option<String>,
    ) -> Result<IssuedTokens, OAuthError> {
        let roles: BTreeSet<String> = client.roles.iter().cloned().collect();
        let allowed = scopes::allowed(&roles, is_platform_admin(realm, &roles));
        let scope = resolve_scope(request.scope.as_deref(), &allowed)?;
        let claims = self.claims(
            realm,
            client.client_id.clone(),
            None,
            Some(client.client_id.clone()),
            client.roles.clone(),
            &scope,
            audience,
        );
        let access_token = self.keys.sign(&claims, self.clock.now())?;
        // RFC 6749 §4.4.3: no refresh token for client_credentials.
        Ok(IssuedTokens {
            access_token,
            expires_in: self.config.access_token_ttl,
            refresh_token: None,
            scope,
            id_token: None,
        })
    }

    /// An access token and a rotating refresh token for `user`, in the login session `session`
    /// (the refresh-token family and the tokens' `sid`).
    pub(crate) fn user_tokens(
        &self,
        realm: &RealmRef,
        user: &User,
        client_id: Option<&str>,
        scope: String,
        session: &str,
    ) -> Result<IssuedTokens, OAuthError> {
        let roles: Vec<String> = user.roles.iter().cloned().collect();
        let mut claims = self.claims(
            realm,
            user.id.to_string(),
            Some(user.email.clone()),
            client_id.map(str::to_owned),
            roles,
            &scope,
            None,
        );
        claims.sid = Some(session.to_owned());
        let access_token = self.keys.sign(&claims, self.clock.now())?;
        let refresh_token = self.new_refresh_token(realm, user.id, client_id, &scope, session)?;
        Ok(IssuedTokens {
            access_token,
            expires_in: self.config.access_token_ttl,
            refresh_token: Some(refresh_token),
            scope,
            id_token: None,
        })
    }

    fn refresh_grant(&self, request: &GrantRequest, realm: &str) -> Result<IssuedTokens, OAuthError> {
        let realm = self.realm_named(realm)?;
        let token = required(&request.refresh_token, "refresh_token")?;
        if let Some(auth) = &request.client {
            self.authenticate_client(auth, Some(&realm))?;
        }
        let now = self.clock.now();
        let hash = hash_token(token);
        let row = self.db.read(|conn| tokens::refresh_by_hash(conn, &hash).map_err(IdentityError::from))?;
        let Some(row) = row.filter(|row| row.realm_id == realm.id) else {
            return Err(OAuthError::invalid_grant("Invalid refresh token"));
        };
        if Timestamp::from(row.expires_at) <= now {
            return Err(OAuthError::invalid_grant("Refresh token expired"));
        }
        if request.client.as_ref().map(|c| c.client_id.as_str()) != row.client_id.as_deref() && request.client.is_some()
        {
            return Err(OAuthError::invalid_grant("The refresh token was issued to another client"));
        }
        let spent = self.db.write(|conn| tokens::spend_refresh(conn, &hash, now).map_err(IdentityError::from))?;
        if !spent {
            // A spent token came back: it was stolen or replayed. End the whole family.
            tracing::warn!(realm = %realm.name, "refresh token reuse detected; revoking its family");
            self.db.write(|conn| tokens::revoke_family(conn, &row.family_id).map_err(IdentityError::from))?;
            return Err(OAuthError::invalid_grant("Refresh token was already used"));
        }
        // A session ended by logout (or by a replayed code) issues nothing more.
        let ended = self.db.read(|conn| tokens::is_revoked(conn, &row.family_id, None).map_err(IdentityError::from))?;
        if ended {
            return Err(OAuthError::invalid_grant("The session has ended"));
        }
        let user_id = crate::store::uuid(&row.user_id).map_err(IdentityError::from)?;
        let user = self.db.read(|conn| users::get(conn, realm.id, user_id).map_err(IdentityError::from))?;
        let Some(user) = user else {
            return Err(OAuthError::invalid_grant("The user no longer exists"));
        };
        self.user_tokens(&realm, &user, row.client_id.as_deref(), row.scope, &row.family_id)
    }

    #[expect(clippy::too_many_arguments, reason = "the claims of one token, each distinct")]
    fn claims(
        &self,
        realm: &RealmRef,
        sub: String,
        email: Option<String>,
        client_id: Option<String>,
        roles: Vec<String>,
        scope: &str,
        aud: Option<String>,
    ) -> AccessClaims {
        let now = self.clock.now().unix();
        AccessClaims {
            iss: issuer(&self.config.issuer, &realm.name),
            sub,
            aud,
            exp: now + self.config.access_token_ttl,
            iat: now,
            jti: new_uuid().to_string(),
            realm: realm.name.clone(),
            realm_id: realm.id.to_string(),
            roles,
            scope: scope.to_owned(),
            client_id,
            email,
            sid: None,
        }
    }

    fn new_refresh_token(
        &self,
        realm: &RealmRef,
        user: uuid::Uuid,
        client: Option<&str>,
        scope: &str,
        family: &str,
    ) -> Result<String, IdentityError> {
        let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
        let now = self.clock.now();
        let row = RefreshTokenRow {
            token_hash: hash_token(&token),
            realm_id: realm.id,
            family_id: family.to_owned(),
            user_id: user.to_string(),
            client_id: client.map(str::to_owned),
            scope: scope.to_owned(),
            created_at: now.as_primitive(),
            expires_at: now.plus(time::Duration::seconds(self.config.refresh_token_ttl)).as_primitive(),
            used_at: None,
        };
        self.db.write_in(realm.id, |conn| tokens::insert_refresh(conn, &row).map_err(IdentityError::from))?;
        Ok(token)
    }
}

/// The issuer of `realm`'s tokens.
pub fn issuer(base_url: &str, realm: &str) -> String {
    format!("{}/auth/realms/{realm}", base_url.trim_end_matches('/'))
}

pub(crate) fn is_platform_admin(realm: &RealmRef, roles: &BTreeSet<String>) -> bool {
    realm.name == MASTER_REALM && roles.contains(PLATFORM_ADMIN_ROLE)
}

pub(crate) fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, OAuthError> {
    value.as_deref().filter(|v| !v.is_empty()).ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
}

/// The granted scope: what was asked for (each must be allowed), or everything allowed.
pub(crate) fn resolve_scope(requested: Option<&str>, allowed: &BTreeSet<String>) -> Result<String, OAuthError> {
    match requested.map(str::split_whitespace) {
        None => Ok(allowed.iter().cloned().collect::<Vec<_>>().join(" ")),
        Some(parts) => {
            let mut granted = BTreeSet::new();
            for scope in parts {
                if !allowed.contains(scope) {
                    return Err(OAuthError::invalid_scope(format!(
                        "Scope '{scope}' is not allowed for this principal"
                    )));
                }
                granted.insert(scope.to_owned());
            }
            Ok(granted.into_iter().collect::<Vec<_>>().join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_must_be_allowed() {
        let allowed: BTreeSet<String> = ["openid", "management"].iter().map(|s| s.to_string()).collect();
        assert_eq!(resolve_scope(None, &allowed).ok().as_deref(), Some("management openid"));
        assert_eq!(resolve_scope(Some("management"), &allowed).ok().as_deref(), Some("management"));
        assert_eq!(resolve_scope(Some("css_configuration"), &allowed).err().map(|e| e.code), Some("invalid_scope"));
    }

    #[test]
    fn the_dummy_hash_is_a_valid_phc_string() {
        let hasher = crate::password::PasswordHasher::new(crate::password::PasswordCost::Minimal);
        assert!(!hasher.verify("anything", DUMMY_HASH));
        assert!(argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
