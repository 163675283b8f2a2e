//! Authentication and realm resolution, for every route.
//!
//! - Operations declared public (`Access::Public` in the modules' route lists, `security: [{}]`
//!   in the OpenAPI document: token endpoints, JWKS, discovery, health) pass through untouched.
//! - No `Authorization` header: the request goes on without a caller; routes that need one
//!   (their handlers take a `RequestContext`) answer 401.
//! - A present but invalid credential is a 401 with `WWW-Authenticate`, never ignored.
//! - The target realm comes from the path where a module declares that its paths name it
//!   (`Module::realm_paths`, e.g. Utilihive's `/{ownerId}/management/...`), else the `realm`
//!   header, else the caller's own realm. A caller of another realm gets 403 unless it is a
//!   platform admin (the same 403 whether or not the realm exists, so existence does not leak);
//!   a platform admin naming an unknown realm gets 404.

use crate::failures::RouteTable;
use crate::observe::RequestId;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portico_core::http::failure::{Failure, failure_response};
use portico_core::http::{Access, RealmPaths};
use portico_core::{ErrorKind, Principal, RealmRef, RequestContext, run_blocking};
use portico_identity::IdentityError;
use portico_identity::service::Authenticator;

enum Credentials {
    Bearer(String),
    Basic { username: String, password: String },
}

fn credentials(req: &ServiceRequest) -> Result<Option<Credentials>, Failure> {
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok(None);
    };
    let invalid = || Failure::new(ErrorKind::Unauthenticated, "invalid_token", "The Authorization header is malformed");
    let header = header.to_str().map_err(|_| invalid())?.trim();
    let (scheme, value) = header.split_once(' ').ok_or_else(invalid)?;
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" => {
            let token = value.trim();
            // A JWT is base64url segments and dots; anything else cannot be one of ours.
            if token.is_empty()
                || !token.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'='))
            {
                return Err(invalid());
            }
            Ok(Some(Credentials::Bearer(token.to_owned())))
        }
        "basic" => {
            let decoded = STANDARD.decode(value.trim()).map_err(|_| invalid())?;
            let text = String::from_utf8(decoded).map_err(|_| invalid())?;
            // No control character reaches a lookup (PostgreSQL refuses NUL in text).
            if text.chars().any(char::is_control) {
                return Err(invalid());
            }
            let (username, password) = text.split_once(':').ok_or_else(invalid)?;
            Ok(Some(Credentials::Basic { username: username.to_owned(), password: password.to_owned() }))
        }
        _ => Err(Failure::new(
            ErrorKind::Unauthenticated,
            "invalid_token",
            format!("Unsupported authorization scheme '{scheme}'"),
        )),
    }
}

/// The realm named by the request, as the modules declare it ([`RealmPaths`]; an app without
/// any names it in the `realm` header only).
fn requested_realm(req: &ServiceRequest) -> Option<String> {
    let none = RealmPaths::default();
    let realms = req.app_data::<web::Data<RealmPaths>>().map_or(&none, |realms| realms.get_ref());
    realms.requested(req.path(), req.headers()).map(str::to_owned)
}

fn unauthenticated(message: &str, challenge: &str) -> Failure {
    Failure::new(ErrorKind::Unauthenticated, "invalid_token", message).with_challenge(challenge)
}

/// Why a request is refused before it reaches its handler.
struct Rejection {
    failure: Failure,
    /// Seconds to wait (`Retry-After`) after too many failed logins.
    retry_after: Option<i64>,
}

impl From<Failure> for Rejection {
    fn from(failure: Failure) -> Self {
        Rejection { failure, retry_after: None }
    }
}

/// The caller, its realm and the target realm.
type Resolved = (Principal, Option<RealmRef>, Option<RealmRef>);

/// [`Resolved`] from the authenticator's memory alone, when every part is remembered.
fn remembered(auth: &dyn Authenticator, credentials: &Credentials, target: Option<&str>) -> Option<Resolved> {
    let principal = match credentials {
        Credentials::Bearer(token) => auth.bearer_cached(token)?,
        Credentials::Basic { username, password } => auth.basic_remembered(target, username, password)?,
    };
    let home = auth.realm_cached(&principal.realm.name)?;
    let target = match target {
        Some(name) if name != principal.realm.name => auth.realm_cached(name)?,
        _ => home.clone(),
    };
    Some((principal, home, target))
}

