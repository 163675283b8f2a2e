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
use portico_core::http::{ApiError, Format, Module, ModuleContext, Routes};
use std::future::{Ready, ready};
use std::sync::Arc;
use uuid::Uuid;

/// The gitsync module: Onegini paths answer Onegini (OAuth-style) errors; a deleted realm loses
/// its instances and files.
pub const MODULE: Module = Module {
    name: "gitsync",
    migrations: &crate::MIGRATIONS,
    tables: crate::store::declared_tables,
    error_formats: &[("/api/v1", Format::OAuth)],
    routes,
    axual_collections: &[],
    axual_entries: &[],
    roles: &[crate::service::SCOPE],
    realm_paths: &[],
    start,
};

fn start(ctx: &ModuleContext) -> Result<AppData, StartFailure> {
    let config: GitsyncConfig = ctx.config();
    let store = Arc::new(GitsyncStore::new(ctx.db.clone(), ctx.sealer.clone(), ctx.clock.clone(), config));
    ctx.hooks.add_lifecycle(store.clone());
    Ok(Arc::new(move |cfg: &mut actix_web::web::ServiceConfig| {
        cfg.app_data(actix_web::web::Data::from(store.clone() as Arc<dyn GitsyncService>));
    }))
}

/// Every route of the module with what it requires (the kit registers them in matching order).
pub fn routes(routes: &mut Routes) {
    routes
        .add(REQUIREMENT, instances::list_instances)
        .add(REQUIREMENT, instances::get_instance)
        .add(REQUIREMENT, instances::delete_instance)
        .add(REQUIREMENT, config::create_config)
        .add(REQUIREMENT, config::update_config)
        .add(REQUIREMENT, config::get_config)
        .add(REQUIREMENT, config::delete_config)
        .add(REQUIREMENT, config::synchronize)
        .add(REQUIREMENT, config::synchronization)
        .add(REQUIREMENT, config::synchronizations)
        .add(REQUIREMENT, config::list_files)
        .add(REQUIREMENT, config::get_file)
        .add(REQUIREMENT, config::references);
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
