//! Authorization where embedders meet it: identity's service traits, called directly, refuse
//! what the HTTP routes refuse. Each restricted operation is called by a caller without the
//! role it needs (403, nothing changed) and by one with it (not a 403), on realms made the way
//! production makes them.

use portico_core::context::{PLATFORM_ADMIN_ROLE, PrincipalKind};
use portico_core::cursor::CursorRequest;
use portico_core::hooks::RealmHooks;
use portico_core::page::PageRequest;
use portico_core::testing::{TestDatabase, denied, only_for};
use portico_core::write::Precondition;
use portico_core::{ErrorKind, RealmRef, RequestContext};
use portico_identity::service::{
    ClientSettings, GroupFilter, GroupInput, GroupService, NewUser, RealmFilter, RealmService, TenantInput,
    TenantService, UserFilter, UserPatch, UserService,
};
use portico_identity::testing::TestRealms;
use std::collections::BTreeSet;
use uuid::Uuid;

const SETS: [&portico_core::db::Migrations; 2] = [&portico_core::db::MIGRATIONS, &portico_identity::MIGRATIONS];

struct Fixture {
    realms: TestRealms,
    realm: RealmRef,
    _db: TestDatabase,
}

fn fixture() -> Fixture {
    let db = TestDatabase::migrated(&SETS);
    let realms = TestRealms::open(&db.database(), RealmHooks::new());
    let realm = realms.create("acme");
    Fixture { realms, realm, _db: db }
}

impl Fixture {
    fn caller(&self, roles: &[&str]) -> RequestContext {
        TestRealms::caller(&self.realm, roles)
    }

    fn platform(&self) -> RequestContext {
        self.realms.platform_admin_in(&self.realm)
    }

    /// A user of the realm, created by the platform admin.
    fn user(&self, email: &str) -> Uuid {
        let user = NewUser {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            middle_name: None,
            email: email.into(),
            password: None,
            phone_number: None,
        };
        self.realms.identity.create_user(&self.platform(), user).unwrap().id
    }

    /// That user calling, holding `roles`.
    fn as_user(&self, id: Uuid, roles: &[&str]) -> RequestContext {
        let mut ctx = self.caller(roles);
        ctx.principal.id = id.to_string();
        ctx
    }

    fn user_count(&self) -> u64 {
        self.realms.identity.users(&self.platform(), &UserFilter::All, &PageRequest::default()).unwrap().total
    }
}

fn new_user(email: &str) -> NewUser {
    NewUser {
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        middle_name: None,
        email: email.into(),
        password: None,
        phone_number: None,
    }
}

fn patch(first_name: &str) -> UserPatch {
    UserPatch { first_name: Some(first_name.into()), ..UserPatch::default() }
}

#[test]
fn tenant_and_client_management_needs_the_platform_admin_at_the_service() {
    let f = fixture();
    let identity = &f.realms.identity;
    let master = identity.realm_by_name("master").unwrap().unwrap();
    let (tenant_admin, platform) =
        (TestRealms::caller(&master, &["TENANT_ADMIN"]), f.realms.platform_admin_in(&master));
    let first = CursorRequest { limit: 10, after: None };
    let environment = identity.environments(&platform, &first).unwrap().items[0].id;
    let tenants = || identity.tenants(&platform, &first).unwrap().items.len();
    let acme = f.realm.id.uuid();

    only_for("environments", &tenant_admin, &platform, |c| denied(identity.environments(c, &first)));
    only_for("tenants", &tenant_admin, &platform, |c| denied(identity.tenants(c, &first)));
    only_for("tenant", &tenant_admin, &platform, |c| denied(identity.tenant(c, acme)));
    assert!(denied(identity.create_tenant(&tenant_admin, None, "globex", environment)));
    assert_eq!(tenants(), 1, "a refused create adds no tenant");
    only_for("clients", &tenant_admin, &platform, |c| denied(identity.clients(c, acme, &first)));
    let settings = ClientSettings { name: Some("Billing".into()), ..ClientSettings::default() };
    assert!(denied(identity.create_client(&tenant_admin, acme, settings.clone())));
    let clients = || identity.clients(&platform, acme, &first).unwrap().items;
    let before = clients();
    assert!(before.iter().all(|c| c.name != "Billing"), "a refused create adds no client");
    let client = identity.create_client(&platform, acme, settings).unwrap().client.client_id;
    let rename = ClientSettings { name: Some("Invoices".into()), ..ClientSettings::default() };
    assert!(denied(identity.update_client(&tenant_admin, acme, &client, rename.clone())));
    assert!(denied(identity.delete_client(&tenant_admin, acme, &client)));
    assert!(clients().iter().any(|c| c.client_id == client && c.name == "Billing"), "refused writes change nothing");
    assert!(!denied(identity.update_client(&platform, acme, &client, rename)));
    assert!(!denied(identity.delete_client(&platform, acme, &client)));
    assert!(denied(identity.delete_tenant(&tenant_admin, acme)));
    assert_eq!(tenants(), 1, "a refused delete keeps the tenant");
    assert!(identity.delete_tenant(&platform, acme).is_ok());
    assert_eq!(tenants(), 0);
}

