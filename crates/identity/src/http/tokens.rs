//! The token endpoints (Keycloak-style realm endpoint, Utilihive, MATTR), JWKS, discovery,
//! introspection, revocation and Axual's logout. All public by decision: they authenticate
//! their callers themselves (client credentials or the token at hand).

use crate::oauth::{ClientAuth, GrantRequest, Introspection, IssuedTokens, OAuthError, TokenEndpoint};
use crate::service::TokenService;
use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse, get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portico_core::ErrorKind;
use portico_core::http::PathText;
use portico_core::http::respond::no_store;
use portico_core::http::{ApiError, Failure, Form};
use portico_core::run_blocking;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A token request (form fields; MATTR also accepts them as JSON).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenForm {
    /// `password`, `client_credentials` or `refresh_token`.
    pub grant_type: Option<String>,
    /// User name (e-mail) for the password grant.
    pub username: Option<String>,
    /// Password for the password grant.
    pub password: Option<String>,
    /// Refresh token for the refresh grant.
    pub refresh_token: Option<String>,
    /// Requested scopes, space-separated.
    pub scope: Option<String>,
    /// Client id (when not sent with HTTP Basic).
    pub client_id: Option<String>,
    /// Client secret (when not sent with HTTP Basic).
    pub client_secret: Option<String>,
    /// MATTR: the management audience.
    pub audience: Option<String>,
    /// Utilihive / Axual: the realm, when the user name alone is ambiguous.
    pub realm: Option<String>,
    /// The authorization code (`authorization_code` grant).
    pub code: Option<String>,
    /// The redirect URI the code was sent to.
    pub redirect_uri: Option<String>,
    /// The PKCE verifier.
    pub code_verifier: Option<String>,
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The access token (a JWT).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Lifetime in seconds.
    pub expires_in: i64,
    /// Rotating refresh token (password and refresh grants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Granted scopes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// OpenID Connect ID token (authorization-code grant with scope `openid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl TokenResponse {
    fn from(issued: IssuedTokens) -> TokenResponse {
        TokenResponse {
            access_token: issued.access_token,
            token_type: "Bearer",
            expires_in: issued.expires_in,
            refresh_token: issued.refresh_token,
            scope: Some(issued.scope),
            id_token: issued.id_token,
        }
    }
}

/// MATTR's token response: `{access_token, expires_in, token_type}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagementTokenResponse {
    /// The access token (a JWT).
    pub access_token: String,
    /// Lifetime in seconds.
    pub expires_in: i64,
    /// Always `Bearer`.
    pub token_type: &'static str,
}

/// An RFC 6749 error.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthErrorBody {
    /// Error code.
    pub error: String,
    /// Description.
    pub error_description: String,
}

