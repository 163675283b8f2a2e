//! FlexDeploy's Credential API v2 over HTTP, with its stores and providers.

use crate::support::{TestApp, TestResponse, basic_user, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

pub(crate) const BASE: &str = "/flexdeploy/rest/v2/administration/security";

/// A realm `acme` with a credential admin `credadmin@acme.test`; returns the realm admin's token.
pub(crate) async fn setup(app: &TestApp) -> String {
    let realm = app.realm("acme").await;
    realm.user("credadmin@acme.test", &["CREDENTIAL_ADMIN"]).await;
    realm.admin
}

pub(crate) async fn call(app: &TestApp, method: TestRequest, path: &str, body: Option<Value>) -> TestResponse {
    call_as(app, "credadmin@acme.test", method, path, body).await
}

async fn call_as(app: &TestApp, user: &str, method: TestRequest, path: &str, body: Option<Value>) -> TestResponse {
    let request = method.uri(&format!("{BASE}{path}")).insert_header(basic_user(user, "pw-of-user"));
    let request = match body {
        Some(body) => request.set_json(body),
        None => request,
    };
    app.send(request).await
}

/// The built-in store and its `Secret` input definition.
pub(crate) async fn local(app: &TestApp) -> (i64, i64) {
    let stores = call(app, TestRequest::get(), "/credentialstore?credentialStoreName=local", None).await.json();
    let store = stores[0]["credentialStoreId"].as_i64().unwrap();
    let provider = stores[0]["credentialStoreProviderId"].as_i64().unwrap();
    let provider = call(app, TestRequest::get(), &format!("/credentialstoreprovider/{provider}"), None).await.json();
    (store, provider["credentialStoreInputDefs"][0]["credentialStoreInputDefId"].as_i64().unwrap())
}

/// Creates credential `name` holding `value` in the built-in Local store; returns the response
/// (asserted 201), the store id and its `Secret` input definition id.
pub(crate) async fn local_credential(app: &TestApp, name: &str, value: &str) -> (TestResponse, i64, i64) {
    let (store, secret) = local(app).await;
    let inputs = json!([{"inputValue": value, "credentialStoreInputDefId": secret}]);
    let created = call(app, TestRequest::post(), "/credential", Some(credential(name, "INST", store, inputs))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    (created, store, secret)
}

/// The built-in store and its `Secret` input definition, as a bearer of `token` sees them.
pub(crate) async fn local_as(app: &TestApp, token: &str) -> (i64, i64) {
    let get = |path: &str| app.send(TestRequest::get().uri(&format!("{BASE}{path}")).insert_header(bearer(token)));
    let store = get("/credentialstore").await.json()[0]["credentialStoreId"].as_i64().unwrap();
    let providers = get("/credentialstoreprovider").await.json();
    (store, providers[0]["credentialStoreInputDefs"][0]["credentialStoreInputDefId"].as_i64().unwrap())
}

pub(crate) fn credential(name: &str, scope: &str, store: i64, inputs: Value) -> Value {
    json!({"credentialName": name, "isActive": true, "credentialScope": scope, "credentialStoreId": store, "credentialInputs": inputs})
}

/// A provider with `User` (required, clear) and `Password` (required, secret), and a store of it.
/// Creates credential `db` in the user/password store (`scott` / `tiger`); returns its id.
async fn scott_tiger(app: &TestApp, store: i64, user: i64, password: i64) -> i64 {
    let inputs = json!([
        {"inputValue": "scott", "credentialStoreInputDefId": user},
        {"inputValue": "tiger", "credentialStoreInputDefId": password}
    ]);
    let created = call(app, TestRequest::post(), "/credential", Some(credential("db", "INST", store, inputs))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    created.json()["credentialId"].as_i64().unwrap()
}

pub(crate) async fn user_password_store(app: &TestApp) -> (i64, i64, i64) {
    let provider = call(
        app,
        TestRequest::post(),
        "/credentialstoreprovider",
        Some(json!({
            "credentialStoreProviderName": "Vault", "isActive": true,
            "credentialStoreInputDefs": [
                {"inputName": "User", "isRequired": false, "isSecret": false},
                {"inputName": "Password", "isRequired": true, "isSecret": true}
            ]
        })),
    )
    .await;
    assert_eq!(provider.status, StatusCode::CREATED, "{}", provider.text());
    let provider = provider.json();
    let defs = &provider["credentialStoreInputDefs"];
    let store = call(
        app,
        TestRequest::post(),
        "/credentialstore",
        Some(json!({
            "credentialStoreName": "Vault store", "credentialStoreProviderId": provider["credentialStoreProviderId"]
        })),
    )
    .await;
    assert_eq!(store.status, StatusCode::CREATED, "{}", store.text());
    (
        store.json()["credentialStoreId"].as_i64().unwrap(),
        defs[0]["credentialStoreInputDefId"].as_i64().unwrap(),
        defs[1]["credentialStoreInputDefId"].as_i64().unwrap(),
    )
}

#[actix_web::test]
async fn the_documents_get_example_is_replayed_exactly() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (store, secret) = local(&app).await;
    // The seed's example uses store 11000 and input 12000, the first ids of their sequences;
    // here realm `master` took those, so the example is replayed with acme's own ids.
    let created = call(
        &app,
        TestRequest::post(),
        "/credential",
        Some(credential(
            "GET Example Name",
            "ENVINST",
            store,
            json!([{"inputValue": "TestPassword", "credentialStoreInputDefId": secret}]),
        )),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    let id = body["credentialId"].as_i64().unwrap();
    assert!(created.header("location").is_some_and(|l| l.ends_with(&format!("/credential/{id}"))));
    let expected = json!({
        "credentialId": id, "versionNumber": 1, "credentialName": "GET Example Name", "isActive": true,
        "credentialScope": "ENVINST", "credentialStoreId": store,
        "credentialInputs": [{"versionNumber": 1, "inputValue": "TestPassword", "credentialStoreInputDefId": secret}]
    });
    assert_eq!(body, expected);
    let fetched = call(&app, TestRequest::get(), &format!("/credential/{id}"), None).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.header("etag"), Some("\"1\""));
    assert_eq!(fetched.json(), expected);
}

#[actix_web::test]
async fn queries_match_every_given_parameter() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (store, secret) = local(&app).await;
    let input = json!([{"inputValue": "x", "credentialStoreInputDefId": secret}]);
    for (name, scope) in [("Deploy Key", "ENVINST"), ("deploy token", "ENDPOINT"), ("Other", "envinst")] {
        let response =
            call(&app, TestRequest::post(), "/credential", Some(credential(name, scope, store, input.clone()))).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    }
    let names = |response: TestResponse| -> Vec<String> {
        response
            .json()
            .as_array()
            .map(|a| a.iter().map(|c| c["credentialName"].as_str().unwrap().to_owned()).collect())
            .unwrap()
    };
    assert_eq!(names(call(&app, TestRequest::get(), "/credential", None).await).len(), 3, "no parameters: all");
    assert_eq!(
        names(call(&app, TestRequest::get(), "/credential?credentialScope=ENVINST", None).await),
        ["Deploy Key", "Other"]
    );
    assert_eq!(
        names(call(&app, TestRequest::get(), "/credential?credentialScope=envinst", None).await).len(),
        2,
        "scope ignores case"
    );
    assert_eq!(
        names(call(&app, TestRequest::get(), "/credential?credentialName=DEPLOY", None).await),
        ["Deploy Key", "deploy token"]
    );
    assert_eq!(
        names(call(&app, TestRequest::get(), "/credential?credentialName=deploy&credentialScope=ENDPOINT", None).await),
        ["deploy token"]
    );
    assert_eq!(
        names(
            call(
                &app,
                TestRequest::get(),
                &format!("/credential?credentialName=key&credentialScope=ENVINST&credentialStoreId={store}"),
                None
            )
            .await
        ),
        ["Deploy Key"]
    );
    assert!(names(call(&app, TestRequest::get(), "/credential?credentialStoreId=99999", None).await).is_empty());
    let first =
        call(&app, TestRequest::get(), "/credential?credentialName=other", None).await.json()[0]["credentialId"]
            .as_i64()
            .unwrap();
    assert_eq!(
        names(call(&app, TestRequest::get(), &format!("/credential?credentialId={first}"), None).await),
        ["Other"]
    );
    for bad in
        ["/credential?credentialId=abc", "/credential?credentialStoreId=1.5", "/credential?credentialScope=GLOBAL"]
    {
        let response = call(&app, TestRequest::get(), bad, None).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(response.header("content-type"), Some("application/problem+json"));
    }
}

#[actix_web::test]
async fn put_replaces_inputs_and_patch_appends_them() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (store, user, password) = user_password_store(&app).await;
    let id = scott_tiger(&app, store, user, password).await;

    let put = call(
        &app,
        TestRequest::put(),
        &format!("/credential/{id}"),
        Some(credential(
            "db",
            "INST",
            store,
            json!([
                {"inputValue": "lion", "credentialStoreInputDefId": password}
            ]),
        )),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    let put = put.json();
    assert_eq!(put["versionNumber"], 2);
    assert_eq!(
        put["credentialInputs"],
        json!([{"versionNumber": 2, "inputValue": "lion", "credentialStoreInputDefId": password}]),
        "PUT unassigns what it leaves out"
    );

    let patch = call(
        &app,
        TestRequest::patch(),
        &format!("/credential/{id}"),
        Some(json!({"credentialInputs": [{"inputValue": "adam", "credentialStoreInputDefId": user}]})),
    )
    .await;
    assert_eq!(patch.status, StatusCode::OK, "{}", patch.text());
    let patch = patch.json();
    assert_eq!(patch["versionNumber"], 3);
    assert_eq!(patch["credentialName"], "db", "PATCH leaves absent fields alone");
    assert_eq!(
        patch["credentialInputs"],
        json!([
            {"versionNumber": 1, "inputValue": "adam", "credentialStoreInputDefId": user},
            {"versionNumber": 2, "inputValue": "lion", "credentialStoreInputDefId": password}
        ]),
        "PATCH appends and keeps the rest"
    );
    let rename = call(
        &app,
        TestRequest::patch(),
        &format!("/credential/{id}"),
        Some(
            json!({"credentialName": "db2", "isActive": false, "credentialScope": "inst", "credentialStoreId": store}),
        ),
    )
    .await;
    assert_eq!(rename.status, StatusCode::OK, "the same scope and store may be repeated");
    assert_eq!(rename.json()["isActive"], false);

    let scope =
        call(&app, TestRequest::patch(), &format!("/credential/{id}"), Some(json!({"credentialScope": "ENDPOINT"})))
            .await;
    assert_eq!(scope.status, StatusCode::BAD_REQUEST);
    assert_eq!(scope.json()["field"], "credentialScope");
    let (local_store, secret) = local(&app).await;
    let moved =
        call(&app, TestRequest::patch(), &format!("/credential/{id}"), Some(json!({"credentialStoreId": local_store})))
            .await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST);
    assert_eq!(moved.json()["field"], "credentialStoreId");

    let moved = call(
        &app,
        TestRequest::put(),
        &format!("/credential/{id}"),
        Some(credential(
            "db2",
            "ENDPOINT",
            local_store,
            json!([{"inputValue": "s", "credentialStoreInputDefId": secret}]),
        )),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "PUT may change scope and store: {}", moved.text());
    assert_eq!(moved.json()["credentialScope"], "ENDPOINT");
    assert_eq!(moved.json()["credentialInputs"].as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn bad_credentials_are_400s_that_name_the_problem_and_change_nothing() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (store, secret) = local(&app).await;
    let (other_store, user, _) = user_password_store(&app).await;
    let local_provider = call(&app, TestRequest::get(), &format!("/credentialstore/{store}"), None).await.json()
        ["credentialStoreProviderId"]
        .clone();
    let inactive = call(
        &app,
        TestRequest::post(),
        "/credentialstore",
        Some(json!({"credentialStoreName": "Off", "credentialStoreProviderId": local_provider, "isActive": false})),
    )
    .await
    .json();
    let inactive = inactive["credentialStoreId"].as_i64().unwrap();
    let ok_input = json!([{"inputValue": "v", "credentialStoreInputDefId": secret}]);
    let cases = [
        (
            json!({"isActive": true, "credentialScope": "INST", "credentialStoreId": store, "credentialInputs": ok_input}),
            "credentialName",
            "required",
        ),
        (credential("a", "GLOBAL", store, ok_input.clone()), "credentialScope", "not a credential scope"),
        // Two names must never look alike and differ: invisible and reordering characters.
        (credential("pay\u{202E}roll", "INST", store, ok_input.clone()), "credentialName", "U+202E"),
        (credential("pay\u{200B}roll", "INST", store, ok_input.clone()), "credentialName", "U+200B"),
        (credential("\u{FEFF}payroll", "INST", store, ok_input.clone()), "credentialName", "U+FEFF"),
        (credential("a", "INST", 424242, ok_input.clone()), "credentialStoreId", "424242 does not exist"),
        (credential("a", "INST", inactive, ok_input.clone()), "credentialStoreId", "inactive"),
        (credential("a", "INST", store, json!([])), "credentialInputs", "'Secret'"),
        (
            credential("a", "INST", store, json!([{"inputValue": "v", "credentialStoreInputDefId": 999}])),
            "credentialInputs[0].credentialStoreInputDefId",
            "999",
        ),
        (
            credential("a", "INST", store, json!([{"inputValue": "v", "credentialStoreInputDefId": user}])),
            "credentialInputs[0].credentialStoreInputDefId",
            "not an input",
        ),
        (
            credential("a", "INST", store, json!([{"credentialStoreInputDefId": secret}])),
            "credentialInputs[0].inputValue",
            "required",
        ),
        (
            credential("a", "INST", store, json!([{"inputValue": "v"}])),
            "credentialInputs[0].credentialStoreInputDefId",
            "required",
        ),
        (
            credential(
                "a",
                "INST",
                store,
                json!([{"inputValue": "v", "credentialStoreInputDefId": secret}, {"inputValue": "w", "credentialStoreInputDefId": secret}]),
            ),
            "credentialInputs[1].credentialStoreInputDefId",
            "twice",
        ),
        (
            credential("a", "INST", other_store, json!([{"inputValue": "v", "credentialStoreInputDefId": user}])),
            "credentialInputs",
            "'Password'",
        ),
        (
            json!({"credentialName": "a", "credentialScope": "INST", "credentialStoreId": "eleven", "credentialInputs": []}),
            "credentialStoreId",
            "invalid type",
        ),
    ];
    for (body, field, message) in cases {
        let response = call(&app, TestRequest::post(), "/credential", Some(body.clone())).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}: {}", response.text());
        let problem = response.json();
        assert_eq!(problem["field"], field, "{body}");
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains(message)), "{body}: {problem}");
    }
    assert_eq!(call(&app, TestRequest::get(), "/credential", None).await.json(), json!([]), "nothing was created");
    let malformed = app
        .send(
            TestRequest::post()
                .uri(&format!("{BASE}/credential"))
                .insert_header(basic_user("credadmin@acme.test", "pw-of-user"))
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"credentialName\": "),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let created =
        call(&app, TestRequest::post(), "/credential", Some(credential("dup", "INST", store, ok_input.clone()))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let duplicate =
        call(&app, TestRequest::post(), "/credential", Some(credential("dup", "INST", store, ok_input.clone()))).await;
    assert_eq!(duplicate.status, StatusCode::BAD_REQUEST);
    assert_eq!(call(&app, TestRequest::get(), "/credential/abc", None).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(call(&app, TestRequest::get(), "/credential/424242", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&app, TestRequest::put(), "/credential/424242", Some(credential("x", "INST", store, ok_input.clone())))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, TestRequest::patch(), "/credential/424242", Some(json!({}))).await.status,
        StatusCode::NOT_FOUND
    );
    let id = created.json()["credentialId"].as_i64().unwrap();
    let mismatch = call(&app, TestRequest::put(), &format!("/credential/{id}"), Some(json!({"credentialId": id + 1, "credentialName": "x", "credentialScope": "INST", "credentialStoreId": store, "credentialInputs": ok_input}))).await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn two_puts_with_the_same_version_number_one_wins() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (created, store, secret) = local_credential(&app, "race", "v0").await;
    let id = created.json()["credentialId"].as_i64().unwrap();
    let path = format!("/credential/{id}");
    let put = |value: &'static str| {
        let mut body =
            credential("race", "INST", store, json!([{"inputValue": value, "credentialStoreInputDefId": secret}]));
        body["versionNumber"] = json!(1);
        call(&app, TestRequest::put(), &path, Some(body))
    };
    let (a, b) = futures_util::future::join(put("v1"), put("v2")).await;
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let stale = call(
        &app,
        TestRequest::patch(),
        &format!("/credential/{id}"),
        Some(json!({"versionNumber": 1, "credentialName": "late"})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let if_match = app
        .send(
            TestRequest::patch()
                .uri(&format!("{BASE}/credential/{id}"))
                .insert_header(basic_user("credadmin@acme.test", "pw-of-user"))
                .insert_header(("if-match", "\"1\""))
                .set_json(json!({"credentialName": "late"})),
        )
        .await;
    assert_eq!(if_match.status, StatusCode::PRECONDITION_FAILED);
    let current = call(&app, TestRequest::get(), &format!("/credential/{id}"), None).await.json();
    assert_eq!(current["versionNumber"], 2);
    assert_eq!(current["credentialName"], "race");
}

#[actix_web::test]
async fn input_values_are_sealed_at_rest() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (store, secret) = local(&app).await;
    call(
        &app,
        TestRequest::post(),
        "/credential",
        Some(credential(
            "sealed",
            "INST",
            store,
            json!([{"inputValue": "TestPassword", "credentialStoreInputDefId": secret}]),
        )),
    )
    .await;
    let values = app.stored_texts("credential_inputs", "value");
    assert_eq!(values.len(), 1);
    assert!(!values[0].contains("TestPassword"));
    assert!(values[0].starts_with("v1."));
}

