//! The topic outbox over a real database (SQLite, or PostgreSQL with
//! `PORTICO_TEST_POSTGRES_URL`): one claimer per row across replicas, the newest change wins,
//! failures wait their turn, expired claims are taken over, realms stay apart.
#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

use portico_catalog::store::outbox::{self, Change, Wanted};
use portico_core::testing::TestDatabase;
use portico_core::time::{Clock, SystemClock};
use portico_core::{Database, DbError, RealmId, Timestamp};
use std::sync::{Arc, Barrier};
use uuid::Uuid;

const SETS: [&portico_core::db::Migrations; 2] = [&portico_core::db::MIGRATIONS, &portico_catalog::MIGRATIONS];

fn apply(partitions: i32) -> Wanted {
    Wanted::Apply { partitions, configs: vec![("retention.ms".into(), "1000".into())], removed: vec![] }
}

fn change(cluster: Uuid, topic: &str, wanted: Wanted) -> Change {
    Change { cluster, topic: topic.to_owned(), wanted }
}

fn later(now: Timestamp, seconds: i64) -> Timestamp {
    now.plus(time::Duration::seconds(seconds))
}

fn enqueue(db: &Database, realm: RealmId, change: &Change, now: Timestamp) {
    db.write(|conn| outbox::enqueue(conn, realm, change, now).map_err(DbError::from)).unwrap();
}

fn claim(db: &Database, key: (RealmId, Uuid, &str), holder: &str, now: Timestamp) -> Option<outbox::Claimed> {
    db.write(|conn| outbox::claim(conn, key, holder, now, later(now, 120)).map_err(DbError::from)).unwrap()
}

fn pending(db: &Database, realm: RealmId, cluster: Uuid, topic: &str) -> Vec<outbox::Pending> {
    db.read(|conn| outbox::pending(conn, realm, cluster, &[topic.to_owned()]).map_err(DbError::from)).unwrap()
}

fn due(db: &Database, now: Timestamp) -> Vec<(RealmId, Uuid, String)> {
    db.read(|conn| outbox::due(conn, now, 100).map_err(DbError::from)).unwrap()
}

#[test]
fn a_row_is_held_by_one_claimer_and_goes_once_its_revision_is_applied() {
    let db = TestDatabase::migrated(&SETS);
    let db = db.database();
    let (realm, cluster, now) = (RealmId::from(Uuid::new_v4()), Uuid::new_v4(), SystemClock.now());
    enqueue(&db, realm, &change(cluster, "t", apply(1)), now);
    enqueue(&db, realm, &change(cluster, "t", apply(3)), now);
    assert_eq!(due(&db, now).len(), 1, "one row per topic: the newest change replaced the first");

    let held = claim(&db, (realm, cluster, "t"), "a", now).expect("free");
    assert_eq!((held.revision, &held.change.wanted), (2, &apply(3)));
    assert!(claim(&db, (realm, cluster, "t"), "b", now).is_none(), "held by a");
    assert!(due(&db, now).is_empty(), "a held row is not due");
    db.write(|conn| outbox::done(conn, &held, "a").map_err(DbError::from)).unwrap();
    assert!(pending(&db, realm, cluster, "t").is_empty());
    assert!(claim(&db, (realm, cluster, "t"), "b", now).is_none(), "gone");
}

#[test]
fn a_change_made_while_the_row_was_held_stays_due_after_the_older_one_is_applied() {
    let db = TestDatabase::migrated(&SETS);
    let db = db.database();
    let (realm, cluster, now) = (RealmId::from(Uuid::new_v4()), Uuid::new_v4(), SystemClock.now());
    enqueue(&db, realm, &change(cluster, "t", apply(1)), now);
    let held = claim(&db, (realm, cluster, "t"), "a", now).unwrap();
    enqueue(&db, realm, &change(cluster, "t", Wanted::Delete), now);
    db.write(|conn| outbox::done(conn, &held, "a").map_err(DbError::from)).unwrap();

    let next = claim(&db, (realm, cluster, "t"), "b", now).expect("released and due");
    assert_eq!((next.revision, next.change.wanted), (2, Wanted::Delete));
}

#[test]
fn a_removed_config_waits_in_the_row_until_applied_even_when_newer_changes_replace_it() {
    let db = TestDatabase::migrated(&SETS);
    let db = db.database();
    let (realm, cluster, now) = (RealmId::from(Uuid::new_v4()), Uuid::new_v4(), SystemClock.now());
    let removing = |keys: &[&str], set: &[(&str, &str)]| Wanted::Apply {
        partitions: 1,
        configs: set.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        removed: keys.iter().map(|k| (*k).to_owned()).collect(),
    };
    enqueue(&db, realm, &change(cluster, "t", removing(&["flush.ms"], &[])), now);
    enqueue(&db, realm, &change(cluster, "t", removing(&["segment.ms"], &[("a", "1")])), now);
    let held = claim(&db, (realm, cluster, "t"), "a", now).unwrap();
    assert_eq!(held.change.wanted, removing(&["flush.ms", "segment.ms"], &[("a", "1")]), "both removals wait");
    db.write(|conn| outbox::done(conn, &held, "a").map_err(DbError::from)).unwrap();

    // Set again before the worker came: the removal is dropped.
    enqueue(&db, realm, &change(cluster, "t", removing(&["flush.ms"], &[])), now);
    enqueue(&db, realm, &change(cluster, "t", removing(&[], &[("flush.ms", "5")])), now);
    let held = claim(&db, (realm, cluster, "t"), "a", now).unwrap();
    assert_eq!(held.change.wanted, removing(&[], &[("flush.ms", "5")]));
}