fn oauth_error(err: OAuthError) -> ApiError {
    let basic = err.basic;
    let mut failure = Failure::from_domain(&err);
    if basic {
        failure = failure.with_challenge(r#"Basic realm="portico""#);
    }
    ApiError::new(failure)
}

/// Reads client credentials from HTTP Basic (RFC 6749 §2.3.1: form-urlencoded, then base64)
/// or from the body. Using both is an error.
fn client_auth(req: &HttpRequest, form: &TokenForm) -> Result<Option<ClientAuth>, OAuthError> {
    let header = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let basic = header.and_then(|h| h.strip_prefix("Basic ").or_else(|| h.strip_prefix("basic ")));
    match (basic, &form.client_id) {
        (Some(_), Some(_)) if form.client_secret.is_some() => {
            Err(OAuthError::invalid_request("Send client credentials either with HTTP Basic or in the body, not both"))
        }
        (Some(encoded), _) => {
            let decoded = STANDARD.decode(encoded.trim()).map_err(|_| OAuthError::invalid_client(true))?;
            let text = String::from_utf8(decoded).map_err(|_| OAuthError::invalid_client(true))?;
            let (id, secret) = text.split_once(':').ok_or_else(|| OAuthError::invalid_client(true))?;
            Ok(Some(ClientAuth { client_id: form_decode(id), secret: Some(form_decode(secret)), via_basic: true }))
        }
        (None, Some(id)) => {
            Ok(Some(ClientAuth { client_id: id.clone(), secret: form.client_secret.clone(), via_basic: false }))
        }
        (None, None) => Ok(None),
    }
}

/// `application/x-www-form-urlencoded` decoding of one value (`+` is a space).
fn form_decode(value: &str) -> String {
    let spaced = value.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

fn source(req: &HttpRequest) -> String {
    portico_core::http::origin::client_ip(req)
}

fn grant_request(req: &HttpRequest, form: TokenForm, endpoint: TokenEndpoint) -> Result<GrantRequest, OAuthError> {
    let client = client_auth(req, &form)?;
    Ok(GrantRequest {
        endpoint,
        grant_type: form.grant_type.unwrap_or_default(),
        username: form.username,
        password: form.password,
        refresh_token: form.refresh_token,
        scope: form.scope,
        audience: form.audience,
        code: form.code,
        redirect_uri: form.redirect_uri,
        code_verifier: form.code_verifier,
        client,
        source: source(req),
    })
}

async fn run_grant(tokens: Data<dyn TokenService>, request: GrantRequest) -> Result<IssuedTokens, ApiError> {
    run_blocking(move || tokens.grant(&request).map_err(oauth_error)).await
}

/// Keycloak-style realm token endpoint: `password`, `client_credentials`, `refresh_token`,
/// `authorization_code` (with PKCE).
#[utoipa::path(
    tag = "tokens",
    params(("realm" = String, Path, description = "realm (tenant) name")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "tokens issued", body = TokenResponse),
        (status = 400, description = "invalid_request, invalid_grant, unsupported_grant_type, invalid_scope", body = OAuthErrorBody),
        (status = 401, description = "invalid_client", body = OAuthErrorBody),
    )
)]
#[post("/auth/realms/{realm}/protocol/openid-connect/token")]
pub async fn realm_token(
    req: HttpRequest,
    realm: PathText,
    form: Form<TokenForm>,
    tokens: Data<dyn TokenService>,
) -> Result<HttpResponse, ApiError> {
    let request = grant_request(&req, form.0, TokenEndpoint::Realm(realm.into_inner())).map_err(oauth_error)?;
    let issued = run_grant(tokens, request).await?;
    Ok(no_store(HttpResponse::Ok()).json(TokenResponse::from(issued)))
}

/// Utilihive "authenticate" (POST /authentication/token): password grant, `scope=management`.
#[utoipa::path(
    tag = "tokens",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "token issued", body = TokenResponse),
        (status = 400, description = "invalid_request, invalid_grant, invalid_scope", body = OAuthErrorBody),
    )
)]
#[post("/authentication/token")]
pub async fn utilihive_token(
    req: HttpRequest,
    form: Form<TokenForm>,
    tokens: Data<dyn TokenService>,
) -> Result<HttpResponse, ApiError> {
    let header_realm = req.headers().get("realm").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let realm = form.0.realm.clone().or(header_realm);
    let request = grant_request(&req, form.0, TokenEndpoint::Utilihive { realm }).map_err(oauth_error)?;
    let issued = run_grant(tokens, request).await?;
    Ok(no_store(HttpResponse::Ok()).json(TokenResponse::from(issued)))
}

/// MATTR "Create API Auth Token" (POST /oauth/token): `client_credentials` with `audience`, JSON or form.
#[utoipa::path(
    tag = "tokens",
    request_body(content = TokenForm, description = "JSON or application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Successful response", body = ManagementTokenResponse),
        (status = 400, description = "invalid_request, invalid_target", body = OAuthErrorBody),
        (status = 401, description = "Unauthorized", body = OAuthErrorBody),
    )
)]
#[post("/oauth/token")]
pub async fn management_token(
    req: HttpRequest,
    body: Bytes,
    tokens: Data<dyn TokenService>,
) -> Result<HttpResponse, ApiError> {
    let json = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    // RFC 6749 §5.2: a body that cannot be read is `invalid_request`, in JSON as in a form.
    let parsed: Result<TokenForm, _> = if json {
        portico_core::http::extract::check_json_media(&req)
            .and_then(|()| portico_core::http::extract::parse_json(&body))
    } else {
        portico_core::http::extract::parse_form(&body)
    };
    let form = parsed.map_err(|failure| oauth_error(OAuthError::invalid_request(failure.message)))?;
    let request = grant_request(&req, form, TokenEndpoint::Management).map_err(oauth_error)?;
    let issued = run_grant(tokens, request).await?;
    Ok(no_store(HttpResponse::Ok()).json(ManagementTokenResponse {
        access_token: issued.access_token,
        expires_in: issued.expires_in,
        token_type: "Bearer",
    }))
}

