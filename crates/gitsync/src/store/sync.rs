//! Synchronisation: the per-instance lock in the database, the fetch, and the atomic switch
//! to the new set of files.
//!
//! 1. The instance's lock row is taken (or taken over when its holder's lease expired); a
//!    second synchronisation, on any replica, is told one is running (409).
//! 2. The run is recorded as `RUNNING`; the remote is checked again (its name may resolve
//!    elsewhere now) and fetched at depth 1; the tree is read within the limits.
//! 3. The files go to object storage as a new set beside the current one.
//! 4. One transaction writes the new manifest, names the new set current, drops the old
//!    manifest and records the outcome. Only then is the old set removed from storage.
//!
//! Any failure before step 4 commits leaves the current files as they were, removes what was
//! written of the new set, and records the run as `FAILED` with its reason.

use super::{GitsyncStore, NO_CONFIG, rows, synchronization_failed};
use crate::error::{self, GitsyncError};
use crate::git::{self, Target};
use crate::model::{Outcome, SyncedFile, Synchronization, check_commit};
use portico_core::RealmId;
use portico_core::RequestContext;
use portico_core::audit::audited_write;
use portico_core::db::DbError;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// `sha256:<hex>` of `bytes`.
fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", portico_core::ids::hex(&Sha256::digest(bytes)))
}

