//! Browser logins, Keycloak-style: the authorization endpoint's login page (authorization code
//! with PKCE) and RP-initiated logout. Both answer browsers, so their errors are pages, not
//! JSON; and both are public (they authenticate the user themselves).
//!
//! The page is plain server-rendered HTML with no external assets. Its headers forbid framing
//! and everything but its own inline style (by nonce); its form is protected against forgery by
//! a value bound to a `SameSite=Strict` cookie and to the request (a keyed hash, so no state is
//! kept and any replica can check it).

use crate::oauth::{Authorization, AuthorizationError, AuthorizationRequest, EndSessionRequest, SignInError};
use crate::service::TokenService;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderValue;
use actix_web::http::header::{CONTENT_TYPE, RETRY_AFTER};
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse, get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portico_core::http::PathText;
use portico_core::http::extract::parse_form;
use portico_core::http::module::FinalResponse;
use portico_core::http::respond::{no_store, with_location};
use portico_core::ids::random_bytes;
use portico_core::run_blocking;
use serde::Deserialize;

/// The browser cookie the login form's anti-forgery value is bound to.
pub const LOGIN_COOKIE: &str = "portico_login";

/// What the login form posts: the authorization request again, plus credentials.
#[derive(Debug, Default, Deserialize)]
struct LoginForm {
    #[serde(flatten)]
    request: AuthorizationRequest,
    csrf: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

/// `&`, `<`, `>`, `"` and `'` as character references.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `scheme://host[:port]` of a URL, for the form's `form-action`.
fn origin_of(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    Some(url.origin().ascii_serialization()).filter(|o| o != "null")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}\
main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;\
box-shadow:0 1px 3px rgba(0,0,0,.2)}h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .25rem}\
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}\
button{margin-top:1.5rem;width:100%;padding:.6rem;font-size:1rem}\
.alert{color:#a00;border-left:3px solid #a00;padding-left:.5rem}";

/// A whole page with the headers every login page carries: `title` in `<title>` and `<h1>`,
/// `content` (already escaped) below. `form_target` is the origin the form may lead to.
fn page(status: StatusCode, title: &str, content: &str, form_target: Option<&str>) -> HttpResponse {
    let nonce = URL_SAFE_NO_PAD.encode(random_bytes::<16>());
    let form_action = match form_target {
        Some(origin) => format!("form-action 'self' {origin}"),
        None => "form-action 'self'".to_owned(),
    };
    let title = escape(title);
    let mut builder = no_store(HttpResponse::build(status));
    // A page for people: the API error formats do not apply to it.
    builder.extensions_mut().insert(FinalResponse);
    builder
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((
            "Content-Security-Policy",
            format!(
                "default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'; frame-ancestors 'none'; {form_action}"
            ),
        ))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><style nonce=\"{nonce}\">{STYLE}</style></head>\
             <body><main><h1>{title}</h1>{content}</main></body></html>\n"
        ))
}

fn redirect(status: StatusCode, location: &str) -> HttpResponse {
    with_location(no_store(HttpResponse::build(status)), location)
        .insert_header(("Referrer-Policy", "no-referrer"))
        .finish()
}

fn hidden(name: &str, value: Option<&str>) -> String {
    value.map(|v| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(v))).unwrap_or_default()
}

/// What a login or logout request comes to, decided off the executor and rendered on it.
enum Outcome {
    /// The login form, with an alert when it is shown again.
    Login {
        status: StatusCode,
        authorization: Box<Authorization>,
        request: Box<AuthorizationRequest>,
        csrf: String,
        alert: Option<String>,
        username: String,
        retry_after: Option<i64>,
    },
    /// A redirect (to the client, with a code or an error; or after logout).
    Redirect(StatusCode, String),
    /// A page saying why nothing can happen.
    Refused(u16, &'static str, String),
    /// The signed-out page.
    SignedOut,
}

impl From<portico_core::DbError> for Outcome {
    fn from(err: portico_core::DbError) -> Self {
        tracing::error!(error = %err, "login page");
        Outcome::Refused(
            500,
            "Sign-in is not possible",
            "The service is not available right now; try again later.".into(),
        )
    }
}

impl Outcome {
    fn refused(title: &'static str, error: AuthorizationError) -> Outcome {
        match error {
            AuthorizationError::Page { status, message } => Outcome::Refused(status, title, message),
            AuthorizationError::Redirect { location } => Outcome::Redirect(StatusCode::FOUND, location),
        }
    }

