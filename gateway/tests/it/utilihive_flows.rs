//! Utilihive flows under `/{ownerId}/management/flows`: definitions with revisions, disable and
//! enable with their history, problem+json errors, roles, scope and owners.

use crate::support::{TestApp, TestResponse, USER_PASSWORD, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

/// A `scope=management` token of a user of `realm` holding `roles`.
pub(crate) async fn management_token(
    app: &TestApp,
    realm: &crate::support::TestRealm<'_>,
    email: &str,
    roles: &[&str],
) -> String {
    realm.user(email, roles).await;
    let granted = app
        .post_form(
            "/authentication/token",
            &[("grant_type", "password"), ("username", email), ("password", USER_PASSWORD), ("scope", "management")],
        )
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.text());
    crate::support::access_token(&granted)
}

/// A `Deployer`'s token from the realm's OpenID endpoint: without the scope `management`.
pub(crate) async fn unscoped_token(app: &TestApp, realm: &crate::support::TestRealm<'_>, email: &str) -> String {
    realm.user(email, &["Deployer"]).await;
    let path = format!("/auth/realms/{}/protocol/openid-connect/token", realm.name);
    let granted = app
        .post_form(
            &path,
            &[("grant_type", "password"), ("username", email), ("password", USER_PASSWORD), ("scope", "openid")],
        )
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.text());
    crate::support::access_token(&granted)
}

pub(crate) fn rest_flow(id: &str, version: &str) -> Value {
    json!({
        "id": id,
        "version": version,
        "description": "Meter readings posted by head-end systems",
        "exchangePattern": "InOut",
        "source": {"type": "rest", "path": "/readings", "methods": ["POST"]},
        "steps": [
            {"id": "parse", "type": "json-parse"},
            {"id": "store", "type": "write-table", "config": {"table": "readings"}}
        ]
    })
}

pub(crate) fn request(method: &str, token: &str, path: &str, body: Option<&Value>) -> TestRequest {
    let request = match method {
        "POST" => TestRequest::post(),
        "PUT" => TestRequest::put(),
        "PATCH" => TestRequest::patch(),
        "DELETE" => TestRequest::delete(),
        _ => TestRequest::get(),
    }
    .uri(path)
    .insert_header(bearer(token));
    match body {
        Some(body) => request.insert_header(("content-type", "application/json")).set_payload(body.to_string()),
        None => request,
    }
}

pub(crate) fn assert_problem(response: &TestResponse, status: u16, field: Option<&str>) {
    assert_eq!(response.status.as_u16(), status, "{}", response.text());
    assert_eq!(response.header("content-type"), Some("application/problem+json"));
    let body = response.json();
    assert_eq!(body["status"], status);
    if let Some(field) = field {
        assert_eq!(body["field"], field, "{body}");
    }
}

