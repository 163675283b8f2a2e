//! The authorization matrix over the whole OpenAPI document: every operation is either public
//! by decision (`security: [{}]`) or answers 401 without credentials.

use crate::support::TestApp;
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;

/// Fills `{param}` segments with a plausible value.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| if segment.starts_with('{') { "0f8fad5b-d9cb-469f-a165-70867728950e" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

fn request(method: &str, path: &str) -> TestRequest {
    let request = match method {
        "get" => TestRequest::get(),
        "post" => TestRequest::post(),
        "put" => TestRequest::put(),
        "patch" => TestRequest::patch(),
        "delete" => TestRequest::delete(),
        other => panic!("unexpected method {other}"),
    };
    request.uri(path).insert_header(("content-type", "application/json")).set_payload("{}")
}

#[actix_web::test]
async fn every_non_public_route_answers_401_without_a_token() {
    let app = TestApp::start().await;
    let doc = app.get("/openapi.json").await.json();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let mut protected = 0;
    let mut public = Vec::new();
    for (template, item) in &paths {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let path = concrete(template);
            if operation["security"] == serde_json::json!([{}]) {
                public.push(format!("{} {template}", method.to_uppercase()));
                continue;
            }
            protected += 1;
            let response = app.send(request(method, &path)).await;
            assert_eq!(
                response.status,
                StatusCode::UNAUTHORIZED,
                "{} {template}: {}",
                method.to_uppercase(),
                response.text()
            );
            assert!(response.header("www-authenticate").is_some(), "{method} {template}");
            assert!(response.header("content-type").is_some_and(|c| c.contains("json")), "{method} {template}");
        }
    }
    assert!(protected > 0);
    let expected_public = [
        "GET /healthz",
        "GET /readyz",
        "GET /info",
        "GET /metrics",
        "POST /auth/realms/{realm}/protocol/openid-connect/token",
        "POST /authentication/token",
        "POST /oauth/token",
        "GET /oauth/v1/keys",
        "GET /auth/realms/{realm}/protocol/openid-connect/certs",
        "GET /auth/realms/{realm}/.well-known/openid-configuration",
        "POST /auth/realms/{realm}/protocol/openid-connect/token/introspect",
        "POST /auth/realms/{realm}/protocol/openid-connect/revoke",
        "GET /logout",
    ];
    public.sort();
    let mut expected: Vec<String> = expected_public.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(public, expected, "the public routes are exactly the ones decided on");
}
