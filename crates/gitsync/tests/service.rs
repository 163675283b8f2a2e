//! The gitsync service without HTTP: migrations, the lock's lease, realm deletion, and the core
//! database guarantees its background writes and listings rely on (realm held, one snapshot).
#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

use portico_core::hooks::RealmHooks;
use portico_core::seal::Sealer;
use portico_core::testing::{TestDatabase, assert_migrations_reversible, assert_schema_matches, denied};
use portico_core::time::{Clock, ManualClock};
use portico_core::{ErrorKind, RealmRef, RequestContext, error::DomainError};
use portico_gitsync::config::GitsyncConfig;
use portico_gitsync::files::FileStore;
use portico_gitsync::model::{AuthenticationType, ConfigDraft, ConfigPatch, SynchronizationType};
use portico_gitsync::service::GitsyncService;
use portico_gitsync::store::{GitsyncStore, rows};
use portico_gitsync::testing::TestRepo;
use portico_identity::testing::TestRealms;
use std::sync::Arc;
use uuid::Uuid;

const SETS: [&portico_core::db::Migrations; 3] =
    [&portico_core::db::MIGRATIONS, &portico_identity::MIGRATIONS, &portico_gitsync::MIGRATIONS];

struct Fixture {
    store: Arc<GitsyncStore>,
    files: FileStore,
    clock: Arc<ManualClock>,
    realms: TestRealms,
    db: TestDatabase,
}

fn fixture() -> Fixture {
    let db = TestDatabase::migrated(&SETS);
    let files = FileStore::memory();
    let clock = Arc::new(ManualClock::new(portico_core::time::SystemClock.now()));
    let config = GitsyncConfig { allow_local_remotes: true, files: Some(files.clone()), ..Default::default() };
    let store = Arc::new(GitsyncStore::new(db.database(), Sealer::generate(), clock.clone(), config));
    let hooks = RealmHooks::new();
    hooks.add_lifecycle(store.clone());
    let realms = TestRealms::open(&db.database(), hooks);
    Fixture { store, files, clock, realms, db }
}

fn caller(realm: &RealmRef) -> RequestContext {
    TestRealms::caller(realm, &["css_configuration"])
}

/// An instance of `realm` configured on `repo` with `master` selected.
fn configured(f: &Fixture, ctx: &RequestContext, repo: &TestRepo) -> Uuid {
    let id = Uuid::new_v4();
    let draft = ConfigDraft {
        remote_url: repo.file_url(),
        authentication_type: AuthenticationType::None,
        credentials: None,
        synchronization_type: SynchronizationType::Development,
    };
    f.store.create_config(ctx, id, draft).unwrap();
    let patch = ConfigPatch { selected_reference: "master".into(), ..Default::default() };
    f.store.update_config(ctx, id, patch, &Default::default()).unwrap();
    id
}

#[test]
fn migrations_are_reversible_and_match_their_declarations() {
    assert_migrations_reversible(&SETS);
    let f = fixture();
    let mut conn = f.db.database().conn().unwrap();
    assert_schema_matches(&mut conn, &portico_gitsync::store::declared_tables());
}

#[test]
fn a_crashed_holders_lock_expires_after_its_lease() {
    let f = fixture();
    let acme = caller(&f.realms.create("acme"));
    let repo = TestRepo::new();
    let id = configured(&f, &acme, &repo);
    // A replica took the lock and died.
    let now = f.clock.now();
    let lease = GitsyncConfig::default().lock_lease();
    let until = now.plus(time::Duration::try_from(lease).unwrap());
    f.db.database()
        .write(|conn| {
            rows::take_lock(conn, acme.realm.id, id, "crashed-replica", now, until).map_err(portico_core::DbError::from)
        })
        .unwrap();
    let busy = f.store.synchronize(&acme, id, None).unwrap_err();
    assert_eq!(busy.kind(), ErrorKind::Conflict);
    f.clock.advance(time::Duration::try_from(lease).unwrap() + time::Duration::SECOND);
    let sync = f.store.synchronize(&acme, id, None).unwrap();
    assert_eq!(sync.file_count, 1);
    // Released: the next one runs at once.
    assert!(f.store.synchronize(&acme, id, None).is_ok());
}

#[test]
fn deleting_a_realm_removes_its_instances_and_files_only() {
    let f = fixture();
    let acme_realm = f.realms.create("acme");
    let acme = caller(&acme_realm);
    let globex = caller(&f.realms.create("globex"));
    let repo = TestRepo::new();
    let ours = configured(&f, &acme, &repo);
    let theirs = configured(&f, &globex, &repo);
    f.store.synchronize(&acme, ours, None).unwrap();
    f.store.synchronize(&globex, theirs, None).unwrap();
    assert_eq!(f.files.objects(None).unwrap().len(), 2);
    f.realms.delete(&acme_realm);
    assert_eq!(f.files.objects(None).unwrap().len(), 1);
    assert_eq!(f.files.objects(Some(globex.realm.id)).unwrap().len(), 1);
    assert_eq!(f.store.files(&globex, theirs).unwrap().len(), 1);
}

#[test]
fn a_write_outside_a_request_holds_its_realm_and_finds_a_deleted_one_gone() {
    let test_db = TestDatabase::migrated(&SETS);
    let db = test_db.database();
    let realms = TestRealms::open(&db, RealmHooks::new());
    let realm = realms.create("acme");
    let ctx = TestRealms::caller(&realm, &[]);
    let record = |conn: &mut portico_core::DbConnection| {
        let now = Clock::now(&*Arc::new(portico_core::time::SystemClock));
        portico_core::audit::record(conn, &ctx, now, "worker.write", "test", "x", "SUCCESS", None)
            .map_err(portico_core::DbError::from)
    };
    db.write_in(realm.id, record).unwrap();
    realms.delete(&realm);
    let refused = db.write_in(realm.id, record).unwrap_err();
    assert!(matches!(refused, portico_core::DbError::RealmGone(id) if id == realm.id), "{refused}");
    let left = db.read(|conn| portico_core::audit::recent(conn, realm.id, 10).map_err(portico_core::DbError::from));
    // The audit trail outlives its realm; the refused write added nothing to it.
    assert_eq!(left.unwrap().len(), 1, "only the write made while the realm existed");
}