#[test]
fn axual_tenants_need_the_platform_admin_except_the_callers_own_at_the_service() {
    let f = fixture();
    let identity = &f.realms.identity;
    let (tenant_admin, platform) = (f.caller(&["TENANT_ADMIN"]), f.platform());
    let page = PageRequest::default();
    let acme = f.realm.id;

    only_for("every tenant", &tenant_admin, &platform, |c| denied(identity.realms(c, &RealmFilter::All, &page)));
    assert_eq!(identity.realms(&tenant_admin, &RealmFilter::Id(acme), &page).unwrap().total, 1, "its own tenant");
    assert!(!denied(identity.realm(&tenant_admin, acme.uuid())), "its own tenant");
    let input = TenantInput {
        name: Some("Globex Corporation".into()),
        short_name: Some("globex".into()),
        ..TenantInput::default()
    };
    only_for("create", &tenant_admin, &platform, |c| denied(identity.create_realm(c, input.clone())));
    let globex = identity.realm_by_name("globex").unwrap().unwrap();
    assert!(denied(identity.realm(&tenant_admin, globex.id.uuid())), "another tenant is not its to read");
    let rename = TenantInput { name: Some("Acme Renamed".into()), ..TenantInput::default() };
    assert!(denied(identity.update_realm(&tenant_admin, acme.uuid(), rename.clone(), &Precondition::none())));
    assert_ne!(identity.realm(&platform, acme.uuid()).unwrap().realm.display_name, "Acme Renamed");
    assert!(!denied(identity.update_realm(&platform, acme.uuid(), rename, &Precondition::none())));
    assert!(!identity.tenant_allowed(&tenant_admin).edit);
    assert!(identity.tenant_allowed(&platform).edit);
}

#[test]
fn user_management_needs_the_tenant_admin_or_the_user_itself_at_the_service() {
    let f = fixture();
    let identity = &f.realms.identity;
    let (admin, group_admin) = (f.caller(&["TENANT_ADMIN"]), f.caller(&["GROUP_ADMIN", "STREAM_ADMIN"]));
    let ada = f.user("ada@acme.test");
    let grace = f.user("grace@acme.test");
    let (as_ada, plain) = (f.as_user(ada, &["USER"]), f.caller(&["USER"]));
    let count = f.user_count();

    // Reading needs only a caller of the realm.
    assert!(identity.users(&plain, &UserFilter::All, &PageRequest::default()).is_ok());
    assert!(identity.user(&plain, grace).is_ok());
    assert_eq!(identity.current_user(&as_ada).unwrap().id, ada);

    only_for("create", &group_admin, &admin, |c| denied(identity.create_user(c, new_user("new@acme.test"))));
    assert_eq!(f.user_count(), count + 1, "only the tenant admin's create added a user");
    assert!(!identity.may_create_users(&group_admin));
    assert!(identity.may_create_users(&admin));

    // A user edits itself; editing another needs the tenant admin.
    assert!(denied(identity.update_user(&as_ada, grace, patch("Gracie"), &Precondition::none())));
    assert_eq!(identity.user(&admin, grace).unwrap().first_name, "Ada", "a refused edit changes nothing");
    assert!(!denied(identity.update_user(&as_ada, ada, patch("Augusta"), &Precondition::none())));
    assert!(!denied(identity.update_user(&admin, grace, patch("Gracie"), &Precondition::none())));
    let grace_user = identity.user(&admin, grace).unwrap();
    assert!(identity.user_allowed(&as_ada, &identity.user(&admin, ada).unwrap()).edit);
    assert!(!identity.user_allowed(&as_ada, &grace_user).edit);
    assert!(identity.user_allowed(&admin, &grace_user).assign_roles);

    let roles: BTreeSet<String> = ["TENANT_ADMIN".to_owned()].into();
    assert!(denied(identity.assign_roles(&as_ada, ada, roles.clone())), "no one raises their own roles");
    assert!(denied(identity.assign_roles(&group_admin, grace, roles.clone())));
    assert!(
        !identity.user(&admin, grace).unwrap().roles.contains("TENANT_ADMIN"),
        "a refused assignment changes nothing"
    );
    assert!(!denied(identity.assign_roles(&admin, grace, roles)));

    assert!(denied(identity.delete_user(&as_ada, grace, &Precondition::none())));
    assert!(denied(identity.delete_user(&group_admin, grace, &Precondition::none())));
    assert!(identity.user(&admin, grace).is_ok(), "a refused delete keeps the user");
    assert!(!denied(identity.delete_user(&admin, grace, &Precondition::none())));
}

