//! One descriptor per domain crate: everything a host (the gateway, or a service embedding one
//! crate) does with it — migrations, routes, the error format of its paths, its Axual
//! collections, and how it starts (its services as app data, its realm hooks).
//!
//! The host walks a list of [`Module`]s; adding a crate is one line there. The error format of
//! a path is chosen in exactly one place, the module's [`PathFormat`]s: handlers return
//! [`super::ApiError`] (rendered by path) and [`render_failures`] renders every failure in the
//! format of the API that owns the path.

use super::axual::{AxualCollection, AxualEntry};
use super::failure::{Failure, FailureInfo, Format, failure_response};
use crate::ErrorKind;
use crate::db::{Database, Migrations};
use crate::hooks::RealmHooks;
use crate::seal::Sealer;
use crate::time::Clock;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::middleware::Next;
use actix_web::web;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// The error format of the paths under a prefix: `("/v1", Format::Mattr)`. A `*` segment
/// matches any one segment (`/*/management`); the longest matching prefix wins.
pub type PathFormat = (&'static str, Format);

/// Path prefixes with a value each, matched by whole segments; a `*` segment matches any one
/// segment. The one matcher behind [`ErrorFormats`] and [`RealmPaths`].
#[derive(Debug, Clone)]
struct PrefixRules<T> {
    rules: Vec<(Vec<&'static str>, T)>,
}

impl<T> Default for PrefixRules<T> {
    fn default() -> Self {
        PrefixRules { rules: Vec::new() }
    }
}

impl<T> PrefixRules<T> {
    fn add(&mut self, prefix: &'static str, value: T) {
        let segments = prefix.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        self.rules.push((segments, value));
    }

    /// The longest prefix matching `path`: its value and the path's segments.
    fn longest<'p>(&self, path: &'p str) -> Option<(&T, &[&'static str], Vec<&'p str>)> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (prefix, value) = self
            .rules
            .iter()
            .filter(|(prefix, _)| {
                prefix.len() <= parts.len()
                    && prefix.iter().zip(&parts).all(|(want, have)| *want == "*" || want == have)
            })
            .max_by_key(|(prefix, _)| prefix.len())?;
        Some((value, prefix.as_slice(), parts))
    }
}

/// Every module's [`PathFormat`]s, and the format of paths none of them claims.
#[derive(Debug, Clone)]
pub struct ErrorFormats {
    rules: PrefixRules<Format>,
    fallback: Format,
}

impl ErrorFormats {
    /// No rules yet; unclaimed paths render as `fallback`.
    pub fn new(fallback: Format) -> ErrorFormats {
        ErrorFormats { rules: PrefixRules::default(), fallback }
    }

    /// Adds rules.
    pub fn add(&mut self, rules: &[PathFormat]) {
        for (prefix, format) in rules {
            self.rules.add(prefix, *format);
        }
    }

    /// The format of `path`.
    pub fn for_path(&self, path: &str) -> Format {
        self.rules.longest(path).map_or(self.fallback, |(format, _, _)| *format)
    }
}

/// Where a module's paths name the realm they act on: a prefix whose `*` segment is the realm
/// (`/*/management`: Utilihive's `/{ownerId}/management/...`). A request whose path matches
/// none names its realm in the `realm` header, or acts in its caller's own realm (the order
/// `DESIGN.md` gives, applied by the host for every module alike).
pub type RealmPath = &'static str;

/// Every module's [`RealmPath`]s.
#[derive(Debug, Clone, Default)]
pub struct RealmPaths {
    rules: PrefixRules<()>,
}

impl RealmPaths {
    /// The realm paths of these modules.
    pub fn of(modules: &[&Module]) -> RealmPaths {
        let mut rules = PrefixRules::default();
        for prefix in modules.iter().flat_map(|module| module.realm_paths) {
            rules.add(prefix, ());
        }
        RealmPaths { rules }
    }

    /// The realm a request names: its path's realm segment, else its `realm` header (the
    /// first one: Axual examples repeat it).
    pub fn requested<'r>(&self, path: &'r str, headers: &'r actix_web::http::header::HeaderMap) -> Option<&'r str> {
        if let Some((_, prefix, parts)) = self.rules.longest(path) {
            let named = prefix.iter().zip(parts).find_map(|(want, have)| (*want == "*").then_some(have));
            if let Some(realm) = named.filter(|realm| !realm.is_empty()) {
                return Some(realm);
            }
        }
        headers.get("realm").and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
    }
}

/// Marks a failure response as final (a page for a browser, such as a login page's error):
/// [`render_failures`] leaves it as it is.
#[derive(Debug, Clone, Copy)]
pub struct FinalResponse;

/// Re-renders every failure in the error format of the API that owns the request path, with the
/// path filled in (Axual `path`, problem `instance`). Responses the framework produced without
/// a [`FailureInfo`] (a non-JSON 4xx/5xx) are replaced the same way. Needs
/// `Data<ErrorFormats>`.
pub async fn render_failures(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The request must not be cloned before routing (actix needs sole ownership to fill in
    // path parameters), so it is read back from the response.
    let response = next.call(req).await?.map_into_boxed_body();
    if response.response().extensions().get::<FinalResponse>().is_some() {
        return Ok(response);
    }
    let info = response.response().extensions().get::<FailureInfo>().cloned();
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
    let path = response.request().path().to_owned();
    let format = format.unwrap_or_else(|| {
        response
            .request()
            .app_data::<web::Data<ErrorFormats>>()
            .map_or(Format::Problem, |formats| formats.for_path(&path))
    });
    let (req, old) = response.into_parts();
    let mut new = failure_response(Some(format), failure, &path);
    for (name, value) in old.headers() {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH && !new.headers().contains_key(name) {
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

/// The whole-surface OpenAPI document, serialised once at start (app data the gateway
/// provides): served as `/openapi.json`, and read by modules that serve a part of it, such as
/// Utilihive's document of one owner's management API. Only the bytes are kept (a parsed copy
/// would hold about 2 MiB more for the rare request that needs one).
#[derive(Debug, Clone)]
pub struct ApiDocument(pub actix_web::web::Bytes);

impl ApiDocument {
    /// The document parsed (for a module that serves a part of it).
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0).unwrap_or_default()
    }
}

/// What a module's services are built from.
pub struct ModuleContext {
    /// The migrated database.
    pub db: Database,
    /// Sealing of secrets at rest.
    pub sealer: Sealer,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Every module's realm hooks (register yours; identity calls them).
    pub hooks: Arc<RealmHooks>,
    configs: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl ModuleContext {
    /// A context with no module configuration.
    pub fn new(db: Database, sealer: Sealer, clock: Arc<dyn Clock>) -> ModuleContext {
        ModuleContext { db, sealer, clock, hooks: RealmHooks::new(), configs: HashMap::new() }
    }

    /// Provides a module's configuration (each crate has its own config type).
    pub fn with_config<T: Any + Send + Sync>(mut self, config: T) -> ModuleContext {
        self.configs.insert(TypeId::of::<T>(), Box::new(config));
        self
    }

    /// A module's configuration, or its defaults when the host provided none.
    pub fn config<T: Any + Clone + Default>(&self) -> T {
        self.configs.get(&TypeId::of::<T>()).and_then(|c| c.downcast_ref::<T>()).cloned().unwrap_or_default()
    }
}

/// Registers a started module's services as app data (`Data<dyn ItsService>`).
pub type AppData = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

/// Why a module could not start.
pub type StartFailure = Box<dyn std::error::Error + Send + Sync>;

/// A domain crate, as the host sees it.
#[derive(Clone, Copy)]
pub struct Module {
    /// The domain's name.
    pub name: &'static str,
    /// Its migrations (run in list order, after core's).
    pub migrations: &'static Migrations,
    /// Its tables as their `table!` declarations have them (the crate's `declared_tables`).
    pub tables: fn() -> Vec<(&'static str, String)>,
    /// The error formats of the paths it serves.
    pub error_formats: &'static [PathFormat],
    /// Declares its routes, each with what it requires (also used to build the OpenAPI
    /// document, without services).
    pub routes: fn(&mut super::Routes),
    /// Its Axual collections (index, profiles).
    pub axual_collections: &'static [AxualCollection],
    /// Its entries in the Axual index (`/user`, ...).
    pub axual_entries: &'static [AxualEntry],
    /// The roles its authorization checks (users may be given only known roles).
    pub roles: &'static [&'static str],
    /// Where its paths name the realm they act on (none: the `realm` header or the caller's).
    pub realm_paths: &'static [RealmPath],
    /// Builds its services over a migrated database and registers its realm hooks.
    pub start: fn(&ModuleContext) -> Result<AppData, StartFailure>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("name", &self.name).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_matching_prefix_decides_the_format() {
        let mut formats = ErrorFormats::new(Format::Axual);
        formats.add(&[("/v1", Format::Mattr), ("/auth/realms", Format::OAuth), ("/oauth", Format::OAuth)]);
        formats.add(&[("/flexdeploy", Format::Problem), ("/*/management", Format::Problem), ("/api", Format::OAuth)]);
        formats.add(&[("/auth/billing", Format::Axual)]);
        assert_eq!(formats.for_path("/v1/tenants"), Format::Mattr);
        assert_eq!(formats.for_path("/oauth/token"), Format::OAuth);
        assert_eq!(formats.for_path("/auth/realms/acme/protocol/openid-connect/token"), Format::OAuth);
        assert_eq!(formats.for_path("/auth/billing"), Format::Axual);
        assert_eq!(formats.for_path("/api/v1/instance"), Format::OAuth);
        assert_eq!(formats.for_path("/streams/abc"), Format::Axual);
        assert_eq!(formats.for_path("/flexdeploy/rest/v2/administration/security/credential"), Format::Problem);
        assert_eq!(formats.for_path("/acme/management/flows"), Format::Problem);
        assert_eq!(formats.for_path("/"), Format::Axual);
        assert_eq!(formats.for_path("/v1x"), Format::Axual, "whole segments only");
    }

    #[test]
    fn a_declared_path_names_the_realm_before_the_header() {
        use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
        let mut rules = RealmPaths::default();
        rules.rules.add("/*/management", ());
        let mut headers = HeaderMap::new();
        assert_eq!(rules.requested("/acme/management/flows", &headers), Some("acme"));
        assert_eq!(rules.requested("/streams", &headers), None, "no rule and no header: the caller's realm");
        headers.append(HeaderName::from_static("realm"), HeaderValue::from_static(" beta "));
        headers.append(HeaderName::from_static("realm"), HeaderValue::from_static("gamma"));
        assert_eq!(rules.requested("/streams", &headers), Some("beta"), "the first header, trimmed");
        assert_eq!(rules.requested("/acme/management/flows", &headers), Some("acme"), "the path wins");
        assert_eq!(rules.requested("/acme/managements", &headers), Some("beta"), "whole segments only");
        assert_eq!(rules.requested("//management/flows", &headers), Some("beta"), "an empty owner names none");
    }
}
