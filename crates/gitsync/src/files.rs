//! Synchronised files: a directory on the local filesystem (under the data directory by
//! default), or any `object_store` store given by the embedder (S3-compatible ones, memory).
//!
//! Layout: `{realm}/{instance}/{set}/{path}`, where `set` is the id of the synchronisation that
//! stored the files. A synchronisation writes a new set beside the current one; the database
//! then names the new set current in one transaction, and only after that is the old set
//! removed. Readers resolve the current set first, so they never see a half-written one.
//!
//! The service's methods block; object storage is async. [`block_on`] runs its futures on the
//! caller's tokio runtime (from a blocking thread, as every service call is) or, for embedders
//! without one, on a private current-thread runtime.

use crate::error::{self, GitsyncError};
use futures_util::StreamExt;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use portico_core::RealmId;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// How many objects are written or removed at once.
const PARALLEL: usize = 16;

/// Runs `future` to completion from blocking code: on the caller's tokio runtime when there is
/// one (service calls run on its blocking threads), else on a private current-thread runtime.
pub fn block_on<T>(future: impl Future<Output = Result<T, GitsyncError>>) -> Result<T, GitsyncError> {
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        return handle.block_on(future);
    }
    static RUNTIME: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();
    match RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().ok()) {
        Some(runtime) => runtime.block_on(future),
        None => Err(error::storage("no async runtime could be started for object storage")),
    }
}

fn storage(err: object_store::Error) -> GitsyncError {
    error::storage(err.to_string())
}

/// Where synchronised files live.
#[derive(Clone)]
pub struct FileStore {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    /// A directory, written with plain file operations (see [`FileStore::local`]).
    Local(Arc<PathBuf>),
    /// Any `object_store` store: in memory, S3-compatible, ...
    Object(Arc<dyn ObjectStore>),
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            Backend::Local(dir) => write!(f, "FileStore({})", dir.display()),
            Backend::Object(store) => write!(f, "FileStore({store})"),
        }
    }
}

fn io(context: &str, path: &std::path::Path, err: std::io::Error) -> GitsyncError {
    error::storage(format!("{context} {}: {err}", path.display()))
}

/// Creates `dir` and its missing parents, readable by the owner only.
fn private_dir(dir: &std::path::Path) -> Result<(), GitsyncError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|err| io("cannot create", dir, err))
}

/// Writes `bytes` to a new file readable by the owner only.
fn private_file(file: &std::path::Path, bytes: &[u8]) -> Result<(), GitsyncError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(file)
        .and_then(|mut out| out.write_all(bytes))
        .map_err(|err| io("cannot write", file, err))
}

/// Where an S3-compatible store is and how to sign in to it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Settings {
    /// The bucket.
    pub bucket: String,
    /// The region (`us-east-1` for most self-hosted stores).
    pub region: String,
    /// The endpoint of a self-hosted store (`http://127.0.0.1:9000`); empty: AWS.
    pub endpoint: String,
    /// Access key id; empty: from the environment (`AWS_ACCESS_KEY_ID`, instance roles).
    pub access_key_id: String,
    /// Secret access key (never logged: `Debug` hides it).
    pub secret_access_key: String,
    /// Allow an `http://` endpoint.
    pub allow_http: bool,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// How many threads write a set to a local directory.
const LOCAL_WRITERS: usize = 2;

impl FileStore {
    /// Files under `dir` on the local filesystem (created when missing), in the same layout
    /// as in an object store. Each set is written once into a directory of its own that no
    /// reader knows of until the set becomes current, so files are written in place, not staged
    /// and renamed one by one as `object_store`'s `LocalFileSystem` does: on this kind of disk
    /// that halves the metadata operations of a synchronisation (docs/benchmarks.md).
    /// Directories are made `0700` and files `0600` whatever the umask, like the database and
    /// the sealing key: configuration may hold secrets.
    pub fn local(dir: &std::path::Path) -> Result<FileStore, GitsyncError> {
        private_dir(dir)?;
        let dir = std::fs::canonicalize(dir).map_err(|err| io("cannot resolve", dir, err))?;
        Ok(FileStore { backend: Backend::Local(Arc::new(dir)) })
    }

    /// Files in memory (tests and embedders that keep nothing).
    pub fn memory() -> FileStore {
        FileStore::new(Arc::new(object_store::memory::InMemory::new()))
    }

    /// Files in any object store (S3-compatible, ...).
    pub fn new(store: Arc<dyn ObjectStore>) -> FileStore {
        FileStore { backend: Backend::Object(store) }
    }

