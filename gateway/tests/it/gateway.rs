//! Health, information, metrics, OpenAPI, docs and the error behaviour of the whole surface.

use crate::support::TestApp;
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;

#[actix_web::test]
async fn healthz_and_readyz_answer_without_authentication() {
    let app = TestApp::start().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json(), json!({"status": "ok"}));
    assert!(health.header("x-request-id").is_some_and(|id| id.len() == 32));
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json(), json!({"status": "ready"}));
}

#[actix_web::test]
async fn info_has_axuals_shape() {
    let app = TestApp::start().await;
    let info = app.get("/info").await;
    assert_eq!(info.status, StatusCode::OK);
    assert_eq!(info.header("content-type"), Some("application/json;charset=UTF-8"));
    let body = info.json();
    assert_eq!(body["name"], "portico");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        body.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["name".into(), "description".into(), "version".into()])
    );
}

#[actix_web::test]
async fn a_client_request_id_is_echoed_and_a_bad_one_replaced() {
    let app = TestApp::start().await;
    let echoed = app.send(TestRequest::get().uri("/healthz").insert_header(("x-request-id", "trace-123"))).await;
    assert_eq!(echoed.header("x-request-id"), Some("trace-123"));
    let replaced = app.send(TestRequest::get().uri("/healthz").insert_header(("x-request-id", "a b"))).await;
    assert_ne!(replaced.header("x-request-id"), Some("a b"));
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = TestApp::start().await;
    app.get("/healthz").await;
    app.get("/no/such/thing").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.header("content-type").is_some_and(|c| c.starts_with("text/plain")));
    let text = metrics.text();
    assert!(text.contains(r#"portico_http_requests_total{method="GET",route="/healthz",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(text.contains("portico_db_connections "));
    assert!(text.contains("portico_uptime_seconds "));
}

#[actix_web::test]
async fn the_openapi_document_is_3_1_and_lists_every_route() {
    let app = TestApp::start().await;
    let doc = app.get("/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Portico");
    for path in ["/healthz", "/readyz", "/info", "/metrics"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} is documented");
        assert_eq!(doc["paths"][path]["get"]["security"], json!([{}]), "{path} is public by decision");
    }
    assert!(doc["components"]["securitySchemes"]["bearerAuth"].is_object());
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let id = operation["operationId"].as_str().unwrap().to_owned();
            assert!(ids.insert(id.clone()), "operationId {id} of {method} {path} is not unique");
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                assert!(response["description"].is_string(), "{method} {path} {status} has a description");
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["basicAuth"].is_object());
}

#[actix_web::test]
async fn the_docs_page_is_served_from_vendored_assets() {
    let app = TestApp::start().await;
    let redirect = app.get("/docs").await;
    assert!(redirect.status.is_redirection());
    let page = app.get("/docs/").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("cdn.") && !html.contains("unpkg.com"), "no CDN assets");
    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status, StatusCode::OK);
}

#[actix_web::test]
async fn unknown_routes_are_json_404_in_the_owning_apis_format() {
    let app = TestApp::start().await;
    let axual = app.get("/no_such_collection").await;
    assert_eq!(axual.status, StatusCode::NOT_FOUND);
    let body = axual.json();
    assert_eq!(body["status"], 404);
    assert_eq!(body["error"], "Not Found");
    assert_eq!(body["path"], "/no_such_collection");
    assert!(body["timestamp"].is_i64());

    let mattr = app.get("/v1/nothing").await;
    assert_eq!(mattr.status, StatusCode::NOT_FOUND);
    assert_eq!(mattr.json()["code"], "NotFound");

    let problem = app.get("/flexdeploy/rest/v2/nothing").await;
    assert_eq!(problem.status, StatusCode::NOT_FOUND);
    assert_eq!(problem.header("content-type"), Some("application/problem+json"));
    assert_eq!(problem.json()["instance"], "/flexdeploy/rest/v2/nothing");
}

#[actix_web::test]
async fn a_known_route_with_another_method_is_405_with_allow() {
    let app = TestApp::start().await;
    let response = app.send(TestRequest::delete().uri("/healthz")).await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.header("allow"), Some("GET"));
    assert_eq!(response.json()["status"], 405);
}

#[actix_web::test]
async fn first_start_created_realm_master_and_the_admin() {
    let app = TestApp::start().await;
    let db = app.state.db.clone();
    let admin = db
        .read(|conn| -> Result<_, portico_identity::IdentityError> {
            let realm = portico_identity::store::realms::by_name(conn, "master")?;
            let realm = realm.unwrap_or_else(|| panic!("realm master exists"));
            Ok(portico_identity::store::users::by_email_with_secret(conn, realm.id, crate::support::ADMIN_EMAIL)?)
        })
        .unwrap();
    let admin = admin.unwrap_or_else(|| panic!("the bootstrap admin exists"));
    assert!(admin.user.roles.contains("PLATFORM_ADMIN"));
    assert!(admin.password_hash.is_some_and(|h| h.starts_with("$argon2id$")));
}
