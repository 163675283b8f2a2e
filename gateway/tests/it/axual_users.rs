//! Axual users over HTTP.

use crate::support::{TestApp, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

/// A realm `acme` with a TENANT_ADMIN and GROUP_ADMIN user; returns that user's token.
pub async fn acme_admin(app: &TestApp) -> String {
    app.realm("acme").await.admin
}

pub async fn create_user(app: &TestApp, token: &str, first: &str, email: &str) -> Value {
    let response = app.json_accepting("POST", token, "/users", "application/hal+json", &json!({"firstName": first, "lastName": "Rabobank", "emailAddress": email, "password": "pw-of-user", "phoneNumber": "0612345678"})).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

#[actix_web::test]
async fn creating_a_user_returns_the_seed_shape_with_accept_and_only_location_without() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let with_accept = app.json_accepting("POST", &admin, "/users", "application/hal+json", &json!({
                "firstName": "Jeroen", "lastName": "Disseldorp", "middleName": "van",
                "emailAddress": "jeroen.van.disseldorp@rabobank.nl", "password": "notsecret", "phoneNumber": "0612345678"
            })).await;
    assert_eq!(with_accept.status, StatusCode::CREATED);
    assert_eq!(with_accept.header("etag"), Some("\"0\""));
    assert!(with_accept.header("last-modified").is_some());
    let body = with_accept.json();
    let uid = body["uid"].as_str().unwrap();
    assert_eq!(uid.len(), 32);
    assert!(with_accept.header("location").is_some_and(|l| l.ends_with(&format!("/users/{uid}"))));
    let keys = crate::support::keys(&body);
    assert_eq!(
        keys,
        [
            "firstName",
            "lastName",
            "middleName",
            "emailAddress",
            "phoneNumber",
            "roles",
            "uid",
            "created_at",
            "modified_at",
            "created_by",
            "modified_by",
            "_links"
        ]
    );
    assert_eq!(body["emailAddress"], json!({"email": "jeroen.van.disseldorp@rabobank.nl"}));
    assert_eq!(body["roles"], json!([]));
    assert_eq!(body["created_by"], "tenadmin@acme.test");
    assert!(body.get("password").is_none());
    let links = crate::support::keys(&body["_links"]);
    assert_eq!(links, ["self", "user", "edit", "assign_roles", "delete", "tenant"]);
    assert_eq!(body["_links"]["user"]["templated"], true);

    let without_accept = app
        .send(
            TestRequest::post()
                .uri("/users")
                .insert_header(bearer(&admin))
                .set_json(json!({"firstName": "No", "lastName": "Body", "emailAddress": "no.body@acme.test"})),
        )
        .await;
    assert_eq!(without_accept.status, StatusCode::CREATED);
    assert!(without_accept.body.is_empty());
    assert!(without_accept.header("location").is_some());

    // A blank Accept counts as absent (docs/api-map.md): no body on create, 204 on patch.
    let blank_accept = app
        .json_accepting(
            "POST",
            &admin,
            "/users",
            " ",
            &json!({"firstName": "Blank", "lastName": "Accept", "emailAddress": "blank@acme.test"}),
        )
        .await;
    assert_eq!(blank_accept.status, StatusCode::CREATED);
    assert!(blank_accept.body.is_empty());
    let location = blank_accept.header("location").unwrap().to_owned();
    let path = location.rsplit_once("/users/").map(|(_, uid)| format!("/users/{uid}")).unwrap();
    let patched = app.json_accepting("PATCH", &admin, &path, "", &json!({"middleName": "B"})).await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text());
    assert!(patched.body.is_empty());
}

