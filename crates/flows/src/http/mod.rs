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
use portico_core::http::{Format, Module, ModuleContext, Routes};
use std::sync::Arc;

/// The flows module: `/{ownerId}/management/...` answers problem+json; a deleted owner loses
/// its flows.
pub const MODULE: Module = Module {
    name: "flows",
    migrations: &crate::MIGRATIONS,
    tables: crate::store::declared_tables,
    error_formats: &[("/*/management", Format::Problem)],
    routes,
    axual_collections: &[],
    axual_entries: &[],
    roles: crate::service::ROLES,
    realm_paths: &["/*/management"],
    start,
};

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

/// Every route of the module with what it requires (the kit registers them in matching order).
pub fn routes(routes: &mut Routes) {
    routes
        .add(REQUIREMENT, flows::list_flows)
        .add(REQUIREMENT, flows::create_flow)
        .add(REQUIREMENT, flows::flow_ids)
        .add(REQUIREMENT, flows::get_flow)
        .add(REQUIREMENT, flows::update_flow)
        .add(REQUIREMENT, flows::delete_flow)
        .add(REQUIREMENT, flows::disable_flow)
        .add(REQUIREMENT, flows::enable_flow)
        .add(REQUIREMENT, flows::flow_revisions)
        .add(REQUIREMENT, flows::flow_revision)
        .add(REQUIREMENT, flows::flow_history)
        .add(REQUIREMENT, resources::resource_types)
        .add(REQUIREMENT, resources::list_resources)
        .add(REQUIREMENT, resources::put_resource)
        .add(REQUIREMENT, resources::get_resource)
        .add(REQUIREMENT, resources::delete_resource)
        .add(REQUIREMENT, resources::latest_revision)
        .add(REQUIREMENT, resources::resource_revision)
        .add(REQUIREMENT, secrets::list_secrets)
        .add(REQUIREMENT, secrets::get_secret)
        .add(REQUIREMENT, secrets::put_generic_secret)
        .add(REQUIREMENT, secrets::delete_secret)
        .add(REQUIREMENT, secrets::secret_versions)
        .add(REQUIREMENT, secrets::put_typed_secret)
        .add(REQUIREMENT, openapi::owner_openapi)
        .add(REQUIREMENT, tables::list_tables)
        .add(REQUIREMENT, tables::table_rows)
        .add(REQUIREMENT, tables::add_row)
        .add(REQUIREMENT, tables::upsert_row)
        .add(REQUIREMENT, tables::lookup_row)
        .add(REQUIREMENT, tables::lookup_cell)
        .add(REQUIREMENT, tables::delete_table)
        .add(REQUIREMENT, tables::delete_column)
        .add(REQUIREMENT, tables::delete_rows)
        .add(REQUIREMENT, tables::delete_cells);
}
