//! Utilihive at its edges, as review and attack found them: path segments decoded once,
//! numbers stored as sent, paging limits enforced, ids that would shadow fixed paths, XML that
//! is not well-formed, Avro the parser cannot take, invisible characters in names, and
//! conditional deletes. Every refusal leaves nothing changed.

use crate::support::{TestApp, bearer};
use crate::utilihive_flows::{assert_problem, management_token, request, rest_flow};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

const BASE: &str = "/acme/management";

async fn deployer(app: &TestApp) -> String {
    let acme = app.realm("acme").await;
    management_token(app, &acme, "deployer@acme.test", &["Deployer"]).await
}

/// `method path` with a raw JSON text body (numbers `json!` cannot hold exactly).
fn raw(method: TestRequest, token: &str, path: &str, body: &str) -> TestRequest {
    method
        .uri(path)
        .insert_header(bearer(token))
        .insert_header(("content-type", "application/json"))
        .set_payload(body.to_owned())
}

#[actix_web::test]
async fn table_keys_with_slash_plus_and_percent_are_read_and_deleted_by_their_encoded_path() {
    let app = TestApp::start().await;
    let token = deployer(&app).await;
    let rows = format!("{BASE}/registry/tables/phones/rows");
    for (key, owner) in [("a/b", "slash"), ("+31201234567", "plus"), ("100%", "percent"), ("100%25", "literal")] {
        let added = app.send(request("POST", &token, &rows, Some(&json!({"cells": {"k": key, "owner": owner}})))).await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    }
    for (encoded, owner) in
        [("a%2Fb", "slash"), ("%2B31201234567", "plus"), ("100%25", "percent"), ("100%2525", "literal")]
    {
        let found = app.send(request("GET", &token, &format!("{rows}/k/{encoded}"), None)).await;
        assert_eq!(found.status, StatusCode::OK, "{encoded}: {}", found.text());
        assert_eq!(found.json()["cells"]["owner"], owner, "{encoded}");
        let cell = app.send(request("GET", &token, &format!("{rows}/k/{encoded}/owner"), None)).await;
        assert_eq!(cell.json(), json!({"column": "owner", "value": owner}), "{encoded}");
    }
    // A raw `+` is a `+` in a path (not a space, as it would be in a query string).
    let raw_plus = app.send(request("GET", &token, &format!("{rows}/k/+31201234567"), None)).await;
    assert_eq!(raw_plus.json()["cells"]["owner"], "plus");
    let deleted = app.send(request("DELETE", &token, &format!("{rows}/k/a%2Fb"), None)).await;
    assert_eq!(deleted.json(), json!({"deleted": 1}));
    let deleted = app.send(request("DELETE", &token, &format!("{rows}/k/100%25/owner"), None)).await;
    assert_eq!(deleted.json(), json!({"deleted": 1}));
    let left = app.send(request("GET", &token, &rows, None)).await.json();
    let left: Vec<(&Value, &Value)> =
        left.as_array().unwrap().iter().map(|r| (&r["cells"]["k"], &r["cells"]["owner"])).collect();
    assert_eq!(
        left,
        [
            (&json!("+31201234567"), &json!("plus")),
            (&json!("100%"), &Value::Null),
            (&json!("100%25"), &json!("literal"))
        ]
    );
    // A segment that is not UTF-8 once decoded is a 400 at the edge, never U+FFFD in its place.
    assert_problem(&app.send(request("GET", &token, &format!("{rows}/k/%FF"), None)).await, 400, None);
}

#[actix_web::test]
async fn secret_and_resource_ids_are_decoded_once_too() {
    let app = TestApp::start().await;
    let token = deployer(&app).await;
    // `%2E` is decoded by the router, `%2D` too; what reaches the check is the id itself.
    let put = app
        .send(request(
            "PUT",
            &token,
            &format!("{BASE}/registry/secrets/generic/db%2Dpassword"),
            Some(&json!({"value": "s"})),
        ))
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.text());
    let read = app.send(request("GET", &token, &format!("{BASE}/registry/secrets/generic/db-password"), None)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    // An encoded slash is part of the key, which keys refuse: 400, not a route of its own.
    let slash = app
        .send(request("PUT", &token, &format!("{BASE}/registry/secrets/generic/a%2Fb"), Some(&json!({"value": "s"}))))
        .await;
    assert_problem(&slash, 400, Some("key"));
}

