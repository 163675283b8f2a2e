//! Error responses for the whole surface: every failure is rendered in the error format of the
//! API that owns the path, with the request path filled in; unknown routes get 404 and known
//! routes with another method get 405, both as JSON.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use portico_core::ErrorKind;
use portico_core::http::failure::{Failure, FailureInfo, Format, failure_response};
use utoipa::openapi::security::SecurityRequirement;

/// The error format of the API that owns `path` (DESIGN.md, URL map).
pub fn format_for_path(path: &str) -> Format {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    match first {
        "v1" => Format::Mattr,
        "oauth" | "authentication" | "api" => Format::OAuth,
        "auth" if path.starts_with("/auth/realms/") => Format::OAuth,
        "flexdeploy" | "healthz" | "readyz" | "metrics" | "openapi.json" | "docs" => Format::Problem,
        _ if path.split('/').nth(2) == Some("management") => Format::Problem,
        _ => Format::Axual,
    }
}

/// Re-renders failures with the request's path and the path's format.
pub async fn render_failures(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The request must not be cloned before routing (actix needs sole ownership to fill in
    // path parameters), so it is read back from the response.
    let response = next.call(req).await?.map_into_boxed_body();
    let info = response.response().extensions().get::<FailureInfo>().cloned();
    let path = response.request().path().to_owned();
    let rendered = match info {
        Some(info) => Some((info.format, info.failure)),
        None if response.status().as_u16() >= 400 && !is_json(&response) => {
            let kind = ErrorKind::from_status(response.status().as_u16());
            Some((None, Failure::new(kind, status_code(kind), kind.reason())))
        }
        None => None,
    };
    let Some((format, failure)) = rendered else {
        return Ok(response);
    };
    let format = format.unwrap_or_else(|| format_for_path(&path));
    let (req, old) = response.into_parts();
    let mut new = failure_response(Some(format), failure, &path);
    for (name, value) in old.headers() {
        if name != CONTENT_TYPE && name != actix_web::http::header::CONTENT_LENGTH && !new.headers().contains_key(name)
        {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, new))
}

fn is_json(response: &ServiceResponse<BoxBody>) -> bool {
    response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"))
}

fn status_code(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotFound => "not_found",
        ErrorKind::MethodNotAllowed => "method_not_allowed",
        ErrorKind::TooLarge => "payload_too_large",
        ErrorKind::Internal => "internal",
        _ => "request_failed",
    }
}

/// The documented routes (from the OpenAPI document): path templates, their methods, and
/// whether each operation is public by decision (`security: [{}]`).
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<Route>);

/// One documented path: its segments and its operations (method, public).
type Route = (Vec<Segment>, Vec<(Method, bool)>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Variable,
}

impl RouteTable {
    /// Builds the table from OpenAPI paths.
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> RouteTable {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| if s.starts_with('{') { Segment::Variable } else { Segment::Literal(s.to_owned()) })
                    .collect();
                let public = |op: &utoipa::openapi::path::Operation| {
                    op.security.as_ref().is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()))
                };
                let methods = [
                    (Method::GET, &item.get),
                    (Method::POST, &item.post),
                    (Method::PUT, &item.put),
                    (Method::PATCH, &item.patch),
                    (Method::DELETE, &item.delete),
                ]
                .into_iter()
                .filter_map(|(method, op)| op.as_ref().map(|op| (method, public(op))))
                .collect();
                (segments, methods)
            })
            .collect();
        RouteTable(routes)
    }

    fn operations(&self, path: &str) -> Vec<(Method, bool)> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut operations = Vec::new();
        for (segments, methods) in &self.0 {
            let matches = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(segment, part)| match segment {
                    Segment::Literal(literal) => literal == part,
                    Segment::Variable => !part.is_empty(),
                });
            if matches {
                operations.extend(methods.iter().cloned());
            }
        }
        operations
    }

    /// Methods allowed on `path`, if any route matches it.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let allowed: Vec<Method> = self.operations(path).into_iter().map(|(method, _)| method).collect();
        (!allowed.is_empty()).then_some(allowed)
    }

    /// Whether `method path` is a public operation (it authenticates its callers itself, or
    /// needs no caller), so the gateway must not interpret its `Authorization` header.
    pub fn is_public(&self, method: &Method, path: &str) -> bool {
        self.operations(path).iter().any(|(m, public)| m == method && *public)
    }
}

/// The default service: 405 (with `Allow`) for a known path, 404 otherwise.
pub async fn no_route(req: HttpRequest, table: web::Data<RouteTable>) -> HttpResponse {
    match table.allowed(req.path()) {
        Some(methods) if !methods.contains(req.method()) => {
            let allow = methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
            let failure = Failure::new(
                ErrorKind::MethodNotAllowed,
                "method_not_allowed",
                format!("Request method '{}' is not supported", req.method()),
            );
            let mut response = failure_response(None, failure, req.path());
            if let Ok(value) = HeaderValue::from_str(&allow) {
                response.headers_mut().insert(ALLOW, value);
            }
            response
        }
        _ => failure_response(
            None,
            Failure::new(ErrorKind::NotFound, "not_found", format!("No resource at '{}'", req.path())),
            req.path(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_api_family_keeps_its_error_format() {
        assert_eq!(format_for_path("/v1/tenants"), Format::Mattr);
        assert_eq!(format_for_path("/oauth/token"), Format::OAuth);
        assert_eq!(format_for_path("/auth/realms/acme/protocol/openid-connect/token"), Format::OAuth);
        assert_eq!(format_for_path("/api/v1/instance"), Format::OAuth);
        assert_eq!(format_for_path("/auth/billing"), Format::Axual);
        assert_eq!(format_for_path("/streams/abc"), Format::Axual);
        assert_eq!(format_for_path("/flexdeploy/rest/v2/administration/security/credential"), Format::Problem);
        assert_eq!(format_for_path("/acme/management/flows"), Format::Problem);
        assert_eq!(format_for_path("/healthz"), Format::Problem);
    }
}
