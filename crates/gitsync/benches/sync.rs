//! Synchronising a repository of many files, against `git clone --depth 1` of the same
//! repository over the same transport, in the same run.
//!
//! ```sh
//! cargo bench -p portico-gitsync --bench sync            # BENCH_FILES=10000 BENCH_RUNS=5
//! ```
//!
//! Portico's side is the whole synchronisation through the service: the database lock, the
//! shallow fetch with gix, reading the tree, writing every file to object storage on the
//! local filesystem, the manifest, the switch to the new set and the removal of the previous
//! one. The baseline is `git clone --depth 1 --no-tags --branch master` into a fresh directory
//! (fetch and checkout of every file). Both read the repository served over a file path and
//! over smart HTTP (`git http-backend` on 127.0.0.1); medians of BENCH_RUNS runs, each started
//! on a settled disk (`sync`, then half a second).

#![expect(clippy::unwrap_used, reason = "a benchmark that cannot set up fails loudly")]

use portico_core::hooks::RealmHooks;
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::SystemClock;
use portico_gitsync::config::GitsyncConfig;
use portico_gitsync::files::FileStore;
use portico_gitsync::model::{AuthenticationType, ConfigDraft, ConfigPatch, SynchronizationType};
use portico_gitsync::service::GitsyncService;
use portico_gitsync::store::GitsyncStore;
use portico_gitsync::testing::{GitServer, ServerOptions, TestRepo};
use portico_identity::testing::TestRealms;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Lets the disk settle: dirty pages written out, earlier deletions done. Every timed run
/// starts from a quiet filesystem, whichever side it measures (file creation here costs from
/// 0.04 to 0.8 ms depending on what the disk is still doing).
fn settle() {
    let _ = Command::new("sync").status();
    std::thread::sleep(Duration::from_millis(500));
}

fn clone_depth_1(url: &str) -> Duration {
    let target = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let status = Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--no-tags", "--branch", "master", url])
        .arg(target.path().join("clone"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(status.success(), "git clone failed");
    elapsed
}

fn main() {
    let files = env("BENCH_FILES", 10_000);
    let runs = env("BENCH_RUNS", 5).max(1);
    let repo = TestRepo::new();
    let commit = repo.commit_many("master", files);
    let server = GitServer::start(repo.root(), ServerOptions::default());

    let db = TestDatabase::migrated(&[
        &portico_core::db::MIGRATIONS,
        &portico_identity::MIGRATIONS,
        &portico_gitsync::MIGRATIONS,
    ]);
    let objects = tempfile::tempdir().unwrap();
    let config = GitsyncConfig {
        allow_local_remotes: true,
        files: Some(FileStore::local(objects.path()).unwrap()),
        ..Default::default()
    };
    let store = Arc::new(GitsyncStore::new(db.database(), Sealer::generate(), Arc::new(SystemClock), config));
    let hooks = RealmHooks::new();
    hooks.add_lifecycle(store.clone());
    let realms = TestRealms::open(&db.database(), hooks);
    let ctx = TestRealms::caller(&realms.create("bench"), &["css_configuration"]);

    println!("{} files ({} with README), {runs} runs each, {:?}", files, files + 1, db.database().backend());
    println!("{:<8} {:>14} {:>14} {:>7}", "remote", "git clone -1", "synchronize", "ratio");
    for (transport, url) in [("file", repo.file_url()), ("http", server.url())] {
        let instance = uuid::Uuid::new_v4();
        let draft = ConfigDraft {
            remote_url: url.clone(),
            authentication_type: AuthenticationType::None,
            credentials: None,
            synchronization_type: SynchronizationType::Development,
        };
        store.create_config(&ctx, instance, draft).unwrap();
        let patch = ConfigPatch { selected_reference: "master".into(), ..Default::default() };
        store.update_config(&ctx, instance, patch, &Default::default()).unwrap();
        // Warm both (page cache, first-run costs), then alternate.
        clone_depth_1(&url);
        store.synchronize(&ctx, instance, None).unwrap();
        let (mut baseline, mut portico) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            settle();
            baseline.push(clone_depth_1(&url));
            settle();
            let started = Instant::now();
            let sync = store.synchronize(&ctx, instance, None).unwrap();
            portico.push(started.elapsed());
            assert_eq!(sync.commit_id.as_deref(), Some(commit.as_str()));
            assert_eq!(sync.file_count as usize, files + 1);
        }
        let (baseline, portico) = (median(baseline), median(portico));
        println!(
            "{transport:<8} {:>11.1} ms {:>11.1} ms {:>6.2}x",
            baseline.as_secs_f64() * 1000.0,
            portico.as_secs_f64() * 1000.0,
            portico.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}
