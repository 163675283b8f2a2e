//! Browser logins, continued: the login form's defences (forgery, enumeration, back-off),
//! RP-initiated logout, discovery, clients' redirect URIs registered through MATTR, and the
//! configured console of platform admins. The code-flow tests and the shared helpers are in
//! `login.rs`.

use crate::login::{
    BYE, VERIFIER, auth_path, challenge, console, cookie_of, form_of, location_params, param, post_login, query,
    sign_in, token_path,
};
use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD};
use actix_web::http::StatusCode;
use portico_gateway::settings::Settings;
use serde_json::json;

#[actix_web::test]
async fn the_login_form_resists_forgery_and_enumeration_and_backs_off() {
    let app = TestApp::start().await;
    let console = console(&app).await;
    let path = format!("{}?{}", auth_path("acme"), query(&console.client, &[]));
    let page = app.get(&path).await;
    let form = form_of(&page, &console.user, USER_PASSWORD);

    // No cookie, another browser's cookie, or a tampered value: the form is shown again.
    let other_browser = cookie_of(&app.get(&path).await);
    let mut tampered = form.clone();
    tampered.iter_mut().filter(|(k, _)| k == "csrf").for_each(|(_, v)| *v = "0".repeat(64));
    for (cookie, form) in [(None, &form), (Some(other_browser.as_str()), &form), (Some(&cookie_of(&page)), &tampered)] {
        let response = post_login(&app, "acme", cookie, form).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{}", response.text());
        assert!(response.header("location").is_none());
        assert!(response.text().contains("did not come from this page"), "{}", response.text());
    }
    // A form posted for another client is checked like a new request.
    let mut retargeted = form.clone();
    retargeted.iter_mut().filter(|(k, _)| k == "redirect_uri").for_each(|(_, v)| *v = "https://evil.test/".into());
    let response = post_login(&app, "acme", Some(&cookie_of(&page)), &retargeted).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.header("location").is_none());

    // Wrong password and unknown user read the same; neither says which.
    let wrong = sign_in(&app, "acme", &query(&console.client, &[]), &console.user, "wrong").await;
    let unknown = sign_in(&app, "acme", &query(&console.client, &[]), "nobody@acme.test", USER_PASSWORD).await;
    for response in [&wrong, &unknown] {
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        assert!(response.text().contains("Invalid user credentials."), "{}", response.text());
        assert!(response.header("location").is_none());
    }
    // A user of another realm (the platform admin included) cannot sign in here.
    let admin = sign_in(&app, "acme", &query(&console.client, &[]), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(admin.text().contains("Invalid user credentials."), "{}", admin.text());

    // Failures back off, as at the token endpoint; then even the right password waits.
    let mut last = None;
    for _ in 0..6 {
        last = Some(sign_in(&app, "acme", &query(&console.client, &[]), &console.user, "wrong").await);
    }
    let throttled = sign_in(&app, "acme", &query(&console.client, &[]), &console.user, USER_PASSWORD).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "{}", last.unwrap().text());
    assert!(throttled.header("retry-after").is_some());
    assert!(throttled.text().contains("Too many failed login attempts"));
    let grant = app
        .post_form(
            &token_path("acme"),
            &[("grant_type", "password"), ("username", &console.user), ("password", USER_PASSWORD)],
        )
        .await;
    assert!(
        grant.json()["error_description"].as_str().unwrap().contains("Too many"),
        "the same back-off: {}",
        grant.text()
    );
}

#[actix_web::test]
async fn logout_ends_the_session_and_returns_only_to_registered_uris() {
    let app = TestApp::start().await;
    let console = console(&app).await;
    let tokens = console.exchange(&console.code().await, &[]).await.json();
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    let app = &app;
    let logout = |params: Vec<(&str, &str)>| {
        let path = format!(
            "/auth/realms/acme/protocol/openid-connect/logout?{}",
            serde_urlencoded::to_string(params).unwrap()
        );
        async move { app.get(&path).await }
    };

    // Refused requests end nothing.
    for params in [
        vec![("id_token_hint", id_token), ("post_logout_redirect_uri", "https://evil.test/")],
        vec![("id_token_hint", access), ("post_logout_redirect_uri", BYE)],
        vec![("id_token_hint", "not.a.token"), ("post_logout_redirect_uri", BYE)],
        vec![("post_logout_redirect_uri", BYE)],
        vec![("id_token_hint", id_token), ("client_id", "someone-else"), ("post_logout_redirect_uri", BYE)],
    ] {
        let response = logout(params.clone()).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{params:?}: {}", response.text());
        assert!(response.header("location").is_none());
    }
    assert!(console.accepted(access).await);
    let elsewhere =
        app.get(&format!("/auth/realms/other/protocol/openid-connect/logout?id_token_hint={id_token}")).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    assert!(console.accepted(access).await);

    let done = logout(vec![("id_token_hint", id_token), ("post_logout_redirect_uri", BYE), ("state", "after")]).await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.text());
    assert_eq!(done.header("location"), Some(format!("{BYE}?state=after").as_str()));
    assert!(!console.accepted(access).await, "the session's access token is revoked");
    let refreshed = app
        .post_form(
            &token_path("acme"),
            &[("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", &console.client)],
        )
        .await;
    assert_eq!(refreshed.json()["error"], "invalid_grant", "{}", refreshed.text());

    // Without a registered return address the answer is a page; POST works as GET does.
    let page = app.post_form("/auth/realms/acme/protocol/openid-connect/logout", &[("id_token_hint", id_token)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("You are signed out"));
}