    fn render(self, realm: &str, cookie: &str, secure: bool) -> HttpResponse {
        match self {
            Outcome::Login { status, authorization, request, csrf, alert, username, retry_after } => {
                let mut response = login_page(status, &authorization, &request, &csrf, alert.as_deref(), &username);
                let path = format!("/auth/realms/{realm}/protocol/openid-connect/auth");
                let cookie = Cookie::build(LOGIN_COOKIE, cookie.to_owned())
                    .path(path)
                    .http_only(true)
                    .secure(secure)
                    .same_site(SameSite::Strict)
                    .finish();
                if let Err(err) = response.add_cookie(&cookie) {
                    tracing::error!(error = %err, "login cookie");
                }
                if let Some(value) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                    response.headers_mut().insert(RETRY_AFTER, value);
                }
                response
            }
            Outcome::Redirect(status, location) => redirect(status, &location),
            Outcome::Refused(status, title, message) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                page(status, title, &format!("<p role=\"alert\" class=\"alert\">{}</p>", escape(&message)), None)
            }
            Outcome::SignedOut => {
                page(StatusCode::OK, "Signed out", "<p>You are signed out. You may close this window.</p>", None)
            }
        }
    }
}

/// The login page for a checked request, with `alert` shown above the form.
fn login_page(
    status: StatusCode,
    authorization: &Authorization,
    request: &AuthorizationRequest,
    csrf: &str,
    alert: Option<&str>,
    username: &str,
) -> HttpResponse {
    let mut fields = String::new();
    for (name, value) in [
        ("response_type", &request.response_type),
        ("client_id", &request.client_id),
        ("redirect_uri", &request.redirect_uri),
        ("scope", &request.scope),
        ("state", &request.state),
        ("nonce", &request.nonce),
        ("code_challenge", &request.code_challenge),
        ("code_challenge_method", &request.code_challenge_method),
        ("response_mode", &request.response_mode),
    ] {
        fields.push_str(&hidden(name, value.as_deref()));
    }
    fields.push_str(&hidden("csrf", Some(csrf)));
    let alert = alert.map(|a| format!("<p role=\"alert\" class=\"alert\" id=\"error\">{}</p>", escape(a)));
    let described = if alert.is_some() { " aria-describedby=\"error\"" } else { "" };
    let content = format!(
        "<p><strong>{client}</strong> asks you to sign in to realm <strong>{realm}</strong>.</p>{alert}\
         <form method=\"post\">{fields}\
         <label for=\"username\">E-mail address</label>\
         <input id=\"username\" name=\"username\" type=\"email\" autocomplete=\"username\" required autofocus \
         value=\"{username}\"{described}>\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required{described}>\
         <button type=\"submit\">Sign in</button></form>",
        client = escape(&authorization.client_name),
        realm = escape(&authorization.realm.name),
        alert = alert.unwrap_or_default(),
        username = escape(username),
    );
    page(status, "Sign in", &content, origin_of(&authorization.redirect_uri).as_deref())
}

/// The browser's login cookie, or a new one.
fn login_cookie(req: &HttpRequest) -> String {
    req.cookie(LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43)
        .unwrap_or_else(|| URL_SAFE_NO_PAD.encode(random_bytes::<32>()))
}

/// Runs `work` off the executor and renders what it decided.
async fn decide(
    tokens: Data<dyn TokenService>,
    realm: String,
    cookie: String,
    work: impl FnOnce(&dyn TokenService, &str, &str) -> Outcome + Send + 'static,
) -> HttpResponse {
    let secure = tokens.issuer(&realm).starts_with("https://");
    let (r, c) = (realm.clone(), cookie.clone());
    let outcome = run_blocking(move || Ok::<_, Outcome>(work(tokens.get_ref(), &r, &c))).await.unwrap_or_else(|o| o);
    outcome.render(&realm, &cookie, secure)
}

