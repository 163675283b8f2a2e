//! Writes without lost updates (DESIGN.md): concurrent writes that asked for no precondition
//! all succeed and none drops another's change; a stale `If-Match` is 412, a stale
//! `versionNumber` 409; a write that changes nothing keeps the version.

use crate::axual_users::{acme_admin, create_user};
use crate::credentials::{BASE, call, credential, local, setup, user_password_store};
use crate::support::{TestApp, basic_user, bearer, json_request};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use futures_util::future::join_all;
use serde_json::{Value, json};

#[actix_web::test]
async fn parallel_patches_of_different_fields_of_a_store_and_a_provider_keep_both_changes() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (store, _, _) = user_password_store(&app).await;
    let store_path = format!("/credentialstore/{store}");
    let provider = call(&app, TestRequest::get(), &store_path, None).await.json()["credentialStoreProviderId"].clone();
    let provider_path = format!("/credentialstoreprovider/{provider}");
    for _ in 0..5 {
        let (a, b, c, d) = futures_util::future::join4(
            call(&app, TestRequest::patch(), &store_path, Some(json!({"description": "described"}))),
            call(&app, TestRequest::patch(), &store_path, Some(json!({"isActive": false}))),
            call(&app, TestRequest::patch(), &provider_path, Some(json!({"description": "provided"}))),
            call(&app, TestRequest::patch(), &provider_path, Some(json!({"isActive": false}))),
        )
        .await;
        for response in [&a, &b, &c, &d] {
            assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        }
        let store_now = call(&app, TestRequest::get(), &store_path, None).await.json();
        assert_eq!(
            (store_now["description"].clone(), store_now["isActive"].clone()),
            (json!("described"), json!(false))
        );
        let provider_now = call(&app, TestRequest::get(), &provider_path, None).await.json();
        assert_eq!(
            (provider_now["description"].clone(), provider_now["isActive"].clone()),
            (json!("provided"), json!(false))
        );
        // Reset for the next round; each round races again.
        for (path, body) in [
            (&store_path, json!({"description": "x", "isActive": true})),
            (&provider_path, json!({"description": "x", "isActive": true})),
        ] {
            assert_eq!(call(&app, TestRequest::patch(), path, Some(body)).await.status, StatusCode::OK);
        }
    }
}

#[actix_web::test]
async fn thirty_parallel_credential_patches_without_a_version_all_succeed() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (store, secret) = local(&app).await;
    let inputs = json!([{"inputValue": "v0", "credentialStoreInputDefId": secret}]);
    let created = call(&app, TestRequest::post(), "/credential", Some(credential("busy", "INST", store, inputs))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let path = format!("/credential/{}", created.json()["credentialId"]);
    let patches = (0..30).map(|n| {
        let body = json!({"credentialInputs": [{"inputValue": format!("w{n}"), "credentialStoreInputDefId": secret}]});
        call(&app, TestRequest::patch(), &path, Some(body))
    });
    let responses = join_all(patches).await;
    for response in &responses {
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    }
    let current = call(&app, TestRequest::get(), &path, None).await.json();
    assert_eq!(current["versionNumber"], 31, "every change was applied once, none lost");
    // A credential PATCH and a name PATCH at once: both land.
    let (a, b) = futures_util::future::join(
        call(&app, TestRequest::patch(), &path, Some(json!({"credentialName": "renamed"}))),
        call(&app, TestRequest::patch(), &path, Some(json!({"isActive": false}))),
    )
    .await;
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    let current = call(&app, TestRequest::get(), &path, None).await.json();
    assert_eq!((current["credentialName"].clone(), current["isActive"].clone()), (json!("renamed"), json!(false)));
}

#[actix_web::test]
async fn a_write_that_changes_nothing_keeps_the_version_and_stale_versions_are_refused() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (store, _, _) = user_password_store(&app).await;
    let path = format!("/credentialstore/{store}");
    let before = call(&app, TestRequest::get(), &path, None).await;
    let etag = before.header("etag").unwrap().to_owned();
    let same = call(&app, TestRequest::patch(), &path, Some(json!({"credentialStoreName": "Vault store"}))).await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.header("etag"), Some(etag.as_str()), "nothing changed, same version");
    let stale_body =
        call(&app, TestRequest::patch(), &path, Some(json!({"description": "d", "versionNumber": 0}))).await;
    assert_eq!(stale_body.status, StatusCode::CONFLICT);
    let stale_if_match = app
        .send(
            TestRequest::patch()
                .uri(&format!("{BASE}{path}"))
                .insert_header(basic_user("credadmin@acme.test", "pw-of-user"))
                .insert_header(("if-match", "\"7\""))
                .set_json(json!({"description": "d", "versionNumber": 1})),
        )
        .await;
    assert_eq!(stale_if_match.status, StatusCode::PRECONDITION_FAILED, "If-Match wins over the body version");
    let after = call(&app, TestRequest::get(), &path, None).await;
    assert_eq!(after.header("etag"), Some(etag.as_str()), "refused writes change nothing");
}

