//! Unknown routes get 404 and known routes with another method get 405 (with `Allow`), both in
//! the error format of the API that owns the path (rendered by core's `render_failures`).

use actix_web::http::Method;
use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use portico_core::ErrorKind;
use portico_core::context::Requirement;
use portico_core::http::RouteAccess;
use portico_core::http::failure::{Failure, failure_response};
use utoipa::openapi::security::SecurityRequirement;

/// The documented routes (from the OpenAPI document): path templates, their methods, whether
/// each operation is public by decision (`security: [{}]`), and what it requires of its caller
/// (the modules' [`RouteAccess`] tables).
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<Route>);

/// One operation: its method, whether it is public, what it requires.
type Operation = (Method, bool, Option<Requirement<'static>>);
/// One documented path: its segments and its operations.
type Route = (Vec<Segment>, Vec<Operation>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Variable,
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .trim_start_matches('/')
        .split('/')
        .map(|s| if s.starts_with('{') { Segment::Variable } else { Segment::Literal(s.to_owned()) })
        .collect()
}

impl RouteTable {
    /// Builds the table from OpenAPI paths and the modules' access tables.
    pub fn from_openapi(api: &utoipa::openapi::OpenApi, access: &[RouteAccess]) -> RouteTable {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let public = |op: &utoipa::openapi::path::Operation| {
                    op.security.as_ref().is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()))
                };
                let route = segments(template);
                let requirement = |method: &Method| {
                    access
                        .iter()
                        .find(|(m, path, _)| *m == method.as_str() && segments(path) == route)
                        .map(|(_, _, requirement)| *requirement)
                };
                let methods = [
                    (Method::GET, &item.get),
                    (Method::POST, &item.post),
                    (Method::PUT, &item.put),
                    (Method::PATCH, &item.patch),
                    (Method::DELETE, &item.delete),
                ]
                .into_iter()
                .filter_map(|(method, op)| op.as_ref().map(|op| (method.clone(), public(op), requirement(&method))))
                .collect();
                (route, methods)
            })
            .collect();
        RouteTable(routes)
    }

    /// The routes matching `path`, most specific (most literal segments) first.
    fn matching(&self, path: &str) -> Vec<&Route> {
        let parts = || path.trim_start_matches('/').split('/');
        let count = parts().count();
        let mut found: Vec<&Route> = self
            .0
            .iter()
            .filter(|(segments, _)| {
                segments.len() == count
                    && segments.iter().zip(parts()).all(|(segment, part)| match segment {
                        Segment::Literal(literal) => literal == part,
                        Segment::Variable => !part.is_empty(),
                    })
            })
            .collect();
        found.sort_by_key(|(segments, _)| {
            std::cmp::Reverse(segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count())
        });
        found
    }

    fn operation(&self, method: &Method, path: &str) -> Option<&Operation> {
        self.matching(path).into_iter().flat_map(|(_, operations)| operations).find(|(m, _, _)| m == method)
    }

    /// Methods allowed on `path`, if any route matches it.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let mut allowed: Vec<Method> = self
            .matching(path)
            .into_iter()
            .flat_map(|(_, operations)| operations.iter().map(|(m, _, _)| m.clone()))
            .collect();
        allowed.dedup();
        (!allowed.is_empty()).then_some(allowed)
    }

    /// Whether `method path` is public and, when not, what it requires of its caller: one
    /// lookup for both (`None`: no such route).
    pub fn access(&self, method: &Method, path: &str) -> Option<(bool, Option<Requirement<'static>>)> {
        self.operation(method, path).map(|(_, public, requirement)| (*public, *requirement))
    }

    /// Whether `method path` is a public operation (it authenticates its callers itself, or
    /// needs no caller), so the gateway must not interpret its `Authorization` header.
    pub fn is_public(&self, method: &Method, path: &str) -> bool {
        self.operation(method, path).is_some_and(|(_, public, _)| *public)
    }

    /// What `method path` requires of its caller, if the route is known and not public.
    pub fn requirement(&self, method: &Method, path: &str) -> Option<Requirement<'static>> {
        self.operation(method, path).and_then(|(_, _, requirement)| *requirement)
    }

    /// Operations that are neither public nor in any access table (a test keeps this empty).
    pub fn undeclared(&self) -> Vec<String> {
        self.0
            .iter()
            .flat_map(|(segments, operations)| {
                operations.iter().filter(|(_, public, requirement)| !public && requirement.is_none()).map(
                    move |(method, _, _)| {
                        let path: Vec<String> = segments
                            .iter()
                            .map(|s| match s {
                                Segment::Literal(literal) => literal.clone(),
                                Segment::Variable => "{}".into(),
                            })
                            .collect();
                        format!("{method} /{}", path.join("/"))
                    },
                )
            })
            .collect()
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
    use crate::app::error_formats;
    use portico_core::http::Format;

    #[test]
    fn each_api_family_keeps_its_error_format() {
        let formats = error_formats();
        assert_eq!(formats.for_path("/v1/tenants"), Format::Mattr);
        assert_eq!(formats.for_path("/oauth/token"), Format::OAuth);
        assert_eq!(formats.for_path("/auth/realms/acme/protocol/openid-connect/token"), Format::OAuth);
        assert_eq!(formats.for_path("/auth/billing"), Format::Axual);
        assert_eq!(formats.for_path("/streams/abc"), Format::Axual);
        assert_eq!(formats.for_path("/users/abc"), Format::Axual);
        assert_eq!(formats.for_path("/flexdeploy/rest/v2/administration/security/credential"), Format::Problem);
        assert_eq!(formats.for_path("/healthz"), Format::Problem);
    }
}