/// OpenID Connect authorization endpoint (code flow with PKCE S256): the login page.
#[utoipa::path(
    tag = "tokens",
    params(
        ("realm" = String, Path, description = "realm name"),
        ("response_type" = String, Query, description = "`code`"),
        ("client_id" = String, Query, description = "a client with registered redirect URIs"),
        ("redirect_uri" = Option<String>, Query, description = "one of the client's redirect URIs, exactly"),
        ("scope" = Option<String>, Query, description = "`openid`, `management`, `css_configuration`"),
        ("state" = Option<String>, Query, description = "returned with the code"),
        ("nonce" = Option<String>, Query, description = "returned in the ID token"),
        ("code_challenge" = String, Query, description = "BASE64URL(SHA-256(code_verifier))"),
        ("code_challenge_method" = String, Query, description = "`S256`"),
    ),
    responses(
        (status = 200, description = "the login page (text/html)"),
        (status = 302, description = "an error sent to the client's redirect URI (`error`, `error_description`, `state`, `iss`)"),
        (status = 400, description = "unknown client or unregistered redirect URI (a page; nothing is redirected)"),
        (status = 404, description = "no such realm (a page)"),
    )
)]
#[get("/auth/realms/{realm}/protocol/openid-connect/auth")]
pub async fn authorize(req: HttpRequest, realm: PathText, tokens: Data<dyn TokenService>) -> HttpResponse {
    let parsed: Result<AuthorizationRequest, _> = parse_form(req.query_string().as_bytes());
    decide(tokens, realm.into_inner(), login_cookie(&req), move |service, realm, cookie| {
        let request = match parsed {
            Ok(request) => request,
            Err(failure) => return Outcome::Refused(400, "Sign-in is not possible", failure.message),
        };
        match service.authorization(realm, &request) {
            Ok(authorization) => Outcome::Login {
                status: StatusCode::OK,
                csrf: service.login_form_token(cookie, &authorization),
                authorization: Box::new(authorization),
                request: Box::new(request),
                alert: None,
                username: String::new(),
                retry_after: None,
            },
            Err(error) => Outcome::refused("Sign-in is not possible", error),
        }
    })
    .await
}

/// The login form's submission: signs the user in and redirects to the client with a code.
#[utoipa::path(
    tag = "tokens",
    params(("realm" = String, Path, description = "realm name")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "the authorization request's parameters, `csrf`, `username`, `password`"),
    responses(
        (status = 303, description = "signed in: to the redirect URI with `code`, `state` and `iss`"),
        (status = 200, description = "the login page again, saying the credentials were not accepted"),
        (status = 400, description = "a page: the request cannot be trusted, or the form did not come from the login page"),
        (status = 429, description = "the login page, saying how long to wait (`Retry-After`)"),
    )
)]
#[post("/auth/realms/{realm}/protocol/openid-connect/auth")]
pub async fn sign_in(req: HttpRequest, realm: PathText, body: Bytes, tokens: Data<dyn TokenService>) -> HttpResponse {
    let parsed: Result<LoginForm, _> = parse_form(&body);
    let source = portico_core::http::origin::client_ip(&req);
    let presented = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned());
    decide(tokens, realm.into_inner(), login_cookie(&req), move |service, realm, cookie| {
        let form = match parsed {
            Ok(form) => form,
            Err(failure) => return Outcome::Refused(400, "Sign-in is not possible", failure.message),
        };
        let authorization = match service.authorization(realm, &form.request) {
            Ok(authorization) => authorization,
            Err(error) => return Outcome::refused("Sign-in is not possible", error),
        };
        let genuine = presented
            .as_deref()
            .zip(form.csrf.as_deref())
            .is_some_and(|(presented, token)| service.login_form_token_valid(presented, &authorization, token));
        let credentials =
            form.username.as_deref().filter(|u| !u.is_empty()).zip(form.password.as_deref().filter(|p| !p.is_empty()));
        let (status, alert, retry_after) = match (genuine, credentials) {
            (false, _) => (
                StatusCode::BAD_REQUEST,
                "This sign-in form has expired or did not come from this page. Please sign in again.".to_owned(),
                None,
            ),
            (true, None) => (StatusCode::BAD_REQUEST, "Enter your e-mail address and password.".to_owned(), None),
            (true, Some((user, password))) => match service.sign_in(&authorization, user, password, &source) {
                Ok(location) => return Outcome::Redirect(StatusCode::SEE_OTHER, location),
                Err(SignInError::Wrong) => (StatusCode::OK, "Invalid user credentials.".to_owned(), None),
                Err(SignInError::Throttled(seconds)) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("Too many failed login attempts; try again in {seconds} seconds."),
                    Some(seconds),
                ),
                Err(SignInError::Internal(err)) => {
                    tracing::error!(error = %err, "login page sign-in failed");
                    return Outcome::Refused(
                        500,
                        "Sign-in is not possible",
                        "Signing in failed; try again later.".into(),
                    );
                }
            },
        };
        Outcome::Login {
            status,
            csrf: service.login_form_token(cookie, &authorization),
            authorization: Box::new(authorization),
            username: form.username.clone().unwrap_or_default(),
            request: Box::new(form.request),
            alert: Some(alert),
            retry_after,
        }
    })
    .await
}

