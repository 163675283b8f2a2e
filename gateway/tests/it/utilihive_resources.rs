//! Utilihive registry resources: documents checked against their type, kept as revisions,
//! `latest`, `textQuery` and `resourceTypes` filters, problem+json naming the field, owners
//! kept apart.

use crate::support::TestApp;
use crate::utilihive_flows::{assert_problem, management_token, request, unscoped_token};
use actix_web::http::StatusCode;
use serde_json::{Value, json};

const BASE: &str = "/acme/management/registry";

pub(crate) const OPENAPI: &str = "openapi: 3.0.3\ninfo:\n  title: Simple REST API\n  version: '1'\npaths:\n  /echo:\n    post:\n      responses:\n        '200':\n          description: ok\n";

const WSDL: &str = r#"<wsdl:definitions name="MeterService" targetNamespace="urn:meters" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:meters">
  <wsdl:message name="ReadingRequest"><wsdl:part name="body" element="tns:Reading"/></wsdl:message>
</wsdl:definitions>"#;

fn schema(title: &str) -> Value {
    json!({"$schema": "https://json-schema.org/draft/2019-09/schema", "title": title, "type": "object",
        "properties": {"value": {"type": "number"}}, "required": ["value"]})
}

fn ids(listed: &Value) -> Vec<String> {
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}:{}", r["type"].as_str().unwrap(), r["resourceId"].as_str().unwrap()))
        .collect()
}

