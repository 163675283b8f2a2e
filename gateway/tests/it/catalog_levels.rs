//! Axual confidentialities and integrities over HTTP: the seed's examples and shapes, roles,
//! realms, bad input, deletion constraints and concurrent PATCHes.

use crate::support::{TestApp, bearer, json_request, keys};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

fn rels(value: &Value) -> Vec<&str> {
    keys(&value["_links"])
}

/// Creates a level as `token`, with Accept (so the body comes back).
async fn create(app: &TestApp, token: &str, rel: &str, body: Value) -> Value {
    let response = app.json_accepting("POST", token, &format!("/{rel}"), "application/hal+json", &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

#[actix_web::test]
async fn the_seed_examples_create_lower_cased_levels_in_the_seed_shape() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    for (rel, item_rel, body, expected_level, title) in [
        (
            "confidentialities",
            "confidentiality",
            json!({"level": "L2", "description": "This is Level 2", "color": "blue"}),
            "l2",
            "The confidentiality configured for the object",
        ),
        (
            "integrities",
            "integrity",
            json!({"level": "Level 1", "description": "This is level 1", "color": "green"}),
            "level 1",
            "The integrity configured for the object",
        ),
    ] {
        let response =
            app.json_accepting("POST", &realm.admin, &format!("/{rel}"), "application/hal+json", &body).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        assert_eq!(response.header("etag"), Some("\"0\""));
        assert!(response.header("last-modified").is_some());
        let created = response.json();
        let uid = created["uid"].as_str().unwrap();
        assert_eq!(uid.len(), 32);
        assert!(response.header("location").unwrap().ends_with(&format!("/{rel}/{uid}")));
        assert_eq!(
            keys(&created),
            [
                "level",
                "description",
                "color",
                "uid",
                "created_at",
                "modified_at",
                "created_by",
                "modified_by",
                "_links"
            ]
        );
        assert_eq!(created["level"], expected_level);
        assert_eq!(created["created_by"], "tenadmin@acme.test");
        assert_eq!(rels(&created), ["self", item_rel, "edit", "delete"]);
        assert_eq!(created["_links"][item_rel]["templated"], true);
        assert_eq!(created["_links"][item_rel]["title"], title);
        assert!(created["_links"]["self"].get("templated").is_none());

        // The collection: summaries in the seed's key order, create for the admin.
        let listed = app.get_as(&realm.admin, &format!("/{rel}")).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
        let listed = listed.json();
        let item = &listed["_embedded"][rel][0];
        assert_eq!(keys(item), ["level", "color", "description", "uid", "_links"]);
        assert_eq!(listed["page"]["totalElements"], 1);
        for rel in ["self", "profile", "search", "create"] {
            assert!(listed["_links"].get(rel).is_some(), "{rel} in {}", listed["_links"]);
        }
        let search = app.get_as(&realm.admin, &format!("/{rel}/search")).await;
        assert_eq!(search.status, StatusCode::OK);
        assert_eq!(rels(&search.json()), ["self"]);

        // Read, PATCH with and without Accept, constraints, delete.
        let path = format!("/{rel}/{uid}");
        let read = app.get_as(&realm.admin, &path).await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(read.header("etag"), Some("\"0\""));
        assert_eq!(read.json(), created);
        let patched = app
            .json_accepting(
                "PATCH",
                &realm.admin,
                &path,
                "application/hal+json",
                &json!({"description": "Updated description", "color": "purple", "level": "Level-One"}),
            )
            .await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
        assert_eq!(patched.header("etag"), Some("\"1\""));
        let patched = patched.json();
        assert_eq!((patched["level"].as_str(), patched["color"].as_str()), (Some("level-one"), Some("purple")));
        assert_eq!(patched["created_at"], created["created_at"]);
        let quiet = app.json_as("PATCH", &realm.admin, &path, &json!({"color": null})).await;
        assert_eq!(quiet.status, StatusCode::NO_CONTENT, "{}", quiet.text());
        assert!(quiet.body.is_empty());
        assert_eq!(app.get_as(&realm.admin, &path).await.json()["color"], Value::Null);
        let constraints = app.get_as(&realm.admin, &format!("{path}/deletion-constraints")).await;
        assert_eq!(constraints.status, StatusCode::OK);
        assert!(constraints.header("content-type").unwrap().starts_with("application/json"));
        assert_eq!(constraints.text(), r#"{"canDelete":true,"streamsCount":0}"#);
        let deleted = app.json_as("DELETE", &realm.admin, &path, &json!({})).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
        assert_eq!(app.get_as(&realm.admin, &path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get_as(&realm.admin, &format!("/{rel}")).await.json()["page"]["totalElements"], 0);
    }
}

#[actix_web::test]
async fn a_post_without_accept_answers_only_headers() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let response = app.json_as("POST", &realm.admin, "/confidentialities", &json!({"level": "C0"})).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert!(response.body.is_empty());
    assert!(response.header("location").is_some() && response.header("etag").is_some());
}

#[actix_web::test]
async fn roles_decide_who_reads_and_who_writes() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let user = realm.user("reader@acme.test", &[]).await;
    let confidentiality = create(&app, &realm.admin, "confidentialities", json!({"level": "c1"})).await;
    let integrity = create(&app, &realm.admin, "integrities", json!({"level": "i1"})).await;
    let c_path = format!("/confidentialities/{}", confidentiality["uid"].as_str().unwrap());
    let i_path = format!("/integrities/{}", integrity["uid"].as_str().unwrap());

    // Every user reads confidentialities, without edit, delete or create links.
    let listed = app.get_as(&user.token, "/confidentialities").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    assert!(listed.json()["_links"].get("create").is_none());
    let read = app.get_as(&user.token, &c_path).await.json();
    assert_eq!(rels(&read), ["self", "confidentiality"]);
    // Integrities, and every change, are TENANT_ADMIN's.
    for (method, path) in [
        ("POST", "/confidentialities".to_owned()),
        ("PATCH", c_path.clone()),
        ("DELETE", c_path.clone()),
        ("GET", format!("{c_path}/deletion-constraints")),
        ("GET", "/integrities".to_owned()),
        ("GET", i_path.clone()),
        ("POST", "/integrities".to_owned()),
        ("PATCH", i_path.clone()),
        ("DELETE", i_path.clone()),
    ] {
        let response = app.send(json_request(method, &user.token, &path, &json!({"level": "x"}))).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{method} {path}: {}", response.text());
        assert_eq!(response.json()["status"], 403);
    }
    // No token: 401.
    for path in ["/confidentialities", c_path.as_str(), "/integrities"] {
        assert_eq!(app.get(path).await.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // Nothing changed.
    assert_eq!(app.get_as(&realm.admin, &c_path).await.json()["level"], "c1");
}

#[actix_web::test]
async fn another_realm_sees_none_of_it() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let other = app.realm("other").await;
    let level = create(&app, &acme.admin, "confidentialities", json!({"level": "secret"})).await;
    let path = format!("/confidentialities/{}", level["uid"].as_str().unwrap());
    assert_eq!(app.get_as(&other.admin, &path).await.status, StatusCode::NOT_FOUND);
    for method in ["PATCH", "DELETE"] {
        let response = app.send(json_request(method, &other.admin, &path, &json!({"level": "mine"}))).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{method}: {}", response.text());
    }
    assert_eq!(app.get_as(&other.admin, &format!("{path}/deletion-constraints")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&other.admin, "/confidentialities").await.json()["page"]["totalElements"], 0);
    // The same name is free in the other realm.
    create(&app, &other.admin, "confidentialities", json!({"level": "secret"})).await;
    // Asking for acme with the realm header is refused to a tenant admin of another realm.
    let crossed = app
        .send(TestRequest::get().uri(&path).insert_header(bearer(&other.admin)).insert_header(("realm", "acme")))
        .await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN, "{}", crossed.text());
    assert_eq!(app.get_as(&acme.admin, &path).await.json()["level"], "secret");
}

#[actix_web::test]
async fn bad_input_is_an_axual_400_and_changes_nothing() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let existing = create(&app, &realm.admin, "integrities", json!({"level": "taken"})).await;
    let path = format!("/integrities/{}", existing["uid"].as_str().unwrap());
    for (body, field) in [
        (json!({}), "level"),
        (json!({"level": ""}), "level"),
        (json!({"level": "   "}), "level"),
        (json!({"level": "x".repeat(51)}), "level"),
        (json!({"level": "ok", "description": "d".repeat(201)}), "description"),
        (json!({"level": "ok", "color": "c".repeat(13)}), "color"),
        (json!({"level": 5}), "level"),
        (json!({"level": "nul\u{0}"}), "control character"),
        (json!({"level": "ok", "color": ["blue"]}), "color"),
    ] {
        let response = app.json_as("POST", &realm.admin, "/integrities", &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}: {}", response.text());
        let error = response.json();
        assert_eq!(error["status"], 400);
        assert_eq!(error["path"], "/integrities");
        assert!(response.text().contains(field), "{body}: {}", response.text());
        let patched = app.json_as("PATCH", &realm.admin, &path, &body).await;
        if body != json!({}) {
            assert_eq!(patched.status, StatusCode::BAD_REQUEST, "PATCH {body}: {}", patched.text());
        }
    }
    let malformed = app
        .send(
            TestRequest::post()
                .uri("/integrities")
                .insert_header(bearer(&realm.admin))
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"level\": "),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    // A duplicate name (after lower-casing) is a conflict.
    let duplicate = app.json_as("POST", &realm.admin, "/integrities", &json!({"level": "TAKEN"})).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.text());
    let other = create(&app, &realm.admin, "integrities", json!({"level": "free"})).await;
    let renamed = app
        .json_as(
            "PATCH",
            &realm.admin,
            &format!("/integrities/{}", other["uid"].as_str().unwrap()),
            &json!({"level": "Taken"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::CONFLICT, "{}", renamed.text());
    // Unknown and malformed uids.
    assert_eq!(
        app.get_as(&realm.admin, "/integrities/0123456789abcdef0123456789abcdef").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app.get_as(&realm.admin, "/integrities/not-a-uid").await.status.is_client_error());
    // Nothing changed.
    let listed = app.get_as(&realm.admin, "/integrities?sort=level,asc").await.json();
    assert_eq!(listed["page"]["totalElements"], 2);
    let levels: Vec<&str> =
        listed["_embedded"]["integrities"].as_array().unwrap().iter().map(|i| i["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["free", "taken"]);
    assert_eq!(app.get_as(&realm.admin, &path).await.header("etag"), Some("\"0\""));
}

#[actix_web::test]
async fn concurrent_patches_with_if_match_let_one_win() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let level = create(&app, &realm.admin, "confidentialities", json!({"level": "c0"})).await;
    let path = format!("/confidentialities/{}", level["uid"].as_str().unwrap());
    let patch = |color: &'static str| {
        app.send(
            json_request("PATCH", &realm.admin, &path, &json!({"color": color})).insert_header(("if-match", "\"0\"")),
        )
    };
    let (first, second) = tokio::join!(patch("red"), patch("blue"));
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 412], "{} / {}", first.text(), second.text());
    let now = app.get_as(&realm.admin, &path).await;
    assert_eq!(now.header("etag"), Some("\"1\""));
    // Without a precondition a PATCH applies to whatever is current.
    let unconditional = app.json_as("PATCH", &realm.admin, &path, &json!({"description": "after"})).await;
    assert_eq!(unconditional.status, StatusCode::NO_CONTENT);
    let stale = app
        .send(
            json_request("PATCH", &realm.admin, &path, &json!({"color": "green"})).insert_header(("if-match", "\"1\"")),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.text());
}

