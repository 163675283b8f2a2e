//! Browser logins over HTTP: the authorization endpoint's login page, the code exchange with
//! PKCE, ID tokens, RP-initiated logout, and clients' redirect URIs (MATTR).

use crate::support::{TestApp, TestRealm, TestResponse, USER_PASSWORD, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "https://console.acme.test/callback";
pub(crate) const BYE: &str = "https://console.acme.test/signed-out";
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more-entropy";

pub(crate) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn claims(token: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

fn jose_header(token: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap()).unwrap()
}

/// A realm `acme` with a user `dev@acme.test` and a public console client.
pub(crate) struct Console<'a> {
    app: &'a TestApp,
    pub(crate) realm: TestRealm<'a>,
    pub(crate) client: String,
    pub(crate) user: String,
}

pub(crate) async fn console(app: &TestApp) -> Console<'_> {
    let realm = app.realm("acme").await;
    let user = realm.user("dev@acme.test", &["Admin"]).await;
    let platform = app.admin_token().await;
    let created = app
        .json_as(
            "POST",
            &platform,
            &format!("/v1/tenants/{}/clients", realm.id),
            &json!({"name": "Acme console", "roles": [], "public": true,
                    "redirectUris": [REDIRECT], "postLogoutRedirectUris": [BYE]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    assert!(body.get("clientSecret").is_none(), "a public client has no secret: {body}");
    assert_eq!(body["public"], true);
    assert_eq!(body["redirectUris"], json!([REDIRECT]));
    assert_eq!(body["postLogoutRedirectUris"], json!([BYE]));
    let client = body["clientId"].as_str().unwrap().to_owned();
    Console { app, realm, client, user: user.email }
}

/// The query of an authorization request of `client`, with `changes` applied (`None` drops a
/// parameter).
pub(crate) fn query(client: &str, changes: &[(&str, Option<&str>)]) -> String {
    let challenge = challenge(VERIFIER);
    let mut params: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", REDIRECT),
        ("scope", "openid management"),
        ("state", "st&te=1"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (name, value) in changes {
        params.retain(|(k, _)| k != name);
        if let Some(value) = value {
            params.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    serde_urlencoded::to_string(&params).unwrap()
}

pub(crate) fn auth_path(realm: &str) -> String {
    format!("/auth/realms/{realm}/protocol/openid-connect/auth")
}

pub(crate) fn token_path(realm: &str) -> String {
    format!("/auth/realms/{realm}/protocol/openid-connect/token")
}

fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'"))
}

/// The login cookie a page set (`name=value`).
pub(crate) fn cookie_of(response: &TestResponse) -> String {
    let set = response.header("set-cookie").unwrap_or_else(|| panic!("no cookie: {:?}", response.headers));
    set.split(';').next().unwrap().to_owned()
}

/// What a browser posts from the login page `page` (its hidden fields, plus credentials).
pub(crate) fn form_of(page: &TestResponse, username: &str, password: &str) -> Vec<(String, String)> {
    let html = page.text();
    let mut form: Vec<(String, String)> = [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "csrf",
    ]
    .iter()
    .filter_map(|name| hidden_value(&html, name).map(|v| ((*name).to_owned(), v)))
    .collect();
    form.push(("username".into(), username.into()));
    form.push(("password".into(), password.into()));
    form
}

pub(crate) async fn post_login(
    app: &TestApp,
    realm: &str,
    cookie: Option<&str>,
    form: &[(String, String)],
) -> TestResponse {
    let mut request = TestRequest::post()
        .uri(&auth_path(realm))
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(serde_urlencoded::to_string(form).unwrap());
    if let Some(cookie) = cookie {
        request = request.insert_header(("cookie", cookie.to_owned()));
    }
    app.send(request).await
}

/// Shows the login page and signs in; returns the response to the form.
pub(crate) async fn sign_in(app: &TestApp, realm: &str, query: &str, username: &str, password: &str) -> TestResponse {
    let page = app.get(&format!("{}?{query}", auth_path(realm))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    post_login(app, realm, Some(&cookie_of(&page)), &form_of(&page, username, password)).await
}

/// The query parameters of a redirect's `Location`.
pub(crate) fn location_params(response: &TestResponse) -> Vec<(String, String)> {
    let location = response.header("location").unwrap_or_else(|| panic!("no location: {}", response.text()));
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    serde_urlencoded::from_str(query).unwrap()
}

pub(crate) fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

impl Console<'_> {
    /// Signs the user in and returns the code.
    pub(crate) async fn code(&self) -> String {
        let response = sign_in(self.app, "acme", &query(&self.client, &[]), &self.user, USER_PASSWORD).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.text());
        param(&location_params(&response), "code").unwrap()
    }

    pub(crate) async fn exchange(&self, code: &str, changes: &[(&str, Option<&str>)]) -> TestResponse {
        let mut form: Vec<(String, String)> = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", self.client.as_str()),
            ("code_verifier", VERIFIER),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (name, value) in changes {
            form.retain(|(k, _)| k != name);
            if let Some(value) = value {
                form.push(((*name).to_owned(), (*value).to_owned()));
            }
        }
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.app.post_form(&token_path("acme"), &pairs).await
    }

    /// Whether `token` is accepted by an API of the realm.
    pub(crate) async fn accepted(&self, token: &str) -> bool {
        let response = self
            .app
            .send(TestRequest::get().uri("/user").insert_header(bearer(token)).insert_header(("realm", "acme")))
            .await;
        response.status == StatusCode::OK
    }
}

#[actix_web::test]
async fn the_code_flow_signs_a_user_in_with_pkce_and_issues_session_bound_tokens() {
    let app = TestApp::start().await;
    let console = console(&app).await;
    let page = app.get(&format!("{}?{}", auth_path("acme"), query(&console.client, &[]))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let csp = page.header("content-security-policy").unwrap();
    for directive in ["default-src 'none'", "frame-ancestors 'none'", "form-action 'self' https://console.acme.test"] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    let cookie = page.header("set-cookie").unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/auth/realms/acme/protocol/openid-connect/auth"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    let html = page.text();
    assert!(html.contains("<html lang=\"en\">") && html.contains("<label for=\"username\">"), "{html}");
    assert!(html.contains("Acme console") && !html.contains("<script"), "{html}");
    assert_eq!(hidden_value(&html, "state").as_deref(), Some("st&te=1"), "state is kept, escaped: {html}");

    let signed_in =
        post_login(&app, "acme", Some(&cookie_of(&page)), &form_of(&page, &console.user, USER_PASSWORD)).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.text());
    let location = signed_in.header("location").unwrap();
    assert!(location.starts_with(&format!("{REDIRECT}?")), "{location}");
    let params = location_params(&signed_in);
    assert_eq!(param(&params, "state").as_deref(), Some("st&te=1"));
    assert!(param(&params, "iss").is_some_and(|iss| iss.ends_with("/auth/realms/acme")));
    let code = param(&params, "code").unwrap();
    assert!(code.len() >= 43);

    let exchanged = console.exchange(&code, &[]).await;
    assert_eq!(exchanged.status, StatusCode::OK, "{}", exchanged.text());
    assert_eq!(exchanged.header("cache-control"), Some("no-store"));
    let body = exchanged.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "management openid");
    let access = body["access_token"].as_str().unwrap().to_owned();
    let id_token = body["id_token"].as_str().unwrap();
    let (access_claims, id_claims) = (claims(&access), claims(id_token));
    assert_eq!(access_claims["client_id"], console.client.as_str());
    assert_eq!(access_claims["email"], "dev@acme.test");
    assert_eq!(jose_header(id_token)["typ"], "JWT");
    assert_eq!(id_claims["aud"], console.client.as_str());
    assert_eq!(id_claims["azp"], console.client.as_str());
    assert_eq!(id_claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id_claims["sub"], access_claims["sub"]);
    assert_eq!(id_claims["sid"], access_claims["sid"]);
    assert!(id_claims["auth_time"].as_i64().is_some());
    assert!(console.accepted(&access).await, "the access token works against the realm's APIs");

    // The refresh token rotates within the same session.
    let refresh = body["refresh_token"].as_str().unwrap();
    let refreshed = app
        .post_form(
            &token_path("acme"),
            &[("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", &console.client)],
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    assert_eq!(claims(refreshed.json()["access_token"].as_str().unwrap())["sid"], access_claims["sid"]);
}

#[actix_web::test]
async fn an_untrusted_client_or_redirect_uri_gets_a_page_and_no_redirect() {
    let app = TestApp::start().await;
    let console = console(&app).await;
    let other = app.realm("other").await;
    let confidential = other.client("other client", &[]).await;
    let cases = [
        ("nowhere", query(&console.client, &[]), 404),
        ("acme", query(&console.client, &[("client_id", None)]), 400),
        ("acme", query(&console.client, &[("client_id", Some("no-such-client"))]), 400),
        ("acme", query(&confidential.id, &[]), 400),
        ("acme", query(&console.client, &[("redirect_uri", Some("https://evil.test/callback"))]), 400),
        ("acme", query(&console.client, &[("redirect_uri", Some(&format!("{REDIRECT}?x=1")))]), 400),
        ("acme", query(&console.client, &[("redirect_uri", Some("https://console.acme.test/callback/"))]), 400),
    ];
    for (realm, query, status) in cases {
        let response = app.get(&format!("{}?{query}", auth_path(realm))).await;
        assert_eq!(response.status.as_u16(), status, "{realm} {query}: {}", response.text());
        assert!(response.header("location").is_none(), "{query}");
        assert_eq!(response.header("content-type"), Some("text/html; charset=utf-8"), "{query}: {}", response.text());
        assert!(response.text().contains("role=\"alert\""), "{}", response.text());
    }
    // A control character is refused before any page (by the gateway, for every route).
    let nul = app
        .get(&format!("{}?{}&client_id=%00", auth_path("acme"), query(&console.client, &[("client_id", None)])))
        .await;
    assert_eq!(nul.status, StatusCode::BAD_REQUEST);
    assert!(nul.header("location").is_none());
    // With one registered URI, leaving it out means that one (RFC 6749 §3.1.2.3).
    let implied =
        app.get(&format!("{}?{}", auth_path("acme"), query(&console.client, &[("redirect_uri", None)]))).await;
    assert_eq!(implied.status, StatusCode::OK, "{}", implied.text());
}

#[actix_web::test]
async fn request_errors_after_the_redirect_uri_is_verified_go_back_to_the_client() {
    let app = TestApp::start().await;
    let console = console(&app).await;
    let cases = [
        (vec![("response_type", Some("token"))], "unsupported_response_type"),
        (vec![("code_challenge", None)], "invalid_request"),
        (vec![("code_challenge_method", Some("plain"))], "invalid_request"),
        (vec![("code_challenge_method", None)], "invalid_request"),
        (vec![("code_challenge", Some("too-short"))], "invalid_request"),
        (vec![("scope", Some("openid admin"))], "invalid_scope"),
        (vec![("prompt", Some("none"))], "login_required"),
        (vec![("response_mode", Some("fragment"))], "invalid_request"),
    ];
    for (changes, error) in cases {
        let response = app.get(&format!("{}?{}", auth_path("acme"), query(&console.client, &changes))).await;
        assert_eq!(response.status, StatusCode::FOUND, "{changes:?}: {}", response.text());
        assert!(response.header("location").unwrap().starts_with(REDIRECT));
        let params = location_params(&response);
        assert_eq!(param(&params, "error").as_deref(), Some(error), "{changes:?}");
        assert!(param(&params, "error_description").is_some());
        assert_eq!(param(&params, "state").as_deref(), Some("st&te=1"));
        assert!(param(&params, "code").is_none());
    }
}

#[actix_web::test]
async fn the_exchange_needs_the_same_client_redirect_uri_and_the_pkce_verifier() {
    let app = TestApp::start().await;
    let console = console(&app).await;
    app.realm("other").await;
    let code = console.code().await;
    let other_client = console.realm.client("acme backend", &[]).await;
    let wrong_verifier = "x".repeat(43);
    type Changes<'a> = Vec<(&'a str, Option<&'a str>)>;
    let cases: Vec<(Changes<'_>, u16, &str)> = vec![
        (vec![("code_verifier", None)], 400, "invalid_request"),
        (vec![("code_verifier", Some("short"))], 400, "invalid_request"),
        (vec![("code_verifier", Some(&wrong_verifier))], 400, "invalid_grant"),
        (vec![("redirect_uri", Some("https://console.acme.test/other"))], 400, "invalid_grant"),
        (vec![("code", Some("forged-code"))], 400, "invalid_grant"),
        (vec![("code", None)], 400, "invalid_request"),
        (vec![("client_id", None)], 400, "invalid_request"),
        (
            vec![("client_id", Some(&other_client.id)), ("client_secret", Some(&other_client.secret))],
            400,
            "invalid_grant",
        ),
        (vec![("client_id", Some(&other_client.id))], 401, "invalid_client"),
        (vec![("client_secret", Some("a public client has none"))], 401, "invalid_client"),
    ];
    for (changes, status, error) in cases {
        let response = console.exchange(&code, &changes).await;
        assert_eq!(response.status.as_u16(), status, "{changes:?}: {}", response.text());
        assert_eq!(response.json()["error"], error, "{changes:?}");
    }
    // None of the failed attempts used the code up.
    let exchanged = console.exchange(&code, &[]).await;
    assert_eq!(exchanged.status, StatusCode::OK, "{}", exchanged.text());
    // Another realm's token endpoint does not know it.
    let code = console.code().await;
    let foreign = app
        .post_form(
            &token_path("other"),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", &console.client),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNAUTHORIZED, "{}", foreign.text());
    assert_eq!(foreign.json()["error"], "invalid_client");
}

#[actix_web::test]
async fn a_code_works_once_and_its_replay_ends_the_session_it_started() {
    let app = TestApp::start().await;
    let console = console(&app).await;
    let code = console.code().await;
    let first = console.exchange(&code, &[]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let access = first.json()["access_token"].as_str().unwrap().to_owned();
    let refresh = first.json()["refresh_token"].as_str().unwrap().to_owned();
    assert!(console.accepted(&access).await);

    let replay = console.exchange(&code, &[]).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{}", replay.text());
    assert_eq!(replay.json()["error"], "invalid_grant");
    assert!(!console.accepted(&access).await, "the replay revoked the first exchange's access token");
    let refreshed = app
        .post_form(
            &token_path("acme"),
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &console.client)],
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::BAD_REQUEST, "{}", refreshed.text());
    assert_eq!(refreshed.json()["error"], "invalid_grant");

    // Another login of the same user is a session of its own, untouched.
    let other = console.exchange(&console.code().await, &[]).await;
    assert!(console.accepted(other.json()["access_token"].as_str().unwrap()).await);
}

#[actix_web::test]
async fn codes_expire_after_a_minute() {
    let app = TestApp::start().await;
    let console = console(&app).await;
    let code = console.code().await;
    app.advance(61);
    let late = console.exchange(&code, &[]).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.text());
    assert_eq!(late.json()["error"], "invalid_grant");
    assert!(late.json()["error_description"].as_str().unwrap().contains("expired"));
}
