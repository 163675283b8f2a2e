//! Authorization where embedders meet it: every operation of the flows service, called
//! directly, needs the scope `management` and the role `Admin` or `Deployer` (403 otherwise),
//! and only `Admin`s read secrets' clear values — the refusals HTTP callers get.
#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

use portico_core::RequestContext;
use portico_core::hooks::RealmHooks;
use portico_core::seal::Sealer;
use portico_core::testing::{TestDatabase, denied};
use portico_core::time::SystemClock;
use portico_core::write::Precondition;
use portico_flows::model::{FlowDefinition, StatusRequest};
use portico_flows::resources::{ResourceQuery, ResourceType, ResourceWrite};
use portico_flows::secrets::{SecretType, SecretWrite};
use portico_flows::service::FlowsService;
use portico_flows::store::FlowsStore;
use portico_flows::tables::{RowQuery, Upsert};
use portico_identity::testing::TestRealms;
use std::collections::BTreeMap;
use std::sync::Arc;

fn flow(id: &str) -> FlowDefinition {
    FlowDefinition::parse(serde_json::json!({
        "id": id, "version": "1", "exchangePattern": "InOnly",
        "source": {"type": "rest", "path": "/in", "methods": ["POST"]},
        "steps": [{"id": "log", "type": "log"}]
    }))
    .unwrap()
}

/// Every operation of the service, as a call that says whether it was refused.
fn every_operation(store: &FlowsStore, ctx: &RequestContext) -> Vec<(&'static str, bool)> {
    let status = || StatusRequest { principal_id: "ops".into(), reason: Some("maintenance".into()) };
    let secret = || SecretWrite { kind: SecretType::Generic, value: serde_json::json!("s"), description: None };
    let resource = || ResourceWrite { content: r#"{"type": "string"}"#.into(), description: None };
    let cells = || BTreeMap::from([("k".to_owned(), "v".to_owned())]);
    let upsert =
        || Upsert { column: "k".into(), value: "v".into(), cells: cells(), create_table: true, create_row: true };
    let rows = RowQuery { filter: None, offset: 0, limit: 10 };
    let none = Precondition::none();
    let avro = ResourceType::AvroSchema;
    vec![
        ("flows", denied(store.flows(ctx))),
        ("flow_ids", denied(store.flow_ids(ctx))),
        ("flow", denied(store.flow(ctx, "f"))),
        ("create_flow", denied(store.create_flow(ctx, flow("g")))),
        ("update_flow", denied(store.update_flow(ctx, "f", flow("f"), &none))),
        ("disable_flow", denied(store.disable_flow(ctx, "f", status()))),
        ("enable_flow", denied(store.enable_flow(ctx, "f", status()))),
        ("flow_revisions", denied(store.flow_revisions(ctx, "f"))),
        ("flow_revision", denied(store.flow_revision(ctx, "f", 1))),
        ("flow_history", denied(store.flow_history(ctx, "f"))),
        ("resource_types", denied(store.resource_types(ctx))),
        ("resources", denied(store.resources(ctx, &ResourceQuery::default()))),
        ("resource", denied(store.resource(ctx, avro, "r"))),
        ("put_resource", denied(store.put_resource(ctx, avro, "r2", resource(), &none))),
        ("resource_revision", denied(store.resource_revision(ctx, avro, "r", None))),
        ("secrets", denied(store.secrets(ctx))),
        ("secret", denied(store.secret(ctx, "s"))),
        ("put_secret", denied(store.put_secret(ctx, "s2", secret()))),
        ("secret_versions", denied(store.secret_versions(ctx, "s"))),
        ("tables", denied(store.tables(ctx))),
        ("table_rows", denied(store.table_rows(ctx, "t", &rows))),
        ("lookup_row", denied(store.lookup_row(ctx, "t", "k", "v"))),
        ("add_row", denied(store.add_row(ctx, "t", cells()))),
        ("upsert_row", denied(store.upsert_row(ctx, "t", upsert()))),
        ("delete_cells", denied(store.delete_cells(ctx, "t", "k", "v", "x"))),
        ("delete_rows", denied(store.delete_rows(ctx, "t", "k", "nope"))),
        ("delete_column", denied(store.delete_column(ctx, "t", "x"))),
        ("delete_table", denied(store.delete_table(ctx, "t2"))),
        ("delete_secret", denied(store.delete_secret(ctx, "s2", &none))),
        ("delete_resource", denied(store.delete_resource(ctx, avro, "r2", &none))),
        ("delete_flow", denied(store.delete_flow(ctx, "g", &none))),
    ]
}

#[test]
fn every_flows_operation_needs_the_management_scope_and_a_flows_role_at_the_service() {
    let db = TestDatabase::migrated(&[
        &portico_core::db::MIGRATIONS,
        &portico_identity::MIGRATIONS,
        &portico_flows::MIGRATIONS,
    ]);
    let realms = TestRealms::open(&db.database(), RealmHooks::new());
    let realm = realms.create("acme");
    let store = FlowsStore::new(db.database(), Sealer::generate(), Arc::new(SystemClock));
    let scoped = |roles: &[&str]| {
        let mut ctx = TestRealms::caller(&realm, roles);
        ctx.principal.scopes.insert("management".into());
        ctx
    };
    let admin = scoped(&["Admin"]);
    // What the operations act on, made by an Admin.
    store.create_flow(&admin, flow("f")).unwrap();
    store
        .put_secret(&admin, "s", SecretWrite { kind: SecretType::Generic, value: "v".into(), description: None })
        .unwrap();
    let schema = ResourceWrite { content: r#"{"type": "string"}"#.into(), description: None };
    store.put_resource(&admin, ResourceType::AvroSchema, "r", schema, &Precondition::none()).unwrap();
    store.add_row(&admin, "t", BTreeMap::from([("k".to_owned(), "v".to_owned())])).unwrap();

    let unscoped_deployer = TestRealms::caller(&realm, &["Deployer"]);
    let without_role = scoped(&["STREAM_ADMIN"]);
    for caller in [&unscoped_deployer, &without_role] {
        for (operation, refused) in every_operation(&store, caller) {
            assert!(
                refused,
                "{operation} let in {:?} with scopes {:?}",
                caller.principal.roles, caller.principal.scopes
            );
        }
    }
    for (operation, refused) in every_operation(&store, &scoped(&["Deployer"])) {
        assert!(!refused, "{operation} refused a Deployer");
    }
    // Deployers deploy flows that name secrets by key; only Admins read the values.
    let deployer = scoped(&["Deployer"]);
    store
        .put_secret(&admin, "s", SecretWrite { kind: SecretType::Generic, value: "v".into(), description: None })
        .unwrap();
    assert_eq!(store.secret(&deployer, "s").unwrap().value, None);
    assert!(store.secret(&admin, "s").unwrap().value.is_some());
}
