//! [`GitsyncStore`]: the diesel (and git, and object storage) implementation of
//! [`crate::service::GitsyncService`]. Queries live in `rows.rs`; synchronisation in `sync.rs`.

pub mod rows;
pub(crate) mod schema;
mod sync;

use crate::config::GitsyncConfig;
use crate::error::{self, GitsyncError};
use crate::files::FileStore;
use crate::git::{self, GitRemote};
use crate::model::{
    AuthenticationType, BasicCredentials, Config, ConfigDraft, ConfigPatch, FileContent, Instance, MAX_NAME,
    MAX_PASSWORD, MAX_URL, SyncedFile, Synchronization, check_reference, check_text,
};
use crate::remote::check_remote;
use crate::service::{Created, GitsyncService, REQUIREMENT};
use portico_core::audit::{audited_write, audited_write_prepared};
use portico_core::db::DbError;
use portico_core::hooks::RealmLifecycle;
use portico_core::seal::Sealer;
use portico_core::write::{Precondition, committed};
use portico_core::{Clock, Database, DbConnection, RealmId, RealmRef, RequestContext, Timestamp};
use rows::{ConfigFields, ConfigRow};
use std::sync::Arc;
use uuid::Uuid;

pub use schema::declared_tables;

/// The description of a missing configuration (GET, DELETE, references, synchronize: 404).
pub const NO_CONFIG: &str = "Could not find Configuration linked to requested Instance";
/// The description of a missing configuration on PATCH (400, as the document shows).
pub const PATCH_NO_CONFIG: &str = "Configuration does not exist";
/// The description of a configuration saved twice.
pub const CONFIG_EXISTS: &str = "Configuration already exists";

/// The gitsync domain over a database, a sealer for git passwords and object storage.
pub struct GitsyncStore {
    db: Database,
    sealer: Sealer,
    clock: Arc<dyn Clock>,
    config: GitsyncConfig,
    files: FileStore,
}

impl std::fmt::Debug for GitsyncStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitsyncStore").field("db", &self.db).field("files", &self.files).finish_non_exhaustive()
    }
}

fn seal_context(realm: RealmId, instance: Uuid) -> String {
    format!("gitsync/password/{realm}/{instance}")
}

fn references_failure(err: git::GitError) -> GitsyncError {
    references_failed(err.0)
}

fn references_failed(reason: String) -> GitsyncError {
    error::git(format!("Git remote repository references fetching failure: {reason}"))
}

/// A synchronisation that failed at the remote.
pub(crate) fn synchronization_failed(reason: String) -> GitsyncError {
    error::git(format!("Git remote repository synchronization failure: {reason}"))
}

impl GitsyncStore {
    /// The domain over `db` (migrated with [`crate::MIGRATIONS`]). Register it as a
    /// [`RealmLifecycle`] so a deleted realm loses its instances and files.
    pub fn new(db: Database, sealer: Sealer, clock: Arc<dyn Clock>, config: GitsyncConfig) -> GitsyncStore {
        let files = config.files.clone().unwrap_or_else(FileStore::memory);
        GitsyncStore { db, sealer, clock, config, files }
    }

    /// Where the synchronised files are.
    pub fn file_store(&self) -> &FileStore {
        &self.files
    }

    /// The configuration in the shape the service returns.
    fn to_config(&self, id: Uuid, row: &ConfigRow, latest: Option<Synchronization>) -> Config {
        Config {
            instance_id: id,
            remote_url: row.remote_url.clone(),
            authentication_type: row.authentication(),
            username: row.username.clone(),
            selected_reference: row.selected_reference.clone(),
            synchronization_type: row.synchronization(),
            reference_type: self.config.reference_type(row.synchronization()),
            version: row.version,
            latest,
        }
    }