/// The signing keys (JWKS) of every realm.
#[utoipa::path(tag = "tokens", responses((status = 200, description = "JSON Web Key Set")))]
#[get("/oauth/v1/keys")]
pub async fn jwks(tokens: Data<dyn TokenService>) -> HttpResponse {
    HttpResponse::Ok().insert_header((CACHE_CONTROL, "max-age=300")).json(tokens.jwks())
}

/// A realm's signing keys (JWKS; the same keys sign for every realm).
#[utoipa::path(
    tag = "tokens",
    params(("realm" = String, Path, description = "realm name")),
    responses((status = 200, description = "JSON Web Key Set"), (status = 404, description = "no such realm", body = OAuthErrorBody))
)]
#[get("/auth/realms/{realm}/protocol/openid-connect/certs")]
pub async fn realm_certs(realm: PathText, tokens: Data<dyn TokenService>) -> Result<HttpResponse, ApiError> {
    require_realm(&tokens, realm.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((CACHE_CONTROL, "max-age=300")).json(tokens.jwks()))
}

async fn require_realm(tokens: &Data<dyn TokenService>, realm: String) -> Result<String, ApiError> {
    let service = tokens.clone();
    let name = realm.clone();
    let exists = run_blocking(move || service.realm_exists(&name).map_err(|e| oauth_error(e.into()))).await?;
    if exists {
        Ok(realm)
    } else {
        Err(ApiError::new(Failure::new(
            ErrorKind::NotFound,
            "realm_not_found",
            format!("Realm '{realm}' does not exist"),
        )))
    }
}

/// OpenID Connect / RFC 8414 discovery document of a realm.
#[utoipa::path(
    tag = "tokens",
    params(("realm" = String, Path, description = "realm name")),
    responses((status = 200, description = "discovery document"), (status = 404, description = "no such realm", body = OAuthErrorBody))
)]
#[get("/auth/realms/{realm}/.well-known/openid-configuration")]
pub async fn discovery(realm: PathText, tokens: Data<dyn TokenService>) -> Result<HttpResponse, ApiError> {
    let realm = require_realm(&tokens, realm.into_inner()).await?;
    let issuer = tokens.issuer(&realm);
    let endpoint = |path: &str| format!("{issuer}/protocol/openid-connect/{path}");
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "issuer": issuer,
        "token_endpoint": endpoint("token"),
        "jwks_uri": endpoint("certs"),
        "authorization_endpoint": endpoint("auth"),
        "end_session_endpoint": endpoint("logout"),
        "introspection_endpoint": endpoint("token/introspect"),
        "revocation_endpoint": endpoint("revoke"),
        "grant_types_supported": ["authorization_code", "password", "client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "claims_supported": ["iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "sid", "email", "realm"],
        "scopes_supported": ["openid", "management", "css_configuration"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "subject_types_supported": ["public"],
    })))
}

/// RFC 7662 introspection answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntrospectionBody {
    /// Whether the token is currently active.
    pub active: bool,
    /// Scopes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Client the token was issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The user's e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `Bearer` or `refresh_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Issued at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Token id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Realm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
}

impl From<Introspection> for IntrospectionBody {
    fn from(i: Introspection) -> Self {
        IntrospectionBody {
            active: i.active,
            scope: i.scope,
            client_id: i.client_id,
            username: i.username,
            token_type: i.token_type,
            exp: i.exp,
            iat: i.iat,
            sub: i.sub,
            iss: i.iss,
            jti: i.jti,
            realm: i.realm,
        }
    }
}