fn end_session_outcome(
    service: &dyn TokenService,
    realm: &str,
    request: Result<EndSessionRequest, portico_core::http::Failure>,
) -> Outcome {
    let request = match request {
        Ok(request) => request,
        Err(failure) => return Outcome::Refused(400, "Sign-out is not possible", failure.message),
    };
    match service.end_session(realm, &request) {
        Ok(Some(location)) => Outcome::Redirect(StatusCode::FOUND, location),
        Ok(None) => Outcome::SignedOut,
        Err(error) => Outcome::refused("Sign-out is not possible", error),
    }
}

/// OpenID Connect RP-initiated logout (GET): ends the session named by `id_token_hint` and
/// returns to a registered post-logout URI.
#[utoipa::path(
    tag = "tokens",
    params(
        ("realm" = String, Path, description = "realm name"),
        ("id_token_hint" = Option<String>, Query, description = "an ID token of the session to end"),
        ("post_logout_redirect_uri" = Option<String>, Query, description = "one of the client's post-logout URIs, exactly"),
        ("state" = Option<String>, Query, description = "returned to the post-logout URI"),
        ("client_id" = Option<String>, Query, description = "the client, when there is no id_token_hint"),
    ),
    responses(
        (status = 302, description = "signed out: to the post-logout URI (with `state`)"),
        (status = 200, description = "signed out: a page"),
        (status = 400, description = "a page: invalid id_token_hint or unregistered post-logout URI; nothing ended"),
    )
)]
#[get("/auth/realms/{realm}/protocol/openid-connect/logout")]
pub async fn end_session(req: HttpRequest, realm: PathText, tokens: Data<dyn TokenService>) -> HttpResponse {
    let parsed = parse_form(req.query_string().as_bytes());
    decide(tokens, realm.into_inner(), String::new(), move |service, realm, _| {
        end_session_outcome(service, realm, parsed)
    })
    .await
}

/// OpenID Connect RP-initiated logout (POST form): as the GET.
#[utoipa::path(
    tag = "tokens",
    params(("realm" = String, Path, description = "realm name")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "`id_token_hint`, `post_logout_redirect_uri`, `state`, `client_id`"),
    responses(
        (status = 302, description = "signed out: to the post-logout URI (with `state`)"),
        (status = 200, description = "signed out: a page"),
        (status = 400, description = "a page: invalid id_token_hint or unregistered post-logout URI; nothing ended"),
    )
)]
#[post("/auth/realms/{realm}/protocol/openid-connect/logout")]
pub async fn end_session_form(realm: PathText, body: Bytes, tokens: Data<dyn TokenService>) -> HttpResponse {
    let parsed = parse_form(&body);
    decide(tokens, realm.into_inner(), String::new(), move |service, realm, _| {
        end_session_outcome(service, realm, parsed)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn form_action_names_the_redirect_origin() {
        assert_eq!(origin_of("https://app.example:8443/cb?x=1").as_deref(), Some("https://app.example:8443"));
        assert_eq!(origin_of("http://127.0.0.1:9000/cb").as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(origin_of("not a url"), None);
    }
}
