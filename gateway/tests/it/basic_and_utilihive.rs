//! HTTP Basic authentication of realm users, the Utilihive token endpoint, and request-body
//! limits on the whole surface.

use crate::axual_users::{acme_admin, create_user};
use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, basic_user, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use portico_gateway::settings::Settings;
use serde_json::json;

#[actix_web::test]
async fn basic_authentication_checks_a_realm_users_password() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    create_user(&app, &admin, "Basic", "basic@acme.test").await;
    let ok = app.send(TestRequest::get().uri("/user").insert_header(basic_user("basic@acme.test", "pw-of-user"))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(ok.json()["firstName"], "Basic");
    let cached =
        app.send(TestRequest::get().uri("/user").insert_header(basic_user("basic@acme.test", "pw-of-user"))).await;
    assert_eq!(cached.status, StatusCode::OK);
    let wrong = app.send(TestRequest::get().uri("/user").insert_header(basic_user("basic@acme.test", "wrong"))).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.header("www-authenticate").is_some_and(|h| h.contains("Basic")));
    let garbage = app.send(TestRequest::get().uri("/user").insert_header(("authorization", "Basic !!!"))).await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
    let platform = app
        .send(
            TestRequest::get()
                .uri("/users")
                .insert_header(basic_user(ADMIN_EMAIL, ADMIN_PASSWORD))
                .insert_header(("realm", "acme")),
        )
        .await;
    assert_eq!(platform.status, StatusCode::OK, "a platform admin may use Basic in any realm");
    let token = app
        .post_form(
            "/auth/realms/acme/protocol/openid-connect/token",
            &[("grant_type", "password"), ("username", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(token.status, StatusCode::BAD_REQUEST, "a realm's endpoint issues only its own users' tokens");
}

#[actix_web::test]
async fn an_email_in_two_realms_needs_the_realm_named() {
    let app = TestApp::start().await;
    let platform = app.admin_token().await;
    for realm in ["one", "two"] {
        app.create_tenant(realm).await;
        let response = app
            .send(TestRequest::post().uri("/users").insert_header(bearer(&platform)).insert_header(("realm", realm)).set_json(json!({
                "firstName": "Same", "lastName": "Person", "emailAddress": "same@x.test", "password": format!("pw-{realm}")
            })))
            .await;
        assert_eq!(response.status, StatusCode::CREATED);
    }
    let ambiguous = app.send(TestRequest::get().uri("/user").insert_header(basic_user("same@x.test", "pw-one"))).await;
    assert_eq!(ambiguous.status, StatusCode::UNAUTHORIZED);
    let named = app
        .send(
            TestRequest::get()
                .uri("/user")
                .insert_header(basic_user("same@x.test", "pw-two"))
                .insert_header(("realm", "two")),
        )
        .await;
    assert_eq!(named.status, StatusCode::OK);
    let wrong_realm = app
        .send(
            TestRequest::get()
                .uri("/user")
                .insert_header(basic_user("same@x.test", "pw-two"))
                .insert_header(("realm", "one")),
        )
        .await;
    assert_eq!(wrong_realm.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn basic_logins_back_off_with_429_and_retry_after() {
    let app = TestApp::start().await;
    for _ in 0..5 {
        let wrong = app.send(TestRequest::get().uri("/user").insert_header(basic_user(ADMIN_EMAIL, "wrong"))).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let blocked =
        app.send(TestRequest::get().uri("/user").insert_header(basic_user(ADMIN_EMAIL, ADMIN_PASSWORD))).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.header("retry-after").is_some_and(|s| s.parse::<i64>().is_ok_and(|s| s > 0)));
    app.advance(2);
    let ok = app.send(TestRequest::get().uri("/user").insert_header(basic_user(ADMIN_EMAIL, ADMIN_PASSWORD))).await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[actix_web::test]
async fn utilihive_tokens_carry_management_only_for_admins_and_deployers() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let deployer = create_user(&app, &admin, "Deployer", "deployer@acme.test").await;
    create_user(&app, &admin, "Viewer", "viewer@acme.test").await;
    let uid = deployer["uid"].as_str().unwrap();
    app.send(
        TestRequest::put()
            .uri(&format!("/users/{uid}/roles"))
            .insert_header(bearer(&admin))
            .set_json(json!(["Deployer"])),
    )
    .await;
    let granted = app
        .post_form(
            "/authentication/token",
            &[
                ("grant_type", "password"),
                ("username", "deployer@acme.test"),
                ("password", "pw-of-user"),
                ("scope", "management"),
            ],
        )
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.text());
    assert_eq!(granted.json()["scope"], "management");
    assert_eq!(granted.json()["token_type"], "Bearer");
    let refused = app
        .post_form(
            "/authentication/token",
            &[
                ("grant_type", "password"),
                ("username", "viewer@acme.test"),
                ("password", "pw-of-user"),
                ("scope", "management"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["error"], "invalid_scope");
    let wrong = app
        .post_form(
            "/authentication/token",
            &[
                ("grant_type", "password"),
                ("username", "deployer@acme.test"),
                ("password", "nope"),
                ("scope", "management"),
            ],
        )
        .await;
    assert_eq!(wrong.json()["error"], "invalid_grant");
    let grant = app.post_form("/authentication/token", &[("grant_type", "client_credentials")]).await;
    assert_eq!(grant.json()["error"], "unsupported_grant_type");
}

#[actix_web::test]
async fn oversized_and_malformed_bodies_get_json_4xx_never_500() {
    let settings = Settings {
        http: portico_gateway::settings::HttpSettings { body_limit: 2048, ..Default::default() },
        ..Settings::default()
    };
    let app = TestApp::start_with(settings).await;
    let admin = app.admin_token().await;
    let big = json!({"name": "x".repeat(4096), "subdomain": "big", "environmentId": "x"});
    let too_large = app.json_as("POST", &admin, "/v1/tenants", &big).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.json()["code"], "PayloadTooLarge");
    let axual_large = app.json_as("POST", &admin, "/users", &json!({"firstName": "y".repeat(4096)})).await;
    assert_eq!(axual_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(axual_large.json()["status"], 413);
    let malformed = app
        .send(
            TestRequest::post()
                .uri("/v1/tenants")
                .insert_header(bearer(&admin))
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"subdomain\": "),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["code"], "BadRequest");
    let wrong_type = app
        .send(
            TestRequest::post()
                .uri("/v1/tenants")
                .insert_header(bearer(&admin))
                .insert_header(("content-type", "text/plain"))
                .set_payload("hello"),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let empty = app
        .send(
            TestRequest::post()
                .uri("/v1/tenants")
                .insert_header(bearer(&admin))
                .insert_header(("content-type", "application/json")),
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let form_large =
        app.post_form("/auth/realms/master/protocol/openid-connect/token", &[("grant_type", &"p".repeat(4096))]).await;
    assert_eq!(form_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(form_large.json()["error"].is_string());
}
