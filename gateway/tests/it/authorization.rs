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
    let paths = doc["paths"].as_object().cloned().unwrap();
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
        "GET /auth/realms/{realm}/protocol/openid-connect/auth",
        "POST /auth/realms/{realm}/protocol/openid-connect/auth",
        "GET /auth/realms/{realm}/protocol/openid-connect/logout",
        "POST /auth/realms/{realm}/protocol/openid-connect/logout",
    ];
    public.sort();
    let mut expected: Vec<String> = expected_public.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(public, expected, "the public routes are exactly the ones decided on");
}

#[actix_web::test]
async fn the_document_states_what_each_declared_route_requires() {
    let app = TestApp::start().await;
    let doc = app.get("/openapi.json").await.json();
    let routes = portico_gateway::app::declared_routes();
    let mut documented = 0;
    for declared in routes.operations() {
        let operation = &doc["paths"][&declared.template][declared.method.as_str().to_lowercase()];
        assert!(operation.is_object(), "{} {} is declared but not documented", declared.method, declared.template);
        let security = serde_json::to_value(declared.access.security()).unwrap();
        assert_eq!(
            operation.get("security").cloned().unwrap_or_default(),
            security,
            "{} {}",
            declared.method,
            declared.template
        );
        documented += 1;
    }
    let operations: usize =
        doc["paths"].as_object().unwrap().values().map(|item| item.as_object().unwrap().len()).sum();
    assert_eq!(operations, documented, "every documented operation is declared once");
    let clusters = &doc["paths"]["/clusters"]["post"]["security"];
    assert_eq!(clusters, &serde_json::json!([{"bearerAuth": ["PLATFORM_ADMIN"]}, {"basicAuth": ["PLATFORM_ADMIN"]}]));
}

#[actix_web::test]
async fn every_route_refuses_callers_without_its_role_and_callers_of_other_realms() {
    use portico_core::context::Requirement;
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let nobody = realm.user("nobody@acme.test", &[]).await;
    assert_eq!(nobody.email, "nobody@acme.test");
    let (admin, nobody) = (realm.admin.clone(), nobody.token);
    let roleless_client = realm.client("roleless", &[]).await.token;
    app.create_tenant("other").await;
    let doc = app.get("/openapi.json").await.json();
    let mut role_checked = 0;
    let mut realm_checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation["security"] == serde_json::json!([{}]) {
                continue;
            }
            let path = concrete(template);
            let http_method = actix_web::http::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let requirement = app.state.routes.requirement(&http_method, &path).unwrap();
            if matches!(requirement, Requirement::AnyRole(_) | Requirement::PlatformAdmin) {
                for caller in [&nobody, &roleless_client] {
                    let response = app.send(request(method, &path).insert_header(crate::support::bearer(caller))).await;
                    assert_eq!(
                        response.status,
                        StatusCode::FORBIDDEN,
                        "{method} {template} without its role: {}",
                        response.text()
                    );
                }
                role_checked += 1;
            }
            let foreign = app
                .send(
                    request(method, &path)
                        .insert_header(crate::support::bearer(&admin))
                        .insert_header(("realm", "other")),
                )
                .await;
            assert_eq!(
                foreign.status,
                StatusCode::FORBIDDEN,
                "{method} {template} from another realm: {}",
                foreign.text()
            );
            realm_checked += 1;
        }
    }
    assert!(role_checked > 20 && realm_checked > 50, "{role_checked} role checks, {realm_checked} realm checks");
}