#[actix_web::test]
async fn user_validation_errors_are_axual_400s_and_duplicates_409() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let cases = [
        json!({"firstName": "J", "lastName": "Valid", "emailAddress": "a@acme.test"}),
        json!({"firstName": "Jo", "lastName": "V", "emailAddress": "a@acme.test"}),
        json!({"firstName": "Jo", "lastName": "Valid", "emailAddress": "not-an-email"}),
        json!({"firstName": "Jo", "lastName": "Valid", "emailAddress": "a@acme.test", "phoneNumber": "12"}),
        json!({"firstName": "Jo", "lastName": "Valid", "emailAddress": "a@acme.test", "middleName": "x".repeat(17)}),
        json!({"firstName": "Jo", "lastName": "Valid", "emailAddress": "a@acme.test", "password": "p".repeat(73)}),
        json!({"lastName": "Valid", "emailAddress": "a@acme.test"}),
        json!({"firstName": 7, "lastName": "Valid", "emailAddress": "a@acme.test"}),
    ];
    for body in cases {
        let response = app.json_as("POST", &admin, "/users", &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}: {}", response.text());
        let error = response.json();
        assert_eq!(error["status"], 400);
        assert_eq!(error["error"], "Bad Request");
        assert_eq!(error["path"], "/users");
    }
    let listed = app.get_as(&admin, "/users").await.json();
    assert_eq!(listed["page"]["totalElements"], 1, "nothing was created");
    create_user(&app, &admin, "First", "dup@acme.test").await;
    let duplicate = app
        .json_as(
            "POST",
            &admin,
            "/users",
            &json!({"firstName": "Again", "lastName": "Same", "emailAddress": "dup@acme.test"}),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    let malformed = app
        .send(
            TestRequest::post()
                .uri("/users")
                .insert_header(bearer(&admin))
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"firstName\":"),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["path"], "/users");
}

