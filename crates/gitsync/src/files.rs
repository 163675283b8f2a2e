//! Synchronised files in object storage (`object_store`): the local filesystem under the data
//! directory by default, or any store given by the embedder (S3-compatible ones included).
//!
//! Layout: `{realm}/{instance}/{set}/{path}`, where `set` is the id of the synchronisation that
//! stored the files. A synchronisation writes a new set beside the current one; the database
//! then names the new set current in one transaction, and only after that is the old set
//! removed. Readers resolve the current set first, so they never see a half-written one.
//!
//! The service's methods block; object storage is async. [`block_on`] runs its futures on the
//! caller's tokio runtime (from a blocking thread, as every service call is) or, for embedders
//! without one, on a private current-thread runtime.

use crate::error::GitsyncError;
use futures_util::StreamExt;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use portico_core::RealmId;
use std::future::Future;
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
        None => Err(GitsyncError::Storage("no async runtime could be started for object storage".into())),
    }
}

fn storage(err: object_store::Error) -> GitsyncError {
    GitsyncError::Storage(err.to_string())
}

/// Where synchronised files live.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.inner)
    }
}

impl FileStore {
    /// Files under `dir` on the local filesystem (created when missing).
    pub fn local(dir: &std::path::Path) -> Result<FileStore, GitsyncError> {
        std::fs::create_dir_all(dir)
            .map_err(|err| GitsyncError::Storage(format!("cannot create {}: {err}", dir.display())))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(storage)?;
        Ok(FileStore { inner: Arc::new(store.with_automatic_cleanup(true)) })
    }

    /// Files in memory (tests and embedders that keep nothing).
    pub fn memory() -> FileStore {
        FileStore { inner: Arc::new(object_store::memory::InMemory::new()) }
    }

    /// Files in any object store (S3-compatible, ...).
    pub fn new(store: Arc<dyn ObjectStore>) -> FileStore {
        FileStore { inner: store }
    }

    fn instance_prefix(realm: RealmId, instance: Uuid) -> StorePath {
        StorePath::from_iter([realm.to_string(), instance.to_string()])
    }

    fn set_prefix(realm: RealmId, instance: Uuid, set: Uuid) -> StorePath {
        StorePath::from_iter([realm.to_string(), instance.to_string(), set.to_string()])
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
        let written = block_on(async {
            let puts = files.iter().map(|(path, bytes)| {
                let location = Self::location(realm, instance, set, path);
                let payload = PutPayload::from(bytes.clone());
                let store = self.inner.clone();
                async move { store.put(&location, payload).await.map(|_| ()) }
            });
            let results: Vec<object_store::Result<()>> =
                futures_util::stream::iter(puts).buffer_unordered(PARALLEL).collect().await;
            Ok(results.into_iter().collect::<object_store::Result<()>>())
        })?;
        if let Err(err) = written {
            self.remove_prefix(&Self::set_prefix(realm, instance, set))?;
            return Err(storage(err));
        }
        Ok(())
    }

    /// The content of `path` in a set, if it is there.
    pub fn get(&self, realm: RealmId, instance: Uuid, set: Uuid, path: &str) -> Result<Option<Vec<u8>>, GitsyncError> {
        let location = Self::location(realm, instance, set, path);
        block_on(async {
            match self.inner.get(&location).await {
                Ok(found) => found.bytes().await.map(|bytes| Some(bytes.to_vec())).map_err(storage),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(err) => Err(storage(err)),
            }
        })
    }

    /// Removes one set.
    pub fn remove_set(&self, realm: RealmId, instance: Uuid, set: Uuid) -> Result<(), GitsyncError> {
        self.remove_prefix(&Self::set_prefix(realm, instance, set))
    }

    /// Removes every file of an instance.
    pub fn remove_instance(&self, realm: RealmId, instance: Uuid) -> Result<(), GitsyncError> {
        self.remove_prefix(&Self::instance_prefix(realm, instance))
    }

    /// Removes every file of a realm.
    pub fn remove_realm(&self, realm: RealmId) -> Result<(), GitsyncError> {
        self.remove_prefix(&StorePath::from_iter([realm.to_string()]))
    }

    fn remove_prefix(&self, prefix: &StorePath) -> Result<(), GitsyncError> {
        block_on(async {
            let locations = self.inner.list(Some(prefix)).map(|meta| meta.map(|meta| meta.location)).boxed();
            let removed: Vec<object_store::Result<StorePath>> = self.inner.delete_stream(locations).collect().await;
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
        let prefix = realm.map(|realm| StorePath::from_iter([realm.to_string()]));
        block_on(async {
            let listed: Vec<object_store::Result<object_store::ObjectMeta>> =
                self.inner.list(prefix.as_ref()).collect().await;
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
        let dir = tempfile::tempdir().map_err(|e| GitsyncError::Storage(e.to_string()))?;
        let store = FileStore::local(dir.path())?;
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
