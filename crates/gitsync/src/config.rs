//! How the gitsync domain is configured (`[gitsync]` in the gateway's settings).

use crate::files::FileStore;
use crate::git::GitLimits;
use crate::model::{ReferenceType, SynchronizationType};
use crate::remote::RemotePolicy;
use std::path::PathBuf;
use std::time::Duration;

/// The gitsync configuration.
#[derive(Debug, Clone)]
pub struct GitsyncConfig {
    /// Admit `file:` and loopback/private remotes (development and tests only).
    pub allow_local_remotes: bool,
    /// The references a `PRODUCTION` configuration offers (the document's environment variable).
    pub production_reference_type: ReferenceType,
    /// The references a `DEVELOPMENT` configuration offers.
    pub development_reference_type: ReferenceType,
    /// Bounds on git work.
    pub limits: GitLimits,
    /// Where synchronised files go; `None`: in memory (nothing survives a restart).
    pub files: Option<FileStore>,
    /// Where fetches unpack (the system temporary directory when `None`).
    pub scratch_dir: Option<PathBuf>,
}

impl Default for GitsyncConfig {
    fn default() -> Self {
        GitsyncConfig {
            allow_local_remotes: false,
            production_reference_type: ReferenceType::Tag,
            development_reference_type: ReferenceType::Branch,
            limits: GitLimits::default(),
            files: None,
            scratch_dir: None,
        }
    }
}

impl GitsyncConfig {
    /// The kind of reference a configuration of `synchronization` offers and fetches.
    pub fn reference_type(&self, synchronization: SynchronizationType) -> ReferenceType {
        match synchronization {
            SynchronizationType::Production => self.production_reference_type,
            SynchronizationType::Development => self.development_reference_type,
        }
    }

    /// Which remotes may be contacted.
    pub fn remote_policy(&self) -> RemotePolicy {
        RemotePolicy { allow_local: self.allow_local_remotes }
    }

    /// How long a synchronisation's lock lasts: the longest a synchronisation may take (its git
    /// work is stopped at [`GitLimits::timeout`]) plus a margin for storing the files. A lock
    /// whose holder crashed expires after this.
    pub fn lock_lease(&self) -> Duration {
        self.limits.timeout + Duration::from_secs(120)
    }
}
