//! Browser logins: the authorization-code grant with PKCE (RFC 6749 §4.1, RFC 7636 S256 only),
//! OpenID Connect ID tokens, and RP-initiated logout.
//!
//! There is no browser session at Portico: every authorization request shows the login page,
//! and a login starts a session that lives in the tokens (`sid`) and the refresh-token family
//! of the same id. Logging out, or replaying a spent code, ends that session.

use super::IdentityStore;
use super::grants::{LoginFailure, hash_token, is_platform_admin, issuer, required};
use crate::error::IdentityError;
use crate::model::{Client, scopes};
use crate::oauth::{
    Authorization, AuthorizationError, AuthorizationRequest, EndSessionRequest, GrantRequest, IssuedTokens, OAuthError,
    SignInError,
};
use crate::store::codes::{self, CodeRow};
use crate::store::{clients, users};
use crate::tokens::claims::IdClaims;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation};
use portico_core::ids::{new_uuid, random_bytes};
use portico_core::{RealmRef, Timestamp};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// How long an authorization code may be exchanged, in seconds (Keycloak's default too).
pub const CODE_TTL: i64 = 60;
/// Longest `state` or `nonce` accepted.
const MAX_STATE: usize = 1024;
/// The scopes a browser login may ask for.
const SUPPORTED_SCOPES: &[&str] = &[scopes::OPENID, scopes::MANAGEMENT, scopes::CSS_CONFIGURATION];

fn page(status: u16, message: impl Into<String>) -> AuthorizationError {
    AuthorizationError::Page { status, message: message.into() }
}

