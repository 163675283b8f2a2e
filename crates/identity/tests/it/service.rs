//! Bootstrap, shared signing keys, and authorization inside the services.

use portico_core::context::{Principal, PrincipalKind, RealmRef};
use portico_core::cursor::CursorRequest;
use portico_core::error::DomainError;
use portico_core::seal::{Sealer, SecretString};
use portico_core::testing::{TestDatabase, assert_migrations_reversible};
use portico_core::time::SystemClock;
use portico_core::{Database, ErrorKind, RequestContext};
use portico_identity::bootstrap::{BootstrapConfig, BootstrapOutcome, bootstrap};
use portico_identity::config::IdentityConfig;
use portico_identity::oauth::{GrantRequest, TokenEndpoint};
use portico_identity::password::{PasswordCost, PasswordHasher};
use portico_identity::service::{TenantService, TokenService};
use portico_identity::store::IdentityStore;
use std::sync::Arc;

const SETS: [&portico_core::db::Migrations; 2] = [&portico_core::db::MIGRATIONS, &portico_identity::MIGRATIONS];

fn config() -> BootstrapConfig {
    BootstrapConfig {
        admin_email: "admin@example.com".into(),
        admin_password: Some(SecretString::new("admin password")),
        client_id: Some("platform".into()),
        client_secret: None,
        environment: "local".into(),
    }
}

fn open(db: &Database, sealer: &Sealer) -> IdentityStore {
    let config = IdentityConfig { password_cost: PasswordCost::Minimal, ..IdentityConfig::default() };
    IdentityStore::open(db.clone(), sealer.clone(), Arc::new(SystemClock), config).unwrap()
}

fn password_grant(identity: &IdentityStore) -> String {
    let request = GrantRequest {
        endpoint: TokenEndpoint::Realm("master".into()),
        grant_type: "password".into(),
        username: Some("admin@example.com".into()),
        password: Some("admin password".into()),
        refresh_token: None,
        scope: None,
        audience: None,
        code: None,
        redirect_uri: None,
        code_verifier: None,
        client: None,
        source: "test".into(),
    };
    identity.grant(&request).unwrap().access_token
}

#[test]
fn migrations_are_reversible() {
    assert_migrations_reversible(&SETS);
}

#[test]
fn bootstrap_runs_once_and_generates_what_is_not_configured() {
    let test_db = TestDatabase::migrated(&SETS);
    let db = test_db.database();
    let sealer = Sealer::generate();
    let hasher = PasswordHasher::new(PasswordCost::Minimal);
    let first = bootstrap(&db, &SystemClock, &hasher, &sealer, &config()).unwrap();
    match first {
        BootstrapOutcome::Created { generated_password, generated_client_secret, client_id, .. } => {
            assert_eq!(generated_password, None, "the configured password is used");
            assert_eq!(client_id.as_deref(), Some("platform"));
            assert!(generated_client_secret.is_some_and(|s| s.len() >= 32));
        }
        other => panic!("expected a first start, got {other:?}"),
    }
    let mut changed = config();
    changed.admin_email = "someone@else.com".into();
    let second = bootstrap(&db, &SystemClock, &hasher, &sealer, &changed).unwrap();
    assert_eq!(second, BootstrapOutcome::AlreadyInitialised);
    let identity = open(&db, &sealer);
    assert!(identity.authenticate_basic(Some("master"), "admin@example.com", "admin password", "t").is_ok());
    assert!(identity.authenticate_basic(Some("master"), "someone@else.com", "admin password", "t").is_err());
}

#[test]
fn replicas_share_signing_keys_through_the_database() {
    let test_db = TestDatabase::migrated(&SETS);
    let db = test_db.database();
    let sealer = Sealer::generate();
    bootstrap(&db, &SystemClock, &PasswordHasher::new(PasswordCost::Minimal), &sealer, &config()).unwrap();
    let one = open(&db, &sealer);
    let two = open(&db, &sealer);
    assert_eq!(one.jwks(), two.jwks(), "the second replica loads the first one's key");
    let token = password_grant(&one);
    assert!(two.authenticate_bearer(&token).is_ok(), "a token of one replica verifies on another");
    let rotated = one.keys().rotate(portico_core::Clock::now(&SystemClock), 60);
    assert!(rotated.is_ok());
    let fresh = password_grant(&one);
    assert!(two.authenticate_bearer(&fresh).is_ok(), "a new kid is picked up from the database");
}

#[test]
fn tenant_management_checks_the_platform_admin_role_itself() {
    let test_db = TestDatabase::migrated(&SETS);
    let db = test_db.database();
    let sealer = Sealer::generate();
    bootstrap(&db, &SystemClock, &PasswordHasher::new(PasswordCost::Minimal), &sealer, &config()).unwrap();
    let identity = open(&db, &sealer);
    let master = identity.realm_by_name("master").ok().flatten().unwrap_or_else(|| panic!("master"));
    let principal = |roles: &[&str]| Principal {
        kind: PrincipalKind::User,
        id: "x".into(),
        display_name: "x@example.com".into(),
        realm: master.clone(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        scopes: Default::default(),
        token_id: None,
    };
    let page = CursorRequest { limit: 10, after: None };
    let plain =
        RequestContext { realm: master.clone(), principal: principal(&["TENANT_ADMIN"]), request_id: "t".into() };
    assert_eq!(identity.tenants(&plain, &page).err().map(|e| e.kind()), Some(ErrorKind::Forbidden));
    let admin =
        RequestContext { realm: master.clone(), principal: principal(&["PLATFORM_ADMIN"]), request_id: "t".into() };
    let environment = identity.environments(&admin, &page).unwrap().items[0].id;
    let created = identity.create_tenant(&admin, None, "acme", environment).unwrap();
    assert_eq!(created.tenant.realm.name, "acme");
    let acme: RealmRef = created.tenant.realm.reference();
    assert_eq!(identity.realm_by_name("ACME").ok().flatten(), Some(acme), "realm names ignore case");
    let events =
        db.read(|conn| portico_core::audit::recent(conn, master.id, 10).map_err(portico_core::DbError::from)).unwrap();
    assert!(events.iter().any(|e| e.action == "tenant.create" && e.outcome == "SUCCESS" && e.actor == "x@example.com"));
}

#[test]
fn every_sortable_field_is_indexed_on_this_backend() {
    use portico_core::testing::assert_sort_indexed;
    use portico_identity::store::{groups::GROUP_SORT, realms::REALM_SORT, users::USER_SORT};
    let test_db = TestDatabase::migrated(&SETS);
    let db = test_db.database();
    let mut conn = db.conn().unwrap();
    assert_sort_indexed(&mut conn, "users", &USER_SORT, &["realm_id"]);
    assert_sort_indexed(&mut conn, "user_groups", &GROUP_SORT, &["realm_id"]);
    assert_sort_indexed(&mut conn, "realms", &REALM_SORT, &[]);
}

#[test]
fn the_migrated_tables_match_their_declarations_on_this_backend() {
    let test_db = TestDatabase::migrated(&SETS);
    let mut conn = test_db.database().conn().unwrap();
    portico_core::testing::assert_schema_matches(&mut conn, &portico_identity::store::declared_tables());
}