async fn uid(response_body: &Value) -> String {
    response_body["uid"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn parallel_axual_patches_and_member_additions_all_succeed() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let user = create_user(&app, &admin, "Busy", "busy@acme.test").await;
    let user_path = format!("/users/{}", uid(&user).await);
    let bodies: Vec<Value> = (0..30)
        .map(|n| {
            if n % 2 == 0 { json!({"firstName": format!("First{n}")}) } else { json!({"lastName": format!("Last{n}")}) }
        })
        .collect();
    let patches = bodies.iter().map(|body| app.json_as("PATCH", &admin, &user_path, body));
    for response in join_all(patches).await {
        assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text());
    }
    let user_now = app.get_as(&admin, &user_path).await;
    assert_eq!(user_now.header("etag"), Some("\"30\""), "thirty changes, thirty versions");

    let group = app.json_as("POST", &admin, "/groups", &json!({"name": "Crowd"})).await;
    let group_path =
        group.header("location").unwrap().split_once("/groups/").map(|(_, g)| format!("/groups/{g}")).unwrap();
    let mut members = Vec::new();
    for n in 0..20 {
        members.push(create_user(&app, &admin, &format!("Member{n}"), &format!("member{n}@acme.test")).await);
    }
    let additions = members.iter().map(|member| {
        let uri = format!("http://h/users/{}", member["uid"].as_str().unwrap());
        app.send(
            TestRequest::post()
                .uri(&format!("{group_path}/members"))
                .insert_header(bearer(&admin))
                .insert_header(("content-type", "text/uri-list"))
                .set_payload(uri),
        )
    });
    for response in join_all(additions).await {
        assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text());
    }
    let listed = app.get_as(&admin, &format!("{group_path}/members?size=100")).await.json();
    assert_eq!(listed["page"]["totalElements"], 20, "every addition landed");

    let stale_patch = json_request("PATCH", &admin, &user_path, &json!({"firstName": "Late"}));
    let stale = app.send(stale_patch.insert_header(("if-match", "\"3\""))).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let unchanged = app.json_as("PATCH", &admin, &user_path, &json!({"lastName": user_now.json()["lastName"]})).await;
    assert_eq!(unchanged.header("etag"), Some("\"30\""), "a PATCH that changes nothing keeps the version");
}

#[actix_web::test]
async fn deleting_a_tenant_while_its_users_write_removes_everything_once() {
    let app = TestApp::start().await;
    let admin = app.admin_token().await;
    for round in 0..3 {
        let name = format!("race{round}");
        let (tenant, client_id, secret) = app.create_tenant(&name).await;
        let token = app.client_token(&name, &client_id, &secret).await;
        let (store, def) = crate::credentials::local_as(&app, &token).await;
        let bodies: Vec<Value> = (0..12)
            .map(|n| {
                credential(
                    &format!("c{n}"),
                    "INST",
                    store,
                    json!([{"inputValue": "v", "credentialStoreInputDefId": def}]),
                )
            })
            .collect();
        let writes = bodies.iter().map(|body| {
            app.send(
                TestRequest::post().uri(&format!("{BASE}/credential")).insert_header(bearer(&token)).set_json(body),
            )
        });
        let (delete_path, empty) = (format!("/v1/tenants/{tenant}"), json!({}));
        let delete = app.json_as("DELETE", &admin, &delete_path, &empty);
        let (written, deleted) = futures_util::future::join(join_all(writes), delete).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
        for response in written {
            let status = response.status.as_u16();
            assert!(
                matches!(status, 201 | 401 | 403 | 404),
                "a write racing the deletion: {status} {}",
                response.text()
            );
            assert!(
                !response.text().to_lowercase().contains("foreign key"),
                "no database message: {}",
                response.text()
            );
        }
        let realm_id = uuid::Uuid::parse_str(&tenant).unwrap().to_string();
        let left: Vec<&str> = app.tables_holding_realm(&realm_id);
        assert!(left.is_empty(), "round {round}: {left:?} keep rows of the deleted realm");
    }
}

#[actix_web::test]
async fn parallel_unconditional_puts_of_one_secret_and_posts_of_one_resource_all_succeed() {
    use crate::utilihive_flows::{management_token, request};
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    // One key that does not exist yet: the creates race as well as the updates.
    let secret = "/acme/management/registry/secrets/generic/db-password";
    let puts = (0..30).map(|i| app.send(request("PUT", &token, secret, Some(&json!({"value": format!("v{i}")})))));
    let answers = join_all(puts).await;
    for answer in &answers {
        assert!(answer.status.is_success(), "{}: {}", answer.status, answer.text());
    }
    assert_eq!(answers.iter().filter(|a| a.status == StatusCode::CREATED).count(), 1, "one of them created it");
    let versions = app.send(request("GET", &token, &format!("{secret}/versions"), None)).await.json();
    assert_eq!(versions.as_array().map(Vec::len), Some(30), "every write is a version: {versions}");

    let resource = "/acme/management/registry/resources/AvroSchema/reading";
    let posts = (0..150).map(|i| {
        let schema =
            json!({"type": "record", "name": "Reading", "fields": [{"name": format!("v{i}"), "type": "long"}]});
        app.send(request("POST", &token, resource, Some(&json!({"content": schema}))))
    });
    let answers = join_all(posts).await;
    for answer in &answers {
        assert!(answer.status.is_success(), "{}: {}", answer.status, answer.text());
    }
    let read = app.send(request("GET", &token, resource, None)).await.json();
    assert_eq!(read["revisions"].as_array().map(Vec::len), Some(150), "{read}");
}