    /// Checks a remote URL against the policy (400 naming `remote_url`), and that Basic
    /// credentials travel only over https (unless local remotes are allowed, for tests).
    fn checked_url(
        &self,
        url: &str,
        authentication: AuthenticationType,
    ) -> Result<(String, Vec<std::net::SocketAddr>), GitsyncError> {
        check_text("remote_url", url, MAX_URL)?;
        let checked = check_remote(url, self.config.remote_policy())
            .map_err(|refused| GitsyncError::invalid("remote_url", format!("[remote_url] {refused}")))?;
        if authentication == AuthenticationType::Basic
            && checked.url.scheme() == "http"
            && !self.config.allow_local_remotes
        {
            return Err(GitsyncError::invalid(
                "remote_url",
                "[remote_url] must use https when BASIC credentials are sent",
            ));
        }
        Ok((url.trim().to_owned(), checked.addresses))
    }

    /// The remote of a stored configuration, its password opened, checked against the policy
    /// again (a name may resolve elsewhere now); `failure` words a refusal (a 500 of the kind
    /// the operation answers for remote failures).
    fn remote_of(
        &self,
        realm: RealmId,
        id: Uuid,
        row: &ConfigRow,
        failure: fn(String) -> GitsyncError,
    ) -> Result<GitRemote, GitsyncError> {
        let checked = check_remote(&row.remote_url, self.config.remote_policy())
            .map_err(|refused| failure(format!("the remote is not allowed: {refused}")))?;
        let credentials = match (row.authentication(), &row.username, &row.password) {
            (AuthenticationType::Basic, Some(username), Some(sealed)) => Some(BasicCredentials {
                username: username.clone(),
                password: self.sealer.unseal_str(sealed, &seal_context(realm, id))?,
            }),
            _ => None,
        };
        Ok(GitRemote { url: row.remote_url.clone(), credentials, pinned: checked.addresses })
    }

    fn existing_instance(&self, conn: &mut DbConnection, realm: RealmId, id: Uuid) -> Result<Instance, GitsyncError> {
        rows::instance(conn, realm, id)?.ok_or_else(|| error::not_found("Instance does not exist"))
    }

    fn existing_config(&self, conn: &mut DbConnection, realm: RealmId, id: Uuid) -> Result<ConfigRow, GitsyncError> {
        rows::config(conn, realm, id)?.ok_or_else(|| error::not_found(NO_CONFIG))
    }

    fn list(&self, remote: &GitRemote, row_type: crate::model::ReferenceType) -> Result<Vec<String>, GitsyncError> {
        git::list_references(remote, row_type, &self.config.limits).map_err(references_failure)
    }
}

fn check_credentials(credentials: &BasicCredentials) -> Result<(), GitsyncError> {
    check_text("username", &credentials.username, MAX_NAME)?;
    check_text("password", &credentials.password, MAX_PASSWORD)
}

fn already_exists(err: DbError) -> GitsyncError {
    if err.is_unique_violation() { error::request(CONFIG_EXISTS) } else { GitsyncError::Db(err) }
}

/// The configuration a patch asks for, computed from the stored one.
struct Revised {
    fields: ConfigRowValues,
    remote: GitRemote,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ConfigRowValues {
    remote_url: String,
    authentication_type: AuthenticationType,
    username: Option<String>,
    /// Sealed.
    password: Option<String>,
    synchronization_type: crate::model::SynchronizationType,
    selected_reference: Option<String>,
}

impl ConfigRowValues {
    fn fields(&self) -> ConfigFields<'_> {
        ConfigFields {
            remote_url: &self.remote_url,
            authentication_type: self.authentication_type.as_str(),
            username: self.username.as_deref(),
            password: self.password.as_deref(),
            synchronization_type: self.synchronization_type.as_str(),
            selected_reference: self.selected_reference.as_deref(),
        }
    }

    fn of(row: &ConfigRow) -> ConfigRowValues {
        ConfigRowValues {
            remote_url: row.remote_url.clone(),
            authentication_type: row.authentication(),
            username: row.username.clone(),
            password: row.password.clone(),
            synchronization_type: row.synchronization(),
            selected_reference: row.selected_reference.clone(),
        }
    }
}

