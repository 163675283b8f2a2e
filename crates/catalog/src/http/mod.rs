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

use crate::model::LevelKind;
use crate::service::{
    ClusterService, ConnectPluginService, EnvironmentService, InstanceService, LevelService, SchemaService,
    StreamConfigService, StreamService, SupportTierService,
};
use crate::service::{MANAGE_ENVIRONMENTS, MANAGE_LEVELS, MANAGE_PLATFORM, MANAGE_SCHEMAS, SYNCHRONIZE};
use crate::store::CatalogStore;
use portico_core::ErrorKind;
use portico_core::context::Requirement;
use portico_core::http::module::{AppData, StartFailure};
use portico_core::http::{ApiError, Failure};
use portico_core::http::{AxualCollection, Module, ModuleContext, RouteAccess};
use std::sync::Arc;
use utoipa_actix_web::service_config::ServiceConfig;

/// The catalog module.
pub const MODULE: Module = Module {
    name: "catalog",
    migrations: &crate::MIGRATIONS,
    tables: crate::store::declared_tables,
    error_formats: &[],
    routes: configure,
    axual_collections: COLLECTIONS,
    axual_entries: &[],
    roles: &["TENANT_ADMIN", "STREAM_ADMIN", "ENVIRONMENT_ADMIN", "APPLICATION_ADMIN"],
    access: ACCESS,
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
    AxualCollection {
        rel: "environments",
        title: Some("Access or create environments"),
        profile: Some(environments::environments_profile),
    },
    AxualCollection {
        rel: "instances",
        title: Some("Access or create instances"),
        profile: Some(instances::instances_profile),
    },
    AxualCollection {
        rel: "streams",
        title: Some("Access or create streams"),
        profile: Some(streams::streams_profile),
    },
    // The seed prints no profile of these four, but their listings link one (as Spring Data
    // REST serves one per repository): generated from their wire types, so the links lead
    // somewhere.
    AxualCollection { rel: "support_tiers", title: None, profile: Some(support_tiers::support_tiers_profile) },
    AxualCollection { rel: "connect_plugins", title: None, profile: Some(connect_plugins::connect_plugins_profile) },
    AxualCollection {
        rel: "stream_configs",
        title: Some("Access or create streams"), // sic: the seed's index
        profile: Some(stream_configs::stream_configs_profile),
    },
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
    AxualCollection {
        rel: "clusters",
        title: Some("Access or create clusters"),
        profile: Some(clusters::clusters_profile),
    },
    AxualCollection {
        rel: LevelKind::Confidentiality.rel_const(),
        title: None,
        profile: Some(levels::confidentialities_profile),
    },
    AxualCollection { rel: LevelKind::Integrity.rel_const(), title: None, profile: Some(levels::integrities_profile) },
];

const ANY: Requirement<'static> = Requirement::Authenticated;