#[actix_web::test]
async fn users_are_listed_paged_and_sorted_within_the_tenant_only() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    for (first, email) in [("Charlie", "c@acme.test"), ("alice", "a@acme.test"), ("Bob", "b@acme.test")] {
        create_user(&app, &admin, first, email).await;
    }
    let page = app.get_as(&admin, "/users?size=2&sort=firstName,desc").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-type"), Some("application/hal+json;charset=UTF-8"));
    let body = page.json();
    assert_eq!(body["page"], json!({"size": 2, "totalElements": 4, "totalPages": 2, "number": 0}));
    assert_eq!(
        body["_embedded"]["users"][0]["firstName"], "alice",
        "binary order: lower case sorts last, descending first"
    );
    let links = crate::support::keys(&body["_links"]);
    assert_eq!(links, ["first", "self", "next", "last", "profile", "search", "create"]);
    assert!(
        body["_links"]["next"]["href"]
            .as_str()
            .is_some_and(|h| h.contains("page=1") && h.contains("sort=firstName%2Cdesc"))
    );
    let summary = &body["_embedded"]["users"][0];
    let keys = crate::support::keys(summary);
    assert_eq!(keys, ["firstName", "lastName", "emailAddress", "middleName", "phoneNumber", "uid", "_links"]);
    let second = app.get_as(&admin, "/users?size=2&page=1&sort=firstName,desc").await.json();
    assert_eq!(second["_embedded"]["users"].as_array().map(Vec::len), Some(2));
    let beyond = app.get_as(&admin, "/users?page=9").await.json();
    assert_eq!(beyond["_embedded"]["users"], json!([]));

    app.create_tenant("other").await;
    let platform = app.admin_token().await;
    let other = app
        .send(TestRequest::get().uri("/users").insert_header(bearer(&platform)).insert_header(("realm", "other")))
        .await
        .json();
    assert_eq!(other["page"]["totalElements"], 0, "another tenant's users are not visible");
    for bad in ["/users?sort=password", "/users?page=-1", "/users?size=abc"] {
        assert_eq!(app.get_as(&admin, bad).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[actix_web::test]
async fn user_searches_have_their_three_shapes() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    create_user(&app, &admin, "powerUser", "poweruser@rabobank.nl").await;
    create_user(&app, &admin, "appOwner", "appowner@rabobank.nl").await;
    let by_first = app.get_as(&admin, "/users/search/findByFirstName?firstName=POWER").await.json();
    assert_eq!(by_first["page"]["totalElements"], 1);
    assert_eq!(by_first["_embedded"]["users"][0]["firstName"], "powerUser");
    assert!(by_first["_links"]["self"].get("templated").is_none());
    let by_last = app.get_as(&admin, "/users/search/findByLastName?lastName=ab").await.json();
    assert_eq!(by_last["page"]["totalElements"], 2);
    let search = app.get_as(&admin, "/users/search/searchUser?query=rabobank").await.json();
    assert!(search.get("page").is_none(), "searchUser is an unpaged list");
    assert_eq!(search["_embedded"]["users"].as_array().map(Vec::len), Some(2));
    let by_role = app.get_as(&admin, "/users/search/findByRole?role=TENANT_ADMIN").await.json();
    assert_eq!(by_role["_embedded"]["users"][0]["emailAddress"]["email"], "tenadmin@acme.test");
    let by_email = app.get_as(&admin, "/users/search/findByEmailAddress?email=appowner%40rabobank.nl").await.json();
    assert_eq!(by_email["_embedded"]["users"].as_array().map(Vec::len), Some(1));
    let none = app.get_as(&admin, "/users/search/findByEmailAddress?email=nobody%40x.nl").await.json();
    assert_eq!(none["_embedded"]["users"], json!([]));
    let wildcard = app.get_as(&admin, "/users/search/searchUser?query=%25").await.json();
    assert_eq!(wildcard["_embedded"]["users"], json!([]), "% is matched literally");
    assert_eq!(app.get_as(&admin, "/users/search/findByFirstName").await.status, StatusCode::BAD_REQUEST);
    let index = app.get_as(&admin, "/users/search").await.json();
    assert!(
        index["_links"]["findByRole"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("/users/search/findByRole{?role,page,size,sort}"))
    );
}

#[actix_web::test]
async fn patching_honours_accept_etags_and_if_match() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let user = create_user(&app, &admin, "Patchme", "patch@acme.test").await;
    let url = format!("/users/{}", user["uid"].as_str().unwrap());
    let no_accept = app.json_as("PATCH", &admin, &url, &json!({"phoneNumber": "+31063433333"})).await;
    assert_eq!(no_accept.status, StatusCode::NO_CONTENT);
    assert_eq!(no_accept.header("etag"), Some("\"1\""));
    let with_accept =
        app.json_accepting("PATCH", &admin, &url, "application/hal+json", &json!({"middleName": "de"})).await;
    assert_eq!(with_accept.status, StatusCode::OK);
    assert_eq!(with_accept.json()["phoneNumber"], "+31063433333");
    assert_eq!(with_accept.json()["middleName"], "de");
    let stale = app
        .send(
            TestRequest::patch()
                .uri(&url)
                .insert_header(bearer(&admin))
                .insert_header(("if-match", "\"1\""))
                .set_json(json!({"firstName": "Stale"})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let fresh = app
        .send(
            TestRequest::patch()
                .uri(&url)
                .insert_header(bearer(&admin))
                .insert_header(("if-match", "\"2\""))
                .set_json(json!({"middleName": null})),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::NO_CONTENT);
    let got = app.get_as(&admin, &url).await;
    assert_eq!(got.header("etag"), Some("\"3\""));
    assert_eq!(got.json()["middleName"], Value::Null, "null clears");
    assert_eq!(got.json()["firstName"], "Patchme", "a failed precondition changed nothing");
    let not_modified = app
        .send(TestRequest::get().uri(&url).insert_header(bearer(&admin)).insert_header(("if-none-match", "\"3\"")))
        .await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    let invalid = app.json_as("PATCH", &admin, &url, &json!({"phoneNumber": "nope"})).await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn two_concurrent_patches_with_the_same_version_one_wins() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let user = create_user(&app, &admin, "Racer", "race@acme.test").await;
    let url = format!("/users/{}", user["uid"].as_str().unwrap());
    let patch = |name: &'static str| {
        app.send(
            TestRequest::patch()
                .uri(&url)
                .insert_header(bearer(&admin))
                .insert_header(("if-match", "\"0\""))
                .set_json(json!({"firstName": name})),
        )
    };
    let (a, b) = futures_util::future::join(patch("Aaaa"), patch("Bbbb")).await;
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [204, 412]);
}

