//! The git side, with `gix` (pure Rust; no `git` process except `git-upload-pack` for `file:`
//! remotes, which gix runs the way git does): list a remote's references, and fetch one
//! reference or commit shallowly (depth 1) and read its tree.
//!
//! Every function here blocks (network and disk): call it off the async executor. Each call
//! works in a scratch repository of its own that is removed afterwards; the repository is
//! opened *isolated* (no system or user git configuration: no credential helpers, no URL
//! rewrites, no prompts) and configured for bounded work: a connect timeout, a low-speed
//! abort, no HTTP redirects (a redirect could lead to an address the remote check refused),
//! and a watchdog that interrupts a fetch running past its deadline.

use crate::model::{BasicCredentials, ReferenceType};
use gix::bstr::ByteSlice;
use gix::remote::Direction;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Bounds on the work of one git operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GitLimits {
    /// Connecting to the remote.
    pub connect_timeout: Duration,
    /// The whole operation (listing or fetching and reading the tree).
    pub timeout: Duration,
    /// Total size of the files of a tree.
    pub max_bytes: u64,
    /// Number of files of a tree.
    pub max_files: usize,
}

impl Default for GitLimits {
    fn default() -> Self {
        GitLimits {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(300),
            max_bytes: 512 * 1024 * 1024,
            max_files: 50_000,
        }
    }
}

/// A remote to talk to: its (checked) URL, the credentials to offer and where to connect.
#[derive(Debug, Clone, Default)]
pub struct GitRemote {
    /// The URL, without credentials.
    pub url: String,
    /// Offered when the remote asks (`BASIC`); `None` refuses any request for credentials.
    pub credentials: Option<BasicCredentials>,
    /// The addresses the URL's host resolved to when it was checked
    /// ([`crate::remote::check_remote`]). HTTP connections go to these and nowhere else, so a
    /// name that resolves differently a moment later (DNS rebinding) cannot lead elsewhere.
    /// Empty: resolve as usual (`file:` remotes, tests).
    pub pinned: Vec<std::net::SocketAddr>,
}

impl GitRemote {
    /// How the HTTP transport is configured: no redirects (one could lead to an address the
    /// check refused), the connect timeout, an abort on stalled transfers, and the pinned
    /// addresses.
    fn http_options(&self, limits: &GitLimits) -> gix_transport::client::blocking_io::http::Options {
        use gix_transport::client::blocking_io::http::{Options, options::FollowRedirects, reqwest};
        let backend =
            url::Url::parse(&self.url).ok().and_then(|url| url.host_str().map(str::to_owned)).and_then(|host| {
                if self.pinned.is_empty() {
                    return None;
                }
                let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
                let addresses = self.pinned.clone();
                let configure: Box<reqwest::ConfigureClientFn> =
                    Box::new(move |builder: reqwest013::blocking::ClientBuilder| {
                        Ok(builder.resolve_to_addrs(&host, &addresses))
                    });
                let options = reqwest::Options { configure_client: Some(configure), configure_request: None };
                let backend: Arc<std::sync::Mutex<dyn std::any::Any + Send + Sync>> =
                    Arc::new(std::sync::Mutex::new(options));
                Some(backend)
            });
        Options {
            follow_redirects: FollowRedirects::None,
            low_speed_limit_bytes_per_second: 1024,
            low_speed_time_seconds: limits.timeout.as_secs().clamp(1, 60),
            connect_timeout: Some(limits.connect_timeout),
            user_agent: Some(concat!("portico/", env!("CARGO_PKG_VERSION")).to_owned()),
            backend,
            ..Options::default()
        }
    }

    fn is_http(&self) -> bool {
        self.url.starts_with("http://") || self.url.starts_with("https://")
    }
}

/// What to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The tip of a tag or branch.
    Reference(ReferenceType, String),
    /// A commit, by its full id.
    Commit(String),
}

/// The files of one commit, sorted by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The commit whose tree this is.
    pub commit: String,
    /// `(path, content)` of every regular file (symbolic links and submodules are left out).
    pub files: Vec<(String, Vec<u8>)>,
}

/// A failure of the remote or of the repository it served, described for the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GitError(pub String);

fn describe(err: &gix::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// What the caller is told when the remote or its repository failed, after what Portico was
/// doing (`could not fetch branch 'main'`): never the transport's own words (an HTTP status,
/// "connection refused", a TLS alert), which would make Portico a scanner of what answers at an
/// address; those go to the log.
pub const UNREADABLE: &str = "the repository could not be read (the server log has the details)";

fn failed(context: &str) -> impl FnOnce(gix::Error) -> GitError + '_ {
    move |err| {
        let text = describe(&err);
        // gix's words for "asked for credentials, and the callback had none to give".
        if text.contains("No credentials were returned") {
            return GitError("the remote requires authentication; configure BASIC credentials".to_owned());
        }
        tracing::warn!(error = %text, "git: {context}");
        GitError(format!("{context}: {UNREADABLE}"))
    }
}

