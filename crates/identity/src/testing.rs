//! Test kit (feature `testing`): realms for other crates' integration tests, made the way
//! production makes them (identity creates the realm, every registered module's
//! [`RealmLifecycle`](portico_core::hooks::RealmLifecycle) runs in the same transaction).
//!
//! ```text
//! let hooks = RealmHooks::new();
//! hooks.add_lifecycle(my_store.clone());
//! let realms = TestRealms::open(&db, hooks);
//! let acme = realms.create("acme");
//! ```

use crate::bootstrap::{BootstrapConfig, bootstrap};
use crate::config::IdentityConfig;
use crate::password::{PasswordCost, PasswordHasher};
use crate::service::TenantService;
use crate::store::IdentityStore;
use portico_core::context::{MASTER_REALM, PLATFORM_ADMIN_ROLE, Principal, PrincipalKind};
use portico_core::cursor::CursorRequest;
use portico_core::hooks::RealmHooks;
use portico_core::seal::{Sealer, SecretString};
use portico_core::time::SystemClock;
use portico_core::{Clock, Database, RealmRef, RequestContext};
use std::sync::Arc;

/// Identity over a test database, able to create and delete realms.
pub struct TestRealms {
    /// The identity store (its hooks are the ones given to [`TestRealms::open`]).
    pub identity: IdentityStore,
    admin: RequestContext,
    db: Database,
    _groups: Arc<IdentityStore>,
}

impl TestRealms {
    /// Bootstraps realm `master` on `db` (migrated with core's and identity's migrations, and
    /// the caller's) and opens identity with `hooks`.
    pub fn open(db: &Database, hooks: Arc<RealmHooks>) -> TestRealms {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let sealer = Sealer::generate();
        let config = BootstrapConfig {
            admin_email: "admin@portico.test".into(),
            admin_password: Some(SecretString::new("admin password")),
            client_id: None,
            client_secret: None,
            environment: "local".into(),
        };
        bootstrap(db, clock.as_ref(), &PasswordHasher::new(PasswordCost::Minimal), &sealer, &config)
            .unwrap_or_else(|e| panic!("bootstrap: {e}"));
        let identity_config = IdentityConfig { password_cost: PasswordCost::Minimal, ..IdentityConfig::default() };
        let open = || {
            IdentityStore::open(db.clone(), sealer.clone(), clock.clone(), identity_config.clone())
                .unwrap_or_else(|e| panic!("identity: {e}"))
                .with_hooks(hooks.clone())
        };
        let identity = open();
        // Identity answers other domains' group questions, as its module registers it (hooks
        // hold it weakly: the kit keeps it).
        let groups = Arc::new(open());
        hooks.set_groups(groups.clone());
        hooks.reconcile(db, clock.now()).unwrap_or_else(|e| panic!("reconcile: {e}"));
        let master = identity.realm_by_name(MASTER_REALM).ok().flatten().unwrap_or_else(|| panic!("no master realm"));
        let admin = RequestContext {
            realm: master.clone(),
            principal: Principal {
                kind: PrincipalKind::User,
                id: "platform-admin".into(),
                display_name: "admin@portico.test".into(),
                realm: master,
                roles: [PLATFORM_ADMIN_ROLE.to_owned()].into(),
                scopes: Default::default(),
                token_id: None,
            },
            request_id: "test".into(),
        };
        TestRealms { identity, admin, db: db.clone(), _groups: groups }
    }

    /// The database identity runs on.
    pub fn identity_db(&self) -> Database {
        self.db.clone()
    }

    /// Creates realm `name` (every module's built-ins included).
    pub fn create(&self, name: &str) -> RealmRef {
        let environment = self
            .identity
            .environments(&self.admin, &CursorRequest { limit: 1, after: None })
            .unwrap_or_else(|e| panic!("environments: {e}"))
            .items
            .remove(0)
            .id;
        let created = self
            .identity
            .create_tenant(&self.admin, None, name, environment)
            .unwrap_or_else(|e| panic!("create realm {name}: {e}"));
        created.tenant.realm.reference()
    }

    /// Deletes `realm` and every module's rows of it.
    pub fn delete(&self, realm: &RealmRef) {
        self.identity
            .delete_tenant(&self.admin, realm.id.uuid())
            .unwrap_or_else(|e| panic!("delete realm {}: {e}", realm.name));
    }

    /// The platform admin acting in `realm` (as it does with the `realm` header).
    pub fn platform_admin_in(&self, realm: &RealmRef) -> RequestContext {
        self.admin.in_realm(realm.clone())
    }

    /// A caller in `realm` holding `roles`.
    pub fn caller(realm: &RealmRef, roles: &[&str]) -> RequestContext {
        RequestContext {
            realm: realm.clone(),
            principal: Principal {
                kind: PrincipalKind::User,
                id: portico_core::ids::new_uuid().to_string(),
                display_name: "tester@example.com".into(),
                realm: realm.clone(),
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                scopes: Default::default(),
                token_id: None,
            },
            request_id: "test".into(),
        }
    }
}
