//! The credential service: built-ins, sealing, authorization and realm isolation.

use portico_core::context::RealmRef;
use portico_core::error::DomainError;
use portico_core::hooks::RealmHooks;
use portico_core::seal::Sealer;
use portico_core::testing::{TestDatabase, assert_migrations_reversible, denied};
use portico_core::time::SystemClock;
use portico_core::write::Precondition;
use portico_core::{ErrorKind, RequestContext};
use portico_credentials::model::{CredentialDraft, CredentialPatch, CredentialQuery, CredentialScope, InputValue};
use portico_credentials::service::CredentialService;
use portico_credentials::store::CredentialStore;
use portico_identity::testing::TestRealms;
use std::sync::Arc;

const SETS: [&portico_core::db::Migrations; 3] =
    [&portico_core::db::MIGRATIONS, &portico_identity::MIGRATIONS, &portico_credentials::MIGRATIONS];

fn ctx(realm: &RealmRef, roles: &[&str]) -> RequestContext {
    TestRealms::caller(realm, roles)
}

struct Fixture {
    store: Arc<CredentialStore>,
    realms: TestRealms,
    _db: TestDatabase,
}

impl Fixture {
    /// A realm made as production makes it: identity creates it and this crate's hook runs.
    fn realm(&self, name: &str) -> RealmRef {
        self.realms.create(name)
    }
}

fn fixture_with(sealer: Sealer) -> Fixture {
    let db = TestDatabase::migrated(&SETS);
    let store = Arc::new(CredentialStore::new(db.database(), sealer, Arc::new(SystemClock)));
    let hooks = RealmHooks::new();
    hooks.add_lifecycle(store.clone());
    let realms = TestRealms::open(&db.database(), hooks);
    Fixture { store, realms, _db: db }
}

fn fixture() -> Fixture {
    fixture_with(Sealer::generate())
}

fn local(store: &CredentialStore, ctx: &RequestContext) -> (i64, i64) {
    let stores = store.stores(ctx, &Default::default()).unwrap();
    let provider = store.provider(ctx, stores[0].provider_id).unwrap();
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
    let acme = ctx(&f.realm("acme"), &["CREDENTIAL_ADMIN"]);
    let first = local(&f.store, &acme);
    assert_eq!(local(&f.store, &acme), first, "built-ins are created once");
    let providers = f.store.providers(&acme, &Default::default()).unwrap();
    assert_eq!(providers.len(), 1);
    assert_eq!(providers[0].name, "Local");
    assert!(providers[0].builtin);
    assert_eq!(providers[0].input_defs[0].name, "Secret");
    assert!(providers[0].input_defs[0].required && providers[0].input_defs[0].secret);
    let other = ctx(&f.realm("other"), &["CREDENTIAL_ADMIN"]);
    assert_ne!(local(&f.store, &other), first, "another realm has its own");
}

#[test]
fn credentials_round_trip_and_versions_grow() {
    let f = fixture();
    let admin = ctx(&f.realm("acme"), &["CREDENTIAL_ADMIN"]);
    let (store, def) = local(&f.store, &admin);
    let created = f.store.create_credential(&admin, draft("k", store, def, "v1")).unwrap();
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
        .unwrap();
    assert_eq!(same.version, 1, "a write that changes nothing keeps the version");
    assert_eq!(same.inputs[0].version, 1, "an unchanged value keeps its version");
    let changed =
        f.store.replace_credential(&admin, created.id, draft("k", store, def, "v2"), &Precondition::none()).unwrap();
    assert_eq!((changed.version, changed.inputs[0].version), (2, 2));
    let found = f
        .store
        .credentials(&admin, &CredentialQuery { scope: Some(CredentialScope::Inst), ..Default::default() })
        .unwrap();
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
    let acme = f.realm("acme");
    let admin = ctx(&acme, &["CREDENTIAL_ADMIN"]);
    let (store, def) = local(&f.store, &admin);
    let created = f.store.create_credential(&admin, draft("k", store, def, "secret")).unwrap();
    let viewer = ctx(&acme, &["CREDENTIAL_VIEWER"]);
    let seen = f.store.credential(&viewer, created.id).unwrap();
    assert_eq!(seen.inputs[0].value, None, "viewers do not see secrets");
    assert_eq!(
        f.store.create_credential(&viewer, draft("x", store, def, "v")).err().map(|e| e.kind()),
        Some(ErrorKind::Forbidden)
    );
    let nobody = ctx(&acme, &[]);
    assert_eq!(f.store.credential(&nobody, created.id).err().map(|e| e.kind()), Some(ErrorKind::Forbidden));
    let evil = f.realm("evil");
    let outsider = ctx(&evil, &["CREDENTIAL_ADMIN"]);
    assert_eq!(f.store.credential(&outsider, created.id).err().map(|e| e.kind()), Some(ErrorKind::NotFound));
    let mut foreign = ctx(&evil, &["CREDENTIAL_ADMIN"]);
    foreign.realm = acme;
    assert_eq!(
        f.store.credential(&foreign, created.id).err().map(|e| e.kind()),
        Some(ErrorKind::Forbidden),
        "a principal of another realm"
    );
}