/// What each route requires (the services check the same again).
const ACCESS: &[RouteAccess] = &[
    ("GET", "/support_tiers", ANY),
    ("GET", "/connect_plugins", ANY),
    ("GET", "/connect_plugins/search", ANY),
    ("GET", "/connect_plugins/{uid}", ANY),
    ("GET", "/connect_plugins/{uid}/instance", ANY),
    ("GET", "/support_tiers/{uid}", ANY),
    ("GET", "/streams", ANY),
    ("POST", "/streams", ANY),
    ("GET", "/streams/search", ANY),
    ("GET", "/streams/search/findByName", ANY),
    ("GET", "/streams/search/findByNameContaining", ANY),
    ("GET", "/streams/{uid}", ANY),
    ("PATCH", "/streams/{uid}", ANY),
    ("DELETE", "/streams/{uid}", ANY),
    ("GET", "/streams/{uid}/deletion-constraints", ANY),
    ("GET", "/streams/{uid}/browse-access", ANY),
    ("GET", "/streams/{uid}/browse-config", ANY),
    ("GET", "/streams/{uid}/browse", ANY),
    ("GET", "/streams/{uid}/{association}", ANY),
    ("POST", "/stream_configs", ANY),
    ("GET", "/stream_configs/search", ANY),
    ("GET", "/stream_configs/search/findByStream", ANY),
    ("GET", "/stream_configs/search/findByEnvironment", ANY),
    ("GET", "/stream_configs/search/findByStreamAndEnvironment", ANY),
    ("GET", "/stream_configs/{uid}", ANY),
    ("PATCH", "/stream_configs/{uid}", ANY),
    ("DELETE", "/stream_configs/{uid}", ANY),
    ("GET", "/stream_configs/{uid}/deletion-constraints", ANY),
    ("GET", "/stream_configs/{uid}/{association}", ANY),
    ("GET", "/schemas", ANY),
    ("POST", "/schemas", ANY),
    ("GET", "/schemas/search", ANY),
    ("GET", "/schemas/search/findByName", ANY),
    ("GET", "/schemas/search/findByNameContaining", ANY),
    ("POST", "/schemas/check", ANY),
    ("POST", "/schemas/upload", ANY),
    ("GET", "/schemas/{uid}", ANY),
    ("PATCH", "/schemas/{uid}", MANAGE_SCHEMAS),
    ("GET", "/schemas/{uid}/compatibility", ANY),
    ("POST", "/schemas/{uid}/compatibility", ANY),
    ("GET", "/schema_versions", ANY),
    ("POST", "/schema_versions", ANY),
    ("GET", "/schema_versions/search", ANY),
    ("GET", "/schema_versions/search/findAllBySchema", ANY),
    ("GET", "/schema_versions/{uid}", ANY),
    ("GET", "/schema_versions/{uid}/schema", ANY),
    ("GET", "/environments", ANY),
    ("POST", "/environments", MANAGE_ENVIRONMENTS),
    ("GET", "/environments/search", ANY),
    ("GET", "/environments/search/findByName", ANY),
    ("GET", "/environments/search/findByNameContaining", ANY),
    ("GET", "/environments/search/findByShortName", ANY),
    ("GET", "/environments/search/findByInstance", ANY),
    ("GET", "/environments/{uid}", ANY),
    ("PATCH", "/environments/{uid}", ANY),
    ("DELETE", "/environments/{uid}", ANY),
    ("GET", "/environments/{uid}/deletion-constraints", ANY),
    ("GET", "/environments/{uid}/instance", ANY),
    ("GET", "/environments/{uid}/owners", ANY),
    ("POST", "/environments/{uid}/synchronize", ANY),
    ("GET", "/instances", ANY),
    ("POST", "/instances", MANAGE_PLATFORM),
    ("GET", "/instances/search", ANY),
    ("GET", "/instances/search/findByName", ANY),
    ("GET", "/instances/search/findByNameContaining", ANY),
    ("GET", "/instances/{uid}", ANY),
    ("GET", "/instances/{uid}/supportTier", ANY),
    ("PATCH", "/instances/{uid}", MANAGE_PLATFORM),
    ("POST", "/instances/{uid}/synchronize", SYNCHRONIZE),
    ("GET", "/clusters", ANY),
    ("POST", "/clusters", MANAGE_PLATFORM),
    ("GET", "/clusters/search", ANY),
    ("GET", "/clusters/search/findByName", ANY),
    ("GET", "/clusters/search/findByNameContaining", ANY),
    ("GET", "/clusters/{uid}", ANY),
    ("PATCH", "/clusters/{uid}", MANAGE_PLATFORM),
    ("GET", "/confidentialities", ANY),
    ("POST", "/confidentialities", MANAGE_LEVELS),
    ("GET", "/confidentialities/search", ANY),
    ("GET", "/confidentialities/{uid}", ANY),
    ("PATCH", "/confidentialities/{uid}", MANAGE_LEVELS),
    ("DELETE", "/confidentialities/{uid}", MANAGE_LEVELS),
    ("GET", "/confidentialities/{uid}/deletion-constraints", MANAGE_LEVELS),
    ("GET", "/integrities", MANAGE_LEVELS),
    ("POST", "/integrities", MANAGE_LEVELS),
    ("GET", "/integrities/search", MANAGE_LEVELS),
    ("GET", "/integrities/{uid}", MANAGE_LEVELS),
    ("PATCH", "/integrities/{uid}", MANAGE_LEVELS),
    ("DELETE", "/integrities/{uid}", MANAGE_LEVELS),
    ("GET", "/integrities/{uid}/deletion-constraints", MANAGE_LEVELS),
];

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