#[test]
fn racing_configuration_changes_all_succeed_and_are_audited_once_each() {
    let f = fixture();
    let realm = f.realms.create("acme");
    let ctx = caller(&realm);
    let repo = TestRepo::new();
    repo.commit("one", &[("a.json", "{}")], false);
    repo.commit("two", &[("b.json", "{}")], false);
    let id = configured(&f, &ctx, &repo);
    let audited = |outcome: &str| {
        let events =
            f.db.database()
                .read(|conn| portico_core::audit::recent(conn, realm.id, 1000).map_err(portico_core::DbError::from));
        events.unwrap().iter().filter(|e| e.action == "gitsync_config.update" && e.outcome == outcome).count()
    };
    let (successes, version) = (audited("SUCCESS"), rows::config(&mut f.db.database().conn().unwrap(), realm.id, id));
    let version = version.unwrap().unwrap().version;
    // Two writers alternate the selected branch; each change checks the remote's references
    // outside the transaction, so the other often writes in between.
    let changes = 8;
    let outcomes: Vec<bool> = std::thread::scope(|scope| {
        let writers: Vec<_> = [["one", "master"], ["two", "master"]]
            .into_iter()
            .map(|branches| {
                let (store, ctx) = (&f.store, &ctx);
                scope.spawn(move || {
                    (0..changes)
                        .map(|i| {
                            let patch =
                                ConfigPatch { selected_reference: branches[i % 2].into(), ..Default::default() };
                            store.update_config(ctx, id, patch, &Default::default()).is_ok()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers.into_iter().flat_map(|writer| writer.join().unwrap()).collect()
    });
    assert!(outcomes.iter().all(|ok| *ok), "an unconditional change never fails because another raced it");
    assert_eq!(audited("SUCCESS") - successes, 2 * changes, "one SUCCESS per change, none for a lost race");
    assert_eq!(audited("FAIL"), 0);
    let now = rows::config(&mut f.db.database().conn().unwrap(), realm.id, id).unwrap().unwrap().version;
    assert!(now > version && now - version <= 2 * changes as i64, "at most one version per change: {version} → {now}");
}

#[test]
fn reads_in_one_snapshot_do_not_see_a_write_committed_between_them() {
    use portico_core::DbError;
    use portico_core::db::counters;
    let test_db = TestDatabase::migrated(&SETS);
    let db = test_db.database();
    let realm = portico_core::RealmId::from(Uuid::new_v4());
    let (before, after) = db
        .snapshot(|conn| {
            let before = counters::get(conn, realm, "things")?;
            // Another connection commits between the two reads (a page and its total).
            db.write(|other| counters::adjust(other, realm, "things", 1).map_err(DbError::from))?;
            let after = counters::get(conn, realm, "things")?;
            Ok::<_, DbError>((before, after))
        })
        .unwrap();
    assert_eq!((before, after), (0, 0), "both reads see the snapshot");
    assert_eq!(db.read(|conn| counters::get(conn, realm, "things").map_err(DbError::from)).unwrap(), 1);
}

#[test]
fn every_gitsync_operation_needs_the_configuration_scope_or_role_at_the_service() {
    let f = fixture();
    let realm = f.realms.create("acme");
    let repo = TestRepo::new();
    repo.commit("master", &[("app.json", "{}")], false);
    let allowed = caller(&realm);
    let id = configured(&f, &allowed, &repo);
    let draft = || ConfigDraft {
        remote_url: repo.file_url(),
        authentication_type: AuthenticationType::None,
        credentials: None,
        synchronization_type: SynchronizationType::Development,
    };
    let refusals = |ctx: &RequestContext| -> Vec<(&str, bool)> {
        let store = &f.store;
        let patch = ConfigPatch { selected_reference: "master".into(), ..Default::default() };
        vec![
            ("instances", denied(store.instances(ctx))),
            ("instance", denied(store.instance(ctx, id))),
            ("config", denied(store.config(ctx, id))),
            ("references", denied(store.references(ctx, id))),
            ("synchronizations", denied(store.synchronizations(ctx, id, 10))),
            ("files", denied(store.files(ctx, id))),
            ("file", denied(store.file(ctx, id, "app.json"))),
            ("update_config", denied(store.update_config(ctx, id, patch, &Default::default()))),
            ("synchronize", denied(store.synchronize(ctx, id, None))),
            ("create_config", denied(store.create_config(ctx, Uuid::new_v4(), draft()))),
            ("delete_config", denied(store.delete_config(ctx, id, &Default::default()))),
            ("delete_instance", denied(store.delete_instance(ctx, id))),
        ]
    };
    for (operation, refused) in refusals(&TestRealms::caller(&realm, &["TENANT_ADMIN"])) {
        assert!(refused, "{operation} let in a caller without css_configuration");
    }
    // With the role (or the scope), nothing is refused by authorization (the deletes run last).
    let mut scoped = TestRealms::caller(&realm, &[]);
    scoped.principal.scopes.insert("css_configuration".into());
    for ctx in [&scoped, &allowed] {
        let _ = f.store.create_config(ctx, id, draft());
        for (operation, refused) in refusals(ctx) {
            assert!(!refused, "{operation} refused a caller with css_configuration");
        }
    }
}
