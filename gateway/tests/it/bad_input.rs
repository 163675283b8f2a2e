//! Hostile text everywhere (NUL and other control characters, over-long values): always a 4xx
//! in the API's own error format, never a 500, never a database message, nothing changed —
//! on both backends (PostgreSQL refuses NUL bytes that SQLite would store).

use crate::axual_users::{acme_admin, create_user};
use crate::credentials::{BASE, call, credential, local, local_credential, setup};
use crate::support::{TestApp, basic_user, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use base64::Engine;
use serde_json::json;

fn assert_client_error(response: &crate::support::TestResponse, what: &str) {
    let status = response.status.as_u16();
    assert!((400..500).contains(&status), "{what}: {status} {}", response.text());
    let text = response.text().to_lowercase();
    for leak in ["invalid byte sequence", "0x00", "database error", "sqlstate", "diesel"] {
        assert!(!text.contains(leak), "{what} leaks '{leak}': {text}");
    }
}

#[actix_web::test]
async fn nul_in_paths_and_query_strings_is_a_400_without_a_token_too() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    for path in [
        "/auth/realms/%00/protocol/openid-connect/certs",
        "/auth/realms/%00/.well-known/openid-configuration",
        "/users/search/findByFirstName?firstName=%00",
        "/users/search/findByLastName?lastName=a%00b",
        "/users/search/searchUser?query=%00",
        "/users/search/findByRole?role=%00",
        "/users/search/findByEmailAddress?email=%00",
        "/groups/search/findByName?name=%00",
        "/groups/search/findByNameContaining?name=%00",
        "/tenants/search/findByShortName?shortName=%00",
        "/tenants/search/findByName?name=%00",
        "/tenants/search/findByNameContaining?name=%00",
        "/users?sort=%00",
        "/v1/tenants?cursor=%00",
        "/users/%00",
        "/users?page=%01",
    ] {
        let anonymous = app.get(path).await;
        assert_eq!(anonymous.status, StatusCode::BAD_REQUEST, "{path} without a token: {}", anonymous.text());
        let with_token = app.get_as(&admin, path).await;
        assert_eq!(with_token.status, StatusCode::BAD_REQUEST, "{path}: {}", with_token.text());
        assert!(
            with_token.json().get("status").is_some()
                || with_token.json().get("code").is_some()
                || with_token.json().get("error").is_some()
        );
    }
    let token = app
        .send(
            TestRequest::post()
                .uri("/auth/realms/%00/protocol/openid-connect/token")
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload("grant_type=password&username=a&password=b"),
        )
        .await;
    assert_eq!(token.status, StatusCode::BAD_REQUEST, "{}", token.text());
    assert!(token.json().get("error").is_some(), "OAuth error format: {}", token.text());
    let long = app.get_as(&admin, &format!("/users?sort={}", "a".repeat(9000))).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "an over-long query string gets a JSON 400");
    assert_eq!(long.json()["status"], 400);
}

#[actix_web::test]
async fn nul_in_credentials_and_form_fields_is_refused_without_touching_the_database() {
    let app = TestApp::start().await;
    setup(&app).await;
    let nul_basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("\0:\0"));
    let response = app
        .send(TestRequest::get().uri(&format!("{BASE}/credential")).insert_header(("authorization", nul_basic)))
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{}", response.text());
    // Raw control characters cannot travel in a header; a token of other characters than a
    // JWT's is refused before any lookup.
    let not_a_jwt = app.send(TestRequest::get().uri("/users").insert_header(("authorization", "Bearer a%b c"))).await;
    assert_eq!(not_a_jwt.status, StatusCode::UNAUTHORIZED);
    assert_client_error(&not_a_jwt, "a bearer token that cannot be a JWT");
    for form in [
        "grant_type=client_credentials&client_id=%00&client_secret=x",
        "grant_type=password&username=%00&password=x",
        "grant_type=password&username=a&password=%00",
        "grant_type=refresh_token&refresh_token=%00",
    ] {
        let response = app
            .send(
                TestRequest::post()
                    .uri("/auth/realms/acme/protocol/openid-connect/token")
                    .insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .set_payload(form),
            )
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{form}: {}", response.text());
        assert_eq!(response.json()["error"], "invalid_request", "{form}");
    }
    let mattr = app
        .send(
            TestRequest::post()
                .uri("/oauth/token")
                .insert_header(("content-type", "application/json"))
                .set_payload(r#"{"client_id": "\u0000", "client_secret": "x", "grant_type": "client_credentials"}"#),
        )
        .await;
    assert_client_error(&mattr, "MATTR token with NUL client_id");
}