#[actix_web::test]
async fn the_index_lists_both_collections_and_deleting_the_tenant_removes_its_levels() {
    let app = TestApp::start().await;
    let realm = app.realm("gone").await;
    let (tenant, realm_admin) = (realm.id.clone(), realm.admin.clone());
    let index = app.get_as(&realm_admin, "/").await.json();
    for rel in ["confidentialities", "integrities"] {
        assert!(index["_links"].get(rel).is_some(), "{rel} in {}", index["_links"]);
    }
    create(&app, &realm_admin, "confidentialities", json!({"level": "c"})).await;
    create(&app, &realm_admin, "integrities", json!({"level": "i"})).await;
    let admin = app.admin_token().await;
    assert_eq!(
        app.json_as("DELETE", &admin, &format!("/v1/tenants/{tenant}"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let realm_id = uuid::Uuid::parse_str(&tenant).unwrap().to_string();
    assert_eq!(app.tables_holding_realm(&realm_id), Vec::<&str>::new());
}

#[actix_web::test]
async fn sorting_levels_is_served_by_an_index() {
    let app = TestApp::start().await;
    let mut conn = app.state.db.conn().unwrap();
    portico_core::testing::assert_sort_indexed(
        &mut conn,
        "catalog_levels",
        &portico_catalog::store::levels::LEVEL_SORT,
        &["realm_id", "kind"],
    );
}