impl GitsyncStore {
    /// Applies `patch` to `row`: the values to store and the remote to validate them with.
    fn revise(&self, realm: RealmId, id: Uuid, row: &ConfigRow, patch: &ConfigPatch) -> Result<Revised, GitsyncError> {
        let context = seal_context(realm, id);
        let mut next = ConfigRowValues::of(row);
        next.selected_reference = Some(patch.selected_reference.clone());
        if let Some(kind) = patch.synchronization_type {
            next.synchronization_type = kind;
        }
        let remote_changed = patch.remote_url.as_ref().is_some_and(|url| url.trim() != row.remote_url);
        // `BASIC` asked for needs both credentials; kept, each may be replaced; `NONE` takes none.
        let credentials = match patch.authentication_type.unwrap_or(row.authentication()) {
            AuthenticationType::None => {
                if patch.username.is_some() || patch.password.is_some() {
                    return Err(GitsyncError::invalid("authentication_type", crate::model::NO_CREDENTIALS_WITH_NONE));
                }
                None
            }
            AuthenticationType::Basic if patch.authentication_type.is_some() => Some(BasicCredentials {
                username: patch
                    .username
                    .clone()
                    .ok_or_else(|| GitsyncError::invalid("username", "username field is required"))?,
                password: patch
                    .password
                    .clone()
                    .ok_or_else(|| GitsyncError::invalid("password", "password field is required"))?,
            }),
            AuthenticationType::Basic => {
                // The stored password goes only to the remote it was given for: a new remote
                // needs the password again.
                let password = match (&patch.password, remote_changed) {
                    (Some(password), _) => password.clone(),
                    (None, true) => return Err(GitsyncError::invalid("password", "password field is required")),
                    (None, false) => match &row.password {
                        Some(sealed) => self.sealer.unseal_str(sealed, &context)?,
                        None => return Err(GitsyncError::invalid("password", "password field is required")),
                    },
                };
                let username = patch.username.clone().or_else(|| row.username.clone());
                Some(BasicCredentials {
                    username: username
                        .ok_or_else(|| GitsyncError::invalid("username", "username field is required"))?,
                    password,
                })
            }
        };
        if let Some(credentials) = &credentials {
            check_credentials(credentials)?;
        }
        next.authentication_type =
            if credentials.is_some() { AuthenticationType::Basic } else { AuthenticationType::None };
        if let Some(url) = &patch.remote_url {
            next.remote_url = url.trim().to_owned();
        }
        let (_, pinned) = self.checked_url(&next.remote_url, next.authentication_type)?;
        next.username = credentials.as_ref().map(|c| c.username.clone());
        next.password = match (&credentials, &patch.password) {
            // Unchanged password: the sealed value stays as it is.
            (Some(_), None) => row.password.clone(),
            (Some(credentials), Some(_)) => Some(self.sealer.seal_str(&credentials.password, &context)),
            (None, _) => None,
        };
        Ok(Revised { remote: GitRemote { url: next.remote_url.clone(), credentials, pinned }, fields: next })
    }
}