#[actix_web::test]
async fn numbers_in_cells_are_stored_with_the_digits_they_were_sent_with() {
    let app = TestApp::start().await;
    let token = deployer(&app).await;
    let rows = format!("{BASE}/registry/tables/numbers/rows");
    let body =
        r#"{"cells": {"k": "big", "n": 10000000000000000000000000000000000000000, "e": 1e40, "d": 12.50, "m": -0}}"#;
    let added = app.send(raw(TestRequest::post(), &token, &rows, body)).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let cells = &added.json()["cells"];
    assert_eq!(cells["n"], "10000000000000000000000000000000000000000");
    assert_eq!(cells["e"], "1e40");
    assert_eq!(cells["d"], "12.50");
    assert_eq!(cells["m"], "-0");
    let upsert = r#"{"lookup": {"column": "k", "value": "big"}, "cells": {"n": 123456789012345678901234567890}}"#;
    let updated = app.send(raw(TestRequest::patch(), &token, &rows, upsert)).await;
    assert_eq!(updated.json()["cells"]["n"], "123456789012345678901234567890", "{}", updated.text());
    let stored = app.send(request("GET", &token, &format!("{rows}/k/big/n"), None)).await.json();
    assert_eq!(stored["value"], "123456789012345678901234567890");
}

#[actix_web::test]
async fn paging_parameters_outside_their_documented_range_are_400s() {
    let app = TestApp::start().await;
    let token = deployer(&app).await;
    let rows = format!("{BASE}/registry/tables/t/rows");
    assert_eq!(
        app.send(request("POST", &token, &rows, Some(&json!({"cells": {"a": "1"}})))).await.status,
        StatusCode::CREATED
    );
    for query in ["offset=-1", "limit=0", "limit=-5", "limit=100000", "limit=1001", "offset=2147483648"] {
        let parameter = query.split('=').next().unwrap();
        for path in [format!("{BASE}/registry/resources?{query}"), format!("{rows}?{query}")] {
            assert_problem(&app.send(request("GET", &token, &path, None)).await, 400, Some(parameter));
        }
    }
    for path in [format!("{BASE}/registry/resources?offset=0&limit=1000"), format!("{rows}?offset=0&limit=1")] {
        assert_eq!(app.send(request("GET", &token, &path, None)).await.status, StatusCode::OK, "{path}");
    }
}

#[actix_web::test]
async fn a_flow_id_that_is_a_fixed_path_is_refused_naming_the_field() {
    let app = TestApp::start().await;
    let token = deployer(&app).await;
    let flows = format!("{BASE}/flows");
    let shadowing = rest_flow("flowIds", "1.0.0");
    assert_problem(&app.send(request("POST", &token, &flows, Some(&shadowing))).await, 400, Some("id"));
    assert_eq!(app.send(request("GET", &token, &format!("{flows}/flowIds"), None)).await.json(), json!([]));
    // A version with an invisible character is refused too (two versions must not look alike).
    let hidden = rest_flow("meters", "1.0\u{200B}.0");
    assert_problem(&app.send(request("POST", &token, &flows, Some(&hidden))).await, 400, Some("version"));
    let reversed = rest_flow("meters", "1.0.0\u{202E}");
    assert_problem(&app.send(request("POST", &token, &flows, Some(&reversed))).await, 400, Some("version"));
    assert_eq!(app.send(request("GET", &token, &flows, None)).await.json(), json!([]));
}

