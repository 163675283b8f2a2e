//! Tokens reflect what they stand for at once: a deleted user's or client's token stops working,
//! role changes apply to the next request, and a token is refused from the second it expires
//! (requests and introspection alike).

use crate::axual_users::{acme_admin, create_user};
use crate::support::{TestApp, basic, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;

#[actix_web::test]
async fn a_deleted_users_token_stops_working_at_once() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let doomed = realm.user("doomed@acme.test", &["TENANT_ADMIN"]).await;
    let (admin, uid, token) = (realm.admin, doomed.uid, doomed.token);
    let created = app.json_as("POST", &token, "/groups", &json!({"name": "Before"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "the token works while the user exists");
    assert_eq!(
        app.json_as("DELETE", &admin, &format!("/users/{uid}"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get_as(&token, "/users").await.status, StatusCode::UNAUTHORIZED);
    let after = app.json_as("POST", &token, "/groups", &json!({"name": "After"})).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "a deleted user creates nothing");
}

#[actix_web::test]
async fn role_changes_apply_to_the_next_request_without_a_new_token() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let user = create_user(&app, &admin, "Changing", "changing@acme.test").await;
    let roles_path = format!("/users/{}/roles", user["uid"].as_str().unwrap());
    let set = |roles: serde_json::Value| {
        app.send(TestRequest::put().uri(&roles_path).insert_header(bearer(&admin)).set_json(roles))
    };
    assert_eq!(set(json!(["TENANT_ADMIN"])).await.status, StatusCode::OK);
    let token = app.password_token("acme", "changing@acme.test", "pw-of-user").await;
    assert_eq!(
        app.json_as(
            "POST",
            &token,
            "/users",
            &json!({"firstName": "New", "lastName": "User", "emailAddress": "n1@acme.test"})
        )
        .await
        .status,
        StatusCode::CREATED
    );
    assert_eq!(set(json!([])).await.status, StatusCode::OK);
    let refused = app
        .json_as(
            "POST",
            &token,
            "/users",
            &json!({"firstName": "New", "lastName": "User", "emailAddress": "n2@acme.test"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "removed roles are gone from the next request");
    assert_eq!(app.get_as(&token, "/user").await.json()["roles"], json!([]));
    assert_eq!(set(json!(["TENANT_ADMIN"])).await.status, StatusCode::OK);
    let again = app
        .json_as(
            "POST",
            &token,
            "/users",
            &json!({"firstName": "New", "lastName": "User", "emailAddress": "n3@acme.test"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "granted roles apply at once too");
}

#[actix_web::test]
async fn a_deleted_or_changed_client_is_reflected_at_once() {
    let app = TestApp::start().await;
    let platform = app.admin_token().await;
    let realm = app.realm("clienty").await;
    let client = realm.client("robot", &["TENANT_ADMIN"]).await;
    let token = client.token;
    assert_eq!(app.get_as(&token, "/users").await.status, StatusCode::OK);
    let path = format!("/v1/tenants/{}/clients/{}", realm.id, client.id);
    let demoted = app.json_as("PUT", &platform, &path, &json!({"name": "demoted", "roles": []})).await;
    assert!(demoted.status.is_success(), "{}", demoted.text());
    let refused = app.json_as("POST", &token, "/groups", &json!({"name": "Nope"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    assert_eq!(app.json_as("DELETE", &platform, &path, &json!({})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get_as(&token, "/users").await.status, StatusCode::UNAUTHORIZED);
    let again = app
        .post_form(
            "/auth/realms/clienty/protocol/openid-connect/token",
            &[("grant_type", "client_credentials"), ("client_id", &client.id), ("client_secret", &client.secret)],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "a deleted client gets no new token: {}", again.text());
}

#[actix_web::test]
async fn tokens_are_refused_from_the_second_they_expire() {
    let app = TestApp::start().await;
    let token = app.admin_token().await;
    app.advance(3599);
    assert_eq!(app.get_as(&token, "/v1/environments").await.status, StatusCode::OK, "valid until exp");
    let introspect = |token: String| {
        app.send(
            TestRequest::post()
                .uri("/auth/realms/master/protocol/openid-connect/token/introspect")
                .insert_header(basic(crate::support::CLIENT_ID, crate::support::CLIENT_SECRET))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(format!("token={token}")),
        )
    };
    assert_eq!(introspect(token.clone()).await.json()["active"], true);
    app.advance(1);
    assert_eq!(app.get_as(&token, "/v1/environments").await.status, StatusCode::UNAUTHORIZED, "no leeway after exp");
    let inactive = introspect(token.clone()).await;
    assert_eq!(inactive.status, StatusCode::OK);
    assert_eq!(inactive.json()["active"], false, "introspection follows exp exactly");
}
