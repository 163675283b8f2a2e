//! The whole identity path through the real binary with a real OAuth2 client (the `oauth2`
//! crate): platform token → MATTR tenant → client → client_credentials token in that realm →
//! Axual `/user` and `/users` with the `realm` header → revoke → token refused.

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AccessToken, ClientId, ClientSecret, IntrospectionUrl, RequestTokenError, ResourceOwnerPassword,
    ResourceOwnerUsername, TokenIntrospectionResponse, TokenResponse, TokenUrl,
};
use portico_e2e::{ADMIN_EMAIL, ADMIN_PASSWORD, CLIENT_ID, CLIENT_SECRET, Portico, http_client};
use serde_json::{Value, json};

fn url(portico: &Portico, path: &str) -> String {
    portico.url(path)
}

async fn json(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

#[tokio::test]
async fn platform_admin_to_tenant_client_to_axual_and_revocation() {
    let portico = Portico::start();
    let http = http_client();

    // 1. A platform token from MATTR's endpoint, client credentials sent with HTTP Basic.
    let management = BasicClient::new(ClientId::new(CLIENT_ID.into()))
        .set_client_secret(ClientSecret::new(CLIENT_SECRET.into()))
        .set_token_uri(TokenUrl::new(url(&portico, "/oauth/token")).unwrap());
    let platform = management
        .exchange_client_credentials()
        .add_extra_param("audience", "portico-management")
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("management token: {e:?}"));
    let platform = platform.access_token().secret().clone();

    // 2. A tenant through MATTR, and a client for it.
    let environments =
        json(http.get(url(&portico, "/v1/environments")).bearer_auth(&platform).send().await.unwrap()).await;
    let environment = environments["data"][0]["id"].clone();
    let tenant = http
        .post(url(&portico, "/v1/tenants"))
        .bearer_auth(&platform)
        .json(&json!({"name": "Walk", "subdomain": "walk", "environmentId": environment}))
        .send()
        .await
        .unwrap();
    assert_eq!(tenant.status(), 201);
    let tenant = json(tenant).await;
    let client = http
        .post(url(&portico, &format!("/v1/tenants/{}/clients", tenant["id"].as_str().unwrap())))
        .bearer_auth(&platform)
        .json(&json!({"name": "Walker", "roles": ["TENANT_ADMIN"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(client.status(), 201);
    let client = json(client).await;
    let (client_id, secret) =
        (client["clientId"].as_str().unwrap().to_owned(), client["clientSecret"].as_str().unwrap().to_owned());

    // 3. The client's own token from its realm's endpoint.
    let realm = |path: &str| url(&portico, &format!("/auth/realms/walk/protocol/openid-connect/{path}"));
    let oauth = BasicClient::new(ClientId::new(client_id.clone()))
        .set_client_secret(ClientSecret::new(secret.clone()))
        .set_token_uri(TokenUrl::new(realm("token")).unwrap())
        .set_introspection_url(IntrospectionUrl::new(realm("token/introspect")).unwrap());
    let token = oauth
        .exchange_client_credentials()
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("client token: {e:?}"));
    assert!(token.refresh_token().is_none());
    let access = token.access_token().secret().clone();

    // 4. Axual with the realm header.
    let me = http.get(url(&portico, "/user")).bearer_auth(&access).header("realm", "walk").send().await.unwrap();
    assert_eq!(me.status(), 200);
    let me = json(me).await;
    assert_eq!(me["roles"], json!([{"name": "TENANT_ADMIN"}]));
    let users = http.get(url(&portico, "/users")).bearer_auth(&access).header("realm", "walk").send().await.unwrap();
    assert_eq!(users.status(), 200);
    assert_eq!(json(users).await["page"]["totalElements"], 0);
    let elsewhere =
        http.get(url(&portico, "/users")).bearer_auth(&access).header("realm", "master").send().await.unwrap();
    assert_eq!(elsewhere.status(), 403);

    let introspection = oauth.introspect(&AccessToken::new(access.clone())).request_async(&http).await.unwrap();
    assert!(introspection.active());

    // 5. Revoke (RFC 7009, client-authenticated; the oauth2 crate insists on https for
    // revocation, so this request is sent by hand over loopback); the token is refused after.
    let revoked = http
        .post(realm("revoke"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("token", access.as_str()), ("token_type_hint", "access_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let refused = http.get(url(&portico, "/users")).bearer_auth(&access).header("realm", "walk").send().await.unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn the_password_grant_with_a_real_oauth2_client() {
    let portico = Portico::start();
    let http = http_client();
    let oauth = BasicClient::new(ClientId::new(CLIENT_ID.into()))
        .set_client_secret(ClientSecret::new(CLIENT_SECRET.into()))
        .set_token_uri(TokenUrl::new(url(&portico, "/auth/realms/master/protocol/openid-connect/token")).unwrap());
    let token = oauth
        .exchange_password(
            &ResourceOwnerUsername::new(ADMIN_EMAIL.into()),
            &ResourceOwnerPassword::new(ADMIN_PASSWORD.into()),
        )
        .request_async(&http)
        .await
        .unwrap();
    let refresh = token.refresh_token().cloned().unwrap_or_else(|| panic!("a refresh token"));
    let refreshed = oauth.exchange_refresh_token(&refresh).request_async(&http).await.unwrap();
    assert_ne!(refreshed.access_token().secret(), token.access_token().secret());

    let wrong = oauth
        .exchange_password(&ResourceOwnerUsername::new(ADMIN_EMAIL.into()), &ResourceOwnerPassword::new("wrong".into()))
        .request_async(&http)
        .await;
    match wrong {
        Err(RequestTokenError::ServerResponse(error)) => {
            assert_eq!(*error.error(), BasicErrorResponseType::InvalidGrant)
        }
        other => panic!("expected invalid_grant, got {other:?}"),
    }
}
