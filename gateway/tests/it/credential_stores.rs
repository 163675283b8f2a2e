//! FlexDeploy credential stores and providers over HTTP, and the purge of a deleted tenant.

use crate::credentials::{BASE, call, credential, local, setup, user_password_store};
use crate::support::{TestApp, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;

#[actix_web::test]
async fn providers_and_stores_have_their_own_rules() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (store, _) = local(&app).await;
    let builtin_store = call(
        &app,
        TestRequest::patch(),
        &format!("/credentialstore/{store}"),
        Some(json!({"credentialStoreName": "Mine"})),
    )
    .await;
    assert_eq!(builtin_store.status, StatusCode::BAD_REQUEST);
    let providers = call(&app, TestRequest::get(), "/credentialstoreprovider", None).await.json();
    let local_provider = providers[0]["credentialStoreProviderId"].as_i64().unwrap();
    assert_eq!(providers[0]["credentialStoreProviderName"], "Local");
    assert_eq!(providers[0]["credentialStoreInputDefs"][0]["inputName"], "Secret");
    assert_eq!(providers[0]["credentialStoreInputDefs"][0]["isRequired"], true);
    assert_eq!(providers[0]["credentialStoreInputDefs"][0]["isSecret"], true);
    let builtin_provider = call(
        &app,
        TestRequest::put(),
        &format!("/credentialstoreprovider/{local_provider}"),
        Some(json!({"credentialStoreProviderName": "X"})),
    )
    .await;
    assert_eq!(builtin_provider.status, StatusCode::BAD_REQUEST);

    let (vault_store, user, password) = user_password_store(&app).await;
    let vault = call(&app, TestRequest::get(), &format!("/credentialstore/{vault_store}"), None).await.json();
    let provider = vault["credentialStoreProviderId"].as_i64().unwrap();
    call(
        &app,
        TestRequest::post(),
        "/credential",
        Some(credential("c", "INST", vault_store, json!([{"inputValue": "p", "credentialStoreInputDefId": password}]))),
    )
    .await;
    let drop_used = call(&app, TestRequest::put(), &format!("/credentialstoreprovider/{provider}"), Some(json!({
        "credentialStoreProviderName": "Vault", "credentialStoreInputDefs": [{"credentialStoreInputDefId": user, "inputName": "User"}]
    }))).await;
    assert_eq!(drop_used.status, StatusCode::BAD_REQUEST, "Password is used by a credential");
    let drop_unused = call(&app, TestRequest::put(), &format!("/credentialstoreprovider/{provider}"), Some(json!({
        "credentialStoreProviderName": "Vault 2", "credentialStoreInputDefs": [{"credentialStoreInputDefId": password, "inputName": "Password", "isRequired": true, "isSecret": true}]
    }))).await;
    assert_eq!(drop_unused.status, StatusCode::OK, "{}", drop_unused.text());
    assert_eq!(drop_unused.json()["credentialStoreInputDefs"].as_array().map(Vec::len), Some(1));
    assert_eq!(drop_unused.json()["versionNumber"], 2);
    let patched = call(
        &app,
        TestRequest::patch(),
        &format!("/credentialstoreprovider/{provider}"),
        Some(json!({"credentialStoreInputDefs": [{"inputName": "Token", "isSecret": true}]})),
    )
    .await;
    assert_eq!(
        patched.json()["credentialStoreInputDefs"].as_array().map(Vec::len),
        Some(2),
        "PATCH appends definitions"
    );
    let found =
        call(&app, TestRequest::get(), "/credentialstoreprovider?credentialStoreProviderName=VAULT", None).await.json();
    assert_eq!(found.as_array().map(Vec::len), Some(1));

    let relink = call(
        &app,
        TestRequest::patch(),
        &format!("/credentialstore/{vault_store}"),
        Some(json!({"credentialStoreProviderId": local_provider})),
    )
    .await;
    assert_eq!(relink.status, StatusCode::BAD_REQUEST, "PATCH cannot change a store's provider");
    let relink = call(
        &app,
        TestRequest::put(),
        &format!("/credentialstore/{vault_store}"),
        Some(json!({"credentialStoreName": "Vault store", "credentialStoreProviderId": local_provider})),
    )
    .await;
    assert_eq!(relink.status, StatusCode::BAD_REQUEST, "a store holding credentials keeps its provider");
    let off = call(
        &app,
        TestRequest::patch(),
        &format!("/credentialstoreprovider/{provider}"),
        Some(json!({"isActive": false})),
    )
    .await;
    assert_eq!(off.json()["isActive"], false);
    let on_inactive = call(
        &app,
        TestRequest::post(),
        "/credentialstore",
        Some(json!({"credentialStoreName": "New", "credentialStoreProviderId": provider})),
    )
    .await;
    assert_eq!(on_inactive.status, StatusCode::BAD_REQUEST);
    let unknown = call(
        &app,
        TestRequest::post(),
        "/credentialstore",
        Some(json!({"credentialStoreName": "New", "credentialStoreProviderId": 4242})),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        call(&app, TestRequest::get(), "/credentialstoreprovider/4242", None).await.status,
        StatusCode::NOT_FOUND
    );
    let stores =
        call(&app, TestRequest::get(), &format!("/credentialstore?credentialStoreProviderId={provider}"), None)
            .await
            .json();
    assert_eq!(stores.as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn deleting_a_tenant_removes_its_credentials() {
    let app = TestApp::start().await;
    let (tenant, client_id, secret) = app.create_tenant("gone").await;
    let token = app.client_token("gone", &client_id, &secret).await;
    let (store, def) = crate::credentials::local_as(&app, &token).await;
    let created = app
        .send(
            TestRequest::post().uri(&format!("{BASE}/credential")).insert_header(bearer(&token)).set_json(credential(
                "c",
                "INST",
                store,
                json!([{"inputValue": "v", "credentialStoreInputDefId": def}]),
            )),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let admin = app.admin_token().await;
    assert_eq!(
        app.json_as("DELETE", &admin, &format!("/v1/tenants/{tenant}"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let realm_id = uuid::Uuid::parse_str(&tenant).unwrap().to_string();
    assert_eq!(app.tables_holding_realm(&realm_id), Vec::<&str>::new(), "no row of the deleted realm is left");
}