#[test]
fn a_failure_is_kept_and_the_row_waits_for_its_retry() {
    let db = TestDatabase::migrated(&SETS);
    let db = db.database();
    let (realm, cluster, now) = (RealmId::from(Uuid::new_v4()), Uuid::new_v4(), SystemClock.now());
    enqueue(&db, realm, &change(cluster, "t", apply(1)), now);
    let held = claim(&db, (realm, cluster, "t"), "a", now).unwrap();
    db.write(|conn| {
        outbox::release(conn, &held, "a", Some("cluster 'x': unreachable"), Some(later(now, 4))).map_err(DbError::from)
    })
    .unwrap();
    let row = &pending(&db, realm, cluster, "t")[0];
    assert_eq!((row.attempts, row.last_error.as_deref(), row.claimed), (1, Some("cluster 'x': unreachable"), false));
    assert!(due(&db, later(now, 3)).is_empty());
    assert_eq!(due(&db, later(now, 4)).len(), 1);

    // A new change resets the count and is due at once.
    enqueue(&db, realm, &change(cluster, "t", apply(2)), now);
    let row = &pending(&db, realm, cluster, "t")[0];
    assert_eq!((row.attempts, row.last_error.as_deref()), (0, None));
    assert_eq!(due(&db, now).len(), 1);
}

#[test]
fn an_expired_claim_is_taken_over_and_its_holder_cannot_finish_it() {
    let db = TestDatabase::migrated(&SETS);
    let db = db.database();
    let (realm, cluster, now) = (RealmId::from(Uuid::new_v4()), Uuid::new_v4(), SystemClock.now());
    enqueue(&db, realm, &change(cluster, "t", apply(1)), now);
    let crashed = claim(&db, (realm, cluster, "t"), "a", now).unwrap();
    assert!(claim(&db, (realm, cluster, "t"), "b", later(now, 119)).is_none());
    let taken = claim(&db, (realm, cluster, "t"), "b", later(now, 121)).expect("the claim expired");
    // The old holder comes back: its finish changes nothing.
    db.write(|conn| outbox::done(conn, &crashed, "a").map_err(DbError::from)).unwrap();
    assert!(pending(&db, realm, cluster, "t")[0].claimed);
    db.write(|conn| outbox::done(conn, &taken, "b").map_err(DbError::from)).unwrap();
    assert!(pending(&db, realm, cluster, "t").is_empty());
}

#[test]
fn racing_replicas_claim_each_row_exactly_once() {
    let db = TestDatabase::migrated(&SETS);
    let database = db.database();
    let (realm, cluster, now) = (RealmId::from(Uuid::new_v4()), Uuid::new_v4(), SystemClock.now());
    let topics: Vec<String> = (0..40).map(|n| format!("topic-{n}")).collect();
    for topic in &topics {
        enqueue(&database, realm, &change(cluster, topic, apply(1)), now);
    }
    let replicas = 4;
    let barrier = Arc::new(Barrier::new(replicas));
    let handles: Vec<_> = (0..replicas)
        .map(|replica| {
            let (database, barrier, topics) = (database.clone(), barrier.clone(), topics.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let holder = format!("replica-{replica}");
                topics
                    .iter()
                    .filter(|topic| claim(&database, (realm, cluster, topic.as_str()), &holder, now).is_some())
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut claimed: Vec<String> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    claimed.sort();
    let mut expected = topics.clone();
    expected.sort();
    assert_eq!(claimed, expected, "every row once, none twice");
}

#[test]
fn realms_do_not_see_or_purge_each_others_rows() {
    let db = TestDatabase::migrated(&SETS);
    let db = db.database();
    let (a, b, cluster, now) =
        (RealmId::from(Uuid::new_v4()), RealmId::from(Uuid::new_v4()), Uuid::new_v4(), SystemClock.now());
    enqueue(&db, a, &change(cluster, "t", apply(1)), now);
    enqueue(&db, b, &change(cluster, "t", apply(2)), now);
    assert_eq!(due(&db, now).len(), 2, "the same topic name in two realms is two rows");
    assert!(claim(&db, (a, cluster, "t"), "x", now).is_some());
    assert!(claim(&db, (b, cluster, "t"), "y", now).is_some(), "a's claim does not hold b's row");
    db.write(|conn| portico_catalog::store::purge_realm(conn, a).map_err(DbError::from)).unwrap();
    assert!(pending(&db, a, cluster, "t").is_empty());
    assert_eq!(pending(&db, b, cluster, "t").len(), 1);
}