#[test]
fn every_credentials_operation_checks_its_role_inside_the_service() {
    use portico_credentials::model::{ProviderDraft, ProviderPatch, StoreDraft, StorePatch};
    let f = fixture();
    let acme = f.realm("acme");
    let admin = ctx(&acme, &["CREDENTIAL_ADMIN"]);
    let (store, def) = local(&f.store, &admin);
    let credential = f.store.create_credential(&admin, draft("k", store, def, "secret")).unwrap().id;
    let provider = f.store.store(&admin, store).unwrap().provider_id;
    let none = Precondition::none();
    let s = &f.store;
    let writes = |ctx: &RequestContext| -> Vec<(&str, bool)> {
        let store_draft = || StoreDraft { name: "S".into(), description: None, provider_id: provider, active: true };
        let provider_draft = || ProviderDraft { name: "P".into(), description: None, active: true, input_defs: vec![] };
        vec![
            ("create_credential", denied(s.create_credential(ctx, draft("x", store, def, "v")))),
            ("replace_credential", denied(s.replace_credential(ctx, credential, draft("k", store, def, "w"), &none))),
            ("patch_credential", denied(s.patch_credential(ctx, credential, CredentialPatch::default(), &none))),
            ("create_store", denied(s.create_store(ctx, store_draft()))),
            ("replace_store", denied(s.replace_store(ctx, store, store_draft(), &none))),
            ("patch_store", denied(s.patch_store(ctx, store, StorePatch::default(), &none))),
            ("create_provider", denied(s.create_provider(ctx, provider_draft()))),
            ("replace_provider", denied(s.replace_provider(ctx, provider, provider_draft(), &none))),
            ("patch_provider", denied(s.patch_provider(ctx, provider, ProviderPatch::default(), &none))),
        ]
    };
    let reads = |ctx: &RequestContext| -> Vec<(&str, bool)> {
        vec![
            ("credential", denied(s.credential(ctx, credential))),
            ("credentials", denied(s.credentials(ctx, &CredentialQuery::default()))),
            ("store", denied(s.store(ctx, store))),
            ("stores", denied(s.stores(ctx, &Default::default()))),
            ("provider", denied(s.provider(ctx, provider))),
            ("providers", denied(s.providers(ctx, &Default::default()))),
        ]
    };
    let (viewer, nobody) = (ctx(&acme, &["CREDENTIAL_VIEWER"]), ctx(&acme, &["STREAM_ADMIN"]));
    for (operation, refused) in writes(&viewer).into_iter().chain(writes(&nobody)).chain(reads(&nobody)) {
        assert!(refused, "{operation} let in a caller without its role");
    }
    for (operation, refused) in reads(&viewer).into_iter().chain(reads(&admin)).chain(writes(&admin)) {
        assert!(!refused, "{operation} refused a caller with its role");
    }
}

#[test]
fn values_open_only_with_the_key_that_sealed_them() {
    let f = fixture();
    let admin = ctx(&f.realm("acme"), &["CREDENTIAL_ADMIN"]);
    let (store, def) = local(&f.store, &admin);
    let created = f.store.create_credential(&admin, draft("k", store, def, "v")).unwrap();
    let wrong_key = CredentialStore::new(f.realms.identity_db(), Sealer::generate(), Arc::new(SystemClock));
    let err = wrong_key.credential(&admin, created.id).err();
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Internal), "a missing key is a server fault, never a leak");
}

#[test]
fn deleting_a_realm_removes_every_credentials_row_of_it() {
    let f = fixture();
    let acme = f.realm("acme");
    let admin = ctx(&acme, &["CREDENTIAL_ADMIN"]);
    let (store, def) = local(&f.store, &admin);
    f.store.create_credential(&admin, draft("k", store, def, "v")).unwrap();
    f.realms.delete(&acme);
    let again = f.realm("acme");
    let admin = ctx(&again, &["CREDENTIAL_ADMIN"]);
    assert!(f.store.credentials(&admin, &Default::default()).unwrap().is_empty());
    assert_eq!(f.store.stores(&admin, &Default::default()).unwrap().len(), 1, "only the new realm's Local store");
    let gone = ctx(&acme, &["CREDENTIAL_ADMIN"]);
    let write = f.store.create_credential(&gone, draft("late", store, def, "v"));
    assert_eq!(write.err().map(|e| e.kind()), Some(ErrorKind::NotFound), "no write lands in a deleted realm");
}

#[test]
fn the_migrated_tables_match_their_declarations_on_this_backend() {
    let test_db = TestDatabase::migrated(&SETS);
    let mut conn = test_db.database().conn().unwrap();
    portico_core::testing::assert_schema_matches(&mut conn, &portico_credentials::store::declared_tables());
}
