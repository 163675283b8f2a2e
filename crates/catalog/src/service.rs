//! The catalog's service traits: the crate's public API. Every method that acts for a caller
//! takes the [`RequestContext`] first and checks authorization itself.

use crate::error::CatalogError;
use crate::model::{Level, LevelInput, LevelKind};
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