/// In-memory configuration of every scratch repository. HTTP transports are configured by
/// [`GitRemote::http_options`] (redirects, timeouts, pinned addresses), not here.
const OVERRIDES: [&str; 4] =
    ["credential.interactive=false", "protocol.version=2", "user.name=Portico", "user.email=portico@localhost"];

fn open_options() -> gix::open::Options {
    gix::open::Options::isolated().config_overrides(OVERRIDES)
}

fn scratch() -> Result<tempfile::TempDir, GitError> {
    tempfile::Builder::new()
        .prefix("portico-git-")
        .tempdir()
        .map_err(|err| GitError(format!("could not create a scratch repository: {err}")))
}

/// The credentials callback: the configured account when the remote asks, nothing otherwise.
type CredentialsFn =
    Box<dyn FnMut(gix::credentials::helper::Action) -> gix::Result<Option<gix::credentials::protocol::Outcome>> + Send>;

fn credentials(remote: &GitRemote) -> CredentialsFn {
    let account = remote.credentials.clone();
    Box::new(move |action| match (action, &account) {
        (gix::credentials::helper::Action::Get(context), Some(account)) => {
            Ok(Some(gix::credentials::protocol::Outcome {
                identity: gix::sec::identity::Account {
                    username: account.username.clone(),
                    password: account.password.clone(),
                    oauth_refresh_token: None,
                },
                next: context.into(),
            }))
        }
        _ => Ok(None),
    })
}

/// Why a watchdog stopped a fetch.
const STOPPED_BY_TIME: u8 = 1;
const STOPPED_BY_SIZE: u8 = 2;

/// Sets `flag` when `timeout` passes or the scratch directory grows beyond `max_bytes` (what
/// the remote sends is bounded, not only what the tree holds), unless the returned guard is
/// dropped first.
struct Watchdog {
    done: Arc<AtomicBool>,
    reason: Arc<std::sync::atomic::AtomicU8>,
}

