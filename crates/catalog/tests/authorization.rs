//! Authorization where embedders meet it: the catalog's service traits, called directly, refuse
//! what the HTTP routes refuse. Each restricted operation is called by a caller without the
//! role it needs (403, nothing changed) and by one with it (not a 403), on a realm made the way
//! production makes it, on SQLite or PostgreSQL (`PORTICO_TEST_POSTGRES_URL`).
#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

use portico_catalog::model::{
    ClusterInput, DataType, EnvironmentInput, InstanceCluster, InstanceInput, LevelInput, LevelKind, StreamConfigInput,
    StreamInput,
};
use portico_catalog::service::{
    ClusterService, EnvironmentService, InstanceService, LevelService, SchemaService, StreamConfigService,
    StreamService,
};
use portico_catalog::store::CatalogStore;
use portico_core::hooks::RealmHooks;
use portico_core::testing::{TestDatabase, denied, only_for};
use portico_core::time::SystemClock;
use portico_core::write::Precondition;
use portico_core::{DomainError, ErrorKind, RealmRef, RequestContext};
use portico_identity::service::{GroupInput, GroupService};
use portico_identity::testing::TestRealms;
use std::sync::Arc;
use uuid::Uuid;

const SETS: [&portico_core::db::Migrations; 3] =
    [&portico_core::db::MIGRATIONS, &portico_identity::MIGRATIONS, &portico_catalog::MIGRATIONS];

struct Fixture {
    catalog: Arc<CatalogStore>,
    realms: TestRealms,
    realm: RealmRef,
    _db: TestDatabase,
}

fn fixture() -> Fixture {
    let db = TestDatabase::migrated(&SETS);
    let hooks = RealmHooks::new();
    let catalog = Arc::new(CatalogStore::new(db.database(), Arc::new(SystemClock), hooks.clone()));
    hooks.add_lifecycle(catalog.clone());
    let realms = TestRealms::open(&db.database(), hooks);
    let realm = realms.create("acme");
    Fixture { catalog, realms, realm, _db: db }
}

impl Fixture {
    fn caller(&self, roles: &[&str]) -> RequestContext {
        TestRealms::caller(&self.realm, roles)
    }

    fn platform(&self) -> RequestContext {
        self.realms.platform_admin_in(&self.realm)
    }

    fn group(&self) -> Uuid {
        let input = GroupInput { name: Some("Orders team".into()), ..GroupInput::default() };
        self.realms.identity.create_group(&self.platform(), input).unwrap().0.id
    }
}

fn pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    rcgen::CertificateParams::new(vec!["ca.acme.test".to_owned()]).unwrap().self_signed(&key).unwrap().pem()
}

#[test]
fn platform_admin_operations_are_refused_to_tenant_admins_at_the_service() {
    let f = fixture();
    let (tenant_admin, platform) = (f.caller(&["TENANT_ADMIN"]), f.platform());
    let c = &f.catalog;
    let cluster = |name: &str| ClusterInput {
        name: Some(name.into()),
        bootstrap_servers: Some(vec!["b:9092".into()]),
        ..ClusterInput::default()
    };
    only_for("create_cluster", &tenant_admin, &platform, |ctx| denied(c.create_cluster(ctx, cluster("Boxtel"))));
    let id =
        c.clusters(&platform, &portico_catalog::model::ClusterFilter::All, &Default::default()).unwrap().items[0].id;
    let rename = ClusterInput { description: Some(Some("renamed".into())), ..ClusterInput::default() };
    only_for("update_cluster", &tenant_admin, &platform, |ctx| {
        denied(c.update_cluster(ctx, id, rename.clone(), &Precondition::none()))
    });
    let instance = |short: &str| InstanceInput {
        name: Some("Rabo OTA".into()),
        short_name: Some(short.into()),
        api_url: Some("http://ota.local".into()),
        clusters: Some(vec![InstanceCluster { cluster: id, schema_registry_urls: None }]),
        ca_certs: Some(vec![pem()]),
        ..InstanceInput::default()
    };
    only_for("create_instance", &tenant_admin, &platform, |ctx| denied(c.create_instance(ctx, instance("ota"))));
    let instance_id =
        c.instances(&platform, &portico_catalog::model::InstanceFilter::All, &Default::default()).unwrap().items[0]
            .instance
            .id;
    let change = InstanceInput { description: Some(Some("changed".into())), ..InstanceInput::default() };
    only_for("update_instance", &tenant_admin, &platform, |ctx| {
        denied(c.update_instance(ctx, instance_id, change.clone(), &Precondition::none()))
    });
    assert!(!c.may_manage_clusters(&tenant_admin) && c.may_manage_clusters(&platform));
    assert!(!c.may_manage_instances(&tenant_admin) && c.may_manage_instances(&platform));
    // Synchronising is for tenant admins (and platform admins), not for other users.
    let user = f.caller(&["STREAM_ADMIN"]);
    only_for("synchronize_instance", &user, &tenant_admin, |ctx| denied(c.synchronize_instance(ctx, instance_id)));
}

