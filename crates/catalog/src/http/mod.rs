//! The Axual catalog's routes: HAL+JSON through the core kit, Axual errors (the host's default
//! format), served in the caller's realm.

pub mod browse;
pub mod clusters;
pub mod connect_plugins;
pub mod environments;
pub mod instances;
pub mod levels;
pub mod schema_versions;
pub mod schemas;
pub mod shapes;
pub mod stream_configs;
pub mod streams;
pub mod support_tiers;

use crate::service::{
    ClusterService, ConnectPluginService, EnvironmentService, InstanceService, LevelService, SchemaService,
    StreamConfigService, StreamService, SupportTierService,
};
use crate::service::{MANAGE_ENVIRONMENTS, MANAGE_LEVELS, MANAGE_PLATFORM, MANAGE_SCHEMAS, SYNCHRONIZE};
use crate::store::CatalogStore;
use portico_core::ErrorKind;
use portico_core::context::Requirement;
use portico_core::http::collection::indexed;
use portico_core::http::module::{AppData, StartFailure};
use portico_core::http::{ApiError, Failure};
use portico_core::http::{AxualCollection, Module, ModuleContext, Routes};
use std::sync::Arc;

/// The catalog module.
pub const MODULE: Module = Module {
    name: "catalog",
    migrations: &crate::MIGRATIONS,
    tables: crate::store::declared_tables,
    error_formats: &[],
    routes,
    axual_collections: COLLECTIONS,
    axual_entries: &[],
    roles: &["TENANT_ADMIN", "STREAM_ADMIN", "ENVIRONMENT_ADMIN", "APPLICATION_ADMIN"],
    realm_paths: &[],
    start,
};

pub use portico_core::http::params::Groups;

/// A 400 about `field` in the Axual error format.
pub(crate) fn invalid(field: &str, message: String) -> ApiError {
    ApiError::new(Failure::new(ErrorKind::Invalid, "invalid_field", message).with_field(field))
}

/// The Axual collections this crate serves (the index orders them as the seed does).
pub const COLLECTIONS: &[AxualCollection] = &[
    indexed::<environments::EnvironmentCollection>(
        Some("Access or create environments"),
        environments::environments_profile,
    ),
    indexed::<instances::InstanceCollection>(Some("Access or create instances"), instances::instances_profile),
    indexed::<streams::StreamCollection>(Some("Access or create streams"), streams::streams_profile),
    // The seed prints no profile of these four, but their listings link one (as Spring Data
    // REST serves one per repository): generated from their wire types, so the links lead
    // somewhere.
    indexed::<support_tiers::SupportTiers>(None, support_tiers::support_tiers_profile),
    indexed::<connect_plugins::ConnectPluginCollection>(None, connect_plugins::connect_plugins_profile),
    // sic: the seed's index titles stream configs so.
    indexed::<stream_configs::StreamConfigCollection>(
        Some("Access or create streams"),
        stream_configs::stream_configs_profile,
    ),
    AxualCollection {
        rel: "schema_versions",
        title: Some("Access or create schema versions"),
        profile: Some(schema_versions::schema_versions_profile),
    },
    AxualCollection {
        rel: "schemas",
        title: Some("Access or create schemas"),
        profile: Some(schemas::schemas_profile),
    },
    indexed::<clusters::Clusters>(Some("Access or create clusters"), clusters::clusters_profile),
    indexed::<levels::Levels<levels::Confidentialities>>(None, levels::confidentialities_profile),
    indexed::<levels::Levels<levels::Integrities>>(None, levels::integrities_profile),
];

const ANY: Requirement<'static> = Requirement::Authenticated;

fn start(ctx: &ModuleContext) -> Result<AppData, StartFailure> {
    let config: crate::config::CatalogConfig = ctx.config();
    let store = Arc::new(
        CatalogStore::new(ctx.db.clone(), ctx.clock.clone(), ctx.hooks.clone()).with_kafka_client(config.kafka_client),
    );
    ctx.hooks.add_lifecycle(store.clone());
    ctx.hooks.add_dependents(store.clone());
    store
        .start_provisioning(std::time::Duration::from_secs(5))
        .map_err(|err| StartFailure::from(format!("the topic worker did not start: {err}")))?;
    Ok(Arc::new(move |cfg: &mut actix_web::web::ServiceConfig| {
        cfg.app_data(actix_web::web::Data::from(store.clone() as Arc<dyn LevelService>))
            .app_data(actix_web::web::Data::from(store.clone() as Arc<dyn SupportTierService>))
            .app_data(actix_web::web::Data::from(store.clone() as Arc<dyn ClusterService>))
            .app_data(actix_web::web::Data::from(store.clone() as Arc<dyn InstanceService>))
            .app_data(actix_web::web::Data::from(store.clone() as Arc<dyn ConnectPluginService>))
            .app_data(actix_web::web::Data::from(store.clone() as Arc<dyn EnvironmentService>))
            .app_data(actix_web::web::Data::from(store.clone() as Arc<dyn SchemaService>))
            .app_data(actix_web::web::Data::from(store.clone() as Arc<dyn StreamService>))
            .app_data(actix_web::web::Data::from(store.clone() as Arc<dyn StreamConfigService>));
    }))
}

