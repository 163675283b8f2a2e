//! The catalog's service traits: the crate's public API. Every method that acts for a caller
//! takes the [`RequestContext`] first and checks authorization itself.

use crate::error::CatalogError;
use crate::model::{
    Cluster, ClusterFilter, ClusterInput, ConnectPlugin, Environment, EnvironmentFilter, EnvironmentInput,
    EnvironmentView, InstanceFilter, InstanceInput, InstanceView, Level, LevelInput, LevelKind, SchemaEntry,
    SchemaVersion, StreamInput, StreamView, SupportTier,
};
use portico_core::RequestContext;
use portico_core::context::Requirement;
use portico_core::dependents::DeletionConstraints;
use portico_core::page::{Page, PageRequest};
use portico_core::write::Precondition;
use uuid::Uuid;

/// Roles that administer a tenant's catalog settings (levels).
pub const TENANT_ADMINS: &[&str] = &["TENANT_ADMIN"];

// What each kind of operation requires, named once: the routes' early checks (`http::ACCESS`),
// the services' own checks (what embedders meet) and the HAL links' abilities all use these.

/// Creating and changing clusters and instances, and placing an environment on an instance:
/// the platform's resources, for platform admins.
pub const MANAGE_PLATFORM: Requirement<'static> = Requirement::PlatformAdmin;
/// Creating, changing and deleting levels, and reading integrities.
pub const MANAGE_LEVELS: Requirement<'static> = Requirement::AnyRole(TENANT_ADMINS);
/// Synchronizing instances and environments with their Kafka clusters.
pub const SYNCHRONIZE: Requirement<'static> = Requirement::AnyRole(SYNCHRONIZERS);
/// Creating environments, and changing or deleting ones the caller's group does not own.
pub const MANAGE_ENVIRONMENTS: Requirement<'static> = Requirement::AnyRole(ENVIRONMENT_ADMINS);
/// Changing a schema's description and compatibility mode.
pub const MANAGE_SCHEMAS: Requirement<'static> = Requirement::AnyRole(SCHEMA_ADMINS);
/// Managing streams the caller's group does not own.
pub const MANAGE_STREAMS: Requirement<'static> = Requirement::AnyRole(STREAM_ADMINS);
/// The counts a level's deletion constraints always show.
pub const LEVEL_DEPENDENT_COUNTS: &[&str] = &["streamsCount"];

/// Confidentiality and integrity levels. Confidentialities are readable by every user of the
/// realm; integrities, and every change to either, need `TENANT_ADMIN`.
pub trait LevelService: Send + Sync + 'static {
    /// A page of the realm's levels of `kind`.
    fn levels(&self, ctx: &RequestContext, kind: LevelKind, page: &PageRequest) -> Result<Page<Level>, CatalogError>;
    /// One level.
    fn level(&self, ctx: &RequestContext, kind: LevelKind, id: Uuid) -> Result<Level, CatalogError>;
    /// Creates a level.
    fn create_level(&self, ctx: &RequestContext, kind: LevelKind, input: LevelInput) -> Result<Level, CatalogError>;
    /// Changes a level.
    fn update_level(
        &self,
        ctx: &RequestContext,
        kind: LevelKind,
        id: Uuid,
        input: LevelInput,
        precondition: &Precondition,
    ) -> Result<Level, CatalogError>;
    /// What still uses the level (`{canDelete, streamsCount}`).
    fn level_usage(&self, ctx: &RequestContext, kind: LevelKind, id: Uuid)
    -> Result<DeletionConstraints, CatalogError>;
    /// Deletes a level nothing uses (409 otherwise).
    fn delete_level(
        &self,
        ctx: &RequestContext,
        kind: LevelKind,
        id: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CatalogError>;
    /// Whether the caller may create, change and delete levels.
    fn may_manage_levels(&self, ctx: &RequestContext) -> bool;
}

/// Support tiers: read-only reference data every realm has, readable by its users.
pub trait SupportTierService: Send + Sync + 'static {
    /// A page of the realm's tiers.
    fn support_tiers(&self, ctx: &RequestContext, page: &PageRequest) -> Result<Page<SupportTier>, CatalogError>;
    /// One tier.
    fn support_tier(&self, ctx: &RequestContext, id: Uuid) -> Result<SupportTier, CatalogError>;
}

/// Connect plugins: what the realm's instances' Kafka Connect clusters offer, readable by every
/// user of the realm (read from Connect on synchronize and by the background worker).
pub trait ConnectPluginService: Send + Sync + 'static {
    /// A page of the realm's plugins.
    fn connect_plugins(&self, ctx: &RequestContext, page: &PageRequest) -> Result<Page<ConnectPlugin>, CatalogError>;
    /// One plugin.
    fn connect_plugin(&self, ctx: &RequestContext, id: Uuid) -> Result<ConnectPlugin, CatalogError>;
}

