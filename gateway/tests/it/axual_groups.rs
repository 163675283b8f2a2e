//! Axual groups, tenants, the caller's own resources, the index and profiles over HTTP.

use crate::axual_users::{acme_admin, create_user};
use crate::support::{TestApp, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

fn uri(user: &Value) -> String {
    format!("http://api.example.com/users/{}", user["uid"].as_str().unwrap())
}

#[actix_web::test]
async fn groups_are_created_with_members_and_read_back_in_the_seed_shape() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let member = create_user(&app, &admin, "envAuthor", "envauthor@rabobank.nl").await;
    let response = app.json_accepting("POST", &admin, "/groups", "application/hal+json", &json!({
            "name": "Team Fortress", "emailAddress": "online.fortress@rabobank.nl", "phoneNumber": "+31612345678", "members": [uri(&member)]
        })).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let body = response.json();
    let keys = crate::support::keys(&body);
    assert_eq!(
        keys,
        [
            "name",
            "emailAddress",
            "phoneNumber",
            "uid",
            "created_at",
            "modified_at",
            "created_by",
            "modified_by",
            "_embedded",
            "_links"
        ]
    );
    assert_eq!(body["emailAddress"], json!({"email": "online.fortress@rabobank.nl"}));
    let embedded = &body["_embedded"]["members"][0];
    assert_eq!(embedded["firstName"], "envAuthor");
    assert_eq!(embedded["_links"]["self"]["templated"], true);
    assert!(embedded["_links"].get("user").is_none());
    let links = crate::support::keys(&body["_links"]);
    assert_eq!(links, ["self", "group", "edit", "delete", "members"]);

    let empty = app.json_as("POST", &admin, "/groups", &json!({"name": "Loners"})).await;
    assert_eq!(empty.status, StatusCode::CREATED);
    let uid = empty.header("location").and_then(|l| l.rsplit('/').next()).unwrap().to_owned();
    let fetched = app.get_as(&admin, &format!("/groups/{uid}")).await.json();
    assert!(fetched.get("_embedded").is_none(), "no members, no _embedded");
    assert_eq!(fetched["emailAddress"], Value::Null);
}

#[actix_web::test]
async fn group_rules_are_enforced() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    for (body, reason) in [
        (json!({"name": "ab"}), "too short"),
        (json!({"name": "bad/name"}), "bad character"),
        (json!({}), "name missing"),
        (json!({"name": "Good name", "emailAddress": "nope"}), "bad e-mail"),
        (json!({"name": "Good name", "phoneNumber": "123"}), "bad phone"),
        (
            json!({"name": "Good name", "members": ["http://x/users/0f8fad5bd9cb469fa16570867728950e"]}),
            "unknown member",
        ),
        (
            json!({"name": "Good name", "members": ["http://x/groups/0f8fad5bd9cb469fa16570867728950e"]}),
            "not a user URI",
        ),
    ] {
        let response = app.json_as("POST", &admin, "/groups", &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{reason}: {}", response.text());
    }
    assert_eq!(app.json_as("POST", &admin, "/groups", &json!({"name": "Twice"})).await.status, StatusCode::CREATED);
    assert_eq!(app.json_as("POST", &admin, "/groups", &json!({"name": "Twice"})).await.status, StatusCode::CONFLICT);
    let listed = app.get_as(&admin, "/groups").await.json();
    assert_eq!(listed["page"]["totalElements"], 1);

    let plain = create_user(&app, &admin, "Plain", "plain@acme.test").await;
    let _ = plain;
    let token = app.password_token("acme", "plain@acme.test", "pw-of-user").await;
    assert_eq!(
        app.json_as("POST", &token, "/groups", &json!({"name": "Mine"})).await.status,
        StatusCode::FORBIDDEN,
        "GROUP_ADMIN required"
    );
}