/// `uri` with `params` appended to its query (RFC 6749 §4.1.2: keep what the URI has).
pub(crate) fn with_query(uri: &str, params: &[(&str, Option<&str>)]) -> String {
    let Ok(mut url) = url::Url::parse(uri) else {
        return uri.to_owned();
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in params {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    url.to_string()
}

/// PKCE S256 (RFC 7636 §4.2): BASE64URL(SHA-256(ASCII(verifier))).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A verifier is 43–128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
fn valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// An S256 challenge is 43 base64url characters (a SHA-256 without padding).
fn valid_challenge(challenge: &str) -> bool {
    challenge.len() == 43 && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl IdentityStore {
    /// Checks an authorization request. The realm, client and redirect URI are checked first
    /// and reported on the page; everything after that is reported to the client at its
    /// redirect URI.
    pub fn authorization(
        &self,
        realm: &str,
        request: &AuthorizationRequest,
    ) -> Result<Authorization, AuthorizationError> {
        let internal = |err: IdentityError| {
            tracing::error!(error = %err, "authorization request failed");
            page(500, "The login page is not available right now; try again later.")
        };
        let realm =
            self.realm_by_name(realm).map_err(internal)?.ok_or_else(|| page(404, "This realm does not exist."))?;
        let client_id = request
            .client_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| page(400, "The application did not say who it is (client_id is missing)."))?;
        let client = self.db.read(|conn| clients::in_realm(conn, realm.id, client_id).map_err(IdentityError::from));
        let Some((client, _)) = client.map_err(internal)? else {
            return Err(page(400, "The application is not registered in this realm."));
        };
        let redirect_uri = match request.redirect_uri.as_deref() {
            Some(uri) if client.redirect_uris.iter().any(|registered| registered == uri) => uri.to_owned(),
            Some(_) => return Err(page(400, "The application asked to return to an address it has not registered.")),
            // RFC 6749 §3.1.2.3: without one, the only registered URI is meant.
            None => match client.redirect_uris.as_slice() {
                [only] => only.clone(),
                _ => {
                    return Err(page(400, "The application did not say where to return to (redirect_uri is missing)."));
                }
            },
        };
        let issuer = issuer(&self.config.issuer, &realm.name);
        let fail = |error: &str, description: &str| AuthorizationError::Redirect {
            location: with_query(
                &redirect_uri,
                &[
                    ("error", Some(error)),
                    ("error_description", Some(description)),
                    ("state", request.state.as_deref()),
                    ("iss", Some(&issuer)),
                ],
            ),
        };
        if request.response_type.as_deref() != Some("code") {
            return Err(fail("unsupported_response_type", "response_type must be code"));
        }
        if request.response_mode.as_deref().is_some_and(|mode| mode != "query") {
            return Err(fail("invalid_request", "response_mode must be query"));
        }
        for (name, value) in [("state", &request.state), ("nonce", &request.nonce)] {
            if value.as_deref().is_some_and(|v| v.len() > MAX_STATE || v.chars().any(char::is_control)) {
                return Err(fail(
                    "invalid_request",
                    &format!("{name} must be at most {MAX_STATE} printable characters"),
                ));
            }
        }
        let Some(challenge) = request.code_challenge.as_deref().filter(|c| !c.is_empty()) else {
            return Err(fail("invalid_request", "code_challenge is required (PKCE with S256)"));
        };
        if request.code_challenge_method.as_deref() != Some("S256") {
            return Err(fail("invalid_request", "code_challenge_method must be S256"));
        }
        if !valid_challenge(challenge) {
            return Err(fail("invalid_request", "code_challenge must be 43 base64url characters (S256)"));
        }
        if let Some(scope) = &request.scope
            && let Some(unknown) = scope.split_whitespace().find(|s| !SUPPORTED_SCOPES.contains(s))
        {
            return Err(fail("invalid_scope", &format!("Scope '{unknown}' is not supported")));
        }
        if request.prompt.as_deref().is_some_and(|p| p.split_whitespace().any(|p| p == "none")) {
            return Err(fail("login_required", "The user must sign in"));
        }
        Ok(Authorization {
            realm,
            client_id: client.client_id,
            client_name: client.name,
            redirect_uri,
            scope: request.scope.clone(),
            state: request.state.clone(),
            nonce: request.nonce.clone(),
            code_challenge: challenge.to_owned(),
        })
    }

    /// The login form's anti-forgery value for the browser holding `cookie` and this request:
    /// a keyed hash, so any replica can check it and nothing is stored.
    pub fn login_form_token(&self, cookie: &str, authorization: &Authorization) -> String {
        let binding = [
            authorization.realm.name.as_str(),
            &authorization.client_id,
            &authorization.redirect_uri,
            &authorization.code_challenge,
            cookie,
        ]
        .join("\n");
        crate::secrets::keyed_digest(&self.sealer, "identity/login-form", binding.as_bytes()).0
    }

    /// Whether `token` is the login form's anti-forgery value for `cookie` and this request.
    pub fn login_form_token_valid(&self, cookie: &str, authorization: &Authorization, token: &str) -> bool {
        !cookie.is_empty()
            && constant_time_eq(self.login_form_token(cookie, authorization).as_bytes(), token.as_bytes())
    }

    /// Signs a user in on the login page: the same checks, back-off and answers as the password
    /// grant. On success, the location to send the browser to, carrying a one-time code.
    pub fn sign_in(
        &self,
        authorization: &Authorization,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<String, SignInError> {
        let login = match self.login(Some(&authorization.realm.name), username, password, source) {
            Ok(login) if login.realm.id == authorization.realm.id => login,
            // Realm master's users may name any realm at the token endpoint's password grant for
            // the gateway's checks; a login page signs in users of its own realm only.
            Ok(_) | Err(LoginFailure::Wrong) => return Err(SignInError::Wrong),
            Err(LoginFailure::Throttled(seconds)) => return Err(SignInError::Throttled(seconds)),
            Err(LoginFailure::Internal(err)) => return Err(SignInError::Internal(err)),
        };
        let allowed = scopes::allowed(&login.user.roles, is_platform_admin(&login.realm, &login.user.roles));
        // RFC 6749 §3.3: the grant may be narrower than the request; the token response says so.
        // Without a scope, everything allowed but `openid` (an OpenID request names it).
        let scope: BTreeSet<&str> = match &authorization.scope {
            Some(requested) => requested.split_whitespace().filter(|s| allowed.contains(*s)).collect(),
            None => allowed.iter().map(String::as_str).filter(|s| *s != scopes::OPENID).collect(),
        };
        let code = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
        let now = self.clock.now();
        let row = CodeRow {
            code_hash: hash_token(&code),
            realm_id: authorization.realm.id,
            client_id: authorization.client_id.clone(),
            user_id: login.user.id.to_string(),
            redirect_uri: authorization.redirect_uri.clone(),
            code_challenge: authorization.code_challenge.clone(),
            scope: scope.into_iter().collect::<Vec<_>>().join(" "),
            nonce: authorization.nonce.clone(),
            session_id: new_uuid().to_string(),
            auth_time: now.as_primitive(),
            expires_at: now.plus(time::Duration::seconds(CODE_TTL)).as_primitive(),
            used_at: None,
        };
        self.db
            .write_in(authorization.realm.id, |conn| codes::insert(conn, &row).map_err(IdentityError::from))
            .map_err(SignInError::Internal)?;
        let issuer = issuer(&self.config.issuer, &authorization.realm.name);
        Ok(with_query(
            &authorization.redirect_uri,
            &[("code", Some(&code)), ("state", authorization.state.as_deref()), ("iss", Some(&issuer))],
        ))
    }

    /// The `authorization_code` grant: exchanges a code once, for the client it was issued to,
    /// at the redirect URI it was sent to, with the verifier of its PKCE challenge.
    pub(crate) fn code_grant(&self, request: &GrantRequest, realm: &str) -> Result<IssuedTokens, OAuthError> {
        let realm = self
            .realm_by_name(realm)?
            .ok_or_else(|| OAuthError::invalid_request(format!("Realm '{realm}' does not exist")))?;
        let auth = request.client.as_ref().ok_or_else(|| OAuthError::invalid_request("client_id is required"))?;
        let (client, _) = self.authenticate_client(auth, Some(&realm))?;
        let code = required(&request.code, "code")?;
        let verifier = required(&request.code_verifier, "code_verifier")?;
        if !valid_verifier(verifier) {
            return Err(OAuthError::invalid_request("code_verifier must be 43-128 characters of [A-Za-z0-9-._~]"));
        }
        let hash = hash_token(code);
        let row = self.db.read(|conn| codes::find(conn, realm.id, &hash).map_err(IdentityError::from))?;
        let Some(row) = row else {
            return Err(OAuthError::invalid_grant("Invalid authorization code"));
        };
        if row.client_id != client.client_id {
            return Err(OAuthError::invalid_grant("The code was issued to another client"));
        }
        if request.redirect_uri.as_deref().is_some_and(|uri| uri != row.redirect_uri) {
            return Err(OAuthError::invalid_grant("redirect_uri differs from the authorization request's"));
        }
        let now = self.clock.now();
        if row.used_at.is_some() {
            return Err(self.code_replayed(&row, &realm));
        }
        if Timestamp::from(row.expires_at) <= now {
            return Err(OAuthError::invalid_grant("Authorization code expired"));
        }
        if !constant_time_eq(s256(verifier).as_bytes(), row.code_challenge.as_bytes()) {
            return Err(OAuthError::invalid_grant("code_verifier does not match the code_challenge"));
        }
        if !self.db.write(|conn| codes::spend(conn, realm.id, &hash, now).map_err(IdentityError::from))? {
            // Another exchange of the same code won the race: this one is the replay.
            return Err(self.code_replayed(&row, &realm));
        }
        let user_id = crate::store::uuid(&row.user_id).map_err(IdentityError::from)?;
        let user = self.db.read(|conn| users::get(conn, realm.id, user_id).map_err(IdentityError::from))?;
        let Some(user) = user else {
            return Err(OAuthError::invalid_grant("The user no longer exists"));
        };
        let mut issued =
            self.user_tokens(&realm, &user, Some(&client.client_id), row.scope.clone(), &row.session_id)?;
        if row.scope.split_whitespace().any(|s| s == scopes::OPENID) {
            issued.id_token = Some(self.id_token(&realm, &user, &client, &row, now)?);
        }
        Ok(issued)
    }

    /// A spent code came back: it leaked. RFC 6749 §4.1.2 — revoke what it issued.
    fn code_replayed(&self, row: &CodeRow, realm: &RealmRef) -> OAuthError {
        tracing::warn!(realm = %realm.name, client = %row.client_id, "authorization code replayed; ending its session");
        match self.end_session(&row.session_id, realm.id) {
            Ok(()) => OAuthError::invalid_grant("Authorization code was already used"),
            Err(err) => err.into(),
        }
    }

    fn id_token(
        &self,
        realm: &RealmRef,
        user: &crate::model::User,
        client: &Client,
        row: &CodeRow,
        now: Timestamp,
    ) -> Result<String, IdentityError> {
        let claims = IdClaims {
            iss: issuer(&self.config.issuer, &realm.name),
            sub: user.id.to_string(),
            aud: client.client_id.clone(),
            azp: client.client_id.clone(),
            exp: now.unix() + self.config.access_token_ttl,
            iat: now.unix(),
            auth_time: Timestamp::from(row.auth_time).unix(),
            nonce: row.nonce.clone(),
            sid: row.session_id.clone(),
            email: user.email.clone(),
            realm: realm.name.clone(),
        };
        self.keys.sign_typed(&claims, "JWT", now)
    }

    /// An ID token this server issued for `realm` (signature and issuer; expired ones too, as
    /// RP-initiated logout allows). Access tokens are not ID tokens and are refused.
    fn decode_id_token(&self, token: &str, realm: &RealmRef) -> Option<IdClaims> {
        if !crate::tokens::low_s::is_low_s(token) {
            return None;
        }
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.typ.as_deref() != Some("JWT") {
            return None;
        }
        let key = self.keys.decoding_key(header.kid.as_deref()?, self.clock.now())?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<IdClaims>(token, &key, &validation).ok()?.claims;
        (claims.iss == issuer(&self.config.issuer, &realm.name) && claims.realm == realm.name).then_some(claims)
    }

    /// RP-initiated logout: ends the session an `id_token_hint` names and gives the location to
    /// send the browser to (a registered post-logout URI with `state`), or `None` to show a
    /// signed-out page. A request that cannot be trusted is an error message for the page.
    pub fn end_session_request(
        &self,
        realm: &str,
        request: &EndSessionRequest,
    ) -> Result<Option<String>, AuthorizationError> {
        let internal = |err: IdentityError| {
            tracing::error!(error = %err, "logout failed");
            page(500, "Signing out failed; try again later.")
        };
        let realm =
            self.realm_by_name(realm).map_err(internal)?.ok_or_else(|| page(404, "This realm does not exist."))?;
        let hint = match request.id_token_hint.as_deref().filter(|t| !t.is_empty()) {
            Some(token) => Some(
                self.decode_id_token(token, &realm)
                    .ok_or_else(|| page(400, "id_token_hint is not an ID token of this realm."))?,
            ),
            None => None,
        };
        let client_id = match (&hint, request.client_id.as_deref().filter(|c| !c.is_empty())) {
            (Some(hint), Some(client_id)) if hint.aud != client_id => {
                return Err(page(400, "client_id does not match the id_token_hint."));
            }
            (Some(hint), _) => Some(hint.aud.clone()),
            (None, client_id) => client_id.map(str::to_owned),
        };
        let location = match request.post_logout_redirect_uri.as_deref().filter(|u| !u.is_empty()) {
            Some(uri) => {
                let Some(client_id) = &client_id else {
                    return Err(page(400, "post_logout_redirect_uri needs an id_token_hint or a client_id."));
                };
                let client =
                    self.db.read(|conn| clients::in_realm(conn, realm.id, client_id).map_err(IdentityError::from));
                let registered = client
                    .map_err(internal)?
                    .is_some_and(|(c, _)| c.post_logout_redirect_uris.iter().any(|u| u == uri));
                if !registered {
                    return Err(page(400, "The application asked to return to an address it has not registered."));
                }
                Some(with_query(uri, &[("state", request.state.as_deref())]))
            }
            None => None,
        };
        if let Some(hint) = hint {
            self.end_session(&hint.sid, realm.id).map_err(internal)?;
        }
        Ok(location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        assert_eq!(s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(valid_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!valid_verifier("short"));
        assert!(!valid_verifier(&"a".repeat(129)));
        assert!(!valid_verifier(&format!("{}!", "a".repeat(50))));
        assert!(valid_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(!valid_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="));
    }

    #[test]
    fn query_parameters_are_appended_and_encoded() {
        assert_eq!(
            with_query("https://app.example/cb?x=1", &[("code", Some("a b")), ("state", None)]),
            "https://app.example/cb?x=1&code=a+b"
        );
        assert_eq!(with_query("http://127.0.0.1:9/cb", &[("state", Some("s&t"))]), "http://127.0.0.1:9/cb?state=s%26t");
    }
}