#[actix_web::test]
async fn flows_are_deployed_revised_disabled_enabled_and_deleted() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let base = "/acme/management/flows";

    let created = app.send(request("POST", &token, base, Some(&rest_flow("meter-readings", "1.0.0")))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("location"), Some("/acme/management/flows/meter-readings"));
    let body = created.json();
    assert_eq!(body["flowId"], "meter-readings");
    assert_eq!(body["version"], "1.0.0");
    assert_eq!(body["revision"], 1);
    assert_eq!(body["enabled"], true);
    assert_eq!(body["sourceType"], "rest");
    assert_eq!(body["canDisable"], true);
    assert_eq!(body["statusChange"], Value::Null);
    assert_eq!(body["definition"], rest_flow("meter-readings", "1.0.0"));
    assert_eq!(body["createdBy"], "deployer@acme.test");

    let taken = app.send(request("POST", &token, base, Some(&rest_flow("meter-readings", "9.9.9")))).await;
    assert_problem(&taken, 409, None);
    let scheduled = json!({
        "id": "nightly-export", "version": "1", "exchangePattern": "InOnly",
        "source": {"type": "scheduled", "cron": "0 2 * * *"},
        "steps": [{"id": "export", "type": "file-write"}]
    });
    assert_eq!(app.send(request("POST", &token, base, Some(&scheduled))).await.status, StatusCode::CREATED);

    let ids = app.send(request("GET", &token, &format!("{base}/flowIds"), None)).await;
    assert_eq!(ids.json(), json!(["meter-readings", "nightly-export"]));
    let all = app.send(request("GET", &token, base, None)).await.json();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[1]["canDisable"], false);

    // An update is a new revision; the old definition stays readable.
    let path = format!("{base}/meter-readings");
    let read = app.send(request("GET", &token, &path, None)).await;
    let etag = read.header("etag").unwrap().to_owned();
    let updated = app.send(request("PUT", &token, &path, Some(&rest_flow("meter-readings", "1.1.0")))).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    assert_eq!(updated.json()["revision"], 2);
    assert_eq!(updated.json()["version"], "1.1.0");
    let stale =
        request("PUT", &token, &path, Some(&rest_flow("meter-readings", "1.2.0"))).insert_header(("if-match", etag));
    assert_problem(&app.send(stale).await, 412, None);
    let unchanged = app.send(request("PUT", &token, &path, Some(&rest_flow("meter-readings", "1.1.0")))).await;
    assert_eq!(unchanged.json()["revision"], 2, "a PUT that changes nothing is no revision");
    let revisions = app.send(request("GET", &token, &format!("{path}/revisions"), None)).await.json();
    let labels: Vec<&Value> = revisions.as_array().unwrap().iter().map(|r| &r["version"]).collect();
    assert_eq!(labels, [&json!("1.0.0"), &json!("1.1.0")]);
    let first = app.send(request("GET", &token, &format!("{path}/revisions/1"), None)).await.json();
    assert_eq!(first["definition"], rest_flow("meter-readings", "1.0.0"));
    assert_problem(&app.send(request("GET", &token, &format!("{path}/revisions/7"), None)).await, 404, None);
    assert_problem(
        &app.send(request("GET", &token, &format!("{path}/revisions/x"), None)).await,
        400,
        Some("revision"),
    );
    let mismatch = app.send(request("PUT", &token, &path, Some(&rest_flow("other-id", "2")))).await;
    assert_problem(&mismatch, 400, Some("id"));

    // Disable and enable, with who and why kept.
    let no_reason =
        app.send(request("POST", &token, &format!("{path}/disable"), Some(&json!({"principalId": "ops"})))).await;
    assert_problem(&no_reason, 400, Some("reason"));
    let disable = json!({"principalId": "ops-oncall", "reason": "head-end sends duplicates"});
    let disabled = app.send(request("POST", &token, &format!("{path}/disable"), Some(&disable))).await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.text());
    let body = disabled.json();
    assert_eq!(body["enabled"], false);
    assert_eq!(body["statusChange"]["action"], "DISABLED");
    assert_eq!(body["statusChange"]["principalId"], "ops-oncall");
    assert_eq!(body["statusChange"]["reason"], "head-end sends duplicates");
    assert_eq!(body["statusChange"]["by"], "deployer@acme.test");
    assert_problem(&app.send(request("POST", &token, &format!("{path}/disable"), Some(&disable))).await, 409, None);
    let no_principal = app.send(request("POST", &token, &format!("{path}/enable"), Some(&json!({})))).await;
    assert_problem(&no_principal, 400, Some("principalId"));
    let enabled =
        app.send(request("POST", &token, &format!("{path}/enable"), Some(&json!({"principalId": "ops-oncall"})))).await;
    assert_eq!(enabled.json()["enabled"], true);
    let history = app.send(request("GET", &token, &format!("{path}/history"), None)).await.json();
    let actions: Vec<&Value> = history.as_array().unwrap().iter().map(|h| &h["action"]).collect();
    assert_eq!(actions, [&json!("DISABLED"), &json!("ENABLED")]);
    assert_eq!(history[0]["reason"], "head-end sends duplicates");

    let timer = app
        .send(request(
            "POST",
            &token,
            &format!("{base}/nightly-export/disable"),
            Some(&json!({"principalId": "ops", "reason": "x"})),
        ))
        .await;
    assert_problem(&timer, 400, Some("source.type"));

    // Delete.
    let deleted = app.send(request("DELETE", &token, &path, None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_problem(&app.send(request("GET", &token, &path, None)).await, 404, None);
    assert_problem(&app.send(request("DELETE", &token, &path, None)).await, 404, None);
    assert_problem(&app.send(request("GET", &token, &format!("{path}/revisions"), None)).await, 404, None);
    assert_eq!(
        app.send(request("GET", &token, &format!("{base}/flowIds"), None)).await.json(),
        json!(["nightly-export"])
    );
}

#[actix_web::test]
async fn malformed_definitions_are_problems_naming_the_field() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let token = management_token(&app, &acme, "admin@acme.test", &["Admin"]).await;
    let base = "/acme/management/flows";
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"version": "1", "exchangePattern": "InOnly", "source": {"type": "rest", "path": "/a"}, "steps": [{"id": "a", "type": "x"}]}),
            "id",
        ),
        (
            json!({"id": "a b", "version": "1", "exchangePattern": "InOnly", "source": {"type": "rest", "path": "/a"}, "steps": [{"id": "a", "type": "x"}]}),
            "id",
        ),
        (
            json!({"id": "a", "exchangePattern": "InOnly", "source": {"type": "rest", "path": "/a"}, "steps": [{"id": "a", "type": "x"}]}),
            "version",
        ),
        (
            json!({"id": "a", "version": "1", "exchangePattern": "Sometimes", "source": {"type": "rest", "path": "/a"}, "steps": [{"id": "a", "type": "x"}]}),
            "exchangePattern",
        ),
        (
            json!({"id": "a", "version": "1", "exchangePattern": "InOnly", "steps": [{"id": "a", "type": "x"}]}),
            "source",
        ),
        (
            json!({"id": "a", "version": "1", "exchangePattern": "InOnly", "source": {"type": "carrier-pigeon"}, "steps": [{"id": "a", "type": "x"}]}),
            "source.type",
        ),
        (
            json!({"id": "a", "version": "1", "exchangePattern": "InOnly", "source": {"type": "messaging"}, "steps": [{"id": "a", "type": "x"}]}),
            "source.topic",
        ),
        (
            json!({"id": "a", "version": "1", "exchangePattern": "InOnly", "source": {"type": "rest", "path": "/a"}, "steps": []}),
            "steps",
        ),
        (
            json!({"id": "a", "version": "1", "exchangePattern": "InOnly", "source": {"type": "rest", "path": "/a"}, "steps": [{"id": "s", "type": "x"}, {"id": "s", "type": "y"}]}),
            "steps[1].id",
        ),
        (
            json!({"id": "a", "version": "1\u{0}", "exchangePattern": "InOnly", "source": {"type": "rest", "path": "/a"}, "steps": [{"id": "a", "type": "x"}]}),
            "",
        ),
        (json!([1, 2]), "definition"),
    ];
    for (body, field) in cases {
        let response = app.send(request("POST", &token, base, Some(&body))).await;
        assert_problem(&response, 400, (!field.is_empty()).then_some(field));
    }
    let not_json =
        request("POST", &token, base, None).insert_header(("content-type", "application/json")).set_payload("{");
    assert_problem(&app.send(not_json).await, 400, None);
    let text = request("POST", &token, base, None).insert_header(("content-type", "text/plain")).set_payload("{}");
    assert_problem(&app.send(text).await, 415, None);
    let unknown = app
        .send(request(
            "POST",
            &token,
            &format!("{base}/x/disable"),
            Some(&json!({"principalId": "a", "reason": "b", "extra": 1})),
        ))
        .await;
    assert_problem(&unknown, 400, None);
    assert_eq!(app.send(request("GET", &token, &format!("{base}/flowIds"), None)).await.json(), json!([]));
}

