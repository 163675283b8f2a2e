//! Error bodies of the seed APIs, rendered from one [`Failure`] value.
//!
//! A handler returns `Result<_, ApiError>` and uses `?` on its service's errors; the format of
//! the body is the one the path's module declares (`super::module::ErrorFormats`). The response carries a [`FailureInfo`] extension so the gateway can
//! render it again with the request path (Axual `path`, problem `instance`), and so failures
//! raised before any handler (bad JSON, unknown route, no credentials) get the format of the API
//! that owns the path.

use crate::error::{DomainError, ErrorKind};
use crate::time::Clock;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, PRAGMA, WWW_AUTHENTICATE};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A failure, independent of wire format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Decides the status.
    pub kind: ErrorKind,
    /// Stable code (OAuth/Onegini `error`, problem `code`).
    pub code: Cow<'static, str>,
    /// Safe, human-readable message.
    pub message: String,
    /// The request field at fault, for 400s.
    pub field: Option<String>,
    /// `WWW-Authenticate` challenge for 401s (defaults to Bearer and Basic).
    pub challenge: Option<String>,
    /// Where `field` came from: `body`, `query` or `path` (MATTR `details[].location`).
    pub location: &'static str,
}

impl Failure {
    /// A failure of `kind` with `code` and `message`.
    pub fn new(kind: ErrorKind, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Failure {
        Failure { kind, code: code.into(), message: message.into(), field: None, challenge: None, location: "body" }
    }

    /// The same failure, about `field`.
    pub fn with_field(mut self, field: impl Into<String>) -> Failure {
        self.field = Some(field.into());
        self
    }

    /// The same failure, about a field that came from `location` (`query`, `path`).
    pub fn in_location(mut self, location: &'static str) -> Failure {
        self.location = location;
        self
    }

    /// The same failure with a `WWW-Authenticate` challenge.
    pub fn with_challenge(mut self, challenge: impl Into<String>) -> Failure {
        self.challenge = Some(challenge.into());
        self
    }

    /// From a domain error; internal causes are logged here and replaced by a generic message.
    pub fn from_domain(err: &dyn DomainError) -> Failure {
        let kind = err.kind();
        let message = if kind == ErrorKind::Internal {
            tracing::error!(error = %err, cause = ?source_chain(err), code = err.code(), "internal error");
            "An unexpected error occurred; it has been logged.".to_owned()
        } else if let Some(db) = (err as &dyn std::error::Error).downcast_ref::<crate::db::DbError>() {
            // The database's own words never reach a client.
            tracing::info!(error = %db, code = err.code(), "database refused a request");
            db.public_message().to_owned()
        } else {
            err.to_string()
        };
        Failure {
            kind,
            code: Cow::Borrowed(err.code()),
            message,
            field: err.field().map(str::to_owned),
            challenge: None,
            location: err.location(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn source_chain(err: &dyn std::error::Error) -> Vec<String> {
    let mut chain = Vec::new();
    let mut next = err.source();
    while let Some(source) = next {
        chain.push(source.to_string());
        next = source.source();
    }
    chain
}

/// The error body families of the seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Axual (Spring Boot): `{timestamp, status, error, message, path}`.
    Axual,
    /// MATTR: `{code, type, message, details}`.
    Mattr,
    /// OAuth 2.0 (RFC 6749 §5.2) and Onegini: `{error, error_description}`.
    OAuth,
    /// RFC 9457 `application/problem+json` (FlexDeploy, Utilihive, the gateway).
    Problem,
}

impl Format {
    /// The content type and body of `failure` for the request at `path`.
    pub fn render(self, failure: &Failure, path: &str, now_millis: i64) -> (&'static str, Value) {
        let status = failure.kind.status();
        match self {
            Format::Axual => (
                "application/json;charset=UTF-8",
                json!({
                    "timestamp": now_millis,
                    "status": status,
                    "error": failure.kind.reason(),
                    "message": failure.message,
                    "path": path,
                }),
            ),
            Format::Mattr => {
                let code: String = failure.kind.reason().split_whitespace().collect();
                let details: Vec<Value> = failure
                    .field
                    .iter()
                    .map(|field| json!({ "param": field, "msg": failure.message, "location": failure.location }))
                    .collect();
                (
                    "application/json",
                    json!({ "code": code, "type": format!("{code}Error"), "message": failure.message, "details": details }),
                )
            }
            Format::OAuth => (
                "application/json;charset=UTF-8",
                json!({ "error": oauth_code(failure), "error_description": failure.message }),
            ),
            Format::Problem => {
                let mut body = json!({
                    "type": "about:blank",
                    "title": failure.kind.reason(),
                    "status": status,
                    "detail": failure.message,
                    "instance": path,
                    "code": failure.code,
                });
                if let (Some(field), Some(map)) = (&failure.field, body.as_object_mut()) {
                    map.insert("field".into(), Value::String(field.clone()));
                }
                ("application/problem+json", body)
            }
        }
    }
}

/// The `error` codes OAuth 2.0 (RFC 6749, 6750, 7009, 8707) and Onegini define.
const OAUTH_CODES: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_target",
    "access_denied",
    "unsupported_response_type",
    "server_error",
    "temporarily_unavailable",
    "invalid_token",
    "insufficient_scope",
    "unsupported_token_type",
    "git_api_error",
];

/// A failure's code as an OAuth/Onegini `error`: a defined code as it is; any other (a bad
/// body, an unknown route, a database hiccup) as the defined code of its kind.
fn oauth_code(failure: &Failure) -> &str {
    if OAUTH_CODES.contains(&failure.code.as_ref()) {
        return &failure.code;
    }
    match failure.kind {
        ErrorKind::Unauthenticated => "invalid_token",
        ErrorKind::Forbidden => "access_denied",
        ErrorKind::Internal | ErrorKind::Upstream => "server_error",
        ErrorKind::Unavailable | ErrorKind::TooManyRequests => "temporarily_unavailable",
        _ => "invalid_request",
    }
}

/// Attached to every error response so the gateway can render it with request details.
#[derive(Debug, Clone)]
pub struct FailureInfo {
    /// The format chosen by the handler, or `None` to use the format of the API owning the path.
    pub format: Option<Format>,
    /// The failure.
    pub failure: Failure,
}

/// Builds the error response for `failure` (the body is rendered for `path`).
pub fn failure_response(format: Option<Format>, failure: Failure, path: &str) -> HttpResponse {
    let now_millis = crate::time::SystemClock.now().unix_millis();
    let (content_type, body) = format.unwrap_or(Format::Problem).render(&failure, path, now_millis);
    let mut response = HttpResponse::build(failure.status());
    response.insert_header((CONTENT_TYPE, content_type));
    if format == Some(Format::OAuth) {
        // OAuth (RFC 6749 §5.1) and Onegini answer errors, like everything else, uncached.
        response.insert_header((CACHE_CONTROL, "no-store")).insert_header((PRAGMA, "no-cache"));
    }
    if failure.kind == ErrorKind::Unauthenticated {
        let challenge =
            failure.challenge.clone().unwrap_or_else(|| r#"Bearer realm="portico", Basic realm="portico""#.to_owned());
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.insert_header((WWW_AUTHENTICATE, value));
        }
    }
    let mut response = response.body(body.to_string());
    response.extensions_mut().insert(FailureInfo { format, failure });
    response
}

/// Marker types naming a [`Format`] at compile time: `ApiError`.
pub trait WireFormat: 'static {
    /// The format.
    const FORMAT: Option<Format>;
}

macro_rules! wire_format {
    ($($name:ident => $format:expr, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl WireFormat for $name {
            const FORMAT: Option<Format> = $format;
        }
    )*};
}

wire_format! {
    Axual => Some(Format::Axual), "Axual error bodies.";
    Mattr => Some(Format::Mattr), "MATTR error bodies.";
    OAuth => Some(Format::OAuth), "OAuth 2.0 / Onegini error bodies.";
    Problem => Some(Format::Problem), "RFC 9457 problem details.";
}

/// Rendered in the format of the API owning the request path (extractors, gateway).
#[derive(Debug, Clone, Copy)]
pub struct ByPath;
impl WireFormat for ByPath {
    const FORMAT: Option<Format> = None;
}

/// An error response. Any [`DomainError`] converts into it with `?`. By default it is rendered
/// in the format of the API that owns the path ([`super::module::render_failures`]); `F` fixes a
/// format where a handler must (none does today).
pub struct ApiError<F = ByPath> {
    failure: Failure,
    format: PhantomData<fn() -> F>,
}

impl<F> ApiError<F> {
    /// From a failure built by hand (protocol errors such as OAuth's `invalid_grant`).
    pub fn new(failure: Failure) -> ApiError<F> {
        ApiError { failure, format: PhantomData }
    }

    /// The failure.
    pub fn failure(&self) -> &Failure {
        &self.failure
    }
}

impl<F, E: DomainError> From<E> for ApiError<F> {
    fn from(err: E) -> Self {
        ApiError::new(Failure::from_domain(&err))
    }
}

impl<F> fmt::Debug for ApiError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.failure, f)
    }
}