#[actix_web::test]
async fn users_need_auth_the_right_role_and_the_right_realm() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let plain = create_user(&app, &admin, "Plain", "plain@acme.test").await;
    let plain_token = app.password_token("acme", "plain@acme.test", "pw-of-user").await;
    assert_eq!(app.get("/users").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_as(&plain_token, "/users").await.status, StatusCode::OK, "any user may list");
    let forbidden = app
        .json_as(
            "POST",
            &plain_token,
            "/users",
            &json!({"firstName": "No", "lastName": "Way", "emailAddress": "x@acme.test"}),
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(forbidden.json()["status"], 403);
    let own = format!("/users/{}", plain["uid"].as_str().unwrap());
    assert_eq!(
        app.json_as("PATCH", &plain_token, &own, &json!({"lastName": "Self"})).await.status,
        StatusCode::NO_CONTENT,
        "users edit themselves"
    );
    let other = create_user(&app, &admin, "Other", "other@acme.test").await;
    let other_url = format!("/users/{}", other["uid"].as_str().unwrap());
    assert_eq!(
        app.json_as("PATCH", &plain_token, &other_url, &json!({"lastName": "Nope"})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.json_as("DELETE", &plain_token, &other_url, &json!({})).await.status, StatusCode::FORBIDDEN);
    let detail = app.get_as(&plain_token, &other_url).await.json();
    assert!(detail["_links"].get("edit").is_none() && detail["_links"].get("delete").is_none());

    app.create_tenant("rival").await;
    let cross = app
        .send(TestRequest::get().uri("/users").insert_header(bearer(&admin)).insert_header(("realm", "rival")))
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN, "a tenant's token cannot read another realm");
    let unknown = app
        .send(TestRequest::get().uri("/users").insert_header(bearer(&admin)).insert_header(("realm", "nosuchrealm")))
        .await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN, "unknown realms look the same as foreign ones");
    let platform = app.admin_token().await;
    let missing = app
        .send(TestRequest::get().uri("/users").insert_header(bearer(&platform)).insert_header(("realm", "nosuchrealm")))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let rival_user = app
        .send(TestRequest::get().uri(&other_url).insert_header(bearer(&platform)).insert_header(("realm", "rival")))
        .await;
    assert_eq!(rival_user.status, StatusCode::NOT_FOUND, "a uid of acme does not exist in rival");
    assert_eq!(app.get_as(&admin, "/users/zzz!").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get_as(&admin, "/users/514d4oit834841869644c2ad8b439553").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn deleting_users_and_assigning_roles() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let user = create_user(&app, &admin, "Doomed", "doomed@acme.test").await;
    let url = format!("/users/{}", user["uid"].as_str().unwrap());
    let roles = app
        .send(
            TestRequest::put()
                .uri(&format!("{url}/roles"))
                .insert_header(bearer(&admin))
                .set_json(json!([{"name": "STREAM_ADMIN"}, "APPLICATION_ADMIN"])),
        )
        .await;
    assert_eq!(roles.status, StatusCode::OK);
    assert_eq!(roles.json()["roles"], json!([{"name": "APPLICATION_ADMIN"}, {"name": "STREAM_ADMIN"}]));
    let escalate = app
        .send(
            TestRequest::put()
                .uri(&format!("{url}/roles"))
                .insert_header(bearer(&admin))
                .set_json(json!(["PLATFORM_ADMIN"])),
        )
        .await;
    assert_eq!(escalate.status, StatusCode::BAD_REQUEST, "platform admins exist only in realm master");
    let token = app.password_token("acme", "doomed@acme.test", "pw-of-user").await;
    let me = app.get_as(&token, "/user").await.json();
    assert_eq!(me["roles"], json!([{"name": "APPLICATION_ADMIN"}, {"name": "STREAM_ADMIN"}]));
    assert_eq!(app.json_as("DELETE", &admin, &url, &json!({})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get_as(&admin, &url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.json_as("DELETE", &admin, &url, &json!({})).await.status, StatusCode::NOT_FOUND);
    let listed = app.get_as(&admin, "/users").await.json();
    assert_eq!(listed["page"]["totalElements"], 1);
}
