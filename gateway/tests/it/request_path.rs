//! The request path's database work, counted through the connection: pool checkouts and SQL
//! statements per request are asserted exactly, so a change that adds a round trip fails here
//! without timing anything (speed itself is measured by `cargo bench`, see docs/benchmarks.md).

use crate::credentials::{BASE, local_credential, setup};
use crate::support::{TestApp, basic_user, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use portico_core::db::DbCounts;
use serde_json::json;

/// The database work of one request (the app is otherwise idle).
async fn counted(app: &TestApp, request: TestRequest) -> DbCounts {
    let before = app.state.db.counts();
    let response = app.send(request).await;
    assert!(response.status.is_success(), "{}", response.text());
    app.state.db.counts() - before
}

fn expect(checkouts: u64, statements: u64) -> DbCounts {
    DbCounts { checkouts, statements, connects: 0 }
}

#[actix_web::test]
async fn an_authenticated_read_is_one_checkout_and_only_its_own_queries() {
    let app = TestApp::start().await;
    let admin = setup(&app).await;
    let (created, _, _) = local_credential(&app, "c", "v").await;
    let id = created.json()["credentialId"].as_i64().unwrap();
    let credential = format!("{BASE}/credential/{id}");
    let by_token = || TestRequest::get().uri(&credential).insert_header(bearer(&admin));
    // The token's first use verifies it and checks its subject: a checkout of its own.
    assert_eq!(counted(&app, by_token()).await.checkouts, 2);
    // Then one statement: the credential and its values with their definitions' secret flags.
    assert_eq!(counted(&app, by_token()).await, expect(1, 1), "bearer credential read");
    let users = || TestRequest::get().uri("/users").insert_header(bearer(&admin));
    // A page: the rows, their roles in one batch and the total from its counter, in one
    // snapshot (BEGIN and COMMIT are the other two), so the total is the page's.
    assert_eq!(counted(&app, users()).await, expect(1, 5), "bearer Axual page");
    let page = app.send(users()).await.json();
    let uid = page["_embedded"]["users"][0]["uid"].as_str().unwrap().to_owned();
    let user = || TestRequest::get().uri(&format!("/users/{uid}")).insert_header(bearer(&admin));
    counted(&app, user()).await;
    // One statement: the user and their roles.
    assert_eq!(counted(&app, user()).await, expect(1, 1), "bearer Axual user");
    let by_basic =
        || TestRequest::get().uri(&credential).insert_header(basic_user("credadmin@acme.test", "pw-of-user"));
    counted(&app, by_basic()).await;
    assert_eq!(counted(&app, by_basic()).await, expect(1, 1), "remembered Basic credential read");
    assert_eq!(counted(&app, TestRequest::get().uri("/healthz")).await, expect(0, 0), "health");
}

#[actix_web::test]
async fn issuing_a_client_token_at_a_realm_endpoint_is_one_statement() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let client = realm.client("svc", &["TENANT_ADMIN"]).await;
    let form = serde_urlencoded::to_string([
        ("grant_type", "client_credentials"),
        ("client_id", client.id.as_str()),
        ("client_secret", client.secret.as_str()),
    ])
    .unwrap();
    let grant = || {
        TestRequest::post()
            .uri("/auth/realms/acme/protocol/openid-connect/token")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(form.clone())
    };
    counted(&app, grant()).await;
    // The realm is remembered; the client is looked up in it (with its secret's hash).
    assert_eq!(counted(&app, grant()).await, expect(1, 1), "client_credentials at a realm endpoint");
}

#[actix_web::test]
async fn a_security_change_makes_the_next_request_check_its_subject_again() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let user = realm.user("reader@acme.test", &["TENANT_ADMIN"]).await;
    let users = || TestRequest::get().uri("/users").insert_header(bearer(&user.token));
    counted(&app, users()).await;
    assert_eq!(counted(&app, users()).await.checkouts, 1, "remembered");
    let other = realm.user("other@acme.test", &[]).await;
    let demote = app.json_as("PUT", &realm.admin, &format!("/users/{}/roles", other.uid), &json!([])).await;
    assert_eq!(demote.status, StatusCode::OK);
    // The subject and the realm are looked up again (a checkout each), then the handler's.
    assert_eq!(counted(&app, users()).await.checkouts, 3, "checked again after a role change anywhere");
    assert_eq!(counted(&app, users()).await.checkouts, 1, "and remembered again");
}

