//! The Utilihive management API under `/{ownerId}/management` (the owner is the realm): flows
//! and the registry's resources, secrets and tables. Errors are RFC 9457 problems naming the
//! field.

pub mod flows;
pub mod openapi;
pub mod resources;
pub mod secrets;
pub mod tables;

use crate::service::{FlowsService, REQUIREMENT};
use crate::store::FlowsStore;
use portico_core::http::module::{AppData, StartFailure};
use portico_core::http::{Format, Module, ModuleContext, RouteAccess};
use std::sync::Arc;
use utoipa_actix_web::service_config::ServiceConfig;

/// The flows module: `/{ownerId}/management/...` answers problem+json; a deleted owner loses
/// its flows.
pub const MODULE: Module = Module {
    name: "flows",
    migrations: &crate::MIGRATIONS,
    tables: crate::store::declared_tables,
    error_formats: &[("/*/management", Format::Problem)],
    routes: configure,
    axual_collections: &[],
    axual_entries: &[],
    roles: crate::service::ROLES,
    access: ACCESS,
    realm_paths: &["/*/management"],
    start,
};

/// Every route needs the scope `management` (the service also checks `Admin` or `Deployer`).
const ACCESS: &[RouteAccess] = &[
    ("GET", "/{ownerId}/management/flows", REQUIREMENT),
    ("POST", "/{ownerId}/management/flows", REQUIREMENT),
    ("GET", "/{ownerId}/management/flows/flowIds", REQUIREMENT),
    ("GET", "/{ownerId}/management/flows/{flowId}", REQUIREMENT),
    ("PUT", "/{ownerId}/management/flows/{flowId}", REQUIREMENT),
    ("DELETE", "/{ownerId}/management/flows/{flowId}", REQUIREMENT),
    ("POST", "/{ownerId}/management/flows/{flowId}/disable", REQUIREMENT),
    ("POST", "/{ownerId}/management/flows/{flowId}/enable", REQUIREMENT),
    ("GET", "/{ownerId}/management/flows/{flowId}/revisions", REQUIREMENT),
    ("GET", "/{ownerId}/management/flows/{flowId}/revisions/{revision}", REQUIREMENT),
    ("GET", "/{ownerId}/management/flows/{flowId}/history", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/resource-types", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/resources", REQUIREMENT),
    ("POST", "/{ownerId}/management/registry/resources/{type}/{resourceId}", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/resources/{type}/{resourceId}", REQUIREMENT),
    ("DELETE", "/{ownerId}/management/registry/resources/{type}/{resourceId}", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/resources/{type}/{resourceId}/latest", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/resources/{type}/{resourceId}/{revision}", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/secrets/generic", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/secrets/generic/{key}", REQUIREMENT),
    ("PUT", "/{ownerId}/management/registry/secrets/generic/{key}", REQUIREMENT),
    ("DELETE", "/{ownerId}/management/registry/secrets/generic/{key}", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/secrets/generic/{key}/versions", REQUIREMENT),
    ("PUT", "/{ownerId}/management/registry/secrets/{type}/{key}", REQUIREMENT),
    ("GET", "/{ownerId}/management/openapi.json", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/tables", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/tables/{table}/rows", REQUIREMENT),
    ("POST", "/{ownerId}/management/registry/tables/{table}/rows", REQUIREMENT),
    ("PATCH", "/{ownerId}/management/registry/tables/{table}/rows", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/tables/{table}/rows/{column}/{value}", REQUIREMENT),
    ("GET", "/{ownerId}/management/registry/tables/{table}/rows/{column}/{value}/{targetColumn}", REQUIREMENT),
    ("DELETE", "/{ownerId}/management/registry/tables/{table}", REQUIREMENT),
    ("DELETE", "/{ownerId}/management/registry/tables/{table}/columns/{column}", REQUIREMENT),
    ("DELETE", "/{ownerId}/management/registry/tables/{table}/rows/{column}/{value}", REQUIREMENT),
    ("DELETE", "/{ownerId}/management/registry/tables/{table}/rows/{column}/{value}/{targetColumn}", REQUIREMENT),
];

fn start(ctx: &ModuleContext) -> Result<AppData, StartFailure> {
    let store = Arc::new(FlowsStore::new(ctx.db.clone(), ctx.sealer.clone(), ctx.clock.clone()));
    ctx.hooks.add_lifecycle(store.clone());
    Ok(Arc::new(move |cfg: &mut actix_web::web::ServiceConfig| {
        cfg.app_data(actix_web::web::Data::from(store.clone() as Arc<dyn FlowsService>));
    }))
}

/// A named path segment (`flowId`, `key`, `table`), percent-decoded once.
use portico_core::http::path_segment as param;

/// A revision number from the path: 1 or more (400 naming `revision` otherwise).
fn positive_revision(revision: i64) -> Result<i64, portico_core::http::ApiError> {
    if revision < 1 {
        let failure = portico_core::http::Failure::new(
            portico_core::ErrorKind::Invalid,
            "invalid_parameter",
            "revision must be 1 or more",
        );
        return Err(portico_core::http::ApiError::new(failure.with_field("revision").in_location("path")));
    }
    Ok(revision)
}

/// Registers the management routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(flows::list_flows)
        .service(flows::create_flow)
        .service(flows::flow_ids)
        .service(flows::get_flow)
        .service(flows::update_flow)
        .service(flows::delete_flow)
        .service(flows::disable_flow)
        .service(flows::enable_flow)
        .service(flows::flow_revisions)
        .service(flows::flow_revision)
        .service(flows::flow_history)
        .service(resources::resource_types)
        .service(resources::list_resources)
        .service(resources::put_resource)
        .service(resources::get_resource)
        .service(resources::delete_resource)
        // `latest` before `{revision}`, which would take it for a (malformed) number.
        .service(resources::latest_revision)
        .service(resources::resource_revision)
        .service(secrets::list_secrets)
        .service(secrets::get_secret)
        .service(secrets::put_generic_secret)
        .service(secrets::delete_secret)
        .service(secrets::secret_versions)
        .service(secrets::put_typed_secret)
        .service(openapi::owner_openapi)
        .service(tables::list_tables)
        .service(tables::table_rows)
        .service(tables::add_row)
        .service(tables::upsert_row)
        .service(tables::lookup_row)
        .service(tables::lookup_cell)
        .service(tables::delete_table)
        .service(tables::delete_column)
        .service(tables::delete_rows)
        .service(tables::delete_cells);
}