impl<F> fmt::Display for ApiError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.failure.message)
    }
}

impl<F: WireFormat> ResponseError for ApiError<F> {
    fn status_code(&self) -> StatusCode {
        self.failure.status()
    }

    fn error_response(&self) -> HttpResponse {
        failure_response(F::FORMAT, self.failure.clone(), "")
    }
}

/// An error in the format of the API owning the path (for extractors).
pub fn by_path(failure: Failure) -> actix_web::Error {
    ApiError::<ByPath>::new(failure).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid() -> Failure {
        Failure::new(ErrorKind::Invalid, "invalid_body", "missing field `credentialName`").with_field("credentialName")
    }

    #[test]
    fn axual_bodies_follow_spring_boot() {
        let (content_type, body) = Format::Axual.render(&invalid(), "/instances", 1619102068000);
        assert_eq!(content_type, "application/json;charset=UTF-8");
        assert_eq!(
            body,
            json!({"timestamp": 1619102068000i64, "status": 400, "error": "Bad Request", "message": "missing field `credentialName`", "path": "/instances"})
        );
    }

    #[test]
    fn mattr_bodies_name_the_parameter() {
        let (_, body) = Format::Mattr.render(&invalid(), "/v1/tenants", 0);
        assert_eq!(body["code"], "BadRequest");
        assert_eq!(body["type"], "BadRequestError");
        assert_eq!(body["details"][0]["param"], "credentialName");
        let (_, body) = Format::Mattr.render(&Failure::new(ErrorKind::NotFound, "x", "gone"), "/", 0);
        assert_eq!(body["code"], "NotFound");
        assert_eq!(body["details"], json!([]));
    }

    #[test]
    fn oauth_and_problem_bodies() {
        let grant = Failure::new(ErrorKind::Invalid, "invalid_grant", "bad password");
        let (_, body) = Format::OAuth.render(&grant, "/token", 0);
        assert_eq!(body, json!({"error": "invalid_grant", "error_description": "bad password"}));
        let (content_type, body) = Format::Problem.render(&invalid(), "/flexdeploy/x", 0);
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(body["status"], 400);
        assert_eq!(body["field"], "credentialName");
        assert_eq!(body["instance"], "/flexdeploy/x");
    }

    #[test]
    fn unauthenticated_responses_carry_a_challenge() {
        let response = failure_response(
            Some(Format::Problem),
            Failure::new(ErrorKind::Unauthenticated, "unauthenticated", "no"),
            "/",
        );
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().get(WWW_AUTHENTICATE).is_some());
        assert!(response.extensions().get::<FailureInfo>().is_some());
    }
}