#[test]
fn group_management_needs_a_group_admin_or_membership_at_the_service() {
    let f = fixture();
    let identity = &f.realms.identity;
    let (group_admin, plain) = (f.caller(&["GROUP_ADMIN"]), f.caller(&["USER"]));
    let (member, outsider) = (f.user("member@acme.test"), f.user("outsider@acme.test"));
    let as_member = f.as_user(member, &["USER"]);
    let input =
        |name: &str| GroupInput { name: Some(name.into()), members: Some(vec![member]), ..GroupInput::default() };

    only_for("create", &plain, &group_admin, |c| denied(identity.create_group(c, input("orders team"))));
    let groups = || identity.groups(&group_admin, &GroupFilter::All, &PageRequest::default()).unwrap().total;
    assert_eq!(groups(), 1, "only the group admin's create added a group");
    assert!(!identity.may_create_groups(&plain));
    let group = identity.groups(&plain, &GroupFilter::All, &PageRequest::default()).unwrap().items[0].id;
    assert!(identity.group(&plain, group).is_ok(), "reading needs only a caller of the realm");
    assert!(identity.group_usage(&plain, group).is_ok());

    let rename = GroupInput { name: Some("billing team".into()), ..GroupInput::default() };
    assert!(denied(identity.update_group(&plain, group, rename.clone(), &Precondition::none())));
    assert!(denied(identity.set_members(&plain, group, &[outsider], false)));
    assert!(denied(identity.remove_member(&plain, group, member)));
    assert!(denied(identity.delete_group(&plain, group, &Precondition::none())));
    let (unchanged, members) = identity.group(&group_admin, group).unwrap();
    assert_eq!(unchanged.name, "orders team", "refused writes change nothing");
    assert_eq!(members.iter().map(|u| u.id).collect::<Vec<_>>(), [member]);
    assert!(!identity.group_allowed(&plain, &members).edit);
    assert!(identity.group_allowed(&as_member, &members).edit);

    // A member manages its own group.
    assert!(!denied(identity.update_group(&as_member, group, rename, &Precondition::none())));
    assert!(!denied(identity.set_members(&as_member, group, &[outsider], false)));
    assert!(!denied(identity.remove_member(&group_admin, group, outsider)));
    assert!(!denied(identity.delete_group(&as_member, group, &Precondition::none())));
    assert_eq!(groups(), 0);
}

#[test]
fn a_caller_of_another_realm_is_refused_or_finds_nothing_at_the_service() {
    let f = fixture();
    let identity = &f.realms.identity;
    let grace = f.user("grace@acme.test");
    let globex = f.realms.create("globex");
    let theirs = TestRealms::caller(&globex, &["TENANT_ADMIN", "GROUP_ADMIN"]);
    assert_eq!(theirs.principal.kind, PrincipalKind::User);
    // Acting in acme with a principal of globex: refused before any row is read.
    let into_acme = theirs.in_realm(f.realm.clone());
    assert!(denied(identity.users(&into_acme, &UserFilter::All, &PageRequest::default())));
    assert!(denied(identity.create_user(&into_acme, new_user("spy@globex.test"))));
    assert!(denied(identity.delete_user(&into_acme, grace, &Precondition::none())));
    // In its own realm, acme's ids do not exist.
    let kind = |result: Result<_, portico_identity::error::IdentityError>| {
        result.err().map(|e| portico_core::DomainError::kind(&e))
    };
    assert_eq!(kind(identity.user(&theirs, grace).map(|_| ())), Some(ErrorKind::NotFound));
    assert_eq!(
        kind(identity.update_user(&theirs, grace, patch("Spy"), &Precondition::none()).map(|_| ())),
        Some(ErrorKind::NotFound)
    );
    assert_eq!(kind(identity.delete_user(&theirs, grace, &Precondition::none())), Some(ErrorKind::NotFound));
    assert_eq!(identity.user(&f.platform(), grace).unwrap().first_name, "Ada", "nothing changed in acme");
    // Only the platform admin role crosses realms.
    let platform = f.realms.platform_admin_in(&globex);
    assert!(platform.principal.roles.contains(PLATFORM_ADMIN_ROLE));
    assert!(identity.users(&platform, &UserFilter::All, &PageRequest::default()).is_ok());
}