#[actix_web::test]
async fn a_change_made_through_another_replica_applies_there_too() {
    use portico_core::db::Backend;
    use std::time::{Duration, Instant};
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let user = realm.user("reader@acme.test", &["TENANT_ADMIN"]).await;
    // Another process over the same database. On PostgreSQL it hears this one's changes
    // (NOTIFY), so its own re-check interval is made long enough not to explain anything; on
    // SQLite (one process per file) nothing reaches it and its re-check interval is the bound.
    let postgres = app.state.db.backend() == Backend::Postgres;
    let bound = if postgres { Duration::from_secs(2) } else { Duration::from_millis(300) };
    let replica = app.replica_with(|config| {
        config.recheck_after = if postgres { Duration::from_secs(600) } else { bound };
    });
    let roles = |replica: &portico_identity::store::IdentityStore| {
        replica.authenticate_bearer(&user.token).map(|principal| principal.roles.into_iter().collect::<Vec<_>>())
    };
    assert_eq!(roles(&replica).unwrap(), ["TENANT_ADMIN"]);
    let demote = app.json_as("PUT", &realm.admin, &format!("/users/{}/roles", user.uid), &json!([])).await;
    assert_eq!(demote.status, StatusCode::OK);
    let changed = Instant::now();
    while roles(&replica).unwrap() != Vec::<String>::new() {
        assert!(changed.elapsed() < bound * 2, "the replica still sees the old roles after {:?}", changed.elapsed());
        std::thread::sleep(Duration::from_millis(5));
    }
    let deleted = app.json_as("DELETE", &realm.admin, &format!("/users/{}", user.uid), &json!({})).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let changed = Instant::now();
    while roles(&replica).is_ok() {
        assert!(
            changed.elapsed() < bound * 2,
            "the replica still accepts a deleted user after {:?}",
            changed.elapsed()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[actix_web::test]
async fn a_page_of_streams_reads_each_related_entity_once() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let group = app
        .json_accepting("POST", &realm.admin, "/groups", "application/hal+json", &json!({"name": "Stream owners"}))
        .await
        .json()["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let owners = format!("http://api.example.com/groups/{group}");
    let page_of = |count: usize| {
        let admin = realm.admin.clone();
        let owners = owners.clone();
        let app = &app;
        async move {
            for i in 0..count {
                let body = json!({"name": format!("stream-{count}-{i}"), "keyType": "JSON", "valueType": "JSON", "owners": owners});
                assert_eq!(app.json_as("POST", &admin, "/streams", &body).await.status, StatusCode::CREATED);
            }
            let list = || TestRequest::get().uri("/streams?size=100").insert_header(bearer(&admin));
            counted(app, list()).await;
            counted(app, list()).await
        }
    };
    let few = page_of(2).await;
    let many = page_of(20).await;
    // The page, its total, the shared owner once and the caller's role check, in one snapshot
    // (two statements more): independent of how many streams the page holds.
    assert_eq!(few, many, "a page of 2 and a page of 22 streams cost the same");
    assert!(many.statements <= 6, "{many:?}");
    // A member of the owning group (no stream role): the caller's groups are read once, for
    // both the page's `edit` rights and the listing's `create` link, on one checkout.
    let member = realm.user("member@acme.test", &[]).await;
    let added = app
        .send(
            TestRequest::post()
                .uri(&format!("/groups/{group}/members"))
                .insert_header(bearer(&realm.admin))
                .insert_header(("content-type", "text/uri-list"))
                .set_payload(format!("http://api.example.com/users/{}", member.uid)),
        )
        .await;
    assert!(added.status.is_success(), "{}", added.text());
    let listed = || TestRequest::get().uri("/streams?size=100").insert_header(bearer(&member.token));
    counted(&app, listed()).await;
    let as_member = counted(&app, listed()).await;
    assert_eq!(as_member.checkouts, many.checkouts, "{as_member:?}");
    assert_eq!(as_member.statements, many.statements + 1, "only the group read is added: {as_member:?}");
}
