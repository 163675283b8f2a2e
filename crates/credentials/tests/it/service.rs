//! The credential service: built-ins, sealing, authorization and realm isolation.

use portico_core::context::{Principal, PrincipalKind, RealmRef};
use portico_core::error::DomainError;
use portico_core::seal::Sealer;
use portico_core::testing::{TestDatabase, assert_migrations_reversible};
use portico_core::time::SystemClock;
use portico_core::write::Precondition;
use portico_core::{ErrorKind, RequestContext};
use portico_credentials::model::{CredentialDraft, CredentialPatch, CredentialQuery, CredentialScope, InputValue};
use portico_credentials::service::CredentialService;
use portico_credentials::store::CredentialStore;
use std::sync::Arc;
use uuid::Uuid;

const SETS: [&portico_core::db::Migrations; 2] = [&portico_core::db::MIGRATIONS, &portico_credentials::MIGRATIONS];

fn ctx(realm: &RealmRef, roles: &[&str]) -> RequestContext {
    RequestContext {
        realm: realm.clone(),
        principal: Principal {
            kind: PrincipalKind::User,
            id: Uuid::new_v4().to_string(),
            display_name: "tester@example.com".into(),
            realm: realm.clone(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            scopes: Default::default(),
            token_id: None,
        },
        request_id: "test".into(),
    }
}

fn realm(name: &str) -> RealmRef {
    RealmRef { id: Uuid::new_v4(), name: name.into() }
}

struct Fixture {
    store: CredentialStore,
    _db: TestDatabase,
}

fn fixture() -> Fixture {
    let db = TestDatabase::migrated(&SETS);
    Fixture { store: CredentialStore::new(db.database(), Sealer::generate(), Arc::new(SystemClock)), _db: db }
}

fn local(store: &CredentialStore, ctx: &RequestContext) -> (i64, i64) {
    let stores = store.stores(ctx, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let provider = store.provider(ctx, stores[0].provider_id).unwrap_or_else(|e| panic!("{e}"));
    (stores[0].id, provider.input_defs[0].id)
}

fn draft(name: &str, store: i64, def: i64, value: &str) -> CredentialDraft {
    CredentialDraft {
        name: name.into(),
        active: true,
        scope: CredentialScope::Inst,
        store_id: store,
        inputs: vec![InputValue { def_id: def, value: value.into() }],
    }
}

#[test]
fn migrations_are_reversible() {
    assert_migrations_reversible(&SETS);
}

#[test]
fn every_realm_gets_its_own_local_provider_and_store_once() {
    let f = fixture();
    let acme = ctx(&realm("acme"), &["CREDENTIAL_ADMIN"]);
    let first = local(&f.store, &acme);
    assert_eq!(local(&f.store, &acme), first, "built-ins are created once");
    let providers = f.store.providers(&acme, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(providers.len(), 1);
    assert_eq!(providers[0].name, "Local");
    assert!(providers[0].builtin);
    assert_eq!(providers[0].input_defs[0].name, "Secret");
    assert!(providers[0].input_defs[0].required && providers[0].input_defs[0].secret);
    let other = ctx(&realm("other"), &["CREDENTIAL_ADMIN"]);
    assert_ne!(local(&f.store, &other), first, "another realm has its own");
}

#[test]
fn credentials_round_trip_and_versions_grow() {
    let f = fixture();
    let admin = ctx(&realm("acme"), &["CREDENTIAL_ADMIN"]);
    let (store, def) = local(&f.store, &admin);
    let created = f.store.create_credential(&admin, draft("k", store, def, "v1")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.version, 1);
    assert_eq!(created.inputs[0].value.as_deref(), Some("v1"));
    let same = f
        .store
        .patch_credential(
            &admin,
            created.id,
            CredentialPatch {
                inputs: Some(vec![InputValue { def_id: def, value: "v1".into() }]),
                ..Default::default()
            },
            &Precondition::none(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(same.version, 1, "a write that changes nothing keeps the version");
    assert_eq!(same.inputs[0].version, 1, "an unchanged value keeps its version");
    let changed = f
        .store
        .replace_credential(&admin, created.id, draft("k", store, def, "v2"), &Precondition::none())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((changed.version, changed.inputs[0].version), (2, 2));
    let found = f
        .store
        .credentials(&admin, &CredentialQuery { scope: Some(CredentialScope::Inst), ..Default::default() })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.len(), 1);
    let stale = f.store.replace_credential(
        &admin,
        created.id,
        draft("k", store, def, "v3"),
        &Precondition::none().with_version(Some(1)),
    );
    assert_eq!(stale.err().map(|e| e.kind()), Some(ErrorKind::Conflict));
}

#[test]
fn authorization_is_enforced_inside_the_service() {
    let f = fixture();
    let acme = realm("acme");
    let admin = ctx(&acme, &["CREDENTIAL_ADMIN"]);
    let (store, def) = local(&f.store, &admin);
    let created = f.store.create_credential(&admin, draft("k", store, def, "secret")).unwrap_or_else(|e| panic!("{e}"));
    let viewer = ctx(&acme, &["CREDENTIAL_VIEWER"]);
    let seen = f.store.credential(&viewer, created.id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(seen.inputs[0].value, None, "viewers do not see secrets");
    assert_eq!(
        f.store.create_credential(&viewer, draft("x", store, def, "v")).err().map(|e| e.kind()),
        Some(ErrorKind::Forbidden)
    );
    let nobody = ctx(&acme, &[]);
    assert_eq!(f.store.credential(&nobody, created.id).err().map(|e| e.kind()), Some(ErrorKind::Forbidden));
    let outsider = ctx(&realm("evil"), &["CREDENTIAL_ADMIN"]);
    assert_eq!(f.store.credential(&outsider, created.id).err().map(|e| e.kind()), Some(ErrorKind::NotFound));
    let mut foreign = ctx(&realm("evil"), &["CREDENTIAL_ADMIN"]);
    foreign.realm = acme;
    assert_eq!(
        f.store.credential(&foreign, created.id).err().map(|e| e.kind()),
        Some(ErrorKind::Forbidden),
        "a principal of another realm"
    );
}

#[test]
fn values_open_only_with_the_key_that_sealed_them() {
    let db = TestDatabase::migrated(&SETS);
    let admin = ctx(&realm("acme"), &["CREDENTIAL_ADMIN"]);
    let first = CredentialStore::new(db.database(), Sealer::generate(), Arc::new(SystemClock));
    let (store, def) = local(&first, &admin);
    let created = first.create_credential(&admin, draft("k", store, def, "v")).unwrap_or_else(|e| panic!("{e}"));
    let wrong_key = CredentialStore::new(db.database(), Sealer::generate(), Arc::new(SystemClock));
    let err = wrong_key.credential(&admin, created.id).err();
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Internal), "a missing key is a server fault, never a leak");
}