#[actix_web::test]
async fn reading_needs_a_credential_role_and_secrets_need_an_admin() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    realm.user("credadmin@acme.test", &["CREDENTIAL_ADMIN"]).await;
    realm.user("viewer@acme.test", &["CREDENTIAL_VIEWER"]).await;
    realm.user("nobody@acme.test", &[]).await;
    let admin = realm.admin;
    let (store, user, password) = user_password_store(&app).await;
    let id = scott_tiger(&app, store, user, password).await;

    let seen = call_as(&app, "viewer@acme.test", TestRequest::get(), &format!("/credential/{id}"), None).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(
        seen.json()["credentialInputs"],
        json!([
            {"versionNumber": 1, "inputValue": "scott", "credentialStoreInputDefId": user},
            {"versionNumber": 1, "inputValue": null, "credentialStoreInputDefId": password}
        ]),
        "viewers see clear values of non-secret inputs only"
    );
    let write = call_as(
        &app,
        "viewer@acme.test",
        TestRequest::patch(),
        &format!("/credential/{id}"),
        Some(json!({"credentialName": "x"})),
    )
    .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    assert_eq!(write.header("content-type"), Some("application/problem+json"));
    for method in [TestRequest::get(), TestRequest::post()] {
        let response = call_as(&app, "nobody@acme.test", method, "/credential", Some(json!({}))).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
    }
    let anonymous = app.send(TestRequest::get().uri(&format!("{BASE}/credential/{id}"))).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(anonymous.header("www-authenticate").is_some_and(|h| h.contains("Basic")));
    let wrong = app
        .send(
            TestRequest::get()
                .uri(&format!("{BASE}/credential/{id}"))
                .insert_header(basic_user("credadmin@acme.test", "nope")),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let tenant_admin =
        app.send(TestRequest::get().uri(&format!("{BASE}/credential/{id}")).insert_header(bearer(&admin))).await;
    assert_eq!(
        tenant_admin.json()["credentialInputs"][1]["inputValue"],
        "tiger",
        "TENANT_ADMIN administers credentials"
    );
}

