//! OAuth 2.0 protocol errors (RFC 6749 §5.2) and the inputs and outputs of the token service.

use portico_core::RealmRef;
use portico_core::error::{DomainError, ErrorKind};

/// An RFC 6749 error: `error` code plus description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{description}")]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type`, `invalid_scope`, `invalid_target`, `server_error`.
    pub code: &'static str,
    /// Human-readable description.
    pub description: String,
    /// The client authenticated with HTTP Basic (a 401 then carries `WWW-Authenticate: Basic`).
    pub basic: bool,
}

impl OAuthError {
    /// An error with `code`.
    pub fn new(code: &'static str, description: impl Into<String>) -> OAuthError {
        OAuthError { code, description: description.into(), basic: false }
    }

    /// `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> OAuthError {
        OAuthError::new("invalid_request", description)
    }

    /// `invalid_client` (401).
    pub fn invalid_client(basic: bool) -> OAuthError {
        OAuthError { code: "invalid_client", description: "Client authentication failed".into(), basic }
    }

    /// `invalid_grant`.
    pub fn invalid_grant(description: impl Into<String>) -> OAuthError {
        OAuthError::new("invalid_grant", description)
    }

    /// `invalid_scope`.
    pub fn invalid_scope(description: impl Into<String>) -> OAuthError {
        OAuthError::new("invalid_scope", description)
    }
}

impl DomainError for OAuthError {
    fn kind(&self) -> ErrorKind {
        match self.code {
            "invalid_client" => ErrorKind::Unauthenticated,
            "server_error" => ErrorKind::Internal,
            "temporarily_unavailable" => ErrorKind::Unavailable,
            _ => ErrorKind::Invalid,
        }
    }

    fn code(&self) -> &'static str {
        self.code
    }
}

impl From<crate::IdentityError> for OAuthError {
    fn from(err: crate::IdentityError) -> Self {
        match err.kind() {
            ErrorKind::Unavailable => {
                OAuthError::new("temporarily_unavailable", "The service is temporarily unavailable")
            }
            _ => {
                tracing::error!(error = %err, "token endpoint failure");
                OAuthError::new("server_error", "The token could not be issued")
            }
        }
    }
}

impl From<portico_core::DbError> for OAuthError {
    fn from(err: portico_core::DbError) -> Self {
        OAuthError::from(crate::IdentityError::from(err))
    }
}

/// How a client authenticated at a token endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientAuth {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`, if one was sent.
    pub secret: Option<String>,
    /// Sent with HTTP Basic (RFC 6749 §2.3.1) rather than in the body.
    pub via_basic: bool,
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAuth")
            .field("client_id", &self.client_id)
            .field("via_basic", &self.via_basic)
            .finish_non_exhaustive()
    }
}

/// Which token endpoint a grant came through; it decides realm, grants and response shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenEndpoint {
    /// `POST /auth/realms/{realm}/protocol/openid-connect/token`.
    Realm(String),
    /// `POST /authentication/token` (Utilihive): the realm is found from the user, or named.
    Utilihive {
        /// The `realm` field or header, when given.
        realm: Option<String>,
    },
    /// `POST /oauth/token` (MATTR management): `client_credentials` with an `audience`.
    Management,
}

/// A token request after form or JSON decoding.
#[derive(Clone)]
pub struct GrantRequest {
    /// Where it came in.
    pub endpoint: TokenEndpoint,
    /// `grant_type`.
    pub grant_type: String,
    /// `username` (password grant).
    pub username: Option<String>,
    /// `password` (password grant).
    pub password: Option<String>,
    /// `refresh_token` (refresh grant).
    pub refresh_token: Option<String>,
    /// Requested `scope`.
    pub scope: Option<String>,
    /// `audience` (MATTR).
    pub audience: Option<String>,
    /// `code` (authorization-code grant).
    pub code: Option<String>,
    /// `redirect_uri` (authorization-code grant: the one the code was sent to).
    pub redirect_uri: Option<String>,
    /// `code_verifier` (PKCE, RFC 7636 §4.5).
    pub code_verifier: Option<String>,
    /// Client authentication, if any.
    pub client: Option<ClientAuth>,
    /// The caller's address (login throttling).
    pub source: String,
}

