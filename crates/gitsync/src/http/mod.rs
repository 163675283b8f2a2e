//! The Onegini external-resources Admin API under `/api/v1`: instances, configuration,
//! references and synchronisation, plus (beyond the document) synchronisation history and the
//! synchronised files. Errors are Onegini's `{"error", "error_description"}`; every response
//! carries `Cache-Control: no-store` and `Pragma: no-cache`.

mod config;
mod instances;
pub mod wire;

use crate::config::GitsyncConfig;
use crate::service::{GitsyncService, REQUIREMENT};
use crate::store::GitsyncStore;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use portico_core::ErrorKind;
use portico_core::http::failure::Failure;
use portico_core::http::module::{AppData, StartFailure};
use portico_core::http::{ApiError, Format, Module, ModuleContext, RouteAccess};
use std::future::{Ready, ready};
use std::sync::Arc;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The gitsync module: Onegini paths answer Onegini (OAuth-style) errors; a deleted realm loses
/// its instances and files.
pub const MODULE: Module = Module {
    name: "gitsync",
    migrations: &crate::MIGRATIONS,
    tables: crate::store::declared_tables,
    error_formats: &[("/api/v1", Format::OAuth)],
    routes: configure,
    axual_collections: &[],
    axual_entries: &[],
    roles: &[crate::service::SCOPE],
    access: ACCESS,
    realm_paths: &[],
    start,
};

/// Every route needs the scope `css_configuration` or the role of that name.
const ACCESS: &[RouteAccess] = &[
    ("GET", "/api/v1/instance", REQUIREMENT),
    ("GET", "/api/v1/instance/{instance_id}", REQUIREMENT),
    ("DELETE", "/api/v1/instance/{instance_id}", REQUIREMENT),
    ("POST", "/api/v1/config/{instance_id}", REQUIREMENT),
    ("PATCH", "/api/v1/config/{instance_id}", REQUIREMENT),
    ("GET", "/api/v1/config/{instance_id}", REQUIREMENT),
    ("DELETE", "/api/v1/config/{instance_id}", REQUIREMENT),
    ("POST", "/api/v1/config/{instance_id}/synchronize", REQUIREMENT),
    ("POST", "/api/v1/config/{instance_id}/synchronization", REQUIREMENT),
    ("GET", "/api/v1/config/{instance_id}/synchronizations", REQUIREMENT),
    ("GET", "/api/v1/config/{instance_id}/files", REQUIREMENT),
    ("GET", "/api/v1/config/{instance_id}/files/{path}", REQUIREMENT),
    ("GET", "/api/v1/reference/{instance_id}", REQUIREMENT),
];

fn start(ctx: &ModuleContext) -> Result<AppData, StartFailure> {
    let config: GitsyncConfig = ctx.config();
    let store = Arc::new(GitsyncStore::new(ctx.db.clone(), ctx.sealer.clone(), ctx.clock.clone(), config));
    ctx.hooks.add_lifecycle(store.clone());
    Ok(Arc::new(move |cfg: &mut actix_web::web::ServiceConfig| {
        cfg.app_data(actix_web::web::Data::from(store.clone() as Arc<dyn GitsyncService>));
    }))
}

/// Registers the Onegini routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(instances::list_instances)
        .service(instances::get_instance)
        .service(instances::delete_instance)
        .service(config::create_config)
        .service(config::update_config)
        .service(config::get_config)
        .service(config::delete_config)
        .service(config::synchronize)
        .service(config::synchronization)
        .service(config::synchronizations)
        .service(config::list_files)
        .service(config::get_file)
        .service(config::references);
}

/// The instance a configuration request is about: the path's `instance_id`, which the
/// `X-Onegini-Instance` header (set by a trusted proxy) must repeat. Not a UUID, or a missing
/// header: 400; a different instance: 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneginiInstance(pub Uuid);

/// The header that names the instance.
pub const INSTANCE_HEADER: &str = "X-Onegini-Instance";

fn invalid(message: impl Into<String>) -> actix_web::Error {
    ApiError::<portico_core::http::failure::OAuth>::new(Failure::new(ErrorKind::Invalid, "invalid_request", message))
        .into()
}

impl FromRequest for OneginiInstance {
    type Error = actix_web::Error;
    type Future = Ready<Result<OneginiInstance, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(instance_of(req))
    }
}

fn instance_of(req: &HttpRequest) -> Result<OneginiInstance, actix_web::Error> {
    let path = portico_core::http::path_segment(req, "instance_id").unwrap_or_default();
    let path = Uuid::try_parse(path.trim()).map_err(|_| invalid("[instance_id] must be a valid UUID"))?;
    let header = req
        .headers()
        .get(INSTANCE_HEADER)
        .ok_or_else(|| invalid("The X-Onegini-Instance header is required"))?
        .to_str()
        .ok()
        .and_then(|value| Uuid::try_parse(value.trim()).ok())
        .ok_or_else(|| invalid("The X-Onegini-Instance header must be a valid UUID"))?;
    if header != path {
        let failure = Failure::new(
            ErrorKind::Forbidden,
            "access_denied",
            "The instance id in the path does not match the X-Onegini-Instance header",
        );
        return Err(ApiError::<portico_core::http::failure::OAuth>::new(failure).into());
    }
    Ok(OneginiInstance(path))
}