#[actix_web::test]
async fn members_are_managed_with_uri_lists() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let a = create_user(&app, &admin, "Anna", "anna@acme.test").await;
    let b = create_user(&app, &admin, "Bert", "bert@acme.test").await;
    let group = app.json_as("POST", &admin, "/groups", &json!({"name": "Team Medallion"})).await;
    let url =
        group.header("location").and_then(|l| l.split_once("/groups/").map(|(_, id)| format!("/groups/{id}"))).unwrap();
    let uri_list = |body: String| {
        TestRequest::post()
            .uri(&format!("{url}/members"))
            .insert_header(bearer(&admin))
            .insert_header(("content-type", "text/uri-list"))
            .set_payload(body)
    };
    assert_eq!(app.send(uri_list(format!("{}\n{}\n", uri(&a), uri(&b)))).await.status, StatusCode::NO_CONTENT);
    let members = app.get_as(&admin, &format!("{url}/members")).await.json();
    assert_eq!(members["page"]["totalElements"], 2);
    let replace = TestRequest::put()
        .uri(&format!("{url}/members"))
        .insert_header(bearer(&admin))
        .insert_header(("content-type", "text/uri-list"))
        .set_payload(uri(&b));
    assert_eq!(app.send(replace).await.status, StatusCode::NO_CONTENT);
    let detail = app.get_as(&admin, &url).await.json();
    assert_eq!(detail["_embedded"]["members"].as_array().map(Vec::len), Some(1));
    assert_eq!(detail["_embedded"]["members"][0]["firstName"], "Bert");
    let by_member = app
        .get_as(
            &admin,
            &format!("/groups/search/findByMembersContains?user={}", uri(&b).replace(':', "%3A").replace('/', "%2F")),
        )
        .await
        .json();
    assert_eq!(by_member["page"]["totalElements"], 1);
    let bert_uid = b["uid"].as_str().unwrap();
    assert_eq!(
        app.json_as("DELETE", &admin, &format!("{url}/members/{bert_uid}"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.json_as("DELETE", &admin, &format!("{url}/members/{bert_uid}"), &json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let wrong_type =
        TestRequest::post().uri(&format!("{url}/members")).insert_header(bearer(&admin)).set_json(json!([uri(&a)]));
    assert_eq!(app.send(wrong_type).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        app.send(uri_list("http://x/users/0f8fad5bd9cb469fa16570867728950e".into())).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.get_as(&admin, &url).await.header("etag"), Some("\"3\""), "membership changes bump the version");
}

#[actix_web::test]
async fn groups_patch_search_and_two_step_delete() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let created = app.json_as("POST", &admin, "/groups", &json!({"name": "Team Fortress"})).await;
    let url = created
        .header("location")
        .and_then(|l| l.split_once("/groups/").map(|(_, id)| format!("/groups/{id}")))
        .unwrap();
    let patched =
        app.json_accepting("PATCH", &admin, &url, "application/hal+json", &json!({"name": "Team Medallion"})).await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(patched.json()["name"], "Team Medallion");
    assert!(patched.json()["modified_at"].is_string());
    let exact = app.get_as(&admin, "/groups/search/findByName?name=Team%20Medallion").await.json();
    assert_eq!(exact["page"]["totalElements"], 1);
    assert_eq!(
        app.get_as(&admin, "/groups/search/findByName?name=team%20medallion").await.json()["page"]["totalElements"],
        0,
        "exact is case-sensitive"
    );
    let containing = app.get_as(&admin, "/groups/search/findByNameContaining?name=MEDAL").await.json();
    assert_eq!(containing["page"]["totalElements"], 1);
    let constraints = app.get_as(&admin, &format!("{url}/deletion-constraints")).await;
    assert_eq!(constraints.header("content-type"), Some("application/json;charset=UTF-8"));
    assert_eq!(
        constraints.json(),
        json!({"canDelete": true, "environmentsCount": 0, "applicationsCount": 0, "streamsCount": 0})
    );
    assert_eq!(app.json_as("DELETE", &admin, &url, &json!({})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get_as(&admin, &url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&admin, &format!("{url}/deletion-constraints")).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_callers_own_user_groups_and_tenant() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let me = app.get_as(&admin, "/user").await;
    assert_eq!(me.status, StatusCode::OK);
    let me = me.json();
    assert_eq!(me["emailAddress"]["email"], "tenadmin@acme.test");
    assert_eq!(me["roles"], json!([{"name": "GROUP_ADMIN"}, {"name": "TENANT_ADMIN"}]));
    let links = crate::support::keys(&me["_links"]);
    assert_eq!(links, ["self", "user"]);
    let uid = me["uid"].as_str().unwrap();
    app.json_as(
        "POST",
        &admin,
        "/groups",
        &json!({"name": "Mine", "members": [format!("http://localhost/users/{uid}")]}),
    )
    .await;
    app.json_as("POST", &admin, "/groups", &json!({"name": "Not mine"})).await;
    let groups = app.get_as(&admin, "/group").await.json();
    assert_eq!(groups["page"]["totalElements"], 1);
    assert_eq!(groups["_embedded"]["groups"][0]["name"], "Mine");
    let tenant = app.get_as(&admin, "/tenant").await.json();
    assert_eq!(tenant["_embedded"]["tenants"][0]["shortName"], "acme");
    assert!(tenant["_embedded"]["tenants"][0]["_links"].get("edit").is_none());
    let put = app.json_as("PUT", &admin, "/tenant", &json!({})).await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED, "elevating to a tenant is no longer supported");
    assert_eq!(app.get("/user").await.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn tenants_are_managed_by_platform_admins_only() {
    let app = TestApp::start().await;
    let platform = app.admin_token().await;
    let created = app.json_accepting("POST", &platform, "/tenants", "application/hal+json", &json!({
            "name": "Test Tenant", "shortName": "test", "domain": "testtenant.nl", "retentionTime": 50000, "partitions": 12
        })).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    let keys = crate::support::keys(&body);
    assert_eq!(
        keys,
        [
            "properties",
            "name",
            "shortName",
            "logo",
            "issuerUrl",
            "dataClassificationEnabled",
            "featureConfig",
            "retentionTime",
            "partitions",
            "uid",
            "created_at",
            "modified_at",
            "created_by",
            "modified_by",
            "_links"
        ]
    );
    assert_eq!(
        body["properties"],
        json!({"replication.factor": "1", "cleanup.policy": "delete", "min.insync.replicas": "1", "segment.ms": "86400000"})
    );
    assert_eq!(body["retentionTime"], 50000);
    assert!(body.get("domain").is_none());
    let url = format!("/tenants/{}", body["uid"].as_str().unwrap());

    for (bad, reason) in [
        (json!({"name": "No short"}), "shortName missing"),
        (json!({"name": "X", "shortName": "abc"}), "name too short"),
        (json!({"name": "Fine name", "shortName": "ab"}), "shortName too short"),
        (json!({"name": "Fine name", "shortName": "has-dash"}), "shortName alphanumeric"),
        (json!({"name": "Fine name", "shortName": "okname", "partitions": 0}), "partitions"),
        (json!({"name": "Fine name", "shortName": "okname", "retentionTime": 5}), "retention"),
    ] {
        assert_eq!(app.json_as("POST", &platform, "/tenants", &bad).await.status, StatusCode::BAD_REQUEST, "{reason}");
    }
    assert_eq!(
        app.json_as("POST", &platform, "/tenants", &json!({"name": "Again", "shortName": "TEST"})).await.status,
        StatusCode::CONFLICT
    );

    let patched = app
        .json_as("PATCH", &platform, &url, &json!({"featureConfig": "{\n  \"userLimit\": 2\n}", "logo": "rabo.png"}))
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.json_as("PATCH", &platform, &url, &json!({"featureConfig": "{not json"})).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.json_as("PATCH", &platform, &url, &json!({"shortName": "other"})).await.status,
        StatusCode::BAD_REQUEST
    );

    let listed = app.get_as(&platform, "/tenants?sort=shortName").await.json();
    assert_eq!(listed["page"]["totalElements"], 1);
    assert_eq!(listed["_embedded"]["tenants"][0]["logo"], "rabo.png");
    let by_short = app.get_as(&platform, "/tenants/search/findByShortName?shortName=test").await.json();
    assert!(by_short.get("page").is_none());
    assert_eq!(by_short["_embedded"]["tenants"].as_array().map(Vec::len), Some(1));
    let by_name = app.get_as(&platform, "/tenants/search/findByNameContaining?name=tenant").await.json();
    assert_eq!(by_name["page"]["totalElements"], 1);

    let (_, client_id, secret) = app.create_tenant("acme").await;
    let tenant_token = app.client_token("acme", &client_id, &secret).await;
    assert_eq!(app.get_as(&tenant_token, "/tenants").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.json_as("POST", &tenant_token, "/tenants", &json!({"name": "Sneaky", "shortName": "sneaky"})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get_as(&tenant_token, &url).await.status, StatusCode::FORBIDDEN, "another tenant's record");
    assert_eq!(app.get_as(&platform, "/tenants/0f8fad5bd9cb469fa16570867728950e").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_tenant_contact_is_embedded_when_set() {
    let app = TestApp::start().await;
    let platform = app.admin_token().await;
    let admin = acme_admin(&app).await;
    let contact = create_user(&app, &admin, "Contact", "contact@acme.test").await;
    let tenant = app.get_as(&admin, "/tenant").await.json();
    let url = tenant["_embedded"]["tenants"][0]["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .split_once("/tenants/")
        .map(|(_, id)| format!("/tenants/{id}"))
        .unwrap();
    assert_eq!(app.get_as(&platform, &format!("{url}/contact")).await.status, StatusCode::NOT_FOUND);
    let set = app.json_as("PATCH", &platform, &url, &json!({"contact": uri(&contact)})).await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.text());
    let detail = app.get_as(&platform, &url).await.json();
    assert_eq!(detail["_embedded"]["contact"]["firstName"], "Contact");
    assert_eq!(app.get_as(&admin, &format!("{url}/contact")).await.json()["firstName"], "Contact");
    let foreign = app
        .json_as("PATCH", &platform, &url, &json!({"contact": "http://x/users/0f8fad5bd9cb469fa16570867728950e"}))
        .await;
    assert_eq!(foreign.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn the_index_and_profiles_describe_the_collections() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let index = app.get_as(&admin, "/").await.json();
    assert_eq!(index["_links"]["users"]["title"], "Access or create users");
    assert_eq!(index["_links"]["users"]["templated"], true);
    assert!(index["_links"]["user"].get("templated").is_none());
    assert_eq!(app.get("/").await.status, StatusCode::UNAUTHORIZED);
    let profile = app.get_as(&admin, "/profile").await.json();
    assert!(profile["_links"]["groups"]["href"].as_str().is_some_and(|h| h.ends_with("/profile/groups")));
    let schema = app
        .send(
            TestRequest::get()
                .uri("/profile/users")
                .insert_header(bearer(&admin))
                .insert_header(("accept", "application/schema+json")),
        )
        .await;
    assert_eq!(schema.header("content-type"), Some("application/schema+json;charset=UTF-8"));
    let schema = schema.json();
    assert_eq!(schema["title"], "User");
    assert_eq!(
        schema["properties"]["created_at"],
        json!({"title": "Created at", "readOnly": true, "type": "string", "format": "date-time"})
    );
    assert_eq!(schema["properties"]["roles"]["uniqueItems"], true);
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    let tenants = app
        .send(
            TestRequest::get()
                .uri("/profile/tenants")
                .insert_header(bearer(&admin))
                .insert_header(("accept", "application/schema+json")),
        )
        .await
        .json();
    assert_eq!(tenants["properties"]["contact"]["format"], "uri");
    assert_eq!(tenants["definitions"], json!({}));
    let alps = app.get_as(&admin, "/profile/groups").await.json();
    assert_eq!(alps["alps"]["version"], "1.0");
    assert_eq!(app.get_as(&admin, "/profile/nothing").await.status, StatusCode::NOT_FOUND);
}