#[actix_web::test]
async fn nul_and_control_characters_in_json_fields_are_400s_and_change_nothing() {
    let app = TestApp::start().await;
    let admin = setup(&app).await;
    let platform = app.admin_token().await;
    let user = create_user(&app, &admin, "Clean", "clean@acme.test").await;
    let user_path = format!("/users/{}", user["uid"].as_str().unwrap());
    for (method, path, body) in [
        ("POST", "/users", r#"{"firstName": "Nul\u0000", "lastName": "Name", "emailAddress": "n@acme.test"}"#),
        ("PATCH", user_path.as_str(), r#"{"firstName": "Bell\u0007"}"#),
        ("PATCH", user_path.as_str(), r#"{"lastName": "Two\nlines"}"#),
        ("POST", "/groups", r#"{"name": "Group\u0000"}"#),
        ("POST", "/groups", r#"{"name": "Fine group", "phoneNumber": "\u0000"}"#),
    ] {
        let request = match method {
            "POST" => TestRequest::post(),
            _ => TestRequest::patch(),
        };
        let response = app
            .send(
                request
                    .uri(path)
                    .insert_header(bearer(&admin))
                    .insert_header(("content-type", "application/json"))
                    .set_payload(body),
            )
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{method} {path} {body}: {}", response.text());
        assert_eq!(response.json()["status"], 400, "Axual error body");
    }
    let tenant = app
        .send(
            TestRequest::post()
                .uri("/tenants")
                .insert_header(bearer(&platform))
                .insert_header(("content-type", "application/json"))
                .set_payload(r#"{"name": "Tenant", "shortName": "tnt", "logo": "a\u0000"}"#),
        )
        .await;
    assert_eq!(tenant.status, StatusCode::BAD_REQUEST, "{}", tenant.text());
    let huge_logo = app
        .json_as(
            "POST",
            &platform,
            "/tenants",
            &json!({"name": "Tenant", "shortName": "tnt", "logo": "x".repeat(100_001)}),
        )
        .await;
    assert_eq!(huge_logo.status, StatusCode::BAD_REQUEST, "{}", huge_logo.text());
    let huge_issuer = app
        .json_as(
            "POST",
            &platform,
            "/tenants",
            &json!({"name": "Tenant", "shortName": "tnt", "issuerUrl": "x".repeat(3000)}),
        )
        .await;
    assert_eq!(huge_issuer.status, StatusCode::BAD_REQUEST);
    let mattr = app
        .send(
            TestRequest::post()
                .uri("/v1/tenants")
                .insert_header(bearer(&platform))
                .insert_header(("content-type", "application/json"))
                .set_payload(r#"{"name": "x\u0000", "subdomain": "nulled", "environmentId": "00000000-0000-0000-0000-000000000000"}"#),
        )
        .await;
    assert_eq!(mattr.status, StatusCode::BAD_REQUEST);
    assert!(mattr.json().get("code").is_some(), "MATTR error body: {}", mattr.text());

    let (store, secret) = local(&app).await;
    for body in [
        credential("nul\u{0}", "INST", store, json!([{"inputValue": "v", "credentialStoreInputDefId": secret}])),
        credential("ok", "INST", store, json!([{"inputValue": "v\u{0}", "credentialStoreInputDefId": secret}])),
        credential("line\nbreak", "INST", store, json!([{"inputValue": "v", "credentialStoreInputDefId": secret}])),
    ] {
        let response = call(&app, TestRequest::post(), "/credential", Some(body.clone())).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}: {}", response.text());
        assert_eq!(response.header("content-type"), Some("application/problem+json"));
    }
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let multiline = call(
        &app,
        TestRequest::post(),
        "/credential",
        Some(credential("pem", "INST", store, json!([{"inputValue": pem, "credentialStoreInputDefId": secret}]))),
    )
    .await;
    assert_eq!(multiline.status, StatusCode::CREATED, "values may span lines: {}", multiline.text());
    let listed = call(&app, TestRequest::get(), "/credential", None).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "only the valid credential was created");
    let after = app.get_as(&admin, &user_path).await.json();
    assert_eq!(after["firstName"], "Clean", "refused writes changed nothing");
    let basic = app
        .send(
            TestRequest::get()
                .uri(&format!("{BASE}/credential"))
                .insert_header(basic_user("credadmin@acme.test", "pw-of-user")),
        )
        .await;
    assert_eq!(basic.status, StatusCode::OK);
}

#[actix_web::test]
async fn role_lists_are_bounded_and_platform_roles_stay_in_master() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let platform = app.admin_token().await;
    let user = create_user(&app, &admin, "Roles", "roles@acme.test").await;
    let roles_path = format!("/users/{}/roles", user["uid"].as_str().unwrap());
    let many: Vec<String> = (0..101).map(|n| format!("ROLE_{n}")).collect();
    let put = |token: &str, roles: serde_json::Value| {
        app.send(
            TestRequest::put()
                .uri(&roles_path)
                .insert_header(bearer(token))
                .insert_header(("realm", "acme"))
                .set_json(roles),
        )
    };
    assert_eq!(put(&admin, json!(many)).await.status, StatusCode::BAD_REQUEST, "too many roles");
    let unknown = put(&admin, json!(["STREAM_ADMIN", "MADE_UP_ROLE"])).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.text().contains("MADE_UP_ROLE"), "{}", unknown.text());
    let platform_role = put(&platform, json!(["PLATFORM_ADMIN"])).await;
    assert_eq!(platform_role.status, StatusCode::BAD_REQUEST, "not outside master: {}", platform_role.text());
    assert_eq!(put(&admin, json!(["STREAM_ADMIN", "CREDENTIAL_VIEWER", "Deployer"])).await.status, StatusCode::OK);

    let (tenant, _, _) = app.create_tenant("clients").await;
    let client = app
        .json_as(
            "POST",
            &platform,
            &format!("/v1/tenants/{tenant}/clients"),
            &json!({"name": "sneaky", "roles": ["PLATFORM_ADMIN"]}),
        )
        .await;
    assert_eq!(client.status, StatusCode::BAD_REQUEST, "{}", client.text());
    let many_client = app
        .json_as("POST", &platform, &format!("/v1/tenants/{tenant}/clients"), &json!({"name": "many", "roles": many}))
        .await;
    assert_eq!(many_client.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn corrupt_rows_fail_loudly_instead_of_being_guessed() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (created, _, _) = local_credential(&app, "c", "v").await;
    let id = created.json()["credentialId"].as_i64().unwrap();
    app.state
        .db
        .write(|conn| {
            diesel::RunQueryDsl::execute(
                diesel::sql_query("UPDATE credentials SET scope = 'BOGUS' WHERE id = $1")
                    .bind::<diesel::sql_types::BigInt, _>(id),
                conn,
            )
            .map_err(portico_core::DbError::from)
        })
        .unwrap();
    let read = call(&app, TestRequest::get(), &format!("/credential/{id}"), None).await;
    assert_eq!(read.status, StatusCode::INTERNAL_SERVER_ERROR, "an unknown scope is not read as another one");
    assert!(!read.text().contains("BOGUS"), "the cause is logged, not shown: {}", read.text());
}
