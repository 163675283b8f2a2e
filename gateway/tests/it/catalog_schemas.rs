//! Axual schemas and schema versions over HTTP: the seed's examples and shapes, check and
//! upload with real Avro parsing, idempotent uploads, compatibility modes with reasons, roles,
//! realms and bad input.

use crate::support::{TestApp, bearer, keys};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

const RANDOM: &str = r#"{"type":"record","name":"Random","namespace":"io.axual.qa.general","fields":[{"name":"random","type":"string"}]}"#;

fn with_field(field: &str, kind: &str, default: Option<Value>) -> String {
    let mut extra = json!({"name": field, "type": kind});
    if let Some(default) = default {
        extra["default"] = default;
    }
    json!({"type": "record", "name": "Random", "namespace": "io.axual.qa.general",
           "fields": [{"name": "random", "type": "string"}, extra]})
    .to_string()
}

#[actix_web::test]
async fn schemas_are_created_checked_and_uploaded_as_the_seed_shows() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let token = &realm.admin;
    let created = app
        .json_accepting(
            "POST",
            token,
            "/schemas",
            "application/hal+json",
            &json!({"name": "io.axual.aeb.test.Schema", "description": "This is a test schema"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("etag"), Some("\"0\""));
    let body = created.json();
    assert_eq!(
        keys(&body),
        ["name", "description", "uid", "created_at", "modified_at", "created_by", "modified_by", "_links"]
    );
    assert_eq!(keys(&body["_links"]), ["self", "schema"]);
    assert_eq!(body["_links"]["schema"]["templated"], true);

    // check: a new schema has no versions; upload stores one; check then lists it.
    let check = app.json_as("POST", token, "/schemas/check", &json!({"schema": RANDOM})).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.text());
    assert_eq!(check.json(), json!({"versions": [], "fullName": "io.axual.qa.general.Random"}));
    let upload = app
        .json_as(
            "POST",
            token,
            "/schemas/upload",
            &json!({"schema": RANDOM, "version": "0.0.1", "description": "description"}),
        )
        .await;
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.text());
    assert_eq!(upload.json(), json!({"version": "0.0.1", "fullName": "io.axual.qa.general.Random"}));
    assert_eq!(
        app.json_as("POST", token, "/schemas/check", &json!({"schema": RANDOM})).await.json()["versions"],
        json!(["0.0.1"])
    );
    // The same schema again (whitespace and docs aside) is the version that holds it.
    let spaced = r#"{ "type": "record", "name": "Random", "namespace": "io.axual.qa.general", "doc": "again",
                      "fields": [ { "name": "random", "type": "string" } ] }"#;
    let again = app.json_as("POST", token, "/schemas/upload", &json!({"schema": spaced, "version": "0.0.2"})).await;
    assert_eq!(again.json(), json!({"version": "0.0.1", "fullName": "io.axual.qa.general.Random"}), "idempotent");
    // Another schema under a taken label is a conflict.
    let taken = app
        .json_as(
            "POST",
            token,
            "/schemas/upload",
            &json!({"schema": with_field("extra", "int", None), "version": "0.0.1"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.text());

    // The schema and its versions, with the projections.
    let listed = app.get_as(token, "/schemas?projection=names&sort=name,asc").await.json();
    let names: Vec<&str> =
        listed["_embedded"]["schemas"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["io.axual.aeb.test.Schema", "io.axual.qa.general.Random"]);
    assert_eq!(keys(&listed["_embedded"]["schemas"][0]), ["name", "uid", "_links"]);
    assert_eq!(app.get_as(token, "/schemas?projection=other").await.status, StatusCode::BAD_REQUEST);
    let found = app.get_as(token, "/schemas/search/findByName?name=io.axual.qa.general.Random").await.json();
    assert_eq!(found["page"]["totalElements"], 1, "a paged search");
    let random_uid = found["_embedded"]["schemas"][0]["uid"].as_str().unwrap().to_owned();
    let containing = app.get_as(token, "/schemas/search/findByNameContaining?name=AXUAL").await.json();
    assert_eq!(containing["page"]["totalElements"], 2);
    let schema_uri = format!("http://api.example.com/schemas/{random_uid}");
    let versions = app.get_as(token, &format!("/schema_versions/search/findAllBySchema?schema={schema_uri}")).await;
    assert_eq!(versions.status, StatusCode::OK, "{}", versions.text());
    let versions = versions.json();
    let version = &versions["_embedded"]["schema_versions"][0];
    assert_eq!(
        keys(version),
        [
            "version",
            "schemaBody",
            "uid",
            "created_at",
            "modified_at",
            "created_by",
            "modified_by",
            "_embedded",
            "_links"
        ]
    );
    assert_eq!(version["schemaBody"], RANDOM);
    assert!(versions.get("page").is_none());
    let projected = app.get_as(token, "/schema_versions?projection=versions").await.json();
    assert_eq!(keys(&projected["_embedded"]["schema_versions"][0]), ["version", "uid", "modifiedAt", "_links"]);
    let one = app.get_as(token, &format!("/schema_versions/{}", version["uid"].as_str().unwrap())).await.json();
    assert_eq!(keys(&one["_embedded"]["schema"]), ["name", "description", "uid", "_links"]);
    assert_eq!(keys(&one["_links"]), ["self", "schemaVersion", "schema"]);
}

#[actix_web::test]
async fn the_seed_version_example_is_accepted_and_versions_are_checked() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let token = &realm.admin;
    let schema = app
        .json_accepting(
            "POST",
            token,
            "/schemas",
            "application/hal+json",
            &json!({"name": "nl.rabobank.beb.key-schema1", "description": ""}),
        )
        .await
        .json();
    let uri = format!("http://api.example.com/schemas/{}", schema["uid"].as_str().unwrap());
    let created = app
        .json_accepting(
            "POST",
            token,
            "/schema_versions",
            "application/hal+json",
            &json!({"version": "test-v1", "schemaBody": "{}", "schema": uri}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("etag"), Some("\"0\""));
    let body = created.json();
    assert_eq!(
        keys(&body),
        [
            "version",
            "schemaBody",
            "uid",
            "created_at",
            "modified_at",
            "created_by",
            "modified_by",
            "_embedded",
            "_links"
        ]
    );
    assert_eq!(body["_embedded"]["schema"]["name"], "nl.rabobank.beb.key-schema1");
    for (payload, field) in [
        (json!({"schemaBody": "{}", "schema": uri}), "version"),
        (json!({"version": "v2", "schemaBody": "{}"}), "schema"),
        (json!({"version": "v2", "schema": uri}), "schemaBody"),
        (
            json!({"version": "v2", "schemaBody": "{}", "schema": "http://api.example.com/schemas/0123456789abcdef0123456789abcdef"}),
            "schema",
        ),
        (
            json!({"version": "v2", "schemaBody": "{}", "schema": "http://api.example.com/streams/0123456789abcdef0123456789abcdef"}),
            "schema",
        ),
        (json!({"version": "x".repeat(51), "schemaBody": "{}", "schema": uri}), "version"),
    ] {
        let response = app.json_as("POST", token, "/schema_versions", &payload).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{payload}: {}", response.text());
        assert!(response.text().contains(field), "{payload}: {}", response.text());
    }
    let twin = app
        .json_as("POST", token, "/schema_versions", &json!({"version": "test-v1", "schemaBody": "{}", "schema": uri}))
        .await;
    assert_eq!(twin.status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn a_compatibility_mode_is_enforced_and_explained() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let token = &realm.admin;
    app.json_as("POST", token, "/schemas/upload", &json!({"schema": RANDOM, "version": "1"})).await;
    let uid = app.get_as(token, "/schemas/search/findByName?name=io.axual.qa.general.Random").await.json()["_embedded"]
        ["schemas"][0]["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/schemas/{uid}");
    assert_eq!(app.get_as(token, &format!("{path}/compatibility")).await.json(), json!({"compatibility": "NONE"}));
    // A plain user may not change the mode; a tenant admin may.
    let user = realm.user("author@acme.test", &[]).await;
    let denied = app.json_as("PATCH", &user.token, &path, &json!({"compatibility": "BACKWARD"})).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.json_as("PATCH", token, &path, &json!({"compatibility": "sideways"})).await.status,
        StatusCode::BAD_REQUEST
    );
    let set = app.json_as("PATCH", token, &path, &json!({"compatibility": "backward"})).await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.text());

    // A new required field without a default breaks BACKWARD: the answer says where and why.
    let breaking = with_field("amount", "int", None);
    let report = app.json_as("POST", &user.token, &format!("{path}/compatibility"), &json!({"schema": breaking})).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    let report = report.json();
    assert_eq!(report["compatible"], false);
    assert_eq!(report["compatibility"], "BACKWARD");
    let problem = &report["incompatibilities"][0];
    assert_eq!(problem["version"], "1");
    assert_eq!(problem["direction"], "BACKWARD");
    assert!(
        problem["path"].as_str().unwrap().contains("amount") || problem["reason"].as_str().unwrap().contains("amount"),
        "{problem}"
    );
    let rejected =
        app.json_as("POST", &user.token, "/schemas/upload", &json!({"schema": breaking, "version": "2"})).await;
    assert_eq!(rejected.status, StatusCode::CONFLICT, "{}", rejected.text());
    assert!(rejected.text().contains("BACKWARD") && rejected.text().contains("amount"), "{}", rejected.text());
    // With a default it is compatible; a type change is explained with both types.
    let fine = with_field("amount", "int", Some(json!(0)));
    assert_eq!(
        app.json_as("POST", &user.token, "/schemas/upload", &json!({"schema": fine, "version": "2"})).await.status,
        StatusCode::OK
    );
    let retyped = json!({"type": "record", "name": "Random", "namespace": "io.axual.qa.general",
                         "fields": [{"name": "random", "type": "int"}, {"name": "amount", "type": "int", "default": 0}]}).to_string();
    let report =
        app.json_as("POST", &user.token, &format!("{path}/compatibility"), &json!({"schema": retyped})).await.json();
    assert_eq!(report["compatible"], false, "{report}");
    let problem = &report["incompatibilities"][0];
    assert_eq!(problem["version"], "2", "non-transitive: against the latest");
    assert!(problem["oldType"].is_string() && problem["newType"].is_string(), "{problem}");
    // Any other mode may be asked for.
    let none = app
        .json_as(
            "POST",
            &user.token,
            &format!("{path}/compatibility"),
            &json!({"schema": retyped, "compatibility": "NONE"}),
        )
        .await
        .json();
    assert_eq!(none["compatible"], true);
}

