//! The token service over HTTP: grants, errors, refresh rotation, JWKS, discovery,
//! introspection, revocation, logout, login back-off and key rotation.

use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, CLIENT_ID, CLIENT_SECRET, TestApp, access_token, basic, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

const MASTER_TOKEN: &str = "/auth/realms/master/protocol/openid-connect/token";

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn header(token: &str) -> Value {
    let head = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).unwrap()).unwrap()
}

#[actix_web::test]
async fn the_password_grant_issues_a_signed_token_and_a_refresh_token() {
    let app = TestApp::start().await;
    let response = app
        .post_form(MASTER_TOKEN, &[("grant_type", "password"), ("username", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert!(body["refresh_token"].as_str().is_some_and(|t| t.len() >= 43));
    let token = access_token(&response);
    assert_eq!(header(&token)["alg"], "ES256");
    let claims = claims(&token);
    assert_eq!(claims["realm"], "master");
    assert_eq!(claims["email"], ADMIN_EMAIL);
    assert!(claims["iss"].as_str().is_some_and(|i| i.ends_with("/auth/realms/master")));
    assert!(claims["roles"].as_array().is_some_and(|r| r.contains(&json!("PLATFORM_ADMIN"))));
    assert_eq!(claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0), 3600);
    assert!(claims["jti"].is_string());
}

#[actix_web::test]
async fn wrong_passwords_and_unknown_users_get_the_same_invalid_grant() {
    let app = TestApp::start().await;
    for (user, password) in [(ADMIN_EMAIL, "wrong"), ("nobody@portico.test", ADMIN_PASSWORD)] {
        let response = app
            .post_form(MASTER_TOKEN, &[("grant_type", "password"), ("username", user), ("password", password)])
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert_eq!(response.json()["error"], "invalid_grant");
        assert_eq!(response.json()["error_description"], "Invalid user credentials");
    }
}

#[actix_web::test]
async fn protocol_errors_use_rfc6749_codes() {
    let app = TestApp::start().await;
    type Form<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Form<'_>, u16, &str)] = &[
        (&[], 400, "invalid_request"),
        (&[("grant_type", "device_code")], 400, "unsupported_grant_type"),
        (&[("grant_type", "authorization_code")], 400, "invalid_request"),
        (&[("grant_type", "password"), ("username", ADMIN_EMAIL)], 400, "invalid_request"),
        (
            &[
                ("grant_type", "password"),
                ("username", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("scope", "nonsense"),
            ],
            400,
            "invalid_scope",
        ),
        (&[("grant_type", "client_credentials")], 401, "invalid_client"),
        (
            &[("grant_type", "client_credentials"), ("client_id", CLIENT_ID), ("client_secret", "nope")],
            401,
            "invalid_client",
        ),
        (&[("grant_type", "refresh_token"), ("refresh_token", "forged")], 400, "invalid_grant"),
    ];
    for (form, status, code) in cases {
        let response = app.post_form(MASTER_TOKEN, form).await;
        assert_eq!(response.status.as_u16(), *status, "{form:?}: {}", response.text());
        assert_eq!(response.json()["error"], *code, "{form:?}");
    }
    let unknown_realm = app
        .post_form(
            "/auth/realms/nowhere/protocol/openid-connect/token",
            &[("grant_type", "password"), ("username", "a"), ("password", "b")],
        )
        .await;
    assert_eq!(unknown_realm.status, StatusCode::BAD_REQUEST);
    let not_a_form = app
        .send(
            TestRequest::post()
                .uri(MASTER_TOKEN)
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload("%%%=%"),
        )
        .await;
    assert_eq!(not_a_form.status, StatusCode::BAD_REQUEST);
    assert!(not_a_form.json()["error"].is_string());
}

#[actix_web::test]
async fn client_credentials_work_with_basic_and_body_and_issue_no_refresh_token() {
    let app = TestApp::start().await;
    let with_basic = app
        .send(
            TestRequest::post()
                .uri(MASTER_TOKEN)
                .insert_header(basic(CLIENT_ID, CLIENT_SECRET))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload("grant_type=client_credentials"),
        )
        .await;
    assert_eq!(with_basic.status, StatusCode::OK, "{}", with_basic.text());
    assert!(with_basic.json().get("refresh_token").is_none(), "RFC 6749 §4.4.3");
    let claims = claims(&access_token(&with_basic));
    assert_eq!(claims["sub"], CLIENT_ID);
    assert_eq!(claims["client_id"], CLIENT_ID);

    let in_body = app.client_token("master", CLIENT_ID, CLIENT_SECRET).await;
    assert!(!in_body.is_empty());

    let wrong = app
        .send(
            TestRequest::post()
                .uri(MASTER_TOKEN)
                .insert_header(basic(CLIENT_ID, "wrong"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload("grant_type=client_credentials"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.header("www-authenticate").is_some_and(|h| h.starts_with("Basic")));
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_family() {
    let app = TestApp::start().await;
    let first = app
        .post_form(MASTER_TOKEN, &[("grant_type", "password"), ("username", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .await
        .json();
    let refresh = first["refresh_token"].as_str().unwrap().to_owned();
    let second = app.post_form(MASTER_TOKEN, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text());
    let rotated = second.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, refresh);

    let replay = app.post_form(MASTER_TOKEN, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert_eq!(replay.json()["error"], "invalid_grant");
    let after_replay =
        app.post_form(MASTER_TOKEN, &[("grant_type", "refresh_token"), ("refresh_token", &rotated)]).await;
    assert_eq!(after_replay.status, StatusCode::BAD_REQUEST, "the whole family is revoked");
}

#[actix_web::test]
async fn refresh_tokens_expire() {
    let app = TestApp::start().await;
    let first = app
        .post_form(MASTER_TOKEN, &[("grant_type", "password"), ("username", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .await
        .json();
    app.advance(28_801);
    let refresh = first["refresh_token"].as_str().unwrap();
    let response = app.post_form(MASTER_TOKEN, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(response.json()["error"], "invalid_grant");
}

#[actix_web::test]
async fn the_mattr_endpoint_takes_json_or_form_and_checks_the_audience() {
    let app = TestApp::start().await;
    let good = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "audience": "portico-management", "grant_type": "client_credentials"});
    let response = app.send(TestRequest::post().uri("/oauth/token").set_json(&good)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body.as_object().map(|o| o.len()), Some(3));
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].is_i64());
    assert_eq!(claims(body["access_token"].as_str().unwrap())["aud"], "portico-management");

    let form = app
        .post_form(
            "/oauth/token",
            &[
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("audience", "portico-management"),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);

    let mut wrong_audience = good.clone();
    wrong_audience["audience"] = json!("someone-else");
    let response = app.send(TestRequest::post().uri("/oauth/token").set_json(&wrong_audience)).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["error"], "invalid_target");

    let mut wrong_secret = good.clone();
    wrong_secret["client_secret"] = json!("nope");
    let response = app.send(TestRequest::post().uri("/oauth/token").set_json(&wrong_secret)).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.json()["error"], "invalid_client");

    let malformed = app
        .send(
            TestRequest::post()
                .uri("/oauth/token")
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"client_id\":"),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.json()["error"].is_string(), "{}", malformed.text());
}

#[actix_web::test]
async fn jwks_publishes_the_signing_key_and_discovery_names_the_issuer() {
    let app = TestApp::start().await;
    let token = app.admin_token().await;
    let kid = header(&token)["kid"].as_str().unwrap().to_owned();
    for path in ["/oauth/v1/keys", "/auth/realms/master/protocol/openid-connect/certs"] {
        let keys = app.get(path).await;
        assert_eq!(keys.status, StatusCode::OK);
        let keys = keys.json();
        let key = keys["keys"].as_array().and_then(|k| k.iter().find(|k| k["kid"] == kid.as_str())).cloned();
        let key = key.unwrap_or_else(|| panic!("kid {kid} is published at {path}"));
        assert_eq!(key["kty"], "EC");
        assert_eq!(key["crv"], "P-256");
        assert!(key.get("d").is_none(), "no private key material");
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key).unwrap();
        let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.validate_aud = false;
        assert!(
            jsonwebtoken::decode::<Value>(&token, &decoding, &validation).is_ok(),
            "the token verifies with the published key"
        );
    }
    let discovery = app.get("/auth/realms/master/.well-known/openid-configuration").await.json();
    assert_eq!(discovery["issuer"], claims(&token)["iss"]);
    assert!(
        discovery["token_endpoint"]
            .as_str()
            .is_some_and(|e| e.ends_with("/auth/realms/master/protocol/openid-connect/token"))
    );
    assert!(discovery["grant_types_supported"].as_array().is_some_and(|g| g.contains(&json!("client_credentials"))));
    assert_eq!(app.get("/auth/realms/nowhere/.well-known/openid-configuration").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/auth/realms/nowhere/protocol/openid-connect/certs").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn introspection_and_revocation_need_a_client_and_take_effect() {
    let app = TestApp::start().await;
    let token = app.admin_token().await;
    let introspect = "/auth/realms/master/protocol/openid-connect/token/introspect";
    let unauthenticated = app.post_form(introspect, &[("token", &token)]).await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    let active = app
        .post_form(introspect, &[("token", &token), ("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)])
        .await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.text());
    assert_eq!(active.json()["active"], true);
    assert_eq!(active.json()["username"], ADMIN_EMAIL);
    let garbage = app
        .post_form(introspect, &[("token", "garbage"), ("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)])
        .await;
    assert_eq!(garbage.json(), json!({"active": false}));

    assert_eq!(app.get_as(&token, "/v1/environments").await.status, StatusCode::OK);
    let revoke = "/auth/realms/master/protocol/openid-connect/revoke";
    let revoked =
        app.post_form(revoke, &[("token", &token), ("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)]).await;
    assert_eq!(revoked.status, StatusCode::OK);
    let unknown = app
        .post_form(revoke, &[("token", "unknown"), ("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)])
        .await;
    assert_eq!(unknown.status, StatusCode::OK, "RFC 7009: unknown tokens are fine");
    let refused = app.get_as(&token, "/v1/environments").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.header("www-authenticate").is_some_and(|h| h.contains("invalid_token")));
    let inactive = app
        .post_form(introspect, &[("token", &token), ("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)])
        .await;
    assert_eq!(inactive.json(), json!({"active": false}));
}

#[actix_web::test]
async fn logout_invalidates_the_token_in_x_auth_token() {
    let app = TestApp::start().await;
    let token = app.admin_token().await;
    let response = app.send(TestRequest::get().uri("/logout").insert_header(("X-Auth-Token", token.as_str()))).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("x-auth-token"), Some(""));
    assert_eq!(app.get_as(&token, "/v1/environments").await.status, StatusCode::UNAUTHORIZED);
    let missing = app.get("/logout").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.json()["path"], "/logout");
}

#[actix_web::test]
async fn expired_and_tampered_tokens_are_refused() {
    let app = TestApp::start().await;
    let token = app.admin_token().await;
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut forged = claims(&token);
    forged["realm"] = json!("other");
    parts[1] = URL_SAFE_NO_PAD.encode(forged.to_string());
    let tampered = parts.join(".");
    assert_eq!(app.get_as(&tampered, "/v1/environments").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_as("not.a.jwt", "/v1/environments").await.status, StatusCode::UNAUTHORIZED);
    let odd_scheme =
        app.send(TestRequest::get().uri("/v1/environments").insert_header(("authorization", "Digest abc"))).await;
    assert_eq!(odd_scheme.status, StatusCode::UNAUTHORIZED);
    app.advance(3600 + 31);
    assert_eq!(app.get_as(&token, "/v1/environments").await.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn repeated_failed_logins_back_off_then_recover() {
    let app = TestApp::start().await;
    let app = &app;
    let attempt = |username: &'static str, password: &'static str| async move {
        app.post_form(MASTER_TOKEN, &[("grant_type", "password"), ("username", username), ("password", password)]).await
    };
    for _ in 0..5 {
        assert_eq!(attempt(ADMIN_EMAIL, "wrong").await.json()["error_description"], "Invalid user credentials");
    }
    let blocked = attempt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::BAD_REQUEST);
    assert!(
        blocked.json()["error_description"].as_str().is_some_and(|d| d.contains("Too many failed")),
        "the back-off starts after five failures: {}",
        blocked.text()
    );
    app.advance(2);
    let recovered = attempt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(recovered.status, StatusCode::OK, "the back-off is bounded: {}", recovered.text());
    for _ in 0..6 {
        attempt(ADMIN_EMAIL, "wrong").await;
    }
    app.advance(901);
    assert_eq!(
        attempt(ADMIN_EMAIL, ADMIN_PASSWORD).await.status,
        StatusCode::OK,
        "a quiet quarter hour forgets the failures"
    );
}

#[actix_web::test]
async fn unknown_accounts_back_off_exactly_like_known_ones() {
    let app = TestApp::start().await;
    let app = &app;
    let attempt = |username: &'static str| async move {
        let response = app
            .post_form(MASTER_TOKEN, &[("grant_type", "password"), ("username", username), ("password", "wrong")])
            .await;
        (response.status, response.json()["error_description"].as_str().unwrap().to_owned())
    };
    for round in 0..8 {
        let known = attempt(ADMIN_EMAIL).await;
        let unknown = attempt("nobody-here@portico.test").await;
        assert_eq!(known, unknown, "attempt {round}: an unknown account answers like a known one");
    }
    let basic = |user: &'static str| async move {
        let response =
            app.send(TestRequest::get().uri("/user").insert_header(crate::support::basic_user(user, "wrong"))).await;
        (response.status, response.header("retry-after").is_some())
    };
    assert_eq!(basic(ADMIN_EMAIL).await, basic("nobody-here@portico.test").await, "Basic too");
}

#[actix_web::test]
async fn rotated_keys_keep_old_tokens_valid_and_are_never_reused() {
    let app = TestApp::start().await;
    let old = app.admin_token().await;
    let old_kid = header(&old)["kid"].as_str().unwrap().to_owned();
    // Another replica (or `portico rotate-signing-key`) over the same database rotates the key.
    let replica = app.replica(None);
    let new_kid = replica.keys().rotate(app.now(), 7200).unwrap();
    assert_ne!(new_kid, old_kid);
    let new = crate::support::admin_token_from(&replica);
    assert_eq!(header(&new)["kid"], new_kid.as_str());
    assert_eq!(app.get_as(&new, "/v1/environments").await.status, StatusCode::OK, "the app learns the new key");
    assert_eq!(app.get_as(&old, "/v1/environments").await.status, StatusCode::OK, "the old key still verifies");
    let keys = app.get("/oauth/v1/keys").await.json();
    assert_eq!(keys["keys"].as_array().map(Vec::len), Some(2));
    app.advance(7201);
    replica.keys().reload(app.now()).unwrap();
    assert_eq!(replica.keys().jwks().keys.len(), 1, "retired keys leave the JWKS after the overlap");
}

#[actix_web::test]
async fn a_bearer_token_from_another_scheme_or_header_name_is_not_accepted() {
    let app = TestApp::start().await;
    let token = app.admin_token().await;
    let response =
        app.send(TestRequest::get().uri("/v1/environments").insert_header(bearer(&format!("{token}x")))).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
}

/// The order of P-256, big-endian.
const P256_ORDER: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA,
    0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

/// The token with its signature's `s` replaced by `n - s`: the twin that verifies as well.
fn high_s_twin(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let mut signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    assert_eq!(signature.len(), 64);
    let mut borrow = 0u8;
    for i in (0..32).rev() {
        let (difference, under) = P256_ORDER[i].overflowing_sub(signature[32 + i]);
        let (difference, under_again) = difference.overflowing_sub(borrow);
        signature[32 + i] = difference;
        borrow = u8::from(under || under_again);
    }
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[actix_web::test]
async fn tokens_are_issued_with_low_s_signatures_and_their_high_s_twins_are_refused() {
    let app = TestApp::start().await;
    for _ in 0..8 {
        // Each token is signed afresh (a random nonce): the issuer normalises every one.
        let token = app.admin_token().await;
        let signature = URL_SAFE_NO_PAD.decode(token.rsplit_once('.').unwrap().1).unwrap();
        assert!(signature[32..] <= P256_ORDER[..], "s < n");
        assert!(signature[32] < 0x80, "issued with the low s");
        assert_eq!(app.get_as(&token, "/users").await.status, StatusCode::OK);
        let twin = high_s_twin(&token);
        let refused = app.get_as(&twin, "/users").await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text());
    }
}