#[actix_web::test]
async fn another_realm_sees_nothing_of_acme() {
    let app = TestApp::start().await;
    setup(&app).await;
    let (created, store, secret) = local_credential(&app, "acme only", "v").await;
    let id = created.json()["credentialId"].as_i64().unwrap();
    let (_, client_id, secret_value) = app.create_tenant("rival").await;
    let rival = app.client_token("rival", &client_id, &secret_value).await;
    let get = |path: String| app.send(TestRequest::get().uri(&format!("{BASE}{path}")).insert_header(bearer(&rival)));
    assert_eq!(get(format!("/credential/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(format!("/credentialstore/{store}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get("/credential".into()).await.json(), json!([]));
    let rival_local = get("/credentialstore".into()).await.json();
    assert_eq!(rival_local.as_array().map(Vec::len), Some(1), "rival has its own built-in store");
    assert_ne!(rival_local[0]["credentialStoreId"], json!(store));
    let use_foreign = app
        .send(TestRequest::post().uri(&format!("{BASE}/credential")).insert_header(bearer(&rival)).set_json(
            credential("steal", "INST", store, json!([{"inputValue": "v", "credentialStoreInputDefId": secret}])),
        ))
        .await;
    assert_eq!(use_foreign.status, StatusCode::BAD_REQUEST, "another realm's store does not exist here");
    let cross_header = app
        .send(
            TestRequest::get()
                .uri(&format!("{BASE}/credential/{id}"))
                .insert_header(bearer(&rival))
                .insert_header(("realm", "acme")),
        )
        .await;
    assert_eq!(cross_header.status, StatusCode::FORBIDDEN);
}