#[test]
fn tenant_and_environment_admin_operations_are_refused_to_plain_users_at_the_service() {
    let f = fixture();
    let (user, tenant_admin) = (f.caller(&[]), f.caller(&["TENANT_ADMIN"]));
    let c = &f.catalog;
    let level = || LevelInput { level: Some("L2".into()), ..LevelInput::default() };
    only_for("create_level", &user, &tenant_admin, |ctx| denied(c.create_level(ctx, LevelKind::Integrity, level())));
    let id = c.levels(&tenant_admin, LevelKind::Integrity, &Default::default()).unwrap().items[0].id;
    let change = LevelInput { description: Some(Some("d".into())), ..LevelInput::default() };
    only_for("update_level", &user, &tenant_admin, |ctx| {
        denied(c.update_level(ctx, LevelKind::Integrity, id, change.clone(), &Precondition::none()))
    });
    only_for("level_usage", &user, &tenant_admin, |ctx| denied(c.level_usage(ctx, LevelKind::Integrity, id)));
    assert!(!c.may_manage_levels(&user) && c.may_manage_levels(&tenant_admin));

    let group = f.group();
    let environment_admin = f.caller(&["ENVIRONMENT_ADMIN"]);
    let environment = |short: &str| EnvironmentInput {
        name: Some(format!("Env {short}")),
        short_name: Some(short.into()),
        private: Some(true),
        owner: Some(group),
        ..EnvironmentInput::default()
    };
    only_for("create_environment", &user, &environment_admin, |ctx| {
        denied(c.create_environment(ctx, environment("sandbox")))
    });
    let filter = portico_catalog::model::EnvironmentFilter::All;
    let env = c.environments(&environment_admin, &filter, &Default::default()).unwrap().items[0].id;
    // A private environment is its owners' and environment admins': others do not even see it.
    assert_eq!(
        c.update_environment(&user, env, EnvironmentInput::default(), &Precondition::none()).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    only_for("synchronize_environment", &environment_admin, &tenant_admin, |ctx| {
        denied(c.synchronize_environment(ctx, env))
    });
    assert!(!c.may_create_environments(&user) && c.may_create_environments(&environment_admin));
    let stale = Precondition::none();
    only_for("delete_level", &user, &tenant_admin, |ctx| denied(c.delete_level(ctx, LevelKind::Integrity, id, &stale)));
}

#[test]
fn stream_and_schema_operations_need_their_roles_or_the_owning_group_at_the_service() {
    let f = fixture();
    let (user, stream_admin, tenant_admin) = (f.caller(&[]), f.caller(&["STREAM_ADMIN"]), f.caller(&["TENANT_ADMIN"]));
    let c = &f.catalog;
    let group = f.group();
    let stream = |name: &str| StreamInput {
        name: Some(name.into()),
        owner: Some(group),
        key_type: Some(DataType::String),
        value_type: Some(DataType::Json),
        ..StreamInput::default()
    };
    only_for("create_stream", &user, &stream_admin, |ctx| denied(c.create_stream(ctx, stream("orders"))));
    let filter = portico_catalog::store::streams::StreamFilter::All;
    let id = c.streams(&stream_admin, &filter, &Default::default()).unwrap().page.items[0].stream.id;
    let change = StreamInput { description: Some(Some("d".into())), ..StreamInput::default() };
    only_for("update_stream", &user, &stream_admin, |ctx| {
        denied(c.update_stream(ctx, id, change.clone(), &Precondition::none()))
    });

    let schema = c.create_schema(&stream_admin, Some("acme.Key".into()), None, None).unwrap();
    only_for("update_schema", &user, &tenant_admin, |ctx| {
        denied(c.update_schema(ctx, schema.id, None, Some(Some("d".into())), None, &Precondition::none()))
    });

    // A config of the stream on a public environment: for those who manage the stream.
    let environment = EnvironmentInput {
        name: Some("Development".into()),
        short_name: Some("dev".into()),
        owner: Some(group),
        ..EnvironmentInput::default()
    };
    let env = c.create_environment(&tenant_admin, environment).unwrap().environment.id;
    let config = |ctx: &RequestContext| {
        let input = StreamConfigInput { stream: Some(id), environment: Some(env), ..StreamConfigInput::default() };
        denied(c.create_stream_config(ctx, input))
    };
    only_for("create_stream_config", &user, &stream_admin, config);
    let made = c.stream_configs(&stream_admin, portico_catalog::store::stream_configs::StreamConfigFilter::Stream(id));
    let config_id = made.unwrap()[0].config.id;
    only_for("browse_access", &user, &stream_admin, |ctx| denied(c.browse_access(ctx, config_id)));
    only_for("delete_stream_config", &user, &stream_admin, |ctx| {
        denied(c.delete_stream_config(ctx, config_id, &Precondition::none()))
    });
    assert!(!c.may_configure(&user, id, env).unwrap() && c.may_configure(&stream_admin, id, env).unwrap());
    only_for("delete_stream", &user, &stream_admin, |ctx| denied(c.delete_stream(ctx, id, &Precondition::none())));
}
