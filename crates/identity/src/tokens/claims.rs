//! Access-token claims (RFC 9068 profile plus Portico's realm claims).

use serde::{Deserialize, Serialize};

/// The claims of every access token Portico issues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// `{base}/auth/realms/{realm}`.
    pub iss: String,
    /// The user's id, or the client's `client_id`.
    pub sub: String,
    /// The audience (MATTR management tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id (revocation).
    pub jti: String,
    /// Realm short name.
    pub realm: String,
    /// Realm id.
    pub realm_id: String,
    /// Role strings.
    pub roles: Vec<String>,
    /// Space-separated scopes.
    pub scope: String,
    /// The client the token was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The user's e-mail address (user tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The login session (user tokens with a refresh token): logging out or a replayed
    /// authorization code ends it, and this token with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// The claims of an OpenID Connect ID token (Core §2), issued with `openid` in the scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdClaims {
    /// `{base}/auth/realms/{realm}`.
    pub iss: String,
    /// The user's id.
    pub sub: String,
    /// The client.
    pub aud: String,
    /// The client (authorized party).
    pub azp: String,
    /// Expiry.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// When the user signed in.
    pub auth_time: i64,
    /// The authorization request's `nonce`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The login session (RP-initiated logout names it through `id_token_hint`).
    pub sid: String,
    /// The user's e-mail address.
    pub email: String,
    /// Realm short name.
    pub realm: String,
}

impl AccessClaims {
    /// Whether this token was issued to a client rather than a user.
    pub fn is_client(&self) -> bool {
        self.email.is_none()
    }
}