impl std::fmt::Debug for GrantRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrantRequest")
            .field("endpoint", &self.endpoint)
            .field("grant_type", &self.grant_type)
            .field("username", &self.username)
            .field("redirect_uri", &self.redirect_uri)
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// Tokens issued by a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTokens {
    /// The JWT.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// A rotating refresh token (password, authorization-code and refresh grants only).
    pub refresh_token: Option<String>,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// An OpenID Connect ID token (authorization-code grant with scope `openid`).
    pub id_token: Option<String>,
}

/// An authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect Core §3.1.2.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct AuthorizationRequest {
    /// Must be `code`.
    pub response_type: Option<String>,
    /// The client.
    pub client_id: Option<String>,
    /// One of the client's registered redirect URIs, exactly.
    pub redirect_uri: Option<String>,
    /// Requested scopes, space-separated.
    pub scope: Option<String>,
    /// Opaque client state, returned with the code.
    pub state: Option<String>,
    /// OpenID Connect nonce, returned in the ID token.
    pub nonce: Option<String>,
    /// PKCE challenge: BASE64URL(SHA-256(verifier)).
    pub code_challenge: Option<String>,
    /// Must be `S256`.
    pub code_challenge_method: Option<String>,
    /// `query` (the only mode) when given.
    pub response_mode: Option<String>,
    /// OpenID Connect `prompt`; `none` cannot be honoured (there is no browser session).
    pub prompt: Option<String>,
}

/// A checked authorization request: safe to show a login page for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The realm.
    pub realm: RealmRef,
    /// The client's id.
    pub client_id: String,
    /// The client's name (shown on the login page).
    pub client_name: String,
    /// The redirect URI the code goes to.
    pub redirect_uri: String,
    /// The requested scope.
    pub scope: Option<String>,
    /// The client's state.
    pub state: Option<String>,
    /// The client's nonce.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
}

/// Why an authorization request cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationError {
    /// The realm, client or redirect URI is unknown: the user is told, and nothing is sent
    /// anywhere (RFC 6749 §4.1.2.1: never redirect to an unverified URI).
    Page {
        /// 404 (no such realm) or 400.
        status: u16,
        /// What to show.
        message: String,
    },
    /// The client is told at its verified redirect URI (`error`, `error_description`, `state`, `iss`).
    Redirect {
        /// The complete location.
        location: String,
    },
}

/// Why a login-page sign-in did not succeed; the page says so in the same words as the token
/// endpoint, without telling whether the account exists.
#[derive(Debug)]
pub enum SignInError {
    /// Unknown user or wrong password.
    Wrong,
    /// Too many failures; retry after this many seconds.
    Throttled(i64),
    /// Something failed inside.
    Internal(crate::IdentityError),
}

/// An RP-initiated logout request (OpenID Connect RP-Initiated Logout 1.0 §2).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct EndSessionRequest {
    /// An ID token Portico issued to the client: names the session to end.
    pub id_token_hint: Option<String>,
    /// Where to send the browser afterwards: one of the client's registered post-logout URIs.
    pub post_logout_redirect_uri: Option<String>,
    /// Returned to the post-logout URI.
    pub state: Option<String>,
    /// The client (needed with a post-logout URI when there is no `id_token_hint`).
    pub client_id: Option<String>,
}

/// RFC 7662 introspection answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Introspection {
    /// Whether the token is currently active.
    pub active: bool,
    /// Scopes.
    pub scope: Option<String>,
    /// Client the token was issued to.
    pub client_id: Option<String>,
    /// The user's e-mail.
    pub username: Option<String>,
    /// `Bearer` or `refresh_token`.
    pub token_type: Option<String>,
    /// Expiry.
    pub exp: Option<i64>,
    /// Issued at.
    pub iat: Option<i64>,
    /// Subject.
    pub sub: Option<String>,
    /// Issuer.
    pub iss: Option<String>,
    /// Token id.
    pub jti: Option<String>,
    /// Realm.
    pub realm: Option<String>,
}
