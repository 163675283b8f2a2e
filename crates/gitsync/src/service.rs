//! The gitsync domain's public API: [`GitsyncService`], implemented by
//! [`crate::store::GitsyncStore`]. Every method takes the caller's [`RequestContext`] first and
//! checks authorization itself: the scope `css_configuration`, or the role of that name
//! (Onegini grants access by scope or by policy); platform admins hold every role. Instances and
//! configurations belong to the caller's realm; another realm's are not found.
//!
//! The methods block (database, network, object storage): call them from blocking code.

use crate::error::GitsyncError;
use crate::model::{Config, ConfigDraft, ConfigPatch, FileContent, Instance, SyncedFile, Synchronization};
use portico_core::RequestContext;
use portico_core::context::Requirement;
use portico_core::write::Precondition;
use uuid::Uuid;

/// The scope (and role) the Onegini APIs require.
pub const SCOPE: &str = "css_configuration";
/// What every operation requires.
pub const REQUIREMENT: Requirement<'static> = Requirement::ScopeOrRole(SCOPE, &[SCOPE]);

/// A configuration just created, with the references it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The configuration.
    pub config: Config,
    /// The references of its type on the remote.
    pub available_references: Vec<String>,
}

/// Instances, their git configuration, references, synchronisation and synchronised files.
pub trait GitsyncService: Send + Sync + 'static {
    /// The realm's instances, by id.
    fn instances(&self, ctx: &RequestContext) -> Result<Vec<Instance>, GitsyncError>;
    /// One instance.
    fn instance(&self, ctx: &RequestContext, id: Uuid) -> Result<Instance, GitsyncError>;
    /// Deletes an instance with its configuration, its history and every synchronised file
    /// (refused while a synchronisation of it runs).
    fn delete_instance(&self, ctx: &RequestContext, id: Uuid) -> Result<(), GitsyncError>;

    /// Saves the first configuration of an instance (creating the instance), after listing the
    /// remote's references with it.
    fn create_config(&self, ctx: &RequestContext, id: Uuid, draft: ConfigDraft) -> Result<Created, GitsyncError>;
    /// The configuration of an instance.
    fn config(&self, ctx: &RequestContext, id: Uuid) -> Result<Config, GitsyncError>;
    /// Changes the configuration; the selected reference must exist on the (new) remote.
    fn update_config(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        patch: ConfigPatch,
        precondition: &Precondition,
    ) -> Result<Config, GitsyncError>;
    /// Deletes the configuration (the instance and its files stay).
    fn delete_config(&self, ctx: &RequestContext, id: Uuid, precondition: &Precondition) -> Result<(), GitsyncError>;
    /// The references the configuration offers, from the remote.
    fn references(&self, ctx: &RequestContext, id: Uuid) -> Result<Vec<String>, GitsyncError>;

    /// Fetches the selected reference (or `commit`) and replaces the instance's files with its
    /// tree, atomically. One synchronisation of an instance runs at a time, across replicas.
    fn synchronize(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        commit: Option<String>,
    ) -> Result<Synchronization, GitsyncError>;
    /// The instance's synchronisations, newest first (at most `limit`).
    fn synchronizations(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        limit: i64,
    ) -> Result<Vec<Synchronization>, GitsyncError>;
    /// The instance's current files, by path.
    fn files(&self, ctx: &RequestContext, id: Uuid) -> Result<Vec<SyncedFile>, GitsyncError>;
    /// One current file.
    fn file(&self, ctx: &RequestContext, id: Uuid, path: &str) -> Result<FileContent, GitsyncError>;
}