#[actix_web::test]
async fn xml_that_is_not_well_formed_is_refused_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let token = deployer(&app).await;
    let xsd = |body: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{body}</xs:schema>"#
        )
    };
    let valid = xsd(r#"<xs:element name="a&amp;b&#65;"/>"#);
    let stored = app
        .send(request("POST", &token, &format!("{BASE}/registry/resources/XSD/ok"), Some(&json!({"content": valid}))))
        .await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
    for (case, content) in [
        ("undeclared entity in an attribute", xsd(r#"<xs:element name="&x;"/>"#)),
        ("undeclared entity in text", xsd("<xs:annotation><xs:documentation>&x;</xs:documentation></xs:annotation>")),
        ("NUL character reference", xsd(r#"<xs:element name="a&#0;"/>"#)),
        (
            "surrogate character reference",
            xsd("<xs:annotation><xs:documentation>&#xD800;</xs:documentation></xs:annotation>"),
        ),
        ("control character reference", xsd(r#"<xs:element name="a&#1;"/>"#)),
        ("duplicate attribute", xsd(r#"<xs:element name="a" name="b"/>"#)),
        ("UTF-16 declaration on UTF-8 text", xsd("").replace(r#"encoding="UTF-8""#, r#"encoding="UTF-16""#)),
        ("XML 2.0", xsd("").replace(r#"version="1.0""#, r#"version="2.0""#)),
    ] {
        let path = format!("{BASE}/registry/resources/XSD/bad");
        let refused = app.send(request("POST", &token, &path, Some(&json!({"content": content})))).await;
        assert_problem(&refused, 400, Some("content"));
        assert!(refused.json()["detail"].as_str().unwrap().contains("well-formed"), "{case}: {}", refused.text());
        assert_eq!(app.send(request("GET", &token, &path, None)).await.status, StatusCode::NOT_FOUND, "{case}");
    }
    let wsdl = r#"<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" name="&x;"/>"#;
    let refused = app
        .send(request(
            "POST",
            &token,
            &format!("{BASE}/registry/resources/WSDLv1/bad"),
            Some(&json!({"content": wsdl})),
        ))
        .await;
    assert_problem(&refused, 400, Some("content"));
}

#[actix_web::test]
async fn avro_the_parser_cannot_take_is_a_400_in_the_registry_as_in_the_catalog() {
    let app = TestApp::start().await;
    let token = deployer(&app).await;
    for (case, schema) in [
        ("size 2^64-1", json!({"type": "fixed", "name": "F1", "size": 18446744073709551615_u64})),
        ("size 2^63", json!({"type": "fixed", "name": "F1", "size": 9223372036854775808_u64})),
        (
            "precision 2^63",
            json!({"type": "bytes", "logicalType": "decimal", "precision": 9223372036854775808_u64, "scale": 1}),
        ),
        (
            "fixed inside a record",
            json!({"type": "record", "name": "R", "fields": [{"name": "f", "type": {"type": "fixed", "name": "F", "size": 18446744073709551615_u64}}]}),
        ),
    ] {
        let path = format!("{BASE}/registry/resources/AvroSchema/huge");
        let refused = app.send(request("POST", &token, &path, Some(&json!({"content": schema})))).await;
        assert_problem(&refused, 400, Some("content"));
        assert!(!refused.text().contains("database"), "{case}: {}", refused.text());
        assert_eq!(app.send(request("GET", &token, &path, None)).await.status, StatusCode::NOT_FOUND, "{case}");
    }
}

#[actix_web::test]
async fn a_stale_if_match_keeps_flows_secrets_and_resources_from_being_deleted() {
    let app = TestApp::start().await;
    let token = deployer(&app).await;
    let flow = format!("{BASE}/flows/meters");
    let secret = format!("{BASE}/registry/secrets/generic/db-password");
    let resource = format!("{BASE}/registry/resources/AvroSchema/reading");
    let avro = json!({"content": {"type": "record", "name": "Reading", "fields": [{"name": "v", "type": "long"}]}});
    assert!(
        app.send(request("POST", &token, &format!("{BASE}/flows"), Some(&rest_flow("meters", "1"))))
            .await
            .status
            .is_success()
    );
    assert!(app.send(request("PUT", &token, &secret, Some(&json!({"value": "s"})))).await.status.is_success());
    assert!(app.send(request("POST", &token, &resource, Some(&avro))).await.status.is_success());
    for path in [&flow, &secret, &resource] {
        let etag = app.send(request("GET", &token, path, None)).await.header("etag").map(str::to_owned);
        let etag = etag.unwrap_or_else(|| panic!("{path} has no ETag"));
        let stale = app.send(request("DELETE", &token, path, None).insert_header(("if-match", "\"99\""))).await;
        assert_problem(&stale, 412, None);
        assert_eq!(app.send(request("GET", &token, path, None)).await.status, StatusCode::OK, "{path} was deleted");
        let current = app.send(request("DELETE", &token, path, None).insert_header(("if-match", etag.as_str()))).await;
        assert_eq!(current.status, StatusCode::NO_CONTENT, "{path}: {}", current.text());
        assert_eq!(app.send(request("GET", &token, path, None)).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}
