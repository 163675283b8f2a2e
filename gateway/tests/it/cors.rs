//! CORS for browser consoles (`http.cors_origins`): preflights of every API family, the
//! allowed request headers, exposed response headers, and what a foreign origin gets.

use crate::support::{TestApp, TestResponse, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use portico_gateway::settings::Settings;

const CONSOLE: &str = "https://console.example.com";
const FOREIGN: &str = "https://evil.example";

async fn with_console() -> TestApp {
    let mut settings = Settings::default();
    settings.http.cors_origins = vec![format!("{CONSOLE}/")];
    TestApp::start_with(settings).await
}

async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str, headers: &str) -> TestResponse {
    let mut request = TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri(path)
        .insert_header(("origin", origin))
        .insert_header(("access-control-request-method", method));
    if !headers.is_empty() {
        request = request.insert_header(("access-control-request-headers", headers));
    }
    app.send(request).await
}

fn listed(response: &TestResponse, header: &str) -> Vec<String> {
    response.header(header).unwrap_or_default().split(',').map(|v| v.trim().to_ascii_lowercase()).collect()
}

#[actix_web::test]
async fn preflights_of_every_api_family_are_answered_for_the_console() {
    let app = with_console().await;
    let paths = [
        ("/users", "GET"),
        ("/groups/0123456789abcdef0123456789abcdef", "PATCH"),
        ("/v1/tenants", "POST"),
        ("/flexdeploy/rest/v2/administration/security/credential/1", "PUT"),
        ("/auth/realms/master/protocol/openid-connect/token", "POST"),
        ("/auth/realms/master/protocol/openid-connect/certs", "GET"),
        ("/healthz", "GET"),
    ];
    for (path, method) in paths {
        let response = preflight(&app, path, CONSOLE, method, "authorization,content-type").await;
        assert_eq!(response.status, StatusCode::OK, "{method} {path}: {}", response.text());
        assert_eq!(response.header("access-control-allow-origin"), Some(CONSOLE), "{path}");
        assert!(listed(&response, "access-control-allow-methods").contains(&method.to_ascii_lowercase()), "{path}");
        assert!(response.header("access-control-allow-credentials").is_none(), "no cookies, no credentials mode");
        assert_eq!(response.header("access-control-max-age"), Some("600"));
        assert!(listed(&response, "vary").contains(&"origin".to_owned()), "{path}");
    }
}

#[actix_web::test]
async fn each_documented_request_header_may_be_sent_and_others_may_not() {
    let app = with_console().await;
    for header in
        ["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "realm", "X-Onegini-Instance"]
    {
        let response = preflight(&app, "/users", CONSOLE, "PATCH", header).await;
        assert_eq!(response.status, StatusCode::OK, "{header}: {}", response.text());
        assert!(listed(&response, "access-control-allow-headers").contains(&header.to_ascii_lowercase()), "{header}");
    }
    let refused = preflight(&app, "/users", CONSOLE, "GET", "authorization, x-evil").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.header("access-control-allow-origin").is_none());
    assert_eq!(refused.json()["status"], 400, "in the Axual error format of /users: {}", refused.text());
    let method = preflight(&app, "/users", CONSOLE, "TRACE", "").await;
    assert_eq!(method.status, StatusCode::BAD_REQUEST);
    assert!(method.header("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn the_console_reads_responses_and_their_headers_errors_included() {
    let app = with_console().await;
    let admin = app.admin_token().await;
    let read = app
        .send(TestRequest::get().uri("/users").insert_header(bearer(&admin)).insert_header(("origin", CONSOLE)))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    assert_eq!(read.header("access-control-allow-origin"), Some(CONSOLE));
    let exposed = listed(&read, "access-control-expose-headers");
    for header in ["etag", "location", "last-modified", "x-request-id", "retry-after"] {
        assert!(exposed.contains(&header.to_owned()), "{header} exposed: {exposed:?}");
    }
    // A 401 is readable too, so the console can tell the user to log in again.
    let denied = app.send(TestRequest::get().uri("/users").insert_header(("origin", CONSOLE))).await;
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    assert_eq!(denied.header("access-control-allow-origin"), Some(CONSOLE));
}

#[actix_web::test]
async fn a_foreign_origin_gets_no_cors_headers_and_other_clients_are_unaffected() {
    let app = with_console().await;
    let admin = app.admin_token().await;
    let preflighted = preflight(&app, "/users", FOREIGN, "GET", "authorization").await;
    assert_eq!(preflighted.status, StatusCode::BAD_REQUEST);
    assert!(preflighted.header("access-control-allow-origin").is_none());
    // The request itself is served (a browser will not let the page read it).
    let read = app
        .send(TestRequest::get().uri("/users").insert_header(bearer(&admin)).insert_header(("origin", FOREIGN)))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.header("access-control-allow-origin").is_none());
    assert!(read.header("access-control-expose-headers").is_none());
    // No Origin at all: a script or server, as before.
    let plain = app.send(TestRequest::get().uri("/users").insert_header(bearer(&admin))).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.header("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn without_configured_origins_there_is_no_cors() {
    let app = TestApp::start().await;
    let preflighted = preflight(&app, "/users", CONSOLE, "GET", "authorization").await;
    assert!(preflighted.header("access-control-allow-origin").is_none());
    assert_eq!(preflighted.status, StatusCode::METHOD_NOT_ALLOWED, "OPTIONS is not an API method");
    let read = app.send(TestRequest::get().uri("/healthz").insert_header(("origin", CONSOLE))).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.header("access-control-allow-origin").is_none());
}