#[actix_web::test]
async fn only_admins_and_deployers_with_the_management_scope_of_the_owner_get_in() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let globex = app.realm("globex").await;
    let deployer = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let theirs = management_token(&app, &globex, "deployer@globex.test", &["Deployer"]).await;
    let created = app.send(request("POST", &deployer, "/acme/management/flows", Some(&rest_flow("f1", "1")))).await;
    assert_eq!(created.status, StatusCode::CREATED);

    assert_problem(&app.get("/acme/management/flows").await, 401, None);
    // A Deployer's token without the management scope, and a user who is neither role.
    let unscoped = unscoped_token(&app, &acme, "unscoped@acme.test").await;
    let viewer = acme.user("viewer@acme.test", &["STREAM_ADMIN"]).await.token;
    for token in [&unscoped, &viewer] {
        let response = app.send(request("GET", token, "/acme/management/flows", None)).await;
        assert_problem(&response, 403, None);
        let write = app.send(request("POST", token, "/acme/management/flows", Some(&rest_flow("f2", "1")))).await;
        assert_problem(&write, 403, None);
    }
    // Another owner's token on acme's path: 403; its own path shows nothing of acme's.
    assert_problem(&app.send(request("GET", &theirs, "/acme/management/flows/f1", None)).await, 403, None);
    assert_problem(&app.send(request("DELETE", &theirs, "/acme/management/flows/f1", None)).await, 403, None);
    assert_eq!(app.send(request("GET", &theirs, "/globex/management/flows/flowIds", None)).await.json(), json!([]));
    assert_problem(&app.send(request("GET", &theirs, "/globex/management/flows/f1", None)).await, 404, None);
    // A platform admin may act for any owner; an unknown owner is 404.
    let admin = app.admin_token().await;
    assert_eq!(app.send(request("GET", &admin, "/acme/management/flows/flowIds", None)).await.json(), json!(["f1"]));
    assert_problem(&app.send(request("GET", &admin, "/nobody/management/flows", None)).await, 404, None);
}