#[actix_web::test]
async fn resources_are_created_revised_read_and_deleted() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let path = format!("{BASE}/resources/OpenAPIv3/simple-rest-api");

    let created = app.send(request("POST", &token, &path, Some(&json!({"content": OPENAPI})))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("location"), Some("/acme/management/registry/resources/OpenAPIv3/simple-rest-api/1"));
    assert_eq!(created.header("etag"), Some("\"1\""));
    let body = created.json();
    assert_eq!(body["type"], "OpenAPIv3");
    assert_eq!(body["resourceId"], "simple-rest-api");
    assert_eq!(body["revision"], 1);
    assert_eq!(body["reference"], "OpenAPIv3:simple-rest-api:1");
    assert_eq!(body["title"], "Simple REST API");
    assert_eq!(body["content"], OPENAPI);
    assert_eq!(body["createdBy"], "deployer@acme.test");
    assert_eq!(body["sha256"].as_str().unwrap().len(), 64);

    // The same document again changes nothing; a changed one is revision 2.
    let same = app.send(request("POST", &token, &path, Some(&json!({"content": OPENAPI})))).await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.json()["revision"], 1);
    let second = OPENAPI.replace("Simple REST API", "Echo API");
    let revised =
        app.send(request("POST", &token, &path, Some(&json!({"content": second, "description": "renamed"})))).await;
    assert_eq!(revised.status, StatusCode::CREATED, "{}", revised.text());
    assert_eq!(revised.json()["revision"], 2);
    assert_eq!(revised.header("location"), Some("/acme/management/registry/resources/OpenAPIv3/simple-rest-api/2"));

    // Revisions stay readable; `latest` is the newest.
    let first = app.send(request("GET", &token, &format!("{path}/1"), None)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.json()["content"], OPENAPI);
    let latest = app.send(request("GET", &token, &format!("{path}/latest"), None)).await;
    assert_eq!(latest.json()["revision"], 2);
    assert_eq!(latest.json()["title"], "Echo API");
    assert_eq!(latest.json()["description"], "renamed");
    assert_eq!(latest.header("etag"), Some("\"2\""));
    let resource = app.send(request("GET", &token, &path, None)).await.json();
    assert_eq!(resource["latestRevision"], 2);
    assert_eq!(resource["reference"], "OpenAPIv3:simple-rest-api:latest");
    let numbers: Vec<&Value> = resource["revisions"].as_array().unwrap().iter().map(|r| &r["revision"]).collect();
    assert_eq!(numbers, [&json!(1), &json!(2)]);
    assert!(resource["revisions"][0].get("content").is_none());
    let no_revision = app.send(request("GET", &token, &format!("{path}/3"), None)).await;
    assert_problem(&no_revision, 404, None);
    assert_eq!(no_revision.json()["code"], "resource_revision_not_found");
    assert_problem(&app.send(request("GET", &token, &format!("{path}/0"), None)).await, 400, Some("revision"));
    assert_problem(&app.send(request("GET", &token, &format!("{path}/first"), None)).await, 400, Some("revision"));

    // `If-Match` makes a new revision conditional.
    let stale = app
        .send(request("POST", &token, &path, Some(&json!({"content": OPENAPI}))).insert_header(("if-match", "\"1\"")))
        .await;
    assert_problem(&stale, 412, None);
    let missing = app
        .send(
            request("POST", &token, &format!("{BASE}/resources/OpenAPIv3/new-api"), Some(&json!({"content": OPENAPI})))
                .insert_header(("if-match", "*")),
        )
        .await;
    assert_problem(&missing, 412, None);

    // JSON types take the document as a JSON value too; the same id under another type is
    // another resource.
    let json_schema = app
        .send(request(
            "POST",
            &token,
            &format!("{BASE}/resources/JsonSchema2019-09/simple-rest-api"),
            Some(&json!({"content": schema("Reading")})),
        ))
        .await;
    assert_eq!(json_schema.status, StatusCode::CREATED, "{}", json_schema.text());
    assert_eq!(json_schema.json()["reference"], "JsonSchema2019-09:simple-rest-api:1");
    let as_json = json!({"openapi": "3.1.0", "info": {"title": "Hooks", "version": "1"}, "webhooks": {}});
    let openapi_json = app
        .send(request("POST", &token, &format!("{BASE}/resources/OpenAPIv3/hooks"), Some(&json!({"content": as_json}))))
        .await;
    assert_eq!(openapi_json.status, StatusCode::CREATED, "{}", openapi_json.text());
    assert_eq!(openapi_json.json()["title"], "Hooks");
    assert_eq!(
        app.send(request("DELETE", &token, &format!("{BASE}/resources/OpenAPIv3/hooks"), None)).await.status,
        StatusCode::NO_CONTENT
    );
    let types = app.send(request("GET", &token, &format!("{BASE}/resource-types"), None)).await.json();
    assert_eq!(types, json!(["JsonSchema2019-09", "OpenAPIv3"]));

    let deleted = app.send(request("DELETE", &token, &path, None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app.send(request("GET", &token, &format!("{path}/latest"), None)).await;
    assert_problem(&gone, 404, None);
    assert_eq!(gone.json()["code"], "resource_not_found");
    assert_eq!(gone.json()["detail"], "Resource 'OpenAPIv3:simple-rest-api' was not found");
    assert_problem(&app.send(request("GET", &token, &format!("{path}/1"), None)).await, 404, None);
    assert_problem(&app.send(request("DELETE", &token, &path, None)).await, 404, None);
    assert_problem(&app.send(request("GET", &token, &path, None)).await, 404, None);
    assert_eq!(app.stored_texts("flow_resource_revisions", "content").len(), 1, "the revisions are gone");
    let types = app.send(request("GET", &token, &format!("{BASE}/resource-types"), None)).await.json();
    assert_eq!(types, json!(["JsonSchema2019-09"]));
}

#[actix_web::test]
async fn resources_are_found_by_text_and_type() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let globex = app.realm("globex").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let theirs = management_token(&app, &globex, "deployer@globex.test", &["Deployer"]).await;
    let put = |token: &str, path: String, body: Value| app.send(request("POST", token, &path, Some(&body)));
    for (kind, id, body) in [
        ("OpenAPIv3", "billing-api", json!({"content": OPENAPI.replace("Simple REST API", "Payments Gateway")})),
        ("OpenAPIv3", "meter-api", json!({"content": OPENAPI, "description": "Reads meters 50%_off"})),
        ("WSDLv1", "meter-soap", json!({"content": WSDL})),
        ("JsonSchema2019-09", "reading", json!({"content": schema("Meter reading")})),
    ] {
        let created = put(&token, format!("{BASE}/resources/{kind}/{id}"), body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{kind}/{id}: {}", created.text());
    }
    // Another owner's resource with matching text stays invisible.
    let other =
        put(&theirs, "/globex/management/registry/resources/OpenAPIv3/meter-api".into(), json!({"content": OPENAPI}));
    assert_eq!(other.await.status, StatusCode::CREATED);

    let list = |query: &str| app.send(request("GET", &token, &format!("{BASE}/resources{query}"), None));
    let all = list("").await.json();
    assert_eq!(
        ids(&all),
        ["JsonSchema2019-09:reading", "OpenAPIv3:billing-api", "OpenAPIv3:meter-api", "WSDLv1:meter-soap"]
    );
    assert!(all[0].get("content").is_none(), "the list carries no documents");
    assert_eq!(all[3]["title"], "MeterService");
    // By id, title or description, ignoring case; wildcards are literal.
    assert_eq!(
        ids(&list("?textQuery=METER").await.json()),
        ["JsonSchema2019-09:reading", "OpenAPIv3:meter-api", "WSDLv1:meter-soap"]
    );
    assert_eq!(ids(&list("?textQuery=payments%20gate").await.json()), ["OpenAPIv3:billing-api"]);
    assert_eq!(ids(&list("?textQuery=50%25_").await.json()), ["OpenAPIv3:meter-api"]);
    assert_eq!(ids(&list("?textQuery=5%25").await.json()), Vec::<String>::new());
    assert_eq!(ids(&list("?textQuery=zzz").await.json()), Vec::<String>::new());
    // Types, repeated or comma-separated, with the text.
    assert_eq!(ids(&list("?resourceTypes=WSDLv1").await.json()), ["WSDLv1:meter-soap"]);
    assert_eq!(
        ids(&list("?resourceTypes=WSDLv1,JsonSchema2019-09&textQuery=meter").await.json()),
        ["JsonSchema2019-09:reading", "WSDLv1:meter-soap"]
    );
    assert_eq!(ids(&list("?resourceTypes=XSD&resourceTypes=WSDLv1").await.json()), ["WSDLv1:meter-soap"]);
    // Pages of the list (beyond the document): offset and limit, in the list's order.
    assert_eq!(ids(&list("?limit=2").await.json()), ["JsonSchema2019-09:reading", "OpenAPIv3:billing-api"]);
    assert_eq!(ids(&list("?offset=2&limit=1").await.json()), ["OpenAPIv3:meter-api"]);
    assert_eq!(ids(&list("?offset=3").await.json()), ["WSDLv1:meter-soap"]);
    assert_eq!(
        ids(&list("?textQuery=meter&offset=1&limit=5").await.json()),
        ["OpenAPIv3:meter-api", "WSDLv1:meter-soap"]
    );
    assert_problem(&list("?limit=ten").await, 400, Some("limit"));
    assert_problem(&list("?resourceTypes=SOAP").await, 400, Some("resourceTypes"));
    assert_problem(&list("?sort=name").await, 400, Some("sort"));
    assert_problem(&list(&format!("?textQuery={}", "a".repeat(201))).await, 400, Some("textQuery"));

    // The index follows revisions and deletes.
    let renamed = OPENAPI.replace("Simple REST API", "Invoicing");
    let revised = put(&token, format!("{BASE}/resources/OpenAPIv3/billing-api"), json!({"content": renamed})).await;
    assert_eq!(revised.status, StatusCode::CREATED);
    assert_eq!(ids(&list("?textQuery=payments").await.json()), Vec::<String>::new());
    assert_eq!(ids(&list("?textQuery=invoic").await.json()), ["OpenAPIv3:billing-api"]);
    let deleted = app.send(request("DELETE", &token, &format!("{BASE}/resources/WSDLv1/meter-soap"), None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(ids(&list("?textQuery=meterservice").await.json()), Vec::<String>::new());
}

#[actix_web::test]
async fn invalid_documents_and_requests_are_problems_naming_the_field() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let globex = app.realm("globex").await;
    let token = management_token(&app, &acme, "admin@acme.test", &["Admin"]).await;
    let theirs = management_token(&app, &globex, "admin@globex.test", &["Admin"]).await;
    let cases = [
        ("OpenAPIv3", json!({"content": "{\"swagger\": \"2.0\"}"}), "content"),
        ("OpenAPIv3", json!({"content": "openapi: 3.0.0\ninfo:\n  title: x\n"}), "content"),
        ("OpenAPIv3", json!({"content": ": : :"}), "content"),
        ("WSDLv1", json!({"content": "<definitions/>"}), "content"),
        ("WSDLv1", json!({"content": "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\">"}), "content"),
        ("XSD", json!({"content": "<schema/>"}), "content"),
        ("JsonSchema2019-09", json!({"content": {"type": "strin"}}), "content"),
        ("JsonSchema2019-09", json!({"content": {"$ref": "https://example.com/schema.json"}}), "content"),
        ("AvroSchema", json!({"content": {"type": "record", "name": "R"}}), "content"),
        ("ArrowSchema", json!({"content": {"fields": []}}), "content"),
        ("WSDLv1", json!({"content": {"definitions": {}}}), "content"),
        ("OpenAPIv3", json!({"description": "no content"}), "content"),
        ("OpenAPIv3", json!({"content": "  "}), "content"),
        ("OpenAPIv3", json!({"content": OPENAPI, "description": "x".repeat(4097)}), "description"),
        ("OpenAPIv3", json!({"content": OPENAPI, "extra": 1}), "extra"),
        ("SOAP", json!({"content": OPENAPI}), "type"),
    ];
    for (kind, body, field) in cases {
        let response = app.send(request("POST", &token, &format!("{BASE}/resources/{kind}/r1"), Some(&body))).await;
        assert_problem(&response, 400, Some(field));
    }
    let nul = app
        .send(request("POST", &token, &format!("{BASE}/resources/OpenAPIv3/r1"), Some(&json!({"content": "a\u{0}b"}))))
        .await;
    assert_problem(&nul, 400, None);
    let bad_id = app
        .send(request(
            "POST",
            &token,
            &format!("{BASE}/resources/OpenAPIv3/bad%20id"),
            Some(&json!({"content": OPENAPI})),
        ))
        .await;
    assert_problem(&bad_id, 400, Some("resourceId"));
    let too_big = format!("{OPENAPI}# {}\n", "x".repeat(1024 * 1024));
    let big = app
        .send(request("POST", &token, &format!("{BASE}/resources/OpenAPIv3/r1"), Some(&json!({"content": too_big}))))
        .await;
    assert!(matches!(big.status.as_u16(), 400 | 413), "{}", big.status);
    assert_problem(
        &app.send(request("GET", &token, &format!("{BASE}/resources/XSD/r1/latest"), None)).await,
        404,
        None,
    );
    assert_eq!(app.send(request("GET", &token, &format!("{BASE}/resources"), None)).await.json(), json!([]));
    assert!(app.stored_texts("flow_resource_revisions", "content").is_empty(), "nothing was written");

    // Owners are separate; no token, no entry; a user who is neither Admin nor Deployer is refused.
    let path = format!("{BASE}/resources/OpenAPIv3/r1");
    let created = app.send(request("POST", &token, &path, Some(&json!({"content": OPENAPI})))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_problem(&app.send(request("GET", &theirs, &format!("{path}/latest"), None)).await, 403, None);
    assert_problem(&app.send(request("DELETE", &theirs, &path, None)).await, 403, None);
    let own =
        app.send(request("GET", &theirs, "/globex/management/registry/resources/OpenAPIv3/r1/latest", None)).await;
    assert_problem(&own, 404, None);
    assert_eq!(
        app.send(request("GET", &theirs, "/globex/management/registry/resources", None)).await.json(),
        json!([])
    );
    assert_problem(&app.get(&format!("{BASE}/resources")).await, 401, None);
    let viewer = acme.user("viewer@acme.test", &["STREAM_ADMIN"]).await.token;
    let unscoped = unscoped_token(&app, &acme, "unscoped@acme.test").await;
    for token in [&viewer, &unscoped] {
        assert_problem(&app.send(request("GET", token, &format!("{BASE}/resources"), None)).await, 403, None);
        assert_problem(&app.send(request("GET", token, &format!("{BASE}/resource-types"), None)).await, 403, None);
        assert_problem(&app.send(request("POST", token, &path, Some(&json!({"content": OPENAPI})))).await, 403, None);
        assert_problem(&app.send(request("DELETE", token, &path, None)).await, 403, None);
    }
    // A platform admin may act for any owner; an unknown owner is 404.
    let admin = app.admin_token().await;
    assert_eq!(app.send(request("GET", &admin, &format!("{path}/latest"), None)).await.status, StatusCode::OK);
    let nobody = app.send(request("GET", &admin, "/nobody/management/registry/resources", None)).await;
    assert_problem(&nobody, 404, None);
}

#[actix_web::test]
async fn concurrent_writes_of_one_resource_keep_every_revision() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let path = format!("{BASE}/resources/JsonSchema2019-09/reading");
    // Two creates of a new id: one creates it, the other adds revision 2.
    let (a, b) = futures_util::join!(
        app.send(request("POST", &token, &path, Some(&json!({"content": schema("a")})))),
        app.send(request("POST", &token, &path, Some(&json!({"content": schema("b")}))))
    );
    assert_eq!((a.status, b.status), (StatusCode::CREATED, StatusCode::CREATED), "{} / {}", a.text(), b.text());
    let mut revisions = [a.json()["revision"].as_i64().unwrap(), b.json()["revision"].as_i64().unwrap()];
    revisions.sort_unstable();
    assert_eq!(revisions, [1, 2]);
    // With the same If-Match: one wins, the other is told.
    let (c, d) = futures_util::join!(
        app.send(
            request("POST", &token, &path, Some(&json!({"content": schema("c")}))).insert_header(("if-match", "\"2\""))
        ),
        app.send(
            request("POST", &token, &path, Some(&json!({"content": schema("d")}))).insert_header(("if-match", "\"2\""))
        )
    );
    let mut statuses = [c.status.as_u16(), d.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 412]);
    let resource = app.send(request("GET", &token, &path, None)).await.json();
    assert_eq!(resource["latestRevision"], 3);
}
