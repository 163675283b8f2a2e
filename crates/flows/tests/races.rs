//! Writes that asked for no precondition never fail because another write won (DESIGN.md,
//! "concurrent writes"), at the service boundary as an embedder meets it: 30 writers at once,
//! each on a connection of its own, on one secret key and one resource id that do not exist
//! yet. On PostgreSQL (`PORTICO_TEST_POSTGRES_URL`) they truly run at once; optimistic retries
//! alone gave some of them a 409 there.
#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

use portico_core::db::{Database, PoolOptions};
use portico_core::hooks::RealmHooks;
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::SystemClock;
use portico_core::write::Precondition;
use portico_core::{RealmRef, RequestContext};
use portico_flows::resources::{ResourceType, ResourceWrite};
use portico_flows::secrets::{SecretType, SecretWrite};
use portico_flows::service::FlowsService;
use portico_flows::store::FlowsStore;
use portico_identity::testing::TestRealms;
use std::sync::{Arc, Barrier};

const WRITERS: usize = 30;

fn caller(realm: &RealmRef) -> RequestContext {
    let mut ctx = TestRealms::caller(realm, &["Admin"]);
    ctx.principal.scopes.insert("management".into());
    ctx
}

/// Runs `write(i)` on `WRITERS` threads released at once; every one must succeed.
fn all_at_once<T: Send>(write: impl Fn(usize) -> Result<T, portico_core::CoreError> + Sync) -> Vec<T> {
    let barrier = Barrier::new(WRITERS);
    std::thread::scope(|scope| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|i| {
                let (barrier, write) = (&barrier, &write);
                scope.spawn(move || {
                    barrier.wait();
                    write(i)
                })
            })
            .collect();
        writers
            .into_iter()
            .map(|writer| {
                writer.join().unwrap().unwrap_or_else(|e| panic!("a writer without a precondition failed: {e}"))
            })
            .collect()
    })
}

#[test]
fn thirty_writers_of_one_new_secret_and_one_new_resource_all_succeed() {
    let db = TestDatabase::migrated(&[
        &portico_core::db::MIGRATIONS,
        &portico_identity::MIGRATIONS,
        &portico_flows::MIGRATIONS,
    ]);
    // A connection per writer, so nothing queues in the pool instead of in the database.
    let options = PoolOptions { max_connections: u32::try_from(WRITERS).unwrap() + 2, ..PoolOptions::default() };
    let database = Database::open(db.url(), &options).unwrap();
    let realms = TestRealms::open(&database, RealmHooks::new());
    let realm = realms.create("acme");
    let ctx = caller(&realm);
    let store = FlowsStore::new(database, Sealer::generate(), Arc::new(SystemClock));

    let created = all_at_once(|i| {
        let write = SecretWrite {
            kind: SecretType::Generic,
            value: serde_json::json!(format!("value {i}")),
            description: None,
        };
        store.put_secret(&ctx, "db-password", write).map(|(_, created)| created)
    });
    assert_eq!(created.iter().filter(|created| **created).count(), 1, "exactly one writer created it");
    assert_eq!(store.secret_versions(&ctx, "db-password").unwrap().len(), WRITERS, "every write is a version");

    let revisions = all_at_once(|i| {
        let content =
            format!(r#"{{"type": "record", "name": "Reading", "fields": [{{"name": "v{i}", "type": "long"}}]}}"#);
        let write = ResourceWrite { content, description: None };
        store
            .put_resource(&ctx, ResourceType::AvroSchema, "reading", write, &Precondition::none())
            .map(|(r, _)| r.revision)
    });
    let mut revisions = revisions;
    revisions.sort_unstable();
    assert_eq!(revisions, (1..=i64::try_from(WRITERS).unwrap()).collect::<Vec<_>>(), "one revision each, no gaps");
}