impl GitsyncService for GitsyncStore {
    fn instances(&self, ctx: &RequestContext) -> Result<Vec<Instance>, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        self.db.read(|conn| Ok(rows::instances(conn, ctx.realm.id)?))
    }

    fn instance(&self, ctx: &RequestContext, id: Uuid) -> Result<Instance, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        self.db.read(|conn| self.existing_instance(conn, ctx.realm.id, id))
    }

    fn delete_instance(&self, ctx: &RequestContext, id: Uuid) -> Result<(), GitsyncError> {
        ctx.require(REQUIREMENT)?;
        let realm = ctx.realm.id;
        let lock = self.lock(realm, id)?;
        let deleted =
            audited_write(&self.db, self.clock.as_ref(), ctx, "gitsync_instance.delete", "gitsync_instance", |conn| {
                if !rows::delete_instance(conn, realm, id)? {
                    return Err(error::not_found("Provided instance does not exist"));
                }
                Ok(((), id.to_string()))
            });
        self.unlock(realm, id, &lock);
        deleted?;
        self.files.remove_instance(realm, id)
    }

    fn create_config(&self, ctx: &RequestContext, id: Uuid, draft: ConfigDraft) -> Result<Created, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        let realm = ctx.realm.id;
        if let Some(credentials) = &draft.credentials {
            check_credentials(credentials)?;
        }
        let authentication =
            if draft.credentials.is_some() { AuthenticationType::Basic } else { AuthenticationType::None };
        if authentication != draft.authentication_type {
            return Err(GitsyncError::invalid("authentication_type", "Valid [authentication_type] field is required"));
        }
        if self.db.read(|conn| Ok::<_, GitsyncError>(rows::config(conn, realm, id)?))?.is_some() {
            return Err(error::request(CONFIG_EXISTS));
        }
        let (url, pinned) = self.checked_url(&draft.remote_url, authentication)?;
        let remote = GitRemote { url: url.clone(), credentials: draft.credentials.clone(), pinned };
        let reference_type = self.config.reference_type(draft.synchronization_type);
        let available_references = self.list(&remote, reference_type)?;
        let sealed = draft.credentials.as_ref().map(|c| self.sealer.seal_str(&c.password, &seal_context(realm, id)));
        let values = ConfigRowValues {
            remote_url: url,
            authentication_type: authentication,
            username: draft.credentials.as_ref().map(|c| c.username.clone()),
            password: sealed,
            synchronization_type: draft.synchronization_type,
            selected_reference: None,
        };
        let now = self.clock.now();
        audited_write(&self.db, self.clock.as_ref(), ctx, "gitsync_config.create", "gitsync_config", |conn| {
            if rows::config(conn, realm, id)?.is_some() {
                return Err(error::request(CONFIG_EXISTS));
            }
            rows::ensure_instance(conn, realm, id, now).map_err(|e| already_exists(e.into()))?;
            rows::insert_config(conn, realm, id, values.fields(), ctx.actor(), now)
                .map_err(|e| already_exists(e.into()))?;
            Ok(((), id.to_string()))
        })?;
        let row = self.db.read(|conn| self.existing_config(conn, realm, id))?;
        Ok(Created { config: self.to_config(id, &row, None), available_references })
    }

    fn config(&self, ctx: &RequestContext, id: Uuid) -> Result<Config, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        let realm = ctx.realm.id;
        self.db.read(|conn| {
            let row = self.existing_config(conn, realm, id)?;
            let latest = rows::syncs(conn, realm, id, 1)?.into_iter().next();
            Ok(self.to_config(id, &row, latest))
        })
    }

    fn update_config(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        patch: ConfigPatch,
        precondition: &Precondition,
    ) -> Result<Config, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        check_reference("selected_reference", &patch.selected_reference)?;
        if let Some(url) = &patch.remote_url {
            check_text("remote_url", url, MAX_URL)?;
        }
        let realm = ctx.realm.id;
        let missing = || error::request(PATCH_NO_CONFIG);
        // The remote is asked for its references outside any transaction; the write then
        // applies only to the configuration that was checked (a lost race checks again).
        let prepare = || -> Result<(ConfigRow, Option<Revised>), GitsyncError> {
            let seen =
                self.db.read(|conn| Ok::<_, GitsyncError>(rows::config(conn, realm, id)?))?.ok_or_else(missing)?;
            precondition.check("configuration", id, seen.version)?;
            let revised = self.revise(realm, id, &seen, &patch)?;
            if revised.fields == ConfigRowValues::of(&seen) {
                return Ok((seen, None));
            }
            let kind = self.config.reference_type(revised.fields.synchronization_type);
            if !self.list(&revised.remote, kind)?.contains(&patch.selected_reference) {
                return Err(GitsyncError::invalid(
                    "selected_reference",
                    format!(
                        "[selected_reference] '{}' is not a {} of the remote repository",
                        patch.selected_reference,
                        kind.as_str().to_ascii_lowercase()
                    ),
                ));
            }
            Ok((seen, Some(revised)))
        };
        let action = "gitsync_config.update";
        audited_write_prepared(
            &self.db,
            self.clock.as_ref(),
            ctx,
            action,
            "gitsync_config",
            prepare,
            |conn, checked| {
                let (seen, revised) = checked;
                let Some(revised) = revised else {
                    // A PATCH that changes nothing keeps the version.
                    return Ok(((), id.to_string()));
                };
                let written = rows::config(conn, realm, id)?.as_ref() == Some(seen)
                    && rows::update_config(
                        conn,
                        realm,
                        id,
                        seen.version,
                        revised.fields.fields(),
                        ctx.actor(),
                        self.clock.now(),
                    )?;
                committed(precondition, "configuration", id, seen.version, written)?;
                Ok(((), id.to_string()))
            },
        )?;
        self.config(ctx, id)
    }

    fn delete_config(&self, ctx: &RequestContext, id: Uuid, precondition: &Precondition) -> Result<(), GitsyncError> {
        ctx.require(REQUIREMENT)?;
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "gitsync_config.delete", "gitsync_config", |conn| {
            let current = self.existing_config(conn, realm, id)?;
            precondition.check("configuration", id, current.version)?;
            let removed = rows::delete_config(conn, realm, id, current.version)?;
            committed(precondition, "configuration", id, current.version, removed)?;
            Ok(((), id.to_string()))
        })
    }

    fn references(&self, ctx: &RequestContext, id: Uuid) -> Result<Vec<String>, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        let realm = ctx.realm.id;
        let row = self.db.read(|conn| self.existing_config(conn, realm, id))?;
        let remote = self.remote_of(realm, id, &row, references_failed)?;
        self.list(&remote, self.config.reference_type(row.synchronization()))
    }

    fn synchronize(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        commit: Option<String>,
    ) -> Result<Synchronization, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        self.run_synchronization(ctx, id, commit)
    }

    fn synchronizations(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        limit: i64,
    ) -> Result<Vec<Synchronization>, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        let realm = ctx.realm.id;
        self.db.read(|conn| {
            self.existing_instance(conn, realm, id)?;
            Ok(rows::syncs(conn, realm, id, limit.clamp(1, 1000))?)
        })
    }

    fn files(&self, ctx: &RequestContext, id: Uuid) -> Result<Vec<SyncedFile>, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        let realm = ctx.realm.id;
        self.db.read(|conn| {
            self.existing_instance(conn, realm, id)?;
            match rows::current_set(conn, realm, id)? {
                Some(set) => Ok(rows::files(conn, realm, id, set)?),
                None => Ok(Vec::new()),
            }
        })
    }

    fn file(&self, ctx: &RequestContext, id: Uuid, path: &str) -> Result<FileContent, GitsyncError> {
        ctx.require(REQUIREMENT)?;
        let realm = ctx.realm.id;
        let missing = || error::not_found(format!("No file '{path}' was synchronized for this instance"));
        // A synchronisation that finishes between reading the manifest and the object removes
        // the old set: read again from the new one.
        for _ in 0..3 {
            let found = self.db.read(|conn| -> Result<_, GitsyncError> {
                self.existing_instance(conn, realm, id)?;
                let Some(set) = rows::current_set(conn, realm, id)? else {
                    return Ok(None);
                };
                Ok(rows::file(conn, realm, id, set, path)?.map(|file| (set, file)))
            })?;
            let Some((set, file)) = found else {
                return Err(missing());
            };
            if let Some(bytes) = self.files.get(realm, id, set, path)? {
                return Ok(FileContent { file, bytes });
            }
        }
        Err(missing())
    }
}

/// A deleted realm loses its instances, configurations, history and files.
impl RealmLifecycle for GitsyncStore {
    fn domain(&self) -> &'static str {
        "gitsync"
    }

    fn realm_created(&self, _: &mut DbConnection, _: &RealmRef, _: Timestamp) -> Result<(), DbError> {
        Ok(())
    }

    fn realm_deleting(&self, conn: &mut DbConnection, realm: RealmId) -> Result<(), DbError> {
        schema::purge_realm(conn, realm)?;
        if let Err(err) = self.files.remove_realm(realm) {
            tracing::error!(%realm, error = %err, "the deleted realm's synchronized files could not all be removed");
        }
        Ok(())
    }
}