/// Clusters: readable by every user of the realm; created and changed by platform admins
/// (Axual's "Axual admin") acting in the realm.
pub trait ClusterService: Send + Sync + 'static {
    /// A page of the realm's clusters matching `filter`.
    fn clusters(
        &self,
        ctx: &RequestContext,
        filter: &ClusterFilter,
        page: &PageRequest,
    ) -> Result<Page<Cluster>, CatalogError>;
    /// One cluster.
    fn cluster(&self, ctx: &RequestContext, id: Uuid) -> Result<Cluster, CatalogError>;
    /// The cluster named exactly `name` (404 when none is).
    fn cluster_named(&self, ctx: &RequestContext, name: &str) -> Result<Cluster, CatalogError>;
    /// Creates a cluster.
    fn create_cluster(&self, ctx: &RequestContext, input: ClusterInput) -> Result<Cluster, CatalogError>;
    /// Changes a cluster (a given `bootstrapServers` replaces the set).
    fn update_cluster(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: ClusterInput,
        precondition: &Precondition,
    ) -> Result<Cluster, CatalogError>;
    /// Whether the caller may create and change clusters.
    fn may_manage_clusters(&self, ctx: &RequestContext) -> bool;
}

/// Instances: readable by every user of the realm; created and changed by platform admins.
pub trait InstanceService: Send + Sync + 'static {
    /// A page of the realm's instances matching `filter`.
    fn instances(
        &self,
        ctx: &RequestContext,
        filter: &InstanceFilter,
        page: &PageRequest,
    ) -> Result<Page<InstanceView>, CatalogError>;
    /// One instance.
    fn instance(&self, ctx: &RequestContext, id: Uuid) -> Result<InstanceView, CatalogError>;
    /// The instance named exactly `name` (404 when none is).
    fn instance_named(&self, ctx: &RequestContext, name: &str) -> Result<InstanceView, CatalogError>;
    /// Creates an instance (default `properties` filled in).
    fn create_instance(&self, ctx: &RequestContext, input: InstanceInput) -> Result<InstanceView, CatalogError>;
    /// Changes an instance (given clusters and CA certificates replace the old ones).
    fn update_instance(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: InstanceInput,
        precondition: &Precondition,
    ) -> Result<InstanceView, CatalogError>;
    /// Whether the caller may create and change instances.
    fn may_manage_instances(&self, ctx: &RequestContext) -> bool;
    /// Deploys every stream config of every environment on the instance to its clusters now
    /// (topics created, grown, reconfigured); platform and tenant admins only.
    fn synchronize_instance(&self, ctx: &RequestContext, id: Uuid) -> Result<(), CatalogError>;
    /// Whether the caller may synchronize instances and environments.
    fn may_synchronize(&self, ctx: &RequestContext) -> bool;
}

/// Roles that may synchronize instances and environments (platform admins hold every role).
pub const SYNCHRONIZERS: &[&str] = &["TENANT_ADMIN"];

/// Roles that administer every environment of a realm.
pub const ENVIRONMENT_ADMINS: &[&str] = &["ENVIRONMENT_ADMIN", "TENANT_ADMIN"];
/// The counts a private environment's deletion constraints always show.
pub const ENVIRONMENT_DEPENDENT_COUNTS: &[&str] = &["activeGrantsCount", "appPrincipalsCount", "streamConfigsCount"];

/// Environments. Public ones are visible to every user of the realm, private ones to their
/// owning group's members and environment admins. Environment admins (`ENVIRONMENT_ADMIN`,
/// `TENANT_ADMIN`) create them; they and the owning group's members change and delete them;
/// only platform admins link one to an instance.
pub trait EnvironmentService: Send + Sync + 'static {
    /// A page of the environments matching `filter` that the caller may see.
    fn environments(
        &self,
        ctx: &RequestContext,
        filter: &EnvironmentFilter,
        page: &PageRequest,
    ) -> Result<Page<Environment>, CatalogError>;
    /// One environment the caller may see, with its instance and owners.
    fn environment(&self, ctx: &RequestContext, id: Uuid) -> Result<EnvironmentView, CatalogError>;
    /// Creates an environment.
    fn create_environment(
        &self,
        ctx: &RequestContext,
        input: EnvironmentInput,
    ) -> Result<EnvironmentView, CatalogError>;
    /// Changes an environment.
    fn update_environment(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: EnvironmentInput,
        precondition: &Precondition,
    ) -> Result<EnvironmentView, CatalogError>;
    /// What still uses a private environment.
    fn environment_usage(&self, ctx: &RequestContext, id: Uuid) -> Result<DeletionConstraints, CatalogError>;
    /// Deletes a private environment nothing uses (public ones: 405; in use: 409).
    fn delete_environment(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CatalogError>;
    /// Whether the caller may create environments.
    fn may_create_environments(&self, ctx: &RequestContext) -> bool;
    /// Deploys every stream config of the environment to its instance's clusters now.
    fn synchronize_environment(&self, ctx: &RequestContext, id: Uuid) -> Result<(), CatalogError>;
}

