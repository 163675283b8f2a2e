//! The kit's rules on every Axual collection, as clients met them: maps merge on PATCH, a GET
//! body is accepted back unchanged, every link leads somewhere, a stale `If-Match` stops a
//! DELETE, an unknown search is named, and names refuse invisible characters.

use crate::catalog_stream_configs::{Fixture, fixture};
use crate::support::{TestApp, TestResponse, bearer, uid_of, uri};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

/// `method path` as the platform admin in realm `acme`, with a JSON body of `content_type`.
async fn send(
    app: &TestApp,
    token: &str,
    method: TestRequest,
    path: &str,
    content_type: &str,
    body: &Value,
) -> TestResponse {
    app.send(
        method
            .uri(path)
            .insert_header(bearer(token))
            .insert_header(("realm", "acme"))
            .insert_header(("accept", "application/hal+json"))
            .insert_header(("content-type", content_type))
            .set_payload(body.to_string()),
    )
    .await
}

/// A stream config made by the seed's example in the fixture's realm; its uid.
async fn stream_config(f: &Fixture<'_>) -> String {
    let body = f.seed_body();
    uid_of(&send(f.app, &f.member, TestRequest::post(), "/stream_configs", "application/json", &body).await)
}

async fn get(app: &TestApp, token: &str, path: &str) -> TestResponse {
    app.send(TestRequest::get().uri(path).insert_header(bearer(token)).insert_header(("realm", "acme"))).await
}

#[actix_web::test]
async fn a_patch_merges_properties_key_by_key_on_every_resource_that_has_them() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let platform = app.admin_token().await;
    let config = stream_config(&f).await;
    let cases = [
        (format!("/stream_configs/{config}"), f.member.clone()),
        (format!("/environments/{}", f.environment), platform.clone()),
        (format!("/streams/{}", f.stream), f.member.clone()),
        (format!("/instances/{}", f.instance), platform.clone()),
    ];
    for (path, token) in cases {
        let before = get(&app, &token, &path).await.json()["properties"].clone();
        for (content_type, first, second) in [
            ("application/json", "max.message.bytes", "segment.bytes"),
            ("application/merge-patch+json", "flush.ms", "flush.messages"),
        ] {
            let set = |key: &str, value: Value| json!({"properties": {key: value}});
            for body in [set(first, json!("100000")), set(second, json!(2048))] {
                let patched = send(&app, &token, TestRequest::patch(), &path, content_type, &body).await;
                assert_eq!(patched.status, StatusCode::OK, "{path} {content_type}: {}", patched.text());
            }
            let properties = get(&app, &token, &path).await.json()["properties"].clone();
            assert_eq!(properties[first], "100000", "{path} {content_type} lost a key: {properties}");
            assert_eq!(properties[second], "2048", "{path} {content_type}: {properties}");
            // `null` removes a key and only that key.
            let removed = send(&app, &token, TestRequest::patch(), &path, content_type, &set(first, Value::Null)).await;
            assert_eq!(removed.status, StatusCode::OK, "{}", removed.text());
            let properties = get(&app, &token, &path).await.json()["properties"].clone();
            assert!(properties.get(first).is_none(), "{path}: {properties}");
            assert_eq!(properties[second], "2048", "{path}: {properties}");
        }
        let properties = get(&app, &token, &path).await.json()["properties"].clone();
        let mut expected = before.as_object().unwrap().clone();
        expected.insert("segment.bytes".into(), json!("2048"));
        expected.insert("flush.messages".into(), json!("2048"));
        assert_eq!(properties, Value::Object(expected), "{path}");
    }
}

#[actix_web::test]
async fn every_collection_accepts_its_own_get_body_back_unchanged() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let platform = app.admin_token().await;
    let config = stream_config(&f).await;
    let schema_path = format!("/schemas/{}", f.key_schema);
    let tenants = get(&app, &platform, "/tenants/search/findByShortName?shortName=acme").await.json();
    let tenant = tenants["_embedded"]["tenants"][0]["uid"].as_str().unwrap_or_else(|| panic!("{tenants}")).to_owned();
    let member = get(&app, &f.member, "/user").await.json()["uid"].as_str().unwrap().to_owned();
    let entities = [
        format!("/stream_configs/{config}"),
        format!("/environments/{}", f.environment),
        format!("/streams/{}", f.stream),
        format!("/instances/{}", f.instance),
        format!("/clusters/{}", f.cluster),
        schema_path,
        format!("/integrities/{}", f.integrity),
        format!("/confidentialities/{}", f.confidentiality),
        format!("/groups/{}", f.group),
        format!("/users/{member}"),
        format!("/tenants/{tenant}"),
    ];
    for path in entities {
        let read = get(&app, &platform, &path).await;
        assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.text());
        let etag = read.header("etag").map(str::to_owned);
        let body = read.json();
        let written = send(&app, &platform, TestRequest::patch(), &path, "application/json", &body).await;
        assert!(written.status.is_success(), "{path} refused its own GET body: {}", written.text());
        let again = get(&app, &platform, &path).await;
        assert_eq!(again.header("etag").map(str::to_owned), etag, "{path}: an unchanged body is no new version");
        assert_eq!(again.json()["modified_at"], body["modified_at"], "{path}");
    }
}

/// The path of an href (`http://localhost:8080/streams/x{?projection}` → `/streams/x`).
fn path_of(href: &str) -> String {
    let without_template = href.split('{').next().unwrap_or_default();
    match without_template.split_once("://") {
        Some((_, rest)) => rest.find('/').map(|at| rest[at..].to_owned()).unwrap_or_else(|| "/".into()),
        None => without_template.to_owned(),
    }
}