    /// Files in a bucket of an S3-compatible object store (feature `s3`).
    #[cfg(feature = "s3")]
    pub fn s3(settings: &S3Settings) -> Result<FileStore, GitsyncError> {
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_allow_http(settings.allow_http);
        if !settings.endpoint.is_empty() {
            // A self-hosted store (MinIO, Ceph, ...): buckets as path segments.
            builder = builder.with_endpoint(&settings.endpoint).with_virtual_hosted_style_request(false);
        }
        if !settings.access_key_id.is_empty() {
            builder =
                builder.with_access_key_id(&settings.access_key_id).with_secret_access_key(&settings.secret_access_key);
        }
        Ok(FileStore::new(Arc::new(builder.build().map_err(storage)?)))
    }

    fn local_path(dir: &std::path::Path, parts: &[String], path: Option<&str>) -> PathBuf {
        let mut full = dir.to_path_buf();
        full.extend(parts);
        if let Some(path) = path {
            full.extend(path.split('/'));
        }
        full
    }

    fn local_put(dir: &std::path::Path, set: &[String], files: &[(String, Vec<u8>)]) -> Result<(), GitsyncError> {
        let root = Self::local_path(dir, set, None);
        // Directories first, once each (paths are checked: no `..`, no empty part).
        let mut parents: Vec<PathBuf> = files
            .iter()
            .filter_map(|(path, _)| Self::local_path(&root, &[], Some(path)).parent().map(PathBuf::from))
            .collect();
        parents.sort();
        parents.dedup();
        for parent in &parents {
            private_dir(parent)?;
        }
        let chunk = files.len().div_ceil(LOCAL_WRITERS).max(1);
        std::thread::scope(|scope| {
            let writers: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    let root = &root;
                    scope.spawn(move || -> Result<(), GitsyncError> {
                        for (path, bytes) in part {
                            let file = Self::local_path(root, &[], Some(path));
                            private_file(&file, bytes)?;
                        }
                        Ok(())
                    })
                })
                .collect();
            writers
                .into_iter()
                .try_for_each(|writer| writer.join().unwrap_or_else(|_| Err(error::storage("a writer thread failed"))))
        })
    }

    fn local_remove(dir: &std::path::Path, parts: &[String]) -> Result<(), GitsyncError> {
        let target = Self::local_path(dir, parts, None);
        match std::fs::remove_dir_all(&target) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(io("cannot remove", &target, err)),
        }
    }

    fn local_objects(
        dir: &std::path::Path,
        under: &std::path::Path,
        found: &mut Vec<String>,
    ) -> Result<(), GitsyncError> {
        let entries = match std::fs::read_dir(under) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(io("cannot list", under, err)),
        };
        for entry in entries {
            let entry = entry.map_err(|err| io("cannot list", under, err))?;
            let path = entry.path();
            if entry.file_type().map_err(|err| io("cannot list", &path, err))?.is_dir() {
                Self::local_objects(dir, &path, found)?;
            } else if let Ok(relative) = path.strip_prefix(dir) {
                found.push(relative.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/"));
            }
        }
        Ok(())
    }

    fn location(realm: RealmId, instance: Uuid, set: Uuid, path: &str) -> StorePath {
        let mut parts = vec![realm.to_string(), instance.to_string(), set.to_string()];
        parts.extend(path.split('/').map(str::to_owned));
        StorePath::from_iter(parts)
    }

    /// Writes a set; on failure removes what it wrote and reports the failure.
    pub fn put_set(
        &self,
        realm: RealmId,
        instance: Uuid,
        set: Uuid,
        files: &[(String, Vec<u8>)],
    ) -> Result<(), GitsyncError> {
        let store = match &self.backend {
            Backend::Local(dir) => {
                let parts = [realm.to_string(), instance.to_string(), set.to_string()];
                let written = Self::local_put(dir, &parts, files);
                if written.is_err() {
                    Self::local_remove(dir, &parts)?;
                }
                return written;
            }
            Backend::Object(store) => store,
        };
        let written = block_on(async {
            let puts = files.iter().map(|(path, bytes)| {
                let location = Self::location(realm, instance, set, path);
                let payload = PutPayload::from(bytes.clone());
                let store = store.clone();
                async move { store.put(&location, payload).await.map(|_| ()) }
            });
            let results: Vec<object_store::Result<()>> =
                futures_util::stream::iter(puts).buffer_unordered(PARALLEL).collect().await;
            Ok(results.into_iter().collect::<object_store::Result<()>>())
        })?;
        if let Err(err) = written {
            self.remove_set(realm, instance, set)?;
            return Err(storage(err));
        }
        Ok(())
    }

    /// The content of `path` in a set, if it is there.
    pub fn get(&self, realm: RealmId, instance: Uuid, set: Uuid, path: &str) -> Result<Option<Vec<u8>>, GitsyncError> {
        let store = match &self.backend {
            Backend::Local(dir) => {
                let parts = [realm.to_string(), instance.to_string(), set.to_string()];
                let file = Self::local_path(dir, &parts, Some(path));
                return match std::fs::read(&file) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(err) => Err(io("cannot read", &file, err)),
                };
            }
            Backend::Object(store) => store,
        };
        let location = Self::location(realm, instance, set, path);
        block_on(async {
            match store.get(&location).await {
                Ok(found) => found.bytes().await.map(|bytes| Some(bytes.to_vec())).map_err(storage),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(err) => Err(storage(err)),
            }
        })
    }

    /// Removes one set.
    pub fn remove_set(&self, realm: RealmId, instance: Uuid, set: Uuid) -> Result<(), GitsyncError> {
        self.remove_prefix(&[realm.to_string(), instance.to_string(), set.to_string()])
    }

    /// Removes every file of an instance.
    pub fn remove_instance(&self, realm: RealmId, instance: Uuid) -> Result<(), GitsyncError> {
        self.remove_prefix(&[realm.to_string(), instance.to_string()])
    }

    /// Removes every file of a realm.
    pub fn remove_realm(&self, realm: RealmId) -> Result<(), GitsyncError> {
        self.remove_prefix(&[realm.to_string()])
    }

    fn remove_prefix(&self, parts: &[String]) -> Result<(), GitsyncError> {
        let store = match &self.backend {
            Backend::Local(dir) => return Self::local_remove(dir, parts),
            Backend::Object(store) => store,
        };
        let prefix = StorePath::from_iter(parts.iter().map(String::as_str));
        block_on(async {
            let locations = store.list(Some(&prefix)).map(|meta| meta.map(|meta| meta.location)).boxed();
            let removed: Vec<object_store::Result<StorePath>> = store.delete_stream(locations).collect().await;
            for result in removed {
                match result {
                    Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(err) => return Err(storage(err)),
                }
            }
            Ok(())
        })
    }

    /// Every stored object under `realm` (or everything), as `realm/instance/set/path`.
    pub fn objects(&self, realm: Option<RealmId>) -> Result<Vec<String>, GitsyncError> {
        let store = match &self.backend {
            Backend::Local(dir) => {
                let under = match realm {
                    Some(realm) => dir.join(realm.to_string()),
                    None => dir.to_path_buf(),
                };
                let mut found = Vec::new();
                Self::local_objects(dir, &under, &mut found)?;
                found.sort();
                return Ok(found);
            }
            Backend::Object(store) => store,
        };
        let prefix = realm.map(|realm| StorePath::from_iter([realm.to_string()]));
        block_on(async {
            let listed: Vec<object_store::Result<object_store::ObjectMeta>> =
                store.list(prefix.as_ref()).collect().await;
            let mut names = Vec::with_capacity(listed.len());
            for meta in listed {
                names.push(meta.map_err(storage)?.location.to_string());
            }
            names.sort();
            Ok(names)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_written_read_and_removed() -> Result<(), GitsyncError> {
        let dir = tempfile::tempdir().map_err(|e| error::storage(e.to_string()))?;
        check_store(FileStore::local(dir.path())?)?;
        check_store(FileStore::memory())
    }

    #[test]
    fn local_files_are_private_to_the_owner_whatever_the_umask() -> Result<(), GitsyncError> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().map_err(|e| error::storage(e.to_string()))?;
        let root = dir.path().join("objects");
        let store = FileStore::local(&root)?;
        let (realm, instance, set) = (RealmId::new(Uuid::from_u128(1)), Uuid::from_u128(2), Uuid::from_u128(3));
        store.put_set(realm, instance, set, &[("conf/app.yml".to_owned(), b"secret: x".to_vec())])?;
        let mode = |path: &std::path::Path| std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).ok();
        let set_dir = root.join(realm.to_string()).join(instance.to_string()).join(set.to_string());
        assert_eq!(mode(&root), Some(0o700));
        assert_eq!(mode(&set_dir.join("conf")), Some(0o700));
        assert_eq!(mode(&set_dir.join("conf/app.yml")), Some(0o600));
        Ok(())
    }

    fn check_store(store: FileStore) -> Result<(), GitsyncError> {
        let realm = RealmId::new(Uuid::from_u128(1));
        let (instance, set) = (Uuid::from_u128(2), Uuid::from_u128(3));
        let files = vec![("a.json".to_owned(), b"{}".to_vec()), ("dir/b b.txt".to_owned(), b"hello".to_vec())];
        store.put_set(realm, instance, set, &files)?;
        assert_eq!(store.get(realm, instance, set, "dir/b b.txt")?, Some(b"hello".to_vec()));
        assert_eq!(store.get(realm, instance, set, "missing")?, None);
        assert_eq!(store.objects(Some(realm))?.len(), 2);
        store.remove_set(realm, instance, set)?;
        assert!(store.objects(None)?.is_empty());
        Ok(())
    }
}
