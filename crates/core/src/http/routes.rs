//! Each route declared once: its handler (method and path from its actix attribute, its OpenAPI
//! entry from `#[utoipa::path]`) and what it requires of its caller, in the module's one list:
//!
//! ```ignore
//! pub fn routes(routes: &mut Routes) {
//!     routes
//!         .add(ANY, clusters::list_clusters)
//!         .add(MANAGE_PLATFORM, clusters::create_cluster);
//! }
//! ```
//!
//! From that list come the actix registration (in matching order, so a declaration's place in
//! the list does not matter), the OpenAPI operation's `security` (the roles as the schemes' role
//! names, one alternative per role; `[{}]` for public operations), and the host's table of
//! requirements, which it checks before a handler reads a body. The services check the same
//! requirement constants again for embedders.

use crate::context::Requirement;
use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::http::Method;
use utoipa::openapi::path::{Operation, PathItem, Paths};
use utoipa::openapi::security::SecurityRequirement;
use utoipa_actix_web::OpenApiFactory;
use utoipa_actix_web::service_config::ServiceConfig;

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Nothing: the operation authenticates its callers itself (token endpoints, login pages),
    /// or needs none (health, JWKS). The host does not read its `Authorization` header.
    Public,
    /// An authenticated caller of the realm meeting this requirement.
    Requires(Requirement<'static>),
}

impl From<Requirement<'static>> for Access {
    fn from(requirement: Requirement<'static>) -> Access {
        Access::Requires(requirement)
    }
}

/// The security schemes every protected operation accepts (declared by the host's document).
pub const SECURITY_SCHEMES: [&str; 2] = ["bearerAuth", "basicAuth"];

/// The role a platform administrator holds (in the master realm), as the document names it.
const PLATFORM_ADMIN: &str = "PLATFORM_ADMIN";

impl Access {
    /// The operation's OpenAPI `security`: `[{}]` when public; for a requirement, one
    /// alternative per scheme and accepted role or scope (OpenAPI 3.1 lets non-OAuth schemes
    /// list role names); `None` (the document's default: any authenticated caller) otherwise.
    pub fn security(&self) -> Option<Vec<SecurityRequirement>> {
        let names: Vec<&str> = match self {
            Access::Public => return Some(vec![SecurityRequirement::default()]),
            Access::Requires(Requirement::Authenticated) => return None,
            Access::Requires(Requirement::AnyRole(roles)) => roles.to_vec(),
            Access::Requires(Requirement::Scope(scope)) => vec![scope],
            Access::Requires(Requirement::ScopeOrRole(scope, roles)) => {
                std::iter::once(*scope).chain(roles.iter().copied()).collect()
            }
            Access::Requires(Requirement::PlatformAdmin) => vec![PLATFORM_ADMIN],
        };
        let alternatives = SECURITY_SCHEMES
            .iter()
            .flat_map(|scheme| names.iter().map(move |name| SecurityRequirement::new(*scheme, [*name])))
            .collect();
        Some(alternatives)
    }
}

/// One declared operation, as the host's route table needs it.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// Its method.
    pub method: Method,
    /// Its OpenAPI path template (`/clusters/{uid}`).
    pub template: String,
    /// What it requires.
    pub access: Access,
}

/// Declared operations, in declaration order.
pub type Declarations = Vec<Declaration>;

type Registration = Box<dyn FnOnce(&mut ServiceConfig<'_>)>;

/// A host's list of routes: every module adds its own (see the module documentation).
#[derive(Default)]
pub struct Routes {
    operations: Declarations,
    registrations: Vec<(Vec<u8>, Registration)>,
}

impl std::fmt::Debug for Routes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routes").field("operations", &self.operations).finish_non_exhaustive()
    }
}

