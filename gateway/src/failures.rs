//! Unknown routes get 404 and known routes with another method get 405 (with `Allow`), both in
//! the error format of the API that owns the path (rendered by core's `render_failures`).

use actix_web::http::Method;
use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use portico_core::ErrorKind;
use portico_core::context::Requirement;
use portico_core::http::failure::{Failure, failure_response};
use portico_core::http::routes::{Access, Declaration};

/// The declared routes (the modules' route lists): path templates, their methods, and what
/// each operation requires of its caller ([`Access`]).
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<Route>);

/// One operation: its method and what it requires.
type Operation = (Method, Access);
/// One path: its segments and its operations.
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
    /// The table of these declared operations.
    pub fn new(declared: &[Declaration]) -> RouteTable {
        let mut routes: Vec<Route> = Vec::new();
        for declaration in declared {
            let route = segments(&declaration.template);
            let operation = (declaration.method.clone(), declaration.access);
            match routes.iter_mut().find(|(segments, _)| *segments == route) {
                Some((_, operations)) => operations.push(operation),
                None => routes.push((route, vec![operation])),
            }
        }
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
        self.matching(path).into_iter().flat_map(|(_, operations)| operations).find(|(m, _)| m == method)
    }

    /// Methods allowed on `path`, if any route matches it.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let mut allowed: Vec<Method> = self
            .matching(path)
            .into_iter()
            .flat_map(|(_, operations)| operations.iter().map(|(m, _)| m.clone()))
            .collect();
        allowed.dedup();
        (!allowed.is_empty()).then_some(allowed)
    }

    /// What `method path` asks of its caller (`None`: no such route).
    pub fn access(&self, method: &Method, path: &str) -> Option<Access> {
        self.operation(method, path).map(|(_, access)| *access)
    }

    /// What `method path` requires of its caller, if the route is known and not public.
    pub fn requirement(&self, method: &Method, path: &str) -> Option<Requirement<'static>> {
        match self.access(method, path)? {
            Access::Requires(requirement) => Some(requirement),
            Access::Public => None,
        }
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
