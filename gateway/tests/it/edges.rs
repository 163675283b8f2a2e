//! Edges of the wire: media types, error details, challenges, request ids and caching of
//! responses that carry secrets.

use crate::axual_users::acme_admin;
use crate::credentials::{BASE, call, local_credential, setup};
use crate::support::{TestApp, basic_user, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;

#[actix_web::test]
async fn json_endpoints_need_a_json_media_type_in_utf8() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let body = r#"{"name": "Media group"}"#;
    for (content_type, expected) in [
        (None, StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (Some("text/plain"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (Some("application/json; charset=utf-16"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (Some("application/json-patch+json"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (Some("application/merge-patch+json"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (Some("application/json; charset=UTF-8"), StatusCode::CREATED),
    ] {
        let mut request = TestRequest::post().uri("/groups").insert_header(bearer(&admin)).set_payload(body);
        if let Some(content_type) = content_type {
            request = request.insert_header(("content-type", content_type));
        }
        let response = app.send(request).await;
        assert_eq!(response.status, expected, "{content_type:?}: {}", response.text());
    }
    let group = app.get_as(&admin, "/groups/search/findByName?name=Media%20group").await.json();
    let uid = group["_embedded"]["groups"][0]["uid"].as_str().unwrap().to_owned();
    let merge = app
        .send(
            TestRequest::patch()
                .uri(&format!("/groups/{uid}"))
                .insert_header(bearer(&admin))
                .insert_header(("content-type", "application/merge-patch+json"))
                .set_payload(r#"{"phoneNumber": "0612345678"}"#),
        )
        .await;
    assert_eq!(merge.status, StatusCode::NO_CONTENT, "PATCH takes merge-patch+json: {}", merge.text());
}

#[actix_web::test]
async fn responses_with_secret_values_are_never_cached() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (created, _, _) = local_credential(&app, "c", "s3cret").await;
    assert_eq!(created.header("cache-control"), Some("no-store"));
    let id = created.json()["credentialId"].clone();
    for path in [format!("/credential/{id}"), "/credential".to_owned()] {
        assert_eq!(
            call(&app, TestRequest::get(), &path, None).await.header("cache-control"),
            Some("no-store"),
            "{path}"
        );
    }
    let platform = app.admin_token().await;
    let environment = app.get_as(&platform, "/v1/environments").await.json()["data"][0]["id"].clone();
    let tenant = app
        .json_as("POST", &platform, "/v1/tenants", &json!({"subdomain": "cached", "environmentId": environment}))
        .await;
    assert_eq!(tenant.header("cache-control"), Some("no-store"), "the first client's secret is in the body");
    let tenant_id = tenant.json()["id"].as_str().unwrap().to_owned();
    let client = app
        .json_as("POST", &platform, &format!("/v1/tenants/{tenant_id}/clients"), &json!({"name": "c", "roles": []}))
        .await;
    assert_eq!(client.header("cache-control"), Some("no-store"));
    let token = app
        .post_form(
            "/auth/realms/master/protocol/openid-connect/token",
            &[
                ("grant_type", "password"),
                ("username", crate::support::ADMIN_EMAIL),
                ("password", crate::support::ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(token.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn mattr_errors_say_where_the_field_came_from() {
    let app = TestApp::start().await;
    let platform = app.admin_token().await;
    let query = app.get_as(&platform, "/v1/tenants?limit=abc").await.json();
    assert_eq!(query["details"][0], json!({"param": "limit", "msg": query["details"][0]["msg"], "location": "query"}));
    let path = app.get_as(&platform, "/v1/tenants/not-a-uuid").await.json();
    assert_eq!(path["details"][0]["location"], "path");
    assert_eq!(path["details"][0]["param"], "tenantId");
    let body =
        app.json_as("POST", &platform, "/v1/tenants", &json!({"subdomain": "x", "environmentId": "nope"})).await.json();
    assert_eq!(body["details"][0]["location"], "body");
    assert_eq!(body["details"][0]["param"], "environmentId");
}

#[actix_web::test]
async fn malformed_token_requests_are_invalid_request() {
    let app = TestApp::start().await;
    let response = app
        .send(
            TestRequest::post()
                .uri("/oauth/token")
                .insert_header(("content-type", "application/json"))
                .set_payload("{not json"),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["error"], "invalid_request", "RFC 6749 §5.2: {}", response.text());
}

#[actix_web::test]
async fn a_failed_basic_login_is_challenged_for_basic_and_a_bad_token_for_bearer() {
    let app = TestApp::start().await;
    setup(&app).await;
    let basic = app
        .send(
            TestRequest::get()
                .uri(&format!("{BASE}/credential"))
                .insert_header(basic_user("credadmin@acme.test", "wrong")),
        )
        .await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
    assert_eq!(basic.header("www-authenticate"), Some(r#"Basic realm="portico", charset="UTF-8""#));
    let bearer_failure = app.get_as("a.b.c", "/users").await;
    assert!(
        bearer_failure
            .header("www-authenticate")
            .is_some_and(|c| c.starts_with("Bearer") && c.contains("invalid_token"))
    );
}

#[actix_web::test]
async fn request_ids_are_echoed_only_when_they_are_safe_tokens() {
    let app = TestApp::start().await;
    let safe = app.send(TestRequest::get().uri("/healthz").insert_header(("x-request-id", "trace-2026.12_02"))).await;
    assert_eq!(safe.header("x-request-id"), Some("trace-2026.12_02"));
    for unsafe_id in ["<script>alert(1)</script>", "a\"b", &"x".repeat(65)] {
        let response = app.send(TestRequest::get().uri("/healthz").insert_header(("x-request-id", unsafe_id))).await;
        let echoed = response.header("x-request-id").unwrap();
        assert_ne!(echoed, unsafe_id);
        assert_eq!(echoed.len(), 32, "a fresh id");
    }
    let first = app.send(TestRequest::get().uri("/healthz")).await.header("x-request-id").unwrap().to_owned();
    let second = app.send(TestRequest::get().uri("/healthz")).await.header("x-request-id").unwrap().to_owned();
    assert_ne!(first, second, "every request gets its own id");
    assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[actix_web::test]
async fn flexdeploy_query_parameter_names_ignore_case_and_unknown_ones_are_refused() {
    let app = TestApp::start().await;
    setup(&app).await;
    let found = call(&app, TestRequest::get(), "/credentialstore?CREDENTIALSTORENAME=local", None).await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.json().as_array().unwrap().len(), 1);
    let unknown = call(&app, TestRequest::get(), "/credential?credentialNmae=x", None).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json()["field"], "credentialNmae");
}

#[actix_web::test]
async fn the_mattr_token_endpoint_defaults_the_audience_as_the_seed_sample_does() {
    let app = TestApp::start().await;
    let response = app
        .send(TestRequest::post().uri("/oauth/token").set_json(json!({
            "client_id": crate::support::CLIENT_ID, "client_secret": crate::support::CLIENT_SECRET, "grant_type": "client_credentials"
        })))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json()["token_type"], "Bearer");
}

#[actix_web::test]
async fn axual_tenants_are_not_deleted_through_axual() {
    let app = TestApp::start().await;
    let platform = app.admin_token().await;
    let created = app.json_as("POST", &platform, "/tenants", &json!({"name": "Stays", "shortName": "stays"})).await;
    let url =
        created.header("location").unwrap().split_once("/tenants/").map(|(_, uid)| format!("/tenants/{uid}")).unwrap();
    let deleted = app.json_as("DELETE", &platform, &url, &json!({})).await;
    assert_eq!(deleted.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(deleted.header("allow").is_some_and(|allow| allow.contains("PATCH")));
    assert_eq!(deleted.json()["status"], 405, "Axual error body");
}