/// Registers the catalog's routes (search indexes before `/{uid}`: actix matches in order).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(support_tiers::list_support_tiers)
        .service(support_tiers::get_support_tier)
        .service(connect_plugins::connect_plugin_searches)
        .service(connect_plugins::list_connect_plugins)
        .service(connect_plugins::get_connect_plugin)
        .service(connect_plugins::connect_plugin_instance)
        .service(streams::stream_searches)
        .service(streams::find_streams_by_name)
        .service(streams::find_streams_by_name_containing)
        .service(streams::list_streams)
        .service(streams::create_stream)
        .service(streams::get_stream)
        .service(streams::patch_stream)
        .service(streams::delete_stream)
        .service(streams::stream_constraints)
        .service(browse::browse_access)
        .service(browse::browse_config)
        .service(browse::browse)
        .service(streams::stream_association)
        .service(stream_configs::stream_config_searches)
        .service(stream_configs::find_configs_by_stream)
        .service(stream_configs::find_configs_by_environment)
        .service(stream_configs::find_config_by_stream_and_environment)
        .service(stream_configs::create_stream_config)
        .service(stream_configs::get_stream_config)
        .service(stream_configs::patch_stream_config)
        .service(stream_configs::delete_stream_config)
        .service(stream_configs::stream_config_constraints)
        .service(stream_configs::stream_config_association)
        .service(schemas::schema_searches)
        .service(schemas::find_schemas_by_name)
        .service(schemas::find_schemas_by_name_containing)
        .service(schemas::check_schema)
        .service(schemas::upload_schema)
        .service(schemas::list_schemas)
        .service(schemas::create_schema)
        .service(schemas::get_schema)
        .service(schemas::patch_schema)
        .service(schemas::schema_mode)
        .service(schemas::check_compatibility)
        .service(schema_versions::schema_version_searches)
        .service(schema_versions::find_versions_by_schema)
        .service(schema_versions::list_schema_versions)
        .service(schema_versions::create_schema_version)
        .service(schema_versions::get_schema_version)
        .service(schema_versions::schema_of_version)
        .service(environments::environment_searches)
        .service(environments::find_environments_by_name)
        .service(environments::find_environments_by_name_containing)
        .service(environments::find_environments_by_short_name)
        .service(environments::find_environments_by_instance)
        .service(environments::list_axual_environments)
        .service(environments::create_environment)
        .service(environments::get_environment)
        .service(environments::patch_environment)
        .service(environments::delete_environment)
        .service(environments::environment_constraints)
        .service(environments::environment_instance)
        .service(environments::environment_owners)
        .service(environments::synchronize_environment)
        .service(instances::instance_searches)
        .service(instances::find_instance_by_name)
        .service(instances::find_instances_by_name_containing)
        .service(instances::list_instances)
        .service(instances::create_instance)
        .service(instances::get_instance)
        .service(instances::instance_support_tier)
        .service(instances::patch_instance)
        .service(instances::synchronize_instance)
        .service(clusters::cluster_searches)
        .service(clusters::find_cluster_by_name)
        .service(clusters::find_clusters_by_name_containing)
        .service(clusters::list_clusters)
        .service(clusters::create_cluster)
        .service(clusters::get_cluster)
        .service(clusters::patch_cluster)
        .service(levels::confidentiality_searches)
        .service(levels::list_confidentialities)
        .service(levels::create_confidentiality)
        .service(levels::get_confidentiality)
        .service(levels::patch_confidentiality)
        .service(levels::delete_confidentiality)
        .service(levels::confidentiality_constraints)
        .service(levels::integrity_searches)
        .service(levels::list_integrities)
        .service(levels::create_integrity)
        .service(levels::get_integrity)
        .service(levels::patch_integrity)
        .service(levels::delete_integrity)
        .service(levels::integrity_constraints);
}