/// The digest of a whole tree: over every path and content, in path order.
fn tree_digest(files: &[(String, Vec<u8>)]) -> String {
    let mut hasher = Sha256::new();
    for (path, bytes) in files {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    format!("sha256:{}", portico_core::ids::hex(&hasher.finalize()))
}

/// What a successful fetch stores.
struct Fetched {
    commit: String,
    manifest: Vec<SyncedFile>,
    bytes: i64,
    digest: String,
}

impl GitsyncStore {
    /// Takes the instance's lock; returns the holder id to release it with.
    pub(super) fn lock(&self, realm: RealmId, id: Uuid) -> Result<String, GitsyncError> {
        let holder = Uuid::new_v4().to_string();
        let now = self.clock.now();
        let expires = now.plus(time::Duration::try_from(self.config.lock_lease()).unwrap_or(time::Duration::HOUR));
        let taken = self
            .db
            .write_in(realm, |conn| rows::take_lock(conn, realm, id, &holder, now, expires).map_err(DbError::from));
        match taken {
            Ok(true) => Ok(holder),
            Ok(false) => Err(error::busy()),
            // Two first takers at once: the loser's insert breaks the primary key.
            Err(err) if err.is_unique_violation() => Err(error::busy()),
            Err(err) => Err(err.into()),
        }
    }

    /// Gives the lock back; a failure only delays the next synchronisation until the lease ends.
    pub(super) fn unlock(&self, realm: RealmId, id: Uuid, holder: &str) {
        if let Err(err) = self.db.write(|conn| rows::release_lock(conn, realm, id, holder).map_err(DbError::from)) {
            tracing::error!(%realm, instance = %id, error = %err, "a synchronization lock was not released; it expires");
        }
    }

    pub(super) fn run_synchronization(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        commit: Option<String>,
    ) -> Result<Synchronization, GitsyncError> {
        let realm = ctx.realm.id;
        if let Some(commit) = &commit {
            check_commit("commit_id", commit)?;
        }
        let row = self.db.read(|conn| self.existing_config(conn, realm, id))?;
        let target = match (&commit, &row.selected_reference) {
            (Some(commit), _) => Target::Commit(commit.to_ascii_lowercase()),
            (None, Some(reference)) => {
                Target::Reference(self.config.reference_type(row.synchronization()), reference.clone())
            }
            (None, None) => {
                return Err(GitsyncError::invalid(
                    "selected_reference",
                    "selected_reference field is required: select a reference first, or give a commit_id",
                ));
            }
        };
        let holder = self.lock(realm, id)?;
        let result = self.locked_synchronization(ctx, id, &row, &target);
        self.unlock(realm, id, &holder);
        result
    }

    fn locked_synchronization(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        row: &rows::ConfigRow,
        target: &Target,
    ) -> Result<Synchronization, GitsyncError> {
        let realm = ctx.realm.id;
        let mut sync = Synchronization {
            id: Uuid::now_v7(),
            reference: match target {
                Target::Reference(_, name) => Some(name.clone()),
                Target::Commit(_) => None,
            },
            requested_commit: match target {
                Target::Commit(commit) => Some(commit.clone()),
                Target::Reference(..) => None,
            },
            commit_id: None,
            file_count: 0,
            bytes: 0,
            digest: None,
            started_at: self.clock.now(),
            finished_at: None,
            outcome: Outcome::Running,
            error: None,
            requested_by: ctx.actor().to_owned(),
        };
        self.db.write_in(realm, |conn| rows::insert_sync(conn, realm, id, &sync).map_err(DbError::from))?;
        let fetched = self.fetch(realm, id, row, target, sync.id);
        let stored = fetched.and_then(|fetched| {
            sync.commit_id = Some(fetched.commit.clone());
            sync.file_count = fetched.manifest.len() as i64;
            sync.bytes = fetched.bytes;
            sync.digest = Some(fetched.digest.clone());
            sync.outcome = Outcome::Succeeded;
            sync.finished_at = Some(self.clock.now());
            self.switch(ctx, id, &sync, &fetched.manifest)
        });
        match stored {
            Ok(()) => Ok(sync),
            Err(err) => {
                let _ = self.files.remove_set(realm, id, sync.id);
                sync.outcome = Outcome::Failed;
                sync.finished_at = Some(self.clock.now());
                sync.error = Some(err.to_string());
                sync.commit_id = None;
                sync.file_count = 0;
                sync.bytes = 0;
                sync.digest = None;
                if let Err(record) =
                    self.db.write_in(realm, |conn| rows::finish_sync(conn, realm, &sync).map_err(DbError::from))
                {
                    tracing::error!(instance = %id, error = %record, "a failed synchronization could not be recorded");
                }
                Err(err)
            }
        }
    }

    /// Fetches the target and writes its files as set `set`.
    fn fetch(
        &self,
        realm: RealmId,
        id: Uuid,
        row: &rows::ConfigRow,
        target: &Target,
        set: Uuid,
    ) -> Result<Fetched, GitsyncError> {
        let remote = self.remote_of(realm, id, row, synchronization_failed)?;
        let snapshot = git::fetch_tree(&remote, target, &self.config.limits, self.config.scratch_dir.as_deref())
            .map_err(|err| synchronization_failed(err.0))?;
        let manifest: Vec<SyncedFile> = snapshot
            .files
            .iter()
            .map(|(path, bytes)| SyncedFile { path: path.clone(), size: bytes.len() as i64, digest: sha256(bytes) })
            .collect();
        let bytes = manifest.iter().map(|file| file.size).sum();
        let digest = tree_digest(&snapshot.files);
        self.files.put_set(realm, id, set, &snapshot.files)?;
        Ok(Fetched { commit: snapshot.commit, manifest, bytes, digest })
    }

    /// Names the new set current (one transaction), then removes the old one from storage.
    fn switch(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        sync: &Synchronization,
        manifest: &[SyncedFile],
    ) -> Result<(), GitsyncError> {
        let realm = ctx.realm.id;
        let previous =
            audited_write(&self.db, self.clock.as_ref(), ctx, "gitsync.synchronize", "gitsync_instance", |conn| {
                let previous = rows::current_set(conn, realm, id)?;
                rows::insert_files(conn, realm, id, sync.id, manifest)?;
                if !rows::set_current(conn, realm, id, sync.id)? {
                    return Err(error::not_found(NO_CONFIG));
                }
                if let Some(previous) = previous {
                    rows::delete_files(conn, realm, id, previous)?;
                }
                rows::finish_sync(conn, realm, sync)?;
                Ok((previous, id.to_string()))
            })?;
        if let Some(previous) = previous
            && let Err(err) = self.files.remove_set(realm, id, previous)
        {
            tracing::error!(instance = %id, error = %err, "the previous file set could not be removed from storage");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_digests_depend_on_paths_and_contents() {
        let a = vec![("a".to_owned(), b"1".to_vec()), ("b".to_owned(), b"2".to_vec())];
        let renamed = vec![("a".to_owned(), b"1".to_vec()), ("c".to_owned(), b"2".to_vec())];
        let moved = vec![("a1".to_owned(), Vec::new()), ("b".to_owned(), b"2".to_vec())];
        assert_eq!(tree_digest(&a), tree_digest(&a.clone()));
        assert_ne!(tree_digest(&a), tree_digest(&renamed));
        assert_ne!(tree_digest(&a), tree_digest(&moved));
        assert!(sha256(b"").starts_with("sha256:e3b0c442"));
    }
}