#[actix_web::test]
async fn concurrent_updates_keep_every_revision_or_conflict_cleanly() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let path = "/acme/management/flows/f";
    assert_eq!(
        app.send(request("POST", &token, "/acme/management/flows", Some(&rest_flow("f", "1")))).await.status,
        StatusCode::CREATED
    );
    // Without a precondition: both land, as revisions 2 and 3.
    let (a, b) = futures_util::join!(
        app.send(request("PUT", &token, path, Some(&rest_flow("f", "2a")))),
        app.send(request("PUT", &token, path, Some(&rest_flow("f", "2b"))))
    );
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK), "{} / {}", a.text(), b.text());
    let mut revisions = vec![a.json()["revision"].as_i64().unwrap(), b.json()["revision"].as_i64().unwrap()];
    revisions.sort_unstable();
    assert_eq!(revisions, [2, 3]);
    let stored = app.send(request("GET", &token, &format!("{path}/revisions"), None)).await.json();
    let labels: std::collections::BTreeSet<&str> =
        stored.as_array().unwrap().iter().map(|r| r["version"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1", "2a", "2b"].into_iter().collect());
    // With the same If-Match: one wins, the other is told.
    let etag = app.send(request("GET", &token, path, None)).await.header("etag").unwrap().to_owned();
    let (c, d) = futures_util::join!(
        app.send(request("PUT", &token, path, Some(&rest_flow("f", "3c"))).insert_header(("if-match", etag.clone()))),
        app.send(request("PUT", &token, path, Some(&rest_flow("f", "3d"))).insert_header(("if-match", etag)))
    );
    let mut statuses = [c.status.as_u16(), d.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);
}

/// Every `$ref` of `value`.
fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push(target.clone());
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(list) => list.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

#[actix_web::test]
async fn each_owner_gets_the_openapi_document_of_its_management_api() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let response = app.send(request("GET", &token, "/acme/management/openapi.json", None)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let doc = response.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["servers"][0]["url"].as_str().unwrap().ends_with("/acme/management"), "{}", doc["servers"]);
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/flows",
        "/flows/flowIds",
        "/flows/{flowId}",
        "/flows/{flowId}/disable",
        "/registry/secrets/{type}/{key}",
        "/openapi.json",
    ] {
        assert!(paths.contains_key(path), "{path} is documented: {:?}", paths.keys().collect::<Vec<_>>());
    }
    assert!(paths.keys().all(|p| !p.contains("ownerId") && !p.starts_with("/streams")));
    let whole = app.get("/openapi.json").await.json();
    let flows = &whole["paths"]["/{ownerId}/management/flows"]["post"];
    assert_eq!(doc["paths"]["/flows"]["post"]["operationId"], flows["operationId"], "the same route definitions");
    for item in paths.values() {
        for operation in item.as_object().unwrap().values() {
            let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
            assert!(parameters.iter().all(|p| p["name"] != "ownerId"), "{operation}");
        }
    }
    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let name = target.strip_prefix("#/components/schemas/").unwrap();
        assert!(doc["components"]["schemas"][name].is_object(), "{target} resolves");
    }
    let globex = app.realm("globex").await;
    let theirs = management_token(&app, &globex, "deployer@globex.test", &["Deployer"]).await;
    assert_problem(&app.send(request("GET", &theirs, "/acme/management/openapi.json", None)).await, 403, None);
    assert_problem(&app.get("/acme/management/openapi.json").await, 401, None);
}

#[actix_web::test]
async fn deleting_the_owner_leaves_no_row_in_any_flows_table() {
    let app = TestApp::start().await;
    let gone = app.realm("gone").await;
    let token = management_token(&app, &gone, "deployer@gone.test", &["Deployer"]).await;
    let writes = [
        ("POST", "/gone/management/flows".to_owned(), rest_flow("meter-readings", "1.0.0")),
        ("PUT", "/gone/management/registry/secrets/generic/db-password".to_owned(), json!({"value": "s3cret"})),
        ("POST", "/gone/management/registry/tables/meters/rows".to_owned(), json!({"cells": {"meter": "M-1"}})),
        (
            "POST",
            "/gone/management/registry/resources/OpenAPIv3/simple-rest-api".to_owned(),
            json!({"content": crate::utilihive_resources::OPENAPI}),
        ),
    ];
    for (method, path, body) in &writes {
        let written = app.send(request(method, &token, path, Some(body))).await;
        assert!(written.status.is_success(), "{method} {path}: {}", written.text());
    }
    let realm_id = uuid::Uuid::parse_str(&gone.id).unwrap().to_string();
    let holding = app.tables_holding_realm(&realm_id);
    for table in ["flows", "flow_secrets", "flow_table_cells", "flow_resources", "flow_resource_trigrams"] {
        assert!(holding.contains(&table), "{table} in {holding:?}");
    }
    let admin = app.admin_token().await;
    let deleted = app.json_as("DELETE", &admin, &format!("/v1/tenants/{}", gone.id), &json!({})).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    assert_eq!(app.tables_holding_realm(&realm_id), Vec::<&str>::new());
}
