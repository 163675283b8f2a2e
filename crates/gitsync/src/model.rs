//! Domain types of git-synced instance configuration: instances, their git configuration, the
//! references a configuration offers, synchronisations and the files they stored.

use crate::error::GitsyncError;
use portico_core::Timestamp;
use uuid::Uuid;

/// Longest accepted remote URL.
pub const MAX_URL: usize = 2048;
/// Longest accepted user name, reference name or commit id.
pub const MAX_NAME: usize = 255;
/// Longest accepted password or personal access token.
pub const MAX_PASSWORD: usize = 4096;

/// The answer to credentials sent with `authentication_type` `NONE` (POST and PATCH alike).
pub const NO_CREDENTIALS_WITH_NONE: &str = "username and password are only used with BASIC authentication_type";

/// How Portico authenticates to the git remote (`authentication_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthenticationType {
    /// Anonymous access.
    None,
    /// HTTP Basic with a user name and a password or personal access token.
    Basic,
}

impl AuthenticationType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthenticationType::None => "NONE",
            AuthenticationType::Basic => "BASIC",
        }
    }

    /// From the wire spelling (exact, as the document lists the values).
    pub fn parse(value: &str) -> Option<AuthenticationType> {
        match value {
            "NONE" => Some(AuthenticationType::None),
            "BASIC" => Some(AuthenticationType::Basic),
            _ => None,
        }
    }
}

/// Which references a configuration offers (`synchronization_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SynchronizationType {
    /// Released configuration: by default the remote's tags.
    Production,
    /// Work in progress: by default the remote's branches.
    Development,
}

impl SynchronizationType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SynchronizationType::Production => "PRODUCTION",
            SynchronizationType::Development => "DEVELOPMENT",
        }
    }

    /// From the wire spelling.
    pub fn parse(value: &str) -> Option<SynchronizationType> {
        match value {
            "PRODUCTION" => Some(SynchronizationType::Production),
            "DEVELOPMENT" => Some(SynchronizationType::Development),
            _ => None,
        }
    }
}

/// The kind of git reference a configuration selects from (`reference_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceType {
    /// `refs/tags/*`.
    Tag,
    /// `refs/heads/*`.
    Branch,
}

impl ReferenceType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceType::Tag => "TAG",
            ReferenceType::Branch => "BRANCH",
        }
    }

    /// From the wire (or settings) spelling, ignoring case.
    pub fn parse(value: &str) -> Option<ReferenceType> {
        match value.to_ascii_uppercase().as_str() {
            "TAG" => Some(ReferenceType::Tag),
            "BRANCH" => Some(ReferenceType::Branch),
            _ => None,
        }
    }

    /// The namespace of full reference names of this kind.
    pub fn prefix(self) -> &'static str {
        match self {
            ReferenceType::Tag => "refs/tags/",
            ReferenceType::Branch => "refs/heads/",
        }
    }
}

/// An instance (a customer's application instance). The first configuration saved for an
/// `instance_id` creates it; deleting it removes its configuration and synchronised files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The instance id.
    pub id: Uuid,
    /// When it came to exist.
    pub created_at: Timestamp,
}

/// An instance's git configuration. The password never leaves the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The instance.
    pub instance_id: Uuid,
    /// The remote repository.
    pub remote_url: String,
    /// How to authenticate to it.
    pub authentication_type: AuthenticationType,
    /// The user name for `BASIC`.
    pub username: Option<String>,
    /// The reference synchronisations fetch.
    pub selected_reference: Option<String>,
    /// Which references are offered.
    pub synchronization_type: SynchronizationType,
    /// The kind of reference offered (from settings, per synchronisation type).
    pub reference_type: ReferenceType,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// The latest synchronisation, if any ran.
    pub latest: Option<Synchronization>,
}

/// What `POST /api/v1/config/{instance_id}` saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDraft {
    /// The remote repository.
    pub remote_url: String,
    /// How to authenticate to it.
    pub authentication_type: AuthenticationType,
    /// `BASIC` credentials.
    pub credentials: Option<BasicCredentials>,
    /// Which references are offered.
    pub synchronization_type: SynchronizationType,
}

/// A user name and a password (or personal access token).
#[derive(Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    /// User name.
    pub username: String,
    /// Password or token (never logged: `Debug` hides it).
    pub password: String,
}

impl std::fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicCredentials").field("username", &self.username).finish_non_exhaustive()
    }
}

/// What `PATCH /api/v1/config/{instance_id}` changes. Absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigPatch {
    /// The reference to synchronise (required by the document).
    pub selected_reference: String,
    /// A new remote.
    pub remote_url: Option<String>,
    /// A new authentication type (`BASIC` needs both credentials in the same request).
    pub authentication_type: Option<AuthenticationType>,
    /// A new user name (with the password kept, when the type is not changed).
    pub username: Option<String>,
    /// A new password (with the user name kept, when the type is not changed).
    pub password: Option<String>,
    /// A new synchronisation type.
    pub synchronization_type: Option<SynchronizationType>,
}

