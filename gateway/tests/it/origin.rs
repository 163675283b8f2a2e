//! Host header trust: tokens are bound to the configured issuer, whatever `Host` a request
//! names; forwarding headers count only from configured trusted proxies.

use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, access_token, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portico_gateway::settings::Settings;
use serde_json::Value;

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn token_via_host(app: &TestApp, host: &str) -> String {
    let response = app
        .send(
            TestRequest::post()
                .uri("/auth/realms/master/protocol/openid-connect/token")
                .insert_header(("host", host))
                .insert_header(("x-forwarded-host", "forwarded.evil.example"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(format!(
                    "grant_type=password&username={ADMIN_EMAIL}&password={}",
                    ADMIN_PASSWORD.replace(' ', "+")
                )),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    access_token(&response)
}

#[actix_web::test]
async fn tokens_name_the_configured_issuer_whatever_the_host() {
    let mut settings = Settings::default();
    settings.http.public_url = "https://portico.example".into();
    let app = TestApp::start_with(settings).await;
    let token = token_via_host(&app, "evil.example").await;
    assert_eq!(claims(&token)["iss"], "https://portico.example/auth/realms/master");
    let discovery = app
        .send(
            TestRequest::get()
                .uri("/auth/realms/master/.well-known/openid-configuration")
                .insert_header(("host", "evil.example")),
        )
        .await
        .json();
    assert_eq!(discovery["issuer"], "https://portico.example/auth/realms/master");
    assert_eq!(app.get_as(&token, "/v1/environments").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn without_a_public_url_tokens_are_issued_under_the_listen_address() {
    let app = TestApp::start().await;
    let token = token_via_host(&app, "evil.example").await;
    assert_eq!(claims(&token)["iss"], "http://127.0.0.1:8080/auth/realms/master", "not the request's Host");
}

#[actix_web::test]
async fn a_token_of_another_issuer_is_refused() {
    let other = TestApp::start().await;
    let app = TestApp::start().await;
    // A token signed with a key this server does not know is refused anyway; a token signed by
    // a server sharing the keys but configured with another issuer is refused by its issuer.
    let foreign = other.admin_token().await;
    assert_eq!(app.get_as(&foreign, "/v1/environments").await.status, StatusCode::UNAUTHORIZED);
    let minted = crate::support::admin_token_from(&app.replica(Some("http://evil.example")));
    assert_eq!(claims(&minted)["iss"], "http://evil.example/auth/realms/master");
    assert_eq!(app.get_as(&minted, "/v1/environments").await.status, StatusCode::UNAUTHORIZED);
}

async fn self_link(app: &TestApp, token: &str) -> String {
    let request = TestRequest::get()
        .uri("/users")
        .insert_header(bearer(token))
        .insert_header(("host", "portico.internal:8080"))
        .insert_header(("x-forwarded-host", "evil.example"))
        .insert_header(("x-forwarded-proto", "https"));
    app.send(request).await.json()["_links"]["self"]["href"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn forwarded_headers_count_only_from_trusted_proxies() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    assert!(self_link(&app, &admin).await.starts_with("http://portico.internal:8080/"), "the peer is no trusted proxy");
    let mut settings = Settings::default();
    settings.http.trusted_proxies = vec!["10.0.0.0/24".into()];
    let proxied = TestApp::start_with(settings).await;
    let admin = proxied.admin_token().await;
    assert!(
        self_link(&proxied, &admin).await.starts_with("https://evil.example/"),
        "the test peer 10.0.0.1 is trusted"
    );
}
