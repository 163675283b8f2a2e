//! Request and response bodies of the Onegini API, with the document's key names. Requests
//! are read field by field so that every missing or invalid field gets the document's own
//! description (`[remote_url] field is required`, ...).

use crate::error::GitsyncError;
use crate::model::{
    AuthenticationType, BasicCredentials, Config, ConfigDraft, ConfigPatch, Instance, SyncedFile, Synchronization,
    SynchronizationType,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/config/{instance_id}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateRequest {
    /// The remote url of the git repo.
    pub remote_url: Option<String>,
    /// `NONE` or `BASIC`.
    pub authentication_type: Option<String>,
    /// Required with `BASIC`.
    pub username: Option<String>,
    /// Required with `BASIC` (a password or personal access token).
    pub password: Option<String>,
    /// `PRODUCTION` or `DEVELOPMENT`.
    pub synchronization_type: Option<String>,
}

/// `PATCH /api/v1/config/{instance_id}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UpdateRequest {
    /// The git reference to synchronise (required).
    pub selected_reference: Option<String>,
    /// A new remote.
    pub remote_url: Option<String>,
    /// `NONE` or `BASIC`.
    pub authentication_type: Option<String>,
    /// With `BASIC`.
    pub username: Option<String>,
    /// With `BASIC`.
    pub password: Option<String>,
    /// `PRODUCTION` or `DEVELOPMENT`.
    pub synchronization_type: Option<String>,
}

/// `POST /api/v1/config/{instance_id}/synchronize` (the body is optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SynchronizeRequest {
    /// Synchronise this commit instead of the selected reference.
    pub commit_id: Option<String>,
}

fn present(value: Option<String>) -> Option<String> {
    value.filter(|value| !value.trim().is_empty())
}

fn authentication(value: Option<String>) -> Result<AuthenticationType, GitsyncError> {
    value
        .as_deref()
        .and_then(AuthenticationType::parse)
        .ok_or_else(|| GitsyncError::invalid("authentication_type", "Valid [authentication_type] field is required"))
}

fn synchronization(value: Option<String>) -> Result<SynchronizationType, GitsyncError> {
    value
        .as_deref()
        .and_then(SynchronizationType::parse)
        .ok_or_else(|| GitsyncError::invalid("synchronization_type", "Valid [synchronization_type] field is required"))
}

impl CreateRequest {
    /// The draft, or the document's description of the first problem.
    pub fn into_draft(self) -> Result<ConfigDraft, GitsyncError> {
        let remote_url = present(self.remote_url)
            .ok_or_else(|| GitsyncError::invalid("remote_url", "[remote_url] field is required"))?;
        let authentication_type = authentication(self.authentication_type)?;
        let credentials = match authentication_type {
            AuthenticationType::Basic => Some(BasicCredentials {
                username: present(self.username)
                    .ok_or_else(|| GitsyncError::invalid("username", "[username] field is required"))?,
                password: present(self.password)
                    .ok_or_else(|| GitsyncError::invalid("password", "[password] field is required"))?,
            }),
            // As PATCH answers: credentials with NONE are a mistake to report, not to drop.
            AuthenticationType::None if present(self.username).is_some() || present(self.password).is_some() => {
                return Err(GitsyncError::invalid("authentication_type", crate::model::NO_CREDENTIALS_WITH_NONE));
            }
            AuthenticationType::None => None,
        };
        let synchronization_type = synchronization(self.synchronization_type)?;
        Ok(ConfigDraft { remote_url, authentication_type, credentials, synchronization_type })
    }
}

impl UpdateRequest {
    /// The patch, or the document's description of the first problem.
    pub fn into_patch(self) -> Result<ConfigPatch, GitsyncError> {
        let selected_reference = present(self.selected_reference)
            .ok_or_else(|| GitsyncError::invalid("selected_reference", "selected_reference field is required"))?;
        let authentication_type = self.authentication_type.map(|value| authentication(Some(value))).transpose()?;
        if authentication_type == Some(AuthenticationType::Basic) {
            if present(self.username.clone()).is_none() {
                return Err(GitsyncError::invalid("username", "username field is required"));
            }
            if present(self.password.clone()).is_none() {
                return Err(GitsyncError::invalid("password", "password field is required"));
            }
        }
        let remote_url = match self.remote_url {
            Some(url) => Some(
                present(Some(url))
                    .ok_or_else(|| GitsyncError::invalid("remote_url", "[remote_url] field must not be empty"))?,
            ),
            None => None,
        };
        Ok(ConfigPatch {
            selected_reference: selected_reference.trim().to_owned(),
            remote_url,
            authentication_type,
            username: present(self.username),
            password: present(self.password),
            synchronization_type: self.synchronization_type.map(|value| synchronization(Some(value))).transpose()?,
        })
    }
}