#[actix_web::test]
async fn discovery_advertises_the_code_flow() {
    let app = TestApp::start().await;
    let document = app.get("/auth/realms/master/.well-known/openid-configuration").await.json();
    let issuer = document["issuer"].as_str().unwrap();
    assert_eq!(document["authorization_endpoint"], format!("{issuer}/protocol/openid-connect/auth"));
    assert_eq!(document["end_session_endpoint"], format!("{issuer}/protocol/openid-connect/logout"));
    assert_eq!(document["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(document["response_types_supported"], json!(["code"]));
    assert!(document["grant_types_supported"].as_array().unwrap().contains(&json!("authorization_code")));
}

#[actix_web::test]
async fn clients_register_exact_redirect_uris_through_mattr() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let platform = app.admin_token().await;
    let path = format!("/v1/tenants/{}/clients", realm.id);
    let many: Vec<String> = (0..21).map(|i| format!("https://console.test/{i}")).collect();
    for (field, uris) in [
        ("redirectUris", json!(["http://console.test/cb"])),
        ("redirectUris", json!(["https://console.test/cb#fragment"])),
        ("redirectUris", json!(["not a url"])),
        ("redirectUris", json!(["https://user:pw@console.test/cb"])),
        ("redirectUris", json!(["javascript:alert(1)"])),
        ("redirectUris", json!(many)),
        ("postLogoutRedirectUris", json!(["ftp://console.test/"])),
    ] {
        let response = app.json_as("POST", &platform, &path, &json!({"name": "c", "roles": [], field: uris})).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uris}: {}", response.text());
        assert!(response.text().contains(field), "{}", response.text());
    }
    let created = app
        .json_as(
            "POST",
            &platform,
            &path,
            &json!({"name": "backend", "roles": [], "redirectUris": ["http://127.0.0.1:8400/cb", "https://app.test/cb"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    assert!(body["clientSecret"].is_string(), "confidential by default");
    assert!(body.get("public").is_none());
    let id = body["clientId"].as_str().unwrap();
    let updated =
        app.json_as("PUT", &platform, &format!("{path}/{id}"), &json!({"name": "renamed", "roles": []})).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    assert_eq!(
        updated.json()["redirectUris"],
        json!(["http://127.0.0.1:8400/cb", "https://app.test/cb"]),
        "kept when left out"
    );
    let replaced =
        app.json_as("PUT", &platform, &format!("{path}/{id}"), &json!({"name": "renamed", "redirectUris": []})).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text());
    assert!(replaced.json().get("redirectUris").is_none(), "{}", replaced.text());
    // A plain MATTR client body (no Portico fields) is answered exactly as before.
    let plain = app.json_as("POST", &platform, &path, &json!({"name": "plain", "roles": []})).await.json();
    let mut keys = crate::support::keys(&plain);
    keys.sort_unstable();
    assert_eq!(keys, ["clientId", "clientSecret", "name", "permissions", "roles"]);
}

#[actix_web::test]
async fn a_configured_console_signs_platform_admins_in_to_master() {
    let mut settings = Settings::default();
    settings.identity.console_client_id = "portico-console".into();
    settings.identity.console_redirect_uris = vec!["http://localhost:5173/callback".into()];
    settings.identity.console_post_logout_redirect_uris = vec!["http://localhost:5173/".into()];
    let app = TestApp::start_with(settings).await;
    let challenge = challenge(VERIFIER);
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", "portico-console"),
        ("redirect_uri", "http://localhost:5173/callback"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();
    let signed_in = sign_in(&app, "master", &query, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.text());
    let code = param(&location_params(&signed_in), "code").unwrap();
    let exchanged = app
        .post_form(
            &token_path("master"),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", "portico-console"),
                ("redirect_uri", "http://localhost:5173/callback"),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(exchanged.status, StatusCode::OK, "{}", exchanged.text());
    let body = exchanged.json();
    assert!(body.get("id_token").is_none(), "no openid scope asked for, no ID token");
    let tenants = app.get_as(body["access_token"].as_str().unwrap(), "/v1/tenants").await;
    assert_eq!(tenants.status, StatusCode::OK, "a platform admin's console token manages tenants");
    // A public client cannot use client_credentials.
    let refused = app
        .post_form(&token_path("master"), &[("grant_type", "client_credentials"), ("client_id", "portico-console")])
        .await;
    assert_eq!(refused.json()["error"], "unauthorized_client", "{}", refused.text());
}