/// Resolves the caller and the realm; see the module documentation.
async fn resolve(
    req: &ServiceRequest,
    auth: web::Data<dyn Authenticator>,
) -> Result<Option<RequestContext>, Rejection> {
    let Some(credentials) = credentials(req).map_err(Rejection::from)? else {
        return Ok(None);
    };
    let basic = matches!(credentials, Credentials::Basic { .. });
    let target = requested_realm(req);
    let source = portico_core::http::origin::client_ip(req.request());
    // From memory when the caller and both realms are remembered and current: no database
    // and no blocking thread. Otherwise one trip to the blocking pool: verify the caller, then
    // look up its realm and the target.
    let remembered = remembered(auth.get_ref(), &credentials, target.as_deref());
    let lookup = auth.clone();
    let hint = target.clone();
    let resolved: Result<Resolved, IdentityError> = match remembered {
        Some(resolved) => Ok(resolved),
        None => {
            run_blocking(move || {
                let principal = match credentials {
                    Credentials::Bearer(token) => lookup.authenticate_bearer(&token)?,
                    Credentials::Basic { username, password } => {
                        lookup.authenticate_basic(hint.as_deref(), &username, &password, &source)?
                    }
                };
                let home = principal.realm.name.clone();
                let home_realm = lookup.realm_by_name(&home)?;
                let target_realm = match hint.as_deref() {
                    Some(name) if name != home => lookup.realm_by_name(name)?,
                    _ => home_realm.clone(),
                };
                Ok((principal, home_realm, target_realm))
            })
            .await
        }
    };
    let (principal, home_realm, target_realm) = match resolved {
        Ok(resolved) => resolved,
        // The challenge describes what failed: a Basic login (RFC 7617) or a bearer token (RFC 6750).
        Err(IdentityError::InvalidCredentials) if basic => {
            return Err(unauthenticated(
                "The user name or password is not valid",
                r#"Basic realm="portico", charset="UTF-8""#,
            )
            .into());
        }
        Err(IdentityError::InvalidCredentials) => {
            return Err(unauthenticated(
                "The token is invalid, expired or revoked",
                r#"Bearer realm="portico", error="invalid_token", error_description="The token is invalid, expired or revoked""#,
            )
            .into());
        }
        Err(IdentityError::Throttled { retry_after }) => {
            let message = format!("Too many failed logins; retry in {retry_after} seconds");
            return Err(Rejection {
                failure: Failure::new(ErrorKind::TooManyRequests, "throttled", message),
                retry_after: Some(retry_after),
            });
        }
        Err(err) => return Err(Failure::from_domain(&err).into()),
    };
    // A token of a deleted realm (or one re-created under the same name) is no longer valid.
    if home_realm.as_ref().map(|r| r.id) != Some(principal.realm.id) {
        return Err(unauthenticated(
            "The caller's realm no longer exists",
            r#"Bearer realm="portico", error="invalid_token""#,
        )
        .into());
    }
    let realm = match target_realm {
        Some(realm) if realm.id == principal.realm.id || principal.is_platform_admin() => realm,
        None if principal.is_platform_admin() => {
            let message = format!("Realm '{}' does not exist", target.unwrap_or_default());
            return Err(Failure::new(ErrorKind::NotFound, "realm_not_found", message).into());
        }
        _ => return Err(Failure::new(ErrorKind::Forbidden, "forbidden", "Access to this realm is not allowed").into()),
    };
    let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
    Ok(Some(RequestContext { realm, principal, request_id }))
}

/// The middleware: on success the [`RequestContext`] is in the request extensions.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, actix_web::body::BoxBody>>, actix_web::Error> {
    let Some(auth) = req.app_data::<web::Data<dyn Authenticator>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    // Public operations (token endpoints, JWKS, health, ...) authenticate their callers
    // themselves: a client's HTTP Basic credentials there are not a realm user's.
    let access = req.app_data::<web::Data<RouteTable>>().and_then(|routes| routes.access(req.method(), req.path()));
    let requirement = match access {
        Some(Access::Public) => return Ok(next.call(req).await?.map_into_left_body()),
        Some(Access::Requires(requirement)) => Some(requirement),
        None => None,
    };
    match resolve(&req, auth).await {
        // The route's requirement is checked before the handler reads a body: a caller without
        // the role gets 403, not a 400 about a body it may not send anyway.
        Ok(Some(ctx)) => match requirement.map(|requirement| ctx.require(requirement)) {
            Some(Err(denied)) => {
                let response = failure_response(None, Failure::from_domain(&denied), req.path());
                Ok(req.into_response(response).map_into_right_body())
            }
            _ => {
                req.extensions_mut().insert(ctx);
                Ok(next.call(req).await?.map_into_left_body())
            }
        },
        Ok(None) => Ok(next.call(req).await?.map_into_left_body()),
        Err(Rejection { failure, retry_after }) => {
            let mut response: HttpResponse = failure_response(None, failure, req.path());
            if let Some(seconds) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                response.headers_mut().insert(RETRY_AFTER, seconds);
            }
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}
