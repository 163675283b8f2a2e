//! The catalog's service traits: the crate's public API. Every method that acts for a caller
//! takes the [`RequestContext`] first and checks authorization itself.

use crate::error::CatalogError;
use crate::model::{
    Cluster, ClusterFilter, ClusterInput, Environment, EnvironmentFilter, EnvironmentInput, EnvironmentView,
    InstanceFilter, InstanceInput, InstanceView, Level, LevelInput, LevelKind, SupportTier,
};
use portico_core::RequestContext;
use portico_core::dependents::DeletionConstraints;
use portico_core::page::{Page, PageRequest};
use portico_core::write::Precondition;
use uuid::Uuid;

/// Roles that administer a tenant's catalog settings (levels).
pub const TENANT_ADMINS: &[&str] = &["TENANT_ADMIN"];
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
    fn delete_level(&self, ctx: &RequestContext, kind: LevelKind, id: Uuid) -> Result<(), CatalogError>;
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
}

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
    fn delete_environment(&self, ctx: &RequestContext, id: Uuid) -> Result<(), CatalogError>;
    /// Whether the caller may create environments.
    fn may_create_environments(&self, ctx: &RequestContext) -> bool;
}
