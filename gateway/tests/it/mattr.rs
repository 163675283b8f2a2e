//! MATTR management over HTTP: environments, tenants and clients; cursor paging; errors;
//! platform-admin only.

use crate::support::{TestApp, access_token};
use actix_web::http::StatusCode;
use serde_json::json;

#[actix_web::test]
async fn environments_list_the_bootstrap_environment() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    let response = app.get_as(&admin, "/v1/environments").await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["data"][0]["name"], "local");
    assert!(body["data"][0]["id"].as_str().is_some_and(|id| uuid::Uuid::try_parse(id).is_ok()));
    assert!(body["nextCursor"].is_string());
    let after = app.get_as(&admin, &format!("/v1/environments?cursor={}", body["nextCursor"].as_str().unwrap())).await;
    assert_eq!(after.json(), json!({"data": []}), "a page after the end is empty");
}

#[actix_web::test]
async fn creating_a_tenant_makes_a_realm_with_a_first_client() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    let env = app.get_as(&admin, "/v1/environments").await.json()["data"][0]["id"].clone();
    let response = app
        .json_as(
            "POST",
            &admin,
            "/v1/tenants",
            &json!({"name": "My Tenant", "subdomain": "my-tenant", "environmentId": env}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let body = response.json();
    assert_eq!(body["name"], "My Tenant");
    assert_eq!(body["subdomain"], "my-tenant.local.portico.local");
    assert_eq!(body["environment"]["id"], env);
    assert_eq!(body["permissions"], json!([]));
    let client_id = body["client"]["clientId"].as_str().unwrap();
    let secret = body["client"]["clientSecret"].as_str().unwrap();
    assert_eq!(client_id.len(), 32);
    assert!(secret.len() >= 32);

    let id = body["id"].as_str().unwrap();
    let fetched = app.get_as(&admin, &format!("/v1/tenants/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert!(fetched.json().get("client").is_none(), "the secret is shown only at creation");

    let token = app.client_token("my-tenant", client_id, secret).await;
    assert!(!token.is_empty(), "the tenant's client gets tokens from its realm's endpoint");
}

#[actix_web::test]
async fn bad_tenant_requests_are_400_in_mattrs_format() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    let env = app.get_as(&admin, "/v1/environments").await.json()["data"][0]["id"].clone();
    let cases = [
        (json!({"subdomain": "Bad_Name", "environmentId": env}), "subdomain"),
        (json!({"subdomain": "-edge", "environmentId": env}), "subdomain"),
        (json!({"environmentId": env}), "subdomain"),
        (json!({"subdomain": "ok", "environmentId": "not-a-uuid"}), "environmentId"),
        (json!({"subdomain": "ok", "environmentId": uuid::Uuid::new_v4()}), "environmentId"),
        (json!({"subdomain": 5, "environmentId": env}), "subdomain"),
    ];
    for (body, field) in cases {
        let response = app.json_as("POST", &admin, "/v1/tenants", &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}: {}", response.text());
        let error = response.json();
        assert_eq!(error["code"], "BadRequest");
        assert_eq!(error["type"], "BadRequestError");
        assert_eq!(error["details"][0]["param"], field, "{body}");
    }
    app.create_tenant("taken").await;
    let duplicate =
        app.json_as("POST", &admin, "/v1/tenants", &json!({"subdomain": "taken", "environmentId": env})).await;
    assert_eq!(duplicate.status, StatusCode::BAD_REQUEST);
    assert!(duplicate.json()["message"].as_str().is_some_and(|m| m.contains("already in use")));
    let master =
        app.json_as("POST", &admin, "/v1/tenants", &json!({"subdomain": "master", "environmentId": env})).await;
    assert_eq!(master.status, StatusCode::BAD_REQUEST);
    let listed = app.get_as(&admin, "/v1/tenants").await.json();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1), "failed creates changed nothing");
}