#[actix_web::test]
async fn bad_schemas_are_400s_with_the_parsers_reason_and_realms_are_kept_apart() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let other = app.realm("other").await;
    for (body, needle) in [
        (json!({"schema": "{\"type\": \"record\"}"}), "schema"),
        (json!({"schema": "not json"}), "schema"),
        (json!({"schema": "\"string\""}), "named Avro type"),
        (json!({"schema": 5}), "schema"),
        (json!({}), "schema"),
    ] {
        let response = app.json_as("POST", &acme.admin, "/schemas/check", &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}: {}", response.text());
        assert!(response.text().contains(needle), "{body}: {}", response.text());
    }
    let no_version = app.json_as("POST", &acme.admin, "/schemas/upload", &json!({"schema": RANDOM})).await;
    assert_eq!(no_version.status, StatusCode::BAD_REQUEST);
    for name in ["ab", "bad/name", &"n".repeat(256)] {
        let response = app.json_as("POST", &acme.admin, "/schemas", &json!({"name": name})).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{name}: {}", response.text());
    }
    assert_eq!(app.get_as(&acme.admin, "/schemas").await.json()["page"]["totalElements"], 0, "nothing was created");
    // The schema object itself (not a string) is accepted too.
    let as_object = app
        .json_as(
            "POST",
            &acme.admin,
            "/schemas/upload",
            &json!({"schema": serde_json::from_str::<Value>(RANDOM).unwrap(), "version": "1"}),
        )
        .await;
    assert_eq!(as_object.status, StatusCode::OK, "{}", as_object.text());
    let uid =
        app.get_as(&acme.admin, "/schemas").await.json()["_embedded"]["schemas"][0]["uid"].as_str().unwrap().to_owned();
    assert_eq!(app.get_as(&other.admin, &format!("/schemas/{uid}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&other.admin, "/schemas").await.json()["page"]["totalElements"], 0);
    assert_eq!(
        app.json_as("POST", &other.admin, "/schemas/check", &json!({"schema": RANDOM})).await.json()["versions"],
        json!([])
    );
    assert_eq!(app.get("/schemas").await.status, StatusCode::UNAUTHORIZED);
    let no_delete =
        app.send(TestRequest::delete().uri(&format!("/schemas/{uid}")).insert_header(bearer(&acme.admin))).await;
    assert_eq!(no_delete.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[actix_web::test]
async fn the_schema_profiles_list_their_fields() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let schema = app.profile(&realm.admin, "schemas").await;
    assert_eq!(schema["title"], "Schema");
    assert_eq!(schema, crate::seed::response_to("GET /profile/schemas HTTP"));
    crate::seed::assert_shape(&schema, &crate::seed::response_to("GET /profile/schemas HTTP"));
    let version = app.profile(&realm.admin, "schema_versions").await;
    assert_eq!(version["title"], "Schema version");
    assert_eq!(version, crate::seed::response_to("GET /profile/schema_versions HTTP"));
    crate::seed::assert_shape(&version, &crate::seed::response_to("GET /profile/schema_versions HTTP"));
    assert_eq!(version["properties"]["schema"]["format"], "uri");
}

#[actix_web::test]
async fn avro_the_parser_cannot_take_is_an_axual_400_everywhere_a_schema_is_read() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let schema = app
        .json_accepting("POST", &acme.admin, "/schemas", "application/hal+json", &json!({"name": "huge.F1"}))
        .await
        .json();
    let schema_uri = format!("http://api.example.com/schemas/{}", schema["uid"].as_str().unwrap());
    for hostile in [
        r#"{"type": "fixed", "name": "F1", "namespace": "huge", "size": 18446744073709551615}"#,
        r#"{"type": "fixed", "name": "F1", "namespace": "huge", "size": 9223372036854775808}"#,
        r#"{"type": "fixed", "name": "F1", "namespace": "huge", "size": 16, "logicalType": "decimal", "precision": 9223372036854775808, "scale": 2}"#,
        r#"{"type": "record", "name": "F1", "namespace": "huge", "fields": [{"name": "f", "type": {"type": "fixed", "name": "G", "size": 18446744073709551615}}]}"#,
    ] {
        for (path, body) in [
            ("/schemas/check", json!({"schema": hostile})),
            ("/schemas/upload", json!({"schema": hostile, "version": "1"})),
            ("/schema_versions", json!({"version": "1", "schemaBody": hostile, "schema": schema_uri})),
        ] {
            let refused = app.json_as("POST", &acme.admin, path, &body).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{path} {hostile}: {}", refused.text());
            assert!(refused.json()["message"].is_string(), "an Axual error: {}", refused.text());
            assert!(!refused.text().to_lowercase().contains("database"), "{}", refused.text());
        }
    }
    let versions =
        app.get_as(&acme.admin, &format!("/schema_versions/search/findAllBySchema?schema={schema_uri}")).await;
    assert_eq!(versions.json()["_embedded"]["schema_versions"], json!([]), "nothing was stored");
}

#[actix_web::test]
async fn a_union_of_many_same_named_enums_is_checked_in_proportion_to_its_size() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let union = |namespace: &str| {
        let branches: Vec<String> = (0..3000)
            .map(|i| format!(r#"{{"type":"enum","name":"E","namespace":"{namespace}{i}","symbols":["A","B"]}}"#))
            .collect();
        format!(
            r#"{{"type":"record","name":"R","namespace":"big","fields":[{{"name":"f","type":[{}]}}]}}"#,
            branches.join(",")
        )
    };
    let uploaded =
        app.json_as("POST", &acme.admin, "/schemas/upload", &json!({"schema": union("a"), "version": "1"})).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.text());
    let uid =
        app.get_as(&acme.admin, "/schemas").await.json()["_embedded"]["schemas"][0]["uid"].as_str().unwrap().to_owned();
    let path = format!("/schemas/{uid}/compatibility");
    let report = app
        .json_as("POST", &acme.admin, &path, &json!({"schema": union("b"), "compatibility": "FULL_TRANSITIVE"}))
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    assert_eq!(report.json()["compatible"], true, "{}", report.text());
}