/// How a synchronisation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Still running (or its holder crashed; its lock then expires).
    Running,
    /// The files were replaced by those of `commit_id`.
    Succeeded,
    /// Nothing changed; `error` says why.
    Failed,
}

impl Outcome {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Running => "RUNNING",
            Outcome::Succeeded => "SUCCEEDED",
            Outcome::Failed => "FAILED",
        }
    }

    /// From the stored spelling.
    pub fn parse(value: &str) -> Outcome {
        match value {
            "SUCCEEDED" => Outcome::Succeeded,
            "FAILED" => Outcome::Failed,
            _ => Outcome::Running,
        }
    }
}

/// One synchronisation of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synchronization {
    /// Its id.
    pub id: Uuid,
    /// The reference it fetched (`None` when a commit id was asked for).
    pub reference: Option<String>,
    /// The commit id the caller asked for, if any.
    pub requested_commit: Option<String>,
    /// The commit whose tree was stored.
    pub commit_id: Option<String>,
    /// How many files were stored.
    pub file_count: i64,
    /// Their total size.
    pub bytes: i64,
    /// SHA-256 over the sorted paths and contents (`sha256:<hex>`): equal trees, equal digests.
    pub digest: Option<String>,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
    /// How it ended.
    pub outcome: Outcome,
    /// Why it failed.
    pub error: Option<String>,
    /// Who asked for it.
    pub requested_by: String,
}

/// A file of an instance's current set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedFile {
    /// Path in the repository (`/`-separated).
    pub path: String,
    /// Size in bytes.
    pub size: i64,
    /// `sha256:<hex>` of the content.
    pub digest: String,
}

/// The content of one synchronised file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContent {
    /// The file's listing entry.
    pub file: SyncedFile,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> GitsyncError {
    GitsyncError::invalid(field, message)
}

/// Checks a free-text field: no control characters (PostgreSQL refuses NUL), at most `max`
/// characters.
pub fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), GitsyncError> {
    portico_core::text::check_field(field, value, max, false).map_err(|err| invalid(field, onegini_words(field, &err)))
}

/// Core's message about `field` in Onegini's spelling of field names (`[remote_url]`).
fn onegini_words(field: &str, err: &portico_core::CoreError) -> String {
    err.to_string().replace(&format!("'{field}'"), &format!("[{field}]"))
}

/// Checks a reference name as git does (`git check-ref-format`), so that nothing else reaches
/// a fetch: no `..`, `@{`, `\`, spaces, `~^:?*[`, no leading `-` or `/`, no empty component,
/// no component starting with `.` or ending with `.lock`.
pub fn check_reference(field: &'static str, name: &str) -> Result<(), GitsyncError> {
    portico_core::text::check_name(field, name, MAX_NAME).map_err(|err| invalid(field, onegini_words(field, &err)))?;
    let bad = name.is_empty()
        || name.starts_with('-')
        || name.starts_with('/')
        || name.ends_with('/')
        || name.ends_with('.')
        || name.contains("..")
        || name.contains("@{")
        || name == "@"
        || name.chars().any(|c| c.is_whitespace() || matches!(c, '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
        || name.split('/').any(|part| part.is_empty() || part.starts_with('.') || part.ends_with(".lock"));
    if bad {
        return Err(invalid(field, format!("[{field}] is not a valid git reference name")));
    }
    Ok(())
}

/// Checks a commit id: the full 40 hexadecimal digits (a fetch cannot ask for an abbreviation).
pub fn check_commit(field: &'static str, id: &str) -> Result<(), GitsyncError> {
    if id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(invalid(field, format!("[{field}] must be a full commit id of 40 hexadecimal digits")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_names_follow_git_rules() {
        for good in ["master", "release/1.0", "ERS-9", "v1.2.3", "feature/a_b"] {
            assert!(check_reference("selected_reference", good).is_ok(), "{good}");
        }
        for bad in [
            "", "-x", "/a", "a/", "a..b", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b", ".hidden", "a/.b",
            "x.lock", "a//b", "@", "a@{1}", "a\u{0}b", "end.",
        ] {
            assert!(check_reference("selected_reference", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn commit_ids_are_full_hex() {
        assert!(check_commit("commit_id", &"a".repeat(40)).is_ok());
        assert!(check_commit("commit_id", "abc123").is_err());
        assert!(check_commit("commit_id", &"g".repeat(40)).is_err());
    }

    #[test]
    fn enums_keep_their_wire_spelling() {
        assert_eq!(AuthenticationType::parse("BASIC"), Some(AuthenticationType::Basic));
        assert_eq!(AuthenticationType::parse("basic"), None);
        assert_eq!(SynchronizationType::parse("DEVELOPMENT").map(|s| s.as_str()), Some("DEVELOPMENT"));
        assert_eq!(ReferenceType::parse("branch"), Some(ReferenceType::Branch));
        assert_eq!(Outcome::parse(Outcome::Failed.as_str()), Outcome::Failed);
    }

    #[test]
    fn credentials_never_print_the_password() {
        let creds = BasicCredentials { username: "u".into(), password: "hunter2".into() };
        assert!(!format!("{creds:?}").contains("hunter2"));
    }
}