#[actix_web::test]
async fn tenants_page_with_cursors_that_cannot_be_forged() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    for name in ["t1", "t2", "t3"] {
        app.create_tenant(name).await;
        app.advance(1);
    }
    let first = app.get_as(&admin, "/v1/tenants?limit=2").await.json();
    assert_eq!(first["data"].as_array().map(Vec::len), Some(2));
    let cursor = first["nextCursor"].as_str().unwrap().to_owned();
    let second = app.get_as(&admin, &format!("/v1/tenants?limit=2&cursor={cursor}")).await.json();
    assert_eq!(second["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["data"][0]["subdomain"], "t3.local.portico.local");
    let third = app
        .get_as(&admin, &format!("/v1/tenants?limit=2&cursor={}", second["nextCursor"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(third, json!({"data": []}));

    for bad in ["limit=0", "limit=1001", "limit=abc", "cursor=Y3JlYXRlZEF0PTIwMjA", "cursor=%21%21"] {
        let response = app.get_as(&admin, &format!("/v1/tenants?{bad}")).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(response.json()["code"], "BadRequest");
    }
    let clients_cursor = app.get_as(&admin, &format!("/v1/environments?cursor={cursor}")).await;
    assert_eq!(clients_cursor.status, StatusCode::BAD_REQUEST, "a cursor of one list is refused by another");
    let all = app.get_as(&admin, "/v1/tenants?limit=1000").await.json();
    assert_eq!(all["data"].as_array().map(Vec::len), Some(3));
}

#[actix_web::test]
async fn tenant_lookups_validate_ids_and_report_missing_ones() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    assert_eq!(app.get_as(&admin, "/v1/tenants/not-a-uuid").await.status, StatusCode::BAD_REQUEST);
    let missing = app.get_as(&admin, &format!("/v1/tenants/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["code"], "NotFound");
    let master = app.get_as(&admin, "/v1/tenants").await.json();
    assert_eq!(master["data"], json!([]), "realm master is not a tenant");
}

#[actix_web::test]
async fn management_is_for_platform_admins_only() {
    let app = TestApp::start().await;
    let (tenant, client_id, secret) = app.create_tenant("acme").await;
    let tenant_token = app.client_token("acme", &client_id, &secret).await;
    for path in
        ["/v1/environments", "/v1/tenants", &format!("/v1/tenants/{tenant}"), &format!("/v1/tenants/{tenant}/clients")]
    {
        let anonymous = app.get(path).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(anonymous.json()["code"], "Unauthorized");
        let forbidden = app.get_as(&tenant_token, path).await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(forbidden.json()["code"], "Forbidden");
    }
    let create = app
        .json_as(
            "POST",
            &tenant_token,
            "/v1/tenants",
            &json!({"subdomain": "x", "environmentId": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    let delete = app.json_as("DELETE", &tenant_token, &format!("/v1/tenants/{tenant}"), &json!({})).await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn clients_are_created_listed_updated_and_deleted() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    let (tenant, _, _) = app.create_tenant("acme").await;
    let base = format!("/v1/tenants/{tenant}/clients");
    let created =
        app.json_as("POST", &admin, &base, &json!({"name": "Example client", "roles": ["STREAM_ADMIN"]})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    let client_id = body["clientId"].as_str().unwrap().to_owned();
    let secret = body["clientSecret"].as_str().unwrap().to_owned();
    assert_eq!(client_id.len(), 32);
    assert_eq!(body["name"], "Example client");
    assert_eq!(body["roles"], json!(["STREAM_ADMIN"]));
    assert_eq!(body["permissions"], json!([]));

    let listed = app.get_as(&admin, &base).await.json();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(2), "the first client and the new one");
    assert!(listed["data"].as_array().is_some_and(|d| d.iter().all(|c| c.get("clientSecret").is_none())));

    let token = app.client_token("acme", &client_id, &secret).await;
    let claims = token.split('.').nth(1).unwrap().to_owned();
    assert!(!claims.is_empty());

    let updated = app
        .json_as("PUT", &admin, &format!("{base}/{client_id}"), &json!({"name": "Renamed", "roles": ["TENANT_ADMIN"]}))
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    assert_eq!(updated.json()["name"], "Renamed");
    assert_eq!(updated.json()["roles"], json!(["TENANT_ADMIN"]));
    assert!(updated.json().get("clientSecret").is_none());
    let partial = app.json_as("PUT", &admin, &format!("{base}/{client_id}"), &json!({"name": "Only name"})).await;
    assert_eq!(partial.json()["roles"], json!(["TENANT_ADMIN"]));

    let deleted = app.json_as("DELETE", &admin, &format!("{base}/{client_id}"), &json!({})).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let again = app.json_as("DELETE", &admin, &format!("{base}/{client_id}"), &json!({})).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let refused = app
        .post_form(
            "/auth/realms/acme/protocol/openid-connect/token",
            &[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &secret)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "a deleted client gets no tokens");

    // The writes were the tenant's: audited in its realm, not in `master` where the caller is.
    let audited = app.stored_texts("audit_events", "realm_id || ' ' || action || ' ' || outcome");
    for action in ["client.create", "client.update", "client.delete"] {
        let in_tenant = format!("{tenant} {action} SUCCESS");
        let count = audited.iter().filter(|row| **row == in_tenant).count();
        assert!(count >= 1, "no {action} audited in the tenant's realm: {audited:?}");
        assert!(
            !audited.iter().any(|row| row.ends_with(&format!("{action} SUCCESS")) && *row != in_tenant),
            "{audited:?}"
        );
    }
}

#[actix_web::test]
async fn bad_client_requests_are_rejected() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    let (tenant, _, _) = app.create_tenant("acme").await;
    let base = format!("/v1/tenants/{tenant}/clients");
    for (body, field) in [
        (json!({"roles": []}), "name"),
        (json!({"name": "x"}), "roles"),
        (json!({"name": "", "roles": []}), "name"),
        (json!({"name": "x", "roles": ["bad role"]}), "roles"),
        (json!({"name": "x", "roles": "TENANT_ADMIN"}), "roles"),
    ] {
        let response = app.json_as("POST", &admin, &base, &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}: {}", response.text());
        assert_eq!(response.json()["details"][0]["param"], field, "{body}");
    }
    let unknown_tenant = app
        .json_as(
            "POST",
            &admin,
            &format!("/v1/tenants/{}/clients", uuid::Uuid::new_v4()),
            &json!({"name": "x", "roles": []}),
        )
        .await;
    assert_eq!(unknown_tenant.status, StatusCode::NOT_FOUND);
    let unknown_client = app.json_as("PUT", &admin, &format!("{base}/{}", "a".repeat(32)), &json!({"name": "x"})).await;
    assert_eq!(unknown_client.status, StatusCode::NOT_FOUND);
    let bad_client_id = app.json_as("PUT", &admin, &format!("{base}/bad%20id"), &json!({"name": "x"})).await;
    assert_eq!(bad_client_id.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn deleting_a_tenant_removes_its_realm_and_invalidates_its_tokens() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    let (tenant, client_id, secret) = app.create_tenant("doomed").await;
    let token = app.client_token("doomed", &client_id, &secret).await;
    let deleted = app.json_as("DELETE", &admin, &format!("/v1/tenants/{tenant}"), &json!({})).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get_as(&admin, &format!("/v1/tenants/{tenant}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&token, "/v1/environments").await.status, StatusCode::UNAUTHORIZED, "the realm is gone");
    let new_token = app
        .post_form(
            "/auth/realms/doomed/protocol/openid-connect/token",
            &[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &secret)],
        )
        .await;
    assert_eq!(new_token.status, StatusCode::BAD_REQUEST);
    let (_, again_client, again_secret) = app.create_tenant("doomed").await;
    let fresh = app.client_token("doomed", &again_client, &again_secret).await;
    assert!(!fresh.is_empty(), "the subdomain can be used again");
    assert_eq!(
        app.get_as(&token, "/v1/environments").await.status,
        StatusCode::UNAUTHORIZED,
        "old tokens stay dead for the new realm"
    );
    let _ = access_token;
}