impl Routes {
    /// Declares `handler` (an actix handler with its `#[utoipa::path]`) with what it requires.
    pub fn add<F>(&mut self, access: impl Into<Access>, handler: F) -> &mut Routes
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        let access = access.into();
        let paths = handler.paths();
        let mut key = Vec::new();
        for (template, item) in &paths.paths {
            key = matching_order(template);
            for (method, _) in operations(item) {
                self.operations.push(Declaration { method, template: template.clone(), access });
            }
        }
        let declared = Declared { handler, access };
        self.registrations.push((
            key,
            Box::new(move |cfg: &mut ServiceConfig<'_>| {
                cfg.service(declared);
            }),
        ));
        self
    }

    /// Every declared operation.
    pub fn operations(&self) -> &[Declaration] {
        &self.operations
    }

    /// Registers every route with actix and the document, most specific first: at the first
    /// segment where two templates differ in kind, the literal one (`/streams/search`) before
    /// the variable one (`/streams/{uid}`), as actix tries routes in registration order.
    pub fn register(self, cfg: &mut ServiceConfig<'_>) {
        let mut registrations = self.registrations;
        registrations.sort_by(|(a, _), (b, _)| a.cmp(b));
        for (_, register) in registrations {
            register(cfg);
        }
    }
}

/// The sort key of a template: per segment, 0 for a literal and 1 for a variable.
fn matching_order(template: &str) -> Vec<u8> {
    template.trim_start_matches('/').split('/').map(|segment| u8::from(segment.starts_with('{'))).collect()
}

/// The operations of a path item with their methods.
fn operations(item: &PathItem) -> impl Iterator<Item = (Method, &Operation)> {
    [
        (Method::GET, &item.get),
        (Method::POST, &item.post),
        (Method::PUT, &item.put),
        (Method::PATCH, &item.patch),
        (Method::DELETE, &item.delete),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_ref().map(|operation| (method, operation)))
}

/// A handler with what it requires: registers as the handler does, documents its security.
struct Declared<F> {
    handler: F,
    access: Access,
}

impl<F: HttpServiceFactory> HttpServiceFactory for Declared<F> {
    fn register(self, config: &mut AppService) {
        self.handler.register(config);
    }
}

impl<F: OpenApiFactory> OpenApiFactory for Declared<F> {
    fn paths(&self) -> Paths {
        let mut paths = self.handler.paths();
        for item in paths.paths.values_mut() {
            for operation in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
            {
                operation.security = self.access.security();
            }
        }
        paths
    }

    fn schemas(&self, schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        self.handler.schemas(schemas);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_sort_before_variables_at_the_first_difference() {
        let mut templates = vec![
            "/streams/{uid}",
            "/streams/{uid}/{association}",
            "/streams/search",
            "/streams/{uid}/browse",
            "/{ownerId}/management/flows",
            "/streams",
        ];
        templates.sort_by_key(|t| matching_order(t));
        assert_eq!(
            templates,
            [
                "/streams",
                "/streams/search",
                "/streams/{uid}",
                "/streams/{uid}/browse",
                "/streams/{uid}/{association}",
                "/{ownerId}/management/flows",
            ]
        );
    }

    #[test]
    fn security_lists_one_alternative_per_scheme_and_role() {
        let json = |access: Access| serde_json::to_value(access.security()).unwrap();
        assert_eq!(json(Access::Public), serde_json::json!([{}]));
        assert_eq!(json(Access::Requires(Requirement::Authenticated)), serde_json::Value::Null);
        assert_eq!(
            json(Access::Requires(Requirement::ScopeOrRole("config", &["ADMIN"]))),
            serde_json::json!([
                {"bearerAuth": ["config"]}, {"bearerAuth": ["ADMIN"]},
                {"basicAuth": ["config"]}, {"basicAuth": ["ADMIN"]},
            ])
        );
        assert_eq!(
            json(Access::Requires(Requirement::PlatformAdmin)),
            serde_json::json!([{"bearerAuth": ["PLATFORM_ADMIN"]}, {"basicAuth": ["PLATFORM_ADMIN"]}])
        );
    }
}