/// A configuration as `GET` shows it (the password is never returned).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigBody {
    /// The remote url of the git repo.
    pub remote_url: String,
    /// `NONE` or `BASIC`.
    pub authentication_type: &'static str,
    /// The user name (with `BASIC`).
    pub username: Option<String>,
    /// The reference synchronisations fetch.
    pub selected_reference: Option<String>,
    /// `TAG` or `BRANCH`, from the server's settings for the synchronisation type.
    pub reference_type: &'static str,
    /// `PRODUCTION` or `DEVELOPMENT`.
    pub synchronization_type: &'static str,
    /// The latest synchronisation, or `null`.
    pub last_synchronization: Option<SynchronizationBody>,
}

impl From<Config> for ConfigBody {
    fn from(config: Config) -> Self {
        ConfigBody {
            remote_url: config.remote_url,
            authentication_type: config.authentication_type.as_str(),
            username: config.username,
            selected_reference: config.selected_reference,
            reference_type: config.reference_type.as_str(),
            synchronization_type: config.synchronization_type.as_str(),
            last_synchronization: config.latest.map(Into::into),
        }
    }
}

/// The configuration just created, with the references it offers (201).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedBody {
    /// The remote url of the git repo.
    pub remote_url: String,
    /// `NONE` or `BASIC`.
    pub authentication_type: &'static str,
    /// The user name (with `BASIC`).
    pub username: Option<String>,
    /// `null` until a reference is selected.
    pub selected_reference: Option<String>,
    /// `TAG` or `BRANCH`.
    pub reference_type: &'static str,
    /// `PRODUCTION` or `DEVELOPMENT`.
    pub synchronization_type: &'static str,
    /// The tags or branches of the remote.
    pub available_references: Vec<String>,
}

/// `GET /api/v1/reference/{instance_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferencesBody {
    /// The tags or branches of the remote, depending on the configuration's type.
    pub result: Vec<String>,
}

/// One synchronisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct SynchronizationBody {
    /// Its id.
    pub id: String,
    /// `RUNNING`, `SUCCEEDED` or `FAILED`.
    pub outcome: &'static str,
    /// The reference fetched (`null` when a commit was asked for).
    pub reference: Option<String>,
    /// The commit asked for.
    pub requested_commit_id: Option<String>,
    /// The commit whose files were stored.
    pub commit_id: Option<String>,
    /// How many files were stored.
    pub file_count: i64,
    /// Their total size in bytes.
    pub bytes: i64,
    /// `sha256:<hex>` over the sorted paths and contents.
    pub digest: Option<String>,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339, `null` while running.
    pub finished_at: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Who asked for it.
    pub requested_by: String,
}

impl From<Synchronization> for SynchronizationBody {
    fn from(sync: Synchronization) -> Self {
        SynchronizationBody {
            id: sync.id.to_string(),
            outcome: sync.outcome.as_str(),
            reference: sync.reference,
            requested_commit_id: sync.requested_commit,
            commit_id: sync.commit_id,
            file_count: sync.file_count,
            bytes: sync.bytes,
            digest: sync.digest,
            started_at: sync.started_at.rfc3339(),
            finished_at: sync.finished_at.map(|at| at.rfc3339()),
            error: sync.error,
            requested_by: sync.requested_by,
        }
    }
}

/// `GET /api/v1/config/{instance_id}/synchronizations`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SynchronizationsBody {
    /// Newest first.
    pub synchronizations: Vec<SynchronizationBody>,
}

/// One synchronised file.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileBody {
    /// Path in the repository.
    pub path: String,
    /// Size in bytes.
    pub size: i64,
    /// `sha256:<hex>` of the content.
    pub digest: String,
}

impl From<SyncedFile> for FileBody {
    fn from(file: SyncedFile) -> Self {
        FileBody { path: file.path, size: file.size, digest: file.digest }
    }
}

/// `GET /api/v1/config/{instance_id}/files`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FilesBody {
    /// By path.
    pub files: Vec<FileBody>,
}

/// `GET /api/v1/instance/{instance_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceBody {
    /// The instance.
    pub instance_id: String,
}

/// One entry of `GET /api/v1/instance`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceEntry {
    /// The instance.
    pub id: String,
}

impl From<Instance> for InstanceEntry {
    fn from(instance: Instance) -> Self {
        InstanceEntry { id: instance.id.to_string() }
    }
}

/// `GET /api/v1/instance`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstancesBody {
    /// By id.
    pub instances: Vec<InstanceEntry>,
}