/// Every href in `value`'s `_links`, nested ones (`_embedded`) included.
fn hrefs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, item) in object {
                if key == "href"
                    && let Some(href) = item.as_str()
                {
                    found.push(path_of(href));
                }
                hrefs(item, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| hrefs(item, found)),
        _ => {}
    }
}

#[actix_web::test]
async fn every_link_in_the_catalog_leads_somewhere() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let platform = app.admin_token().await;
    let config = stream_config(&f).await;
    let mut start = vec![
        "/".to_owned(),
        "/profile".to_owned(),
        format!("/stream_configs/{config}"),
        format!("/environments/{}", f.environment),
        format!("/streams/{}", f.stream),
        format!("/instances/{}", f.instance),
        format!("/clusters/{}", f.cluster),
        format!("/schemas/{}", f.key_schema),
        format!("/schema_versions/{}", f.key_version),
        format!("/integrities/{}", f.integrity),
        format!("/confidentialities/{}", f.confidentiality),
        format!("/groups/{}", f.group),
    ];
    for collection in [
        "streams",
        "environments",
        "instances",
        "clusters",
        "schemas",
        "schema_versions",
        "support_tiers",
        "connect_plugins",
        "integrities",
        "confidentialities",
        "users",
        "groups",
    ] {
        start.push(format!("/{collection}"));
    }
    let mut links = Vec::new();
    for path in &start {
        let read = get(&app, &platform, path).await;
        assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.text());
        hrefs(&read.json(), &mut links);
    }
    links.sort();
    links.dedup();
    assert!(links.len() > 50, "{links:?}");
    for link in links {
        let followed = get(&app, &platform, &link).await;
        // Searches need their parameters (400), actions their method (405): but the link exists.
        // An association that is empty (a private environment on no instance) answers 404
        // saying so, as Spring Data REST does; nothing else may.
        let empty_association = followed.json()["message"].as_str().is_some_and(|m| m.contains(" has no "));
        if followed.status == StatusCode::NOT_FOUND && empty_association {
            continue;
        }
        assert_ne!(followed.status, StatusCode::NOT_FOUND, "{link} leads nowhere: {}", followed.text());
        assert!(!followed.status.is_server_error(), "{link}: {}", followed.text());
    }
}

#[actix_web::test]
async fn a_stale_if_match_stops_a_delete_and_the_current_one_lets_it_through() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let admin = &f.realm.admin;
    let config = stream_config(&f).await;
    let level = uid_of(
        &send(&app, admin, TestRequest::post(), "/integrities", "application/json", &json!({"level": "L9"})).await,
    );
    let user = f.realm.user("leaving@acme.test", &[]).await.uid;
    let group = f.realm.group("Leaving", &[]).await;
    for (path, token) in [
        (format!("/stream_configs/{config}"), &f.member),
        (format!("/streams/{}", f.plain), &f.member),
        (format!("/environments/{}", f.private), admin),
        (format!("/integrities/{level}"), admin),
        (format!("/users/{user}"), admin),
        (format!("/groups/{group}"), admin),
    ] {
        let etag = get(&app, token, &path).await.header("etag").map(str::to_owned);
        let etag = etag.unwrap_or_else(|| panic!("{path} has no ETag"));
        let delete = |tag: &str| {
            TestRequest::delete().uri(&path).insert_header(bearer(token)).insert_header(("if-match", tag.to_owned()))
        };
        let stale = app.send(delete("\"41\"")).await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{path}: {}", stale.text());
        assert_eq!(get(&app, token, &path).await.status, StatusCode::OK, "{path} was deleted after a 412");
        let current = app.send(delete(&etag)).await;
        assert_eq!(current.status, StatusCode::NO_CONTENT, "{path}: {}", current.text());
        assert_eq!(get(&app, token, &path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[actix_web::test]
async fn an_unknown_search_is_named_in_its_404() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    for collection in ["streams", "environments", "schemas", "stream_configs", "groups"] {
        let missing = get(&app, &f.member, &format!("/{collection}/search/findByNothing?name=x")).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{collection}: {}", missing.text());
        let message = missing.json()["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains("findByNothing") && !message.contains("uid"), "{collection}: {message}");
    }
}

#[actix_web::test]
async fn names_with_invisible_or_reordering_characters_are_refused() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let admin = &f.realm.admin;
    for (name, c) in [("zero width space", "\u{200B}"), ("right-to-left override", "\u{202E}"), ("BOM", "\u{FEFF}")] {
        let level = json!({"level": format!("l{c}2")});
        let refused = send(&app, admin, TestRequest::post(), "/integrities", "application/json", &level).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{name}: {}", refused.text());
        let group = json!({"name": format!("Team{c}A")});
        let refused = send(&app, admin, TestRequest::post(), "/groups", "application/json", &group).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{name}: {}", refused.text());
        let upload = json!({"schema": crate::catalog_stream_configs::KEY, "version": format!("9{c}")});
        let refused = send(&app, admin, TestRequest::post(), "/schemas/upload", "application/json", &upload).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{name}: {}", refused.text());
    }
    let levels = get(&app, admin, "/integrities").await.json();
    assert_eq!(levels["page"]["totalElements"], 1, "only the fixture's level: {levels}");
    let versions =
        get(&app, admin, &format!("/schema_versions/search/findAllBySchema?schema={}", uri("schemas", &f.key_schema)))
            .await;
    assert_eq!(
        versions.json()["_embedded"]["schema_versions"].as_array().map(Vec::len),
        Some(1),
        "{}",
        versions.text()
    );
}