fn size_of(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => size_of(&entry.path()),
            Ok(_) => entry.metadata().map(|meta| meta.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}

impl Watchdog {
    fn start(flag: Arc<AtomicBool>, timeout: Duration, scratch: PathBuf, max_bytes: u64) -> Watchdog {
        let done = Arc::new(AtomicBool::new(false));
        let reason = Arc::new(std::sync::atomic::AtomicU8::new(0));
        let (finished, why) = (done.clone(), reason.clone());
        std::thread::spawn(move || {
            let step = Duration::from_millis(50);
            let mut waited = Duration::ZERO;
            while waited < timeout {
                if finished.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(step);
                waited += step;
                // The pack as it arrives, every 200 ms.
                if waited.as_millis().is_multiple_of(200) && size_of(&scratch) > max_bytes {
                    why.store(STOPPED_BY_SIZE, Ordering::Relaxed);
                    flag.store(true, Ordering::Relaxed);
                    return;
                }
            }
            why.store(STOPPED_BY_TIME, Ordering::Relaxed);
            flag.store(true, Ordering::Relaxed);
        });
        Watchdog { done, reason }
    }

    fn reason(&self) -> u8 {
        self.reason.load(Ordering::Relaxed)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

/// The names (without `refs/tags/` or `refs/heads/`) of the remote's references of `kind`,
/// sorted as git sorts them.
pub fn list_references(remote: &GitRemote, kind: ReferenceType, limits: &GitLimits) -> Result<Vec<String>, GitError> {
    let dir = scratch()?;
    let repo = gix::ThreadSafeRepository::init_opts(
        dir.path(),
        gix::create::Kind::Bare,
        gix::create::Options::default(),
        open_options(),
    )
    .map_err(failed("could not prepare a scratch repository"))?
    .to_thread_local();
    let prefix = kind.prefix();
    let remote_handle = repo
        .remote_at(remote.url.as_str())
        .map_err(failed("the remote URL is not usable"))?
        .with_fetch_tags(gix::remote::fetch::Tags::None)
        .with_refspecs([format!("+{prefix}*:{prefix}*").as_str()], Direction::Fetch)
        .map_err(failed("internal refspec"))?;
    let mut connection = remote_handle
        .connect(Direction::Fetch)
        .map_err(failed("could not connect"))?
        .with_credentials(credentials(remote));
    if remote.is_http() {
        connection.set_transport_options(Box::new(remote.http_options(limits)));
    }
    let (ref_map, _) = connection
        .ref_map(gix::progress::Discard, gix::remote::ref_map::Options::default())
        .map_err(failed("could not list the references"))?;
    let mut names: Vec<String> = ref_map
        .remote_refs
        .iter()
        .filter_map(|reference| {
            let (name, _, _) = reference.unpack();
            let name = name.to_str().ok()?;
            let short = name.strip_prefix(prefix)?;
            (!short.ends_with("^{}")).then(|| short.to_owned())
        })
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Fetches `target` at depth 1 into a scratch repository under `scratch_parent` (or the system
/// temporary directory) and reads every regular file of its tree, within `limits`.
pub fn fetch_tree(
    remote: &GitRemote,
    target: &Target,
    limits: &GitLimits,
    scratch_parent: Option<&Path>,
) -> Result<Snapshot, GitError> {
    let dir = match scratch_parent {
        Some(parent) => tempfile::Builder::new()
            .prefix("portico-git-")
            .tempdir_in(parent)
            .map_err(|err| GitError(format!("could not create a scratch repository: {err}")))?,
        None => scratch()?,
    };
    let interrupt = Arc::new(AtomicBool::new(false));
    let watchdog = Watchdog::start(interrupt.clone(), limits.timeout, dir.path().to_owned(), limits.max_bytes);
    let mut prepare = gix::clone::PrepareFetch::new(
        remote.url.as_str(),
        dir.path().join("repo"),
        gix::create::Kind::Bare,
        gix::create::Options::default(),
        open_options(),
    )
    .map_err(failed("could not prepare a scratch repository"))?
    .with_shallow(gix::remote::fetch::Shallow::DepthAtRemote(
        std::num::NonZeroU32::MIN, // depth 1
    ))
    .configure_remote(|remote| Ok(remote.with_fetch_tags(gix::remote::fetch::Tags::None)));
    let account = remote.clone();
    let http = remote.is_http().then(|| remote.http_options(limits));
    prepare = prepare.configure_connection(move |connection| {
        connection.set_credentials(credentials(&account));
        if let Some(http) = &http {
            connection.set_transport_options(Box::new(http.clone()));
        }
        Ok(())
    });
    prepare = match target {
        Target::Reference(kind, name) => prepare
            .with_ref_name(Some(format!("{}{name}", kind.prefix()).as_str()))
            .map_err(|_| GitError(format!("'{name}' is not a valid reference name")))?,
        Target::Commit(id) => {
            prepare.with_revision(Some(id.as_str())).map_err(|_| GitError(format!("'{id}' is not a commit id")))?
        }
    };
    let (repo, _) = prepare.fetch_only(gix::progress::Discard, &interrupt).map_err(|err| {
        if watchdog.reason() == STOPPED_BY_SIZE {
            GitError(format!(
                "the remote sent more than {} bytes, the most a synchronization may store; the fetch was stopped",
                limits.max_bytes
            ))
        } else if interrupt.load(Ordering::Relaxed) {
            GitError(format!("the fetch took longer than {} seconds and was stopped", limits.timeout.as_secs()))
        } else {
            let what = match target {
                Target::Reference(kind, name) => format!("{} '{name}'", kind.as_str().to_ascii_lowercase()),
                Target::Commit(id) => format!("commit '{id}'"),
            };
            failed(&format!("could not fetch {what}"))(err)
        }
    })?;
    read_tree(&repo, limits, &interrupt)
}

fn read_tree(repo: &gix::Repository, limits: &GitLimits, interrupt: &AtomicBool) -> Result<Snapshot, GitError> {
    let commit = repo.head_commit().map_err(failed("the fetched reference is not a commit"))?;
    let tree = commit.tree().map_err(failed("could not read the commit's tree"))?;
    let entries = tree.traverse().breadthfirst.files().map_err(failed("could not read the tree"))?;
    let mut files = Vec::new();
    let mut total: u64 = 0;
    for entry in entries.into_iter().filter(|entry| entry.mode.is_blob()) {
        if interrupt.load(Ordering::Relaxed) {
            return Err(GitError(format!("reading the tree took longer than {} seconds", limits.timeout.as_secs())));
        }
        if files.len() == limits.max_files {
            return Err(GitError(format!(
                "the repository holds more than {} files, the most a synchronization may store",
                limits.max_files
            )));
        }
        let path = entry
            .filepath
            .to_str()
            .map_err(|_| GitError(format!("the path {:?} is not UTF-8", entry.filepath)))?
            .to_owned();
        check_path(&path)?;
        let blob = repo.find_blob(entry.oid).map_err(failed("could not read a file"))?;
        total += blob.data.len() as u64;
        if total > limits.max_bytes {
            return Err(GitError(format!(
                "the repository's files are larger than {} bytes, the most a synchronization may store",
                limits.max_bytes
            )));
        }
        files.push((path, blob.detach().data));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Snapshot { commit: commit.id.to_hex().to_string(), files })
}

/// A tree path must stay inside the instance's folder: no empty, `.` or `..` component and no
/// control characters (git itself refuses such trees; a hostile server may still send one).
fn check_path(path: &str) -> Result<(), GitError> {
    let bad = path.is_empty()
        || path.chars().any(char::is_control)
        || path.split('/').any(|part| part.is_empty() || part == "." || part == ".." || part == ".git");
    if bad {
        return Err(GitError(format!("the repository holds a file at an unsafe path {path:?}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths_are_refused() {
        for bad in ["", "../x", "a/../b", "./a", "a//b", ".git/config", "a\u{1}b"] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
        assert!(check_path("config/app.json").is_ok());
    }
}