/// A token to introspect or revoke, with client credentials.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenReference {
    /// The token.
    pub token: Option<String>,
    /// `access_token` or `refresh_token` (a hint only).
    pub token_type_hint: Option<String>,
    /// Client id (when not sent with HTTP Basic).
    pub client_id: Option<String>,
    /// Client secret (when not sent with HTTP Basic).
    pub client_secret: Option<String>,
}

fn reference_auth(req: &HttpRequest, reference: &TokenReference) -> Result<(ClientAuth, String), OAuthError> {
    let form = TokenForm {
        client_id: reference.client_id.clone(),
        client_secret: reference.client_secret.clone(),
        ..TokenForm::default()
    };
    let auth = client_auth(req, &form)?.ok_or_else(|| OAuthError::invalid_client(false))?;
    let token = reference
        .token
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    Ok((auth, token))
}

/// RFC 7662 token introspection (client-authenticated).
#[utoipa::path(
    tag = "tokens",
    params(("realm" = String, Path, description = "realm name")),
    request_body(content = TokenReference, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "`{\"active\": false}` for any token that is not active", body = IntrospectionBody),
        (status = 401, description = "invalid_client", body = OAuthErrorBody),
    )
)]
#[post("/auth/realms/{realm}/protocol/openid-connect/token/introspect")]
pub async fn introspect(
    req: HttpRequest,
    realm: PathText,
    form: Form<TokenReference>,
    tokens: Data<dyn TokenService>,
) -> Result<HttpResponse, ApiError> {
    let (auth, token) = reference_auth(&req, &form.0).map_err(oauth_error)?;
    let realm = realm.into_inner();
    let answer = run_blocking(move || tokens.introspect(&realm, &auth, &token).map_err(oauth_error)).await?;
    Ok(no_store(HttpResponse::Ok()).json(IntrospectionBody::from(answer)))
}

/// RFC 7009 token revocation (client-authenticated; 200 for unknown tokens too).
#[utoipa::path(
    tag = "tokens",
    params(("realm" = String, Path, description = "realm name")),
    request_body(content = TokenReference, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "revoked (or unknown)"), (status = 401, description = "invalid_client", body = OAuthErrorBody))
)]
#[post("/auth/realms/{realm}/protocol/openid-connect/revoke")]
pub async fn revoke(
    req: HttpRequest,
    realm: PathText,
    form: Form<TokenReference>,
    tokens: Data<dyn TokenService>,
) -> Result<HttpResponse, ApiError> {
    let (auth, token) = reference_auth(&req, &form.0).map_err(oauth_error)?;
    let realm = realm.into_inner();
    run_blocking(move || tokens.revoke(&realm, &auth, &token).map_err(oauth_error)).await?;
    Ok(HttpResponse::Ok().finish())
}

/// Axual "logout" (GET /logout): invalidates the token in `X-Auth-Token`.
#[utoipa::path(
    tag = "axual",
    params(("X-Auth-Token" = String, Header, description = "the access token to invalidate")),
    responses((status = 200, description = "invalidated; the response carries an empty X-Auth-Token"), (status = 400, description = "no X-Auth-Token"))
)]
#[get("/logout")]
pub async fn logout(req: HttpRequest, tokens: Data<dyn TokenService>) -> Result<HttpResponse, ApiError> {
    let token = req
        .headers()
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim_start_matches("Bearer ").trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::new(Failure::new(ErrorKind::Invalid, "missing_token", "The X-Auth-Token header is required"))
        })?;
    run_blocking(move || tokens.logout(&token)).await?;
    Ok(HttpResponse::Ok().insert_header(("X-Auth-Token", "")).finish())
}

#[cfg(test)]
mod tests {
    use super::form_decode;

    #[test]
    fn basic_credentials_are_form_decoded() {
        assert_eq!(form_decode("a%2Bb+c%3A"), "a+b c:");
        assert_eq!(form_decode("plain"), "plain");
    }
}