/// What `POST /schemas/check` answers: the schema's full name and the versions it already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaCheck {
    /// `namespace.name` of the top-level type.
    pub full_name: String,
    /// The labels of its stored versions, oldest first (`[]` for a new schema).
    pub versions: Vec<String>,
}

/// One reason a schema is not compatible with a stored version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionIncompatibility {
    /// The stored version's label.
    pub version: String,
    /// `BACKWARD` (the new schema cannot read data of that version) or `FORWARD` (that
    /// version cannot read the new schema's data).
    pub direction: crate::avro::Direction,
    /// Where: the dotted field path (empty: the schema itself).
    pub path: String,
    /// The stored version's type there, when a type changed.
    pub old_type: Option<String>,
    /// The new schema's type there, when a type changed.
    pub new_type: Option<String>,
    /// What is wrong.
    pub reason: String,
}

/// Whether a schema may become a new version under a mode, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompatibilityReport {
    /// The mode checked.
    pub mode: crate::avro::CompatibilityMode,
    /// Every reason it is not compatible (empty: compatible).
    pub incompatibilities: Vec<VersionIncompatibility>,
}

/// Avro schemas and their versions: readable by every user of the realm; any user may check
/// and upload; changing a schema's description or compatibility mode is for stream admins.
pub trait SchemaService: Send + Sync + 'static {
    /// A page of the realm's schemas matching `filter`.
    fn schemas(
        &self,
        ctx: &RequestContext,
        filter: &crate::store::schemas::SchemaFilter,
        page: &PageRequest,
    ) -> Result<Page<SchemaEntry>, CatalogError>;
    /// One schema.
    fn schema(&self, ctx: &RequestContext, id: Uuid) -> Result<SchemaEntry, CatalogError>;
    /// Creates a schema (no versions yet).
    fn create_schema(
        &self,
        ctx: &RequestContext,
        name: Option<String>,
        description: Option<String>,
        compatibility: Option<crate::avro::CompatibilityMode>,
    ) -> Result<SchemaEntry, CatalogError>;
    /// Changes a schema's description or compatibility mode (`STREAM_ADMIN`, `TENANT_ADMIN`).
    /// Its `name` cannot change: the one it has may be sent back (a GET body), another is a 400.
    fn update_schema(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        name: Option<String>,
        description: Option<Option<String>>,
        compatibility: Option<crate::avro::CompatibilityMode>,
        precondition: &Precondition,
    ) -> Result<SchemaEntry, CatalogError>;
    /// Parses an Avro schema and tells its full name and stored versions.
    fn check_schema(&self, ctx: &RequestContext, body: &str) -> Result<SchemaCheck, CatalogError>;
    /// Stores an Avro schema as version `version` of the schema of its full name (created when
    /// missing). The same canonical schema again is the version already stored; a schema the
    /// mode rejects is a 409 saying why. Returns the full name and the version.
    fn upload_schema(
        &self,
        ctx: &RequestContext,
        body: &str,
        version: &str,
        description: Option<String>,
    ) -> Result<(String, String), CatalogError>;
    /// Whether `body` would be a compatible next version of schema `id` under `mode` (default:
    /// the schema's own).
    fn compatibility(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        body: &str,
        mode: Option<crate::avro::CompatibilityMode>,
    ) -> Result<CompatibilityReport, CatalogError>;
    /// A page of the realm's schema versions, each with its schema.
    fn schema_versions(
        &self,
        ctx: &RequestContext,
        page: &PageRequest,
    ) -> Result<Page<(SchemaVersion, SchemaEntry)>, CatalogError>;
    /// Every version of schema `id`, oldest first.
    fn versions_of_schema(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<Vec<(SchemaVersion, SchemaEntry)>, CatalogError>;
    /// One version.
    fn schema_version(&self, ctx: &RequestContext, id: Uuid) -> Result<(SchemaVersion, SchemaEntry), CatalogError>;
    /// Adds a version with a body as given (Axual's `POST /schema_versions`, which does not
    /// require Avro).
    fn create_schema_version(
        &self,
        ctx: &RequestContext,
        schema: Option<Uuid>,
        version: Option<String>,
        body: Option<String>,
    ) -> Result<(SchemaVersion, SchemaEntry), CatalogError>;
}