/// Every route of the module with what it requires (the kit registers them in matching order).
pub fn routes(routes: &mut Routes) {
    routes
        .add(ANY, support_tiers::list_support_tiers)
        .add(ANY, support_tiers::get_support_tier)
        .add(ANY, connect_plugins::connect_plugin_searches)
        .add(ANY, connect_plugins::list_connect_plugins)
        .add(ANY, connect_plugins::get_connect_plugin)
        .add(ANY, connect_plugins::connect_plugin_instance)
        .add(ANY, streams::stream_searches)
        .add(ANY, streams::find_streams_by_name)
        .add(ANY, streams::find_streams_by_name_containing)
        .add(ANY, streams::list_streams)
        .add(ANY, streams::create_stream)
        .add(ANY, streams::get_stream)
        .add(ANY, streams::patch_stream)
        .add(ANY, streams::delete_stream)
        .add(ANY, streams::stream_constraints)
        .add(ANY, browse::browse_access)
        .add(ANY, browse::browse_config)
        .add(ANY, browse::browse)
        .add(ANY, streams::stream_association)
        .add(ANY, stream_configs::stream_config_searches)
        .add(ANY, stream_configs::find_configs_by_stream)
        .add(ANY, stream_configs::find_configs_by_environment)
        .add(ANY, stream_configs::find_config_by_stream_and_environment)
        .add(ANY, stream_configs::create_stream_config)
        .add(ANY, stream_configs::get_stream_config)
        .add(ANY, stream_configs::patch_stream_config)
        .add(ANY, stream_configs::delete_stream_config)
        .add(ANY, stream_configs::stream_config_constraints)
        .add(ANY, stream_configs::stream_config_association)
        .add(ANY, schemas::schema_searches)
        .add(ANY, schemas::find_schemas_by_name)
        .add(ANY, schemas::find_schemas_by_name_containing)
        .add(ANY, schemas::check_schema)
        .add(ANY, schemas::upload_schema)
        .add(ANY, schemas::list_schemas)
        .add(ANY, schemas::create_schema)
        .add(ANY, schemas::get_schema)
        .add(MANAGE_SCHEMAS, schemas::patch_schema)
        .add(ANY, schemas::schema_mode)
        .add(ANY, schemas::check_compatibility)
        .add(ANY, schema_versions::schema_version_searches)
        .add(ANY, schema_versions::find_versions_by_schema)
        .add(ANY, schema_versions::list_schema_versions)
        .add(ANY, schema_versions::create_schema_version)
        .add(ANY, schema_versions::get_schema_version)
        .add(ANY, schema_versions::schema_of_version)
        .add(ANY, environments::environment_searches)
        .add(ANY, environments::find_environments_by_name)
        .add(ANY, environments::find_environments_by_name_containing)
        .add(ANY, environments::find_environments_by_short_name)
        .add(ANY, environments::find_environments_by_instance)
        .add(ANY, environments::list_axual_environments)
        .add(MANAGE_ENVIRONMENTS, environments::create_environment)
        .add(ANY, environments::get_environment)
        .add(ANY, environments::patch_environment)
        .add(ANY, environments::delete_environment)
        .add(ANY, environments::environment_constraints)
        .add(ANY, environments::environment_instance)
        .add(ANY, environments::environment_owners)
        .add(ANY, environments::synchronize_environment)
        .add(ANY, instances::instance_searches)
        .add(ANY, instances::find_instance_by_name)
        .add(ANY, instances::find_instances_by_name_containing)
        .add(ANY, instances::list_instances)
        .add(MANAGE_PLATFORM, instances::create_instance)
        .add(ANY, instances::get_instance)
        .add(ANY, instances::instance_support_tier)
        .add(MANAGE_PLATFORM, instances::patch_instance)
        .add(SYNCHRONIZE, instances::synchronize_instance)
        .add(ANY, clusters::cluster_searches)
        .add(ANY, clusters::find_cluster_by_name)
        .add(ANY, clusters::find_clusters_by_name_containing)
        .add(ANY, clusters::list_clusters)
        .add(MANAGE_PLATFORM, clusters::create_cluster)
        .add(ANY, clusters::get_cluster)
        .add(MANAGE_PLATFORM, clusters::patch_cluster)
        .add(ANY, levels::confidentialities::confidentiality_searches)
        .add(ANY, levels::confidentialities::list_confidentialities)
        .add(MANAGE_LEVELS, levels::confidentialities::create_confidentiality)
        .add(ANY, levels::confidentialities::get_confidentiality)
        .add(MANAGE_LEVELS, levels::confidentialities::patch_confidentiality)
        .add(MANAGE_LEVELS, levels::confidentialities::delete_confidentiality)
        .add(MANAGE_LEVELS, levels::confidentialities::confidentiality_constraints)
        .add(MANAGE_LEVELS, levels::integrities::integrity_searches)
        .add(MANAGE_LEVELS, levels::integrities::list_integrities)
        .add(MANAGE_LEVELS, levels::integrities::create_integrity)
        .add(MANAGE_LEVELS, levels::integrities::get_integrity)
        .add(MANAGE_LEVELS, levels::integrities::patch_integrity)
        .add(MANAGE_LEVELS, levels::integrities::delete_integrity)
        .add(MANAGE_LEVELS, levels::integrities::integrity_constraints);
}
