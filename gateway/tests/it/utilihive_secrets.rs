//! Utilihive registry secrets: generic and typed, sealed at rest, versioned, clear values for
//! Admins only, problem+json naming the field.

use crate::support::{TestApp, certificate};
use crate::utilihive_flows::{assert_problem, management_token, request};
use actix_web::http::StatusCode;
use serde_json::{Value, json};

const BASE: &str = "/acme/management/registry/secrets";

#[actix_web::test]
async fn secrets_are_written_versioned_read_and_deleted() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let admin = management_token(&app, &acme, "admin@acme.test", &["Admin"]).await;
    let deployer = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;

    // Generic: any JSON value; created, then a new version.
    let path = format!("{BASE}/generic/db-password");
    let created = app
        .send(request("PUT", &deployer, &path, Some(&json!({"value": "s3cret-1", "description": "billing db"}))))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("cache-control"), Some("no-store"));
    let body = created.json();
    assert_eq!(body["key"], "db-password");
    assert_eq!(body["type"], "generic");
    assert_eq!(body["version"], 1);
    assert_eq!(body["value"], Value::Null, "a Deployer never sees a clear value");
    let same =
        app.send(request("PUT", &admin, &path, Some(&json!({"value": "s3cret-1", "description": "billing db"})))).await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.json()["version"], 1, "a write that changes nothing is no new version");
    let changed =
        app.send(request("PUT", &admin, &path, Some(&json!({"value": "s3cret-2", "description": "billing db"})))).await;
    assert_eq!(changed.json()["version"], 2);
    assert_eq!(changed.json()["value"], "s3cret-2");

    // Only Admins read the clear value.
    let as_admin = app.send(request("GET", &admin, &path, None)).await;
    assert_eq!(as_admin.json()["value"], "s3cret-2");
    assert_eq!(as_admin.header("etag"), Some("\"2\""));
    let as_deployer = app.send(request("GET", &deployer, &path, None)).await;
    assert_eq!(as_deployer.status, StatusCode::OK);
    assert_eq!(as_deployer.json()["value"], Value::Null);
    assert!(!as_deployer.text().contains("s3cret"));

    // Sealed at rest: no clear value in the database.
    let stored = app.stored_texts("flow_secret_versions", "sealed_value");
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|value| !value.contains("s3cret")));

    let versions = app.send(request("GET", &admin, &format!("{path}/versions"), None)).await.json();
    let numbers: Vec<&Value> = versions.as_array().unwrap().iter().map(|v| &v["version"]).collect();
    assert_eq!(numbers, [&json!(1), &json!(2)]);
    assert_eq!(versions[0]["createdBy"], "deployer@acme.test");

    // Typed secrets, checked per type.
    let (pem, key) = certificate(2_158_310_054);
    let typed = [
        ("api-key", "partner-key", json!({"apiKey": "k-123", "headerName": "X-Api-Key"})),
        ("basic-auth", "legacy-soap", json!({"username": "svc", "password": "pw"})),
        (
            "oauth2-client-credentials",
            "erp-client",
            json!({"clientId": "c", "clientSecret": "s", "tokenUrl": "https://idp.acme.test/token", "scopes": ["erp.read"]}),
        ),
        ("certificate", "mtls", json!({"certificate": pem, "privateKey": key})),
    ];
    for (kind, key, value) in &typed {
        let response =
            app.send(request("PUT", &admin, &format!("{BASE}/{kind}/{key}"), Some(&json!({"value": value})))).await;
        assert_eq!(response.status, StatusCode::CREATED, "{kind}: {}", response.text());
        assert_eq!(response.json()["type"], *kind);
    }
    let listed = app.send(request("GET", &deployer, &format!("{BASE}/generic"), None)).await;
    let body = listed.json();
    let keys: Vec<&str> = body.as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["db-password", "erp-client", "legacy-soap", "mtls", "partner-key"]);
    assert!(body.as_array().unwrap().iter().all(|s| s.get("value").is_none()), "summaries never carry values");
    assert!(!listed.text().contains("k-123"));
    let mtls = body.as_array().unwrap().iter().find(|s| s["key"] == "mtls").unwrap();
    assert_eq!(mtls["expiresAt"], "2038-05-24T10:34:14Z");

    // A secret keeps its type.
    let retype =
        app.send(request("PUT", &admin, &format!("{BASE}/generic/partner-key"), Some(&json!({"value": "x"})))).await;
    assert_problem(&retype, 409, None);

    let deleted = app.send(request("DELETE", &admin, &path, None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_problem(&app.send(request("GET", &admin, &path, None)).await, 404, None);
    assert_problem(&app.send(request("DELETE", &admin, &path, None)).await, 404, None);
    assert_problem(&app.send(request("GET", &admin, &format!("{path}/versions"), None)).await, 404, None);
}

#[actix_web::test]
async fn wrong_payloads_are_problems_naming_the_field_and_other_owners_are_refused() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let globex = app.realm("globex").await;
    let admin = management_token(&app, &acme, "admin@acme.test", &["Admin"]).await;
    let theirs = management_token(&app, &globex, "admin@globex.test", &["Admin"]).await;
    let cases = [
        ("api-key", json!({"value": {"headerName": "X"}}), Some("value.apiKey")),
        ("api-key", json!({"value": {"apiKey": "k", "extra": true}}), Some("value.extra")),
        ("basic-auth", json!({"value": {"username": "u"}}), Some("value.password")),
        ("basic-auth", json!({"value": "u:p"}), Some("value")),
        (
            "oauth2-client-credentials",
            json!({"value": {"clientId": "c", "clientSecret": "s", "tokenUrl": "ftp://x"}}),
            Some("value.tokenUrl"),
        ),
        (
            "certificate",
            json!({"value": {"certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}}),
            Some("value.certificate"),
        ),
        (
            "certificate",
            json!({"value": {"certificate": certificate(2_000_000_000).0, "privateKey": "not a key"}}),
            Some("value.privateKey"),
        ),
        ("generic", json!({}), Some("value")),
        ("generic", json!({"value": "a\u{0}b"}), None),
        ("no-such-type", json!({"value": {}}), Some("type")),
        ("generic", json!({"value": 1, "unknown": 2}), None),
    ];
    for (kind, body, field) in cases {
        let response = app.send(request("PUT", &admin, &format!("{BASE}/{kind}/k1"), Some(&body))).await;
        assert_problem(&response, 400, field);
    }
    let bad_key =
        app.send(request("PUT", &admin, &format!("{BASE}/generic/bad%20key"), Some(&json!({"value": 1})))).await;
    assert_problem(&bad_key, 400, Some("key"));
    assert_eq!(app.send(request("GET", &admin, &format!("{BASE}/generic"), None)).await.json(), json!([]));

    // Owners are separate; no token, no entry.
    let created = app.send(request("PUT", &admin, &format!("{BASE}/generic/k1"), Some(&json!({"value": 1})))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_problem(&app.send(request("GET", &theirs, &format!("{BASE}/generic/k1"), None)).await, 403, None);
    assert_problem(
        &app.send(request("GET", &theirs, "/globex/management/registry/secrets/generic/k1", None)).await,
        404,
        None,
    );
    assert_problem(&app.get(&format!("{BASE}/generic")).await, 401, None);
}