/// Roles that change schemas' descriptions and compatibility modes.
pub const SCHEMA_ADMINS: &[&str] = &["STREAM_ADMIN", "TENANT_ADMIN"];

/// Roles that administer every stream of a realm.
pub const STREAM_ADMINS: &[&str] = &["STREAM_ADMIN", "TENANT_ADMIN"];
/// The counts a stream's deletion constraints always show.
pub const STREAM_DEPENDENT_COUNTS: &[&str] = &["streamConfigsCount", "activeGrantsCount"];

/// Streams: visible to every user of the realm; stream admins (`STREAM_ADMIN`, `TENANT_ADMIN`)
/// and the owning group's members create, change and delete them.
pub trait StreamService: Send + Sync + 'static {
    /// A page of the realm's streams matching `filter`.
    fn streams(
        &self,
        ctx: &RequestContext,
        filter: &crate::store::streams::StreamFilter,
        page: &PageRequest,
    ) -> Result<StreamPage, CatalogError>;
    /// One stream.
    fn stream(&self, ctx: &RequestContext, id: Uuid) -> Result<StreamView, CatalogError>;
    /// Creates a stream.
    fn create_stream(&self, ctx: &RequestContext, input: StreamInput) -> Result<StreamView, CatalogError>;
    /// Changes a stream.
    fn update_stream(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: StreamInput,
        precondition: &Precondition,
    ) -> Result<StreamView, CatalogError>;
    /// What still uses a stream.
    fn stream_usage(&self, ctx: &RequestContext, id: Uuid) -> Result<DeletionConstraints, CatalogError>;
    /// Deletes a stream nothing uses (409 otherwise).
    fn delete_stream(&self, ctx: &RequestContext, id: Uuid, precondition: &Precondition) -> Result<(), CatalogError>;
}

/// A page of streams, and whether the caller may create streams (of some group): what a
/// listing's `create` link needs, from the same read of the caller's groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPage {
    /// The streams.
    pub page: Page<StreamView>,
    /// Whether the caller may create streams.
    pub may_create: bool,
}

/// The counts a stream config's deletion constraints always show.
pub const STREAM_CONFIG_DEPENDENT_COUNTS: &[&str] = &["activeGrantsCount", portico_core::dependents::CAN_DELETE];

/// Stream configs: a stream on an environment. Visible to every user who may see the
/// environment; created, changed and deleted by those who manage the stream (stream admins
/// and the stream's owning group's members) on environments they may see.
pub trait StreamConfigService: Send + Sync + 'static {
    /// The visible configs matching `filter`, oldest first.
    fn stream_configs(
        &self,
        ctx: &RequestContext,
        filter: crate::store::stream_configs::StreamConfigFilter,
    ) -> Result<Vec<crate::model::StreamConfigView>, CatalogError>;
    /// One config.
    fn stream_config(&self, ctx: &RequestContext, id: Uuid) -> Result<crate::model::StreamConfigView, CatalogError>;
    /// Creates a config (one per stream and environment).
    fn create_stream_config(
        &self,
        ctx: &RequestContext,
        input: crate::model::StreamConfigInput,
    ) -> Result<crate::model::StreamConfigView, CatalogError>;
    /// Changes a config (its stream and environment stay).
    fn update_stream_config(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: crate::model::StreamConfigInput,
        precondition: &Precondition,
    ) -> Result<crate::model::StreamConfigView, CatalogError>;
    /// What still uses a config (`{activeGrantsCount, canDelete}`).
    fn stream_config_usage(&self, ctx: &RequestContext, id: Uuid) -> Result<DeletionConstraints, CatalogError>;
    /// Deletes a config nothing uses (409 otherwise).
    fn delete_stream_config(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CatalogError>;
    /// Whether the caller may configure `stream` on `environment` (both of its realm); an error
    /// only when it cannot be told (the database failed), never hidden as `false`.
    fn may_configure(&self, ctx: &RequestContext, stream: Uuid, environment: Uuid) -> Result<bool, CatalogError>;
    /// Whether the caller may read the config's topic (Axual `browse-access`): those who manage
    /// the stream (403 otherwise; 404 for a config they may not see).
    fn browse_access(&self, ctx: &RequestContext, id: Uuid) -> Result<(), CatalogError>;
    /// What a browser needs to read the config's topic on the cluster named `cluster`.
    fn browse_config(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        cluster: Option<&str>,
    ) -> Result<crate::model::BrowseConfig, CatalogError>;
    /// Reads the config's topic: the records of a time window, newest first (who may browse).
    fn browse(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        query: &crate::model::BrowseQuery,
    ) -> Result<crate::model::BrowsePage, CatalogError>;
}
