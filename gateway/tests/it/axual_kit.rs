//! The Axual kit as identity uses it: every sortable field in both directions, paging links on
//! every paged collection, bodies that can be read and written back.

use crate::axual_users::{acme_admin, create_user};
use crate::support::{TestApp, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use portico_identity::store::groups::GROUP_SORT;
use portico_identity::store::realms::REALM_SORT;
use portico_identity::store::users::USER_SORT;
use serde_json::{Value, json};
use std::cmp::Ordering;

/// The value a sort compares: nested e-mail objects by their address; `null` below everything.
fn sort_value<'a>(item: &'a Value, field: &str) -> &'a Value {
    let value = &item[field];
    if value.is_object() { &value["email"] } else { value }
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).unwrap(),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        other => panic!("cannot compare {other:?}"),
    }
}

/// Asserts that `items` are ordered by `field` (NULLs first ascending, last descending), with
/// ties broken by uid in the same direction.
fn assert_ordered(items: &[Value], field: &str, descending: bool) {
    assert!(items.len() >= 3, "need at least three items to check an order");
    for pair in items.windows(2) {
        let mut order = compare(sort_value(&pair[0], field), sort_value(&pair[1], field));
        if order == Ordering::Equal {
            order = compare(&pair[0]["uid"], &pair[1]["uid"]);
        }
        let expected = if descending { Ordering::Greater } else { Ordering::Less };
        assert_eq!(
            order,
            expected,
            "sort={field},{}: {} before {}",
            if descending { "desc" } else { "asc" },
            pair[0],
            pair[1]
        );
    }
}

async fn walk(app: &TestApp, token: &str, path: &str, rel: &str, fields: Vec<&str>) {
    for field in fields {
        for descending in [false, true] {
            let direction = if descending { "desc" } else { "asc" };
            let response = app.get_as(token, &format!("{path}?sort={field},{direction}&size=100")).await;
            assert_eq!(response.status, StatusCode::OK, "{path} sort={field}: {}", response.text());
            let mut items = response.json()["_embedded"][rel].as_array().unwrap().clone();
            // Summaries leave some sortable fields out: compare the details.
            for item in &mut items {
                if item.get(field).is_none() {
                    *item = app.get_as(token, &format!("{path}/{}", item["uid"].as_str().unwrap())).await.json();
                }
            }
            assert_ordered(&items, field, descending);
        }
    }
}

#[actix_web::test]
async fn every_sortable_field_of_every_identity_resource_sorts_both_ways() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let platform = app.admin_token().await;
    // Users: distinct names, some without middle name or phone, one changed (modified_at).
    for (first, last, middle, phone) in [
        ("Zed", "Alpha", Some("van"), None),
        ("Amy", "Zulu", None, Some("0611111111")),
        ("Kim", "Mike", Some("de"), Some("0622222222")),
        ("Bob", "Mike", None, None),
    ] {
        let email = format!("{}@acme.test", first.to_lowercase());
        let body = json!({"firstName": first, "lastName": last, "middleName": middle, "emailAddress": email, "phoneNumber": phone});
        assert_eq!(app.json_as("POST", &admin, "/users", &body).await.status, StatusCode::CREATED);
    }
    app.advance(5);
    let kim = app.get_as(&admin, "/users/search/findByEmailAddress?email=kim@acme.test").await.json();
    let kim = kim["_embedded"]["users"][0]["uid"].as_str().unwrap().to_owned();
    let patched = app.json_as("PATCH", &admin, &format!("/users/{kim}"), &json!({"lastName": "Mikey"})).await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT);
    walk(&app, &admin, "/users", "users", USER_SORT.names()).await;

    // Groups: one without e-mail and phone, one never modified (modified_at null).
    for (name, email, phone) in [
        ("Zebras", None, None),
        ("Ants", Some("ants@acme.test"), Some("0633333333")),
        ("Moles", Some("m@acme.test"), None),
    ] {
        let body = json!({"name": name, "emailAddress": email, "phoneNumber": phone});
        assert_eq!(app.json_as("POST", &admin, "/groups", &body).await.status, StatusCode::CREATED);
    }
    let moles = app.get_as(&admin, "/groups/search/findByName?name=Moles").await.json();
    let moles = moles["_embedded"]["groups"][0]["uid"].as_str().unwrap().to_owned();
    let patched =
        app.json_as("PATCH", &admin, &format!("/groups/{moles}"), &json!({"phoneNumber": "0644444444"})).await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT);
    walk(&app, &admin, "/groups", "groups", GROUP_SORT.names()).await;

    // Tenants (platform admins): acme plus three more with different retention and partitions.
    for (name, short, retention, partitions) in
        [("Zeta bank", "zeta", 5000, 3), ("Alpha bank", "alpha", 90000, 1), ("Mid bank", "mid", 5000, 12)]
    {
        let body = json!({"name": name, "shortName": short, "retentionTime": retention, "partitions": partitions});
        let created = app.json_as("POST", &platform, "/tenants", &body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    }
    walk(&app, &platform, "/tenants", "tenants", REALM_SORT.names()).await;
}

#[actix_web::test]
async fn sorting_by_an_unknown_field_is_a_bad_request_naming_the_sortable_fields() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let response = app.get_as(&admin, "/users?sort=password,asc").await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let message = response.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("firstName") && message.contains("password"), "{message}");
    assert_eq!(app.get_as(&admin, "/groups?sort=nope").await.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn the_callers_groups_are_a_paged_collection_with_navigation_links() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let me = app.get_as(&admin, "/user").await.json();
    let me = format!("http://h/users/{}", me["uid"].as_str().unwrap());
    for name in ["Group one", "Group two", "Group three"] {
        let created = app.json_as("POST", &admin, "/groups", &json!({"name": name, "members": me})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    }
    let first = app.get_as(&admin, "/group?size=2&sort=name,asc").await.json();
    let rels = crate::support::keys(&first["_links"]);
    assert_eq!(rels, ["first", "self", "next", "last"]);
    assert_eq!(first["page"], json!({"size": 2, "totalElements": 3, "totalPages": 2, "number": 0}));
    let next = first["_links"]["next"]["href"].as_str().unwrap();
    assert!(next.contains("sort=name%2Casc") && next.contains("page=1") && next.contains("size=2"), "{next}");
    let path = next.split_once("://").unwrap().1.split_once('/').unwrap().1;
    let second = app.get_as(&admin, &format!("/{path}")).await.json();
    assert_eq!(second["_embedded"]["groups"].as_array().unwrap().len(), 1);
    assert_eq!(second["_embedded"]["groups"][0]["name"], "Group two");
    let rels = crate::support::keys(&second["_links"]);
    assert_eq!(rels, ["first", "prev", "self", "last"]);
}

#[actix_web::test]
async fn a_group_read_with_get_can_be_written_back() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let member = create_user(&app, &admin, "Member", "member@acme.test").await;
    let member_uri = format!("http://api.example.com/users/{}", member["uid"].as_str().unwrap());
    let created = app
        .json_as(
            "POST",
            &admin,
            "/groups",
            &json!({"name": "Writers", "emailAddress": {"email": "w@acme.test"}, "members": member_uri}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let url =
        created.header("location").unwrap().split_once("/groups/").map(|(_, uid)| format!("/groups/{uid}")).unwrap();
    let read = app.get_as(&admin, &url).await.json();
    assert_eq!(read["emailAddress"], json!({"email": "w@acme.test"}));
    assert_eq!(read["_embedded"]["members"][0]["uid"], member["uid"]);
    let mut body = read.clone();
    body["phoneNumber"] = json!("0655555555");
    let object = body.as_object_mut().unwrap();
    object.remove("_links");
    object.remove("_embedded");
    let written = app.json_as("PATCH", &admin, &url, &body).await;
    assert_eq!(written.status, StatusCode::NO_CONTENT, "{}", written.text());
    let after = app.get_as(&admin, &url).await.json();
    assert_eq!(after["phoneNumber"], "0655555555");
    assert_eq!(after["emailAddress"], json!({"email": "w@acme.test"}));
    assert_eq!(after["_embedded"]["members"][0]["uid"], member["uid"], "members are kept");
}

#[actix_web::test]
async fn a_tenant_read_with_get_can_be_written_back_and_its_properties_merge() {
    let app = TestApp::start().await;
    let platform = app.admin_token().await;
    let created = app
        .json_as(
            "POST",
            &platform,
            "/tenants",
            &json!({"name": "Rabobank", "shortName": "rabo", "properties": {"team": "blue"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let url =
        created.header("location").unwrap().split_once("/tenants/").map(|(_, uid)| format!("/tenants/{uid}")).unwrap();
    let read = app.get_as(&platform, &url).await.json();
    assert_eq!(read["properties"]["cleanup.policy"], "delete", "documented defaults are filled in");
    assert_eq!(read["properties"]["team"], "blue");
    let mut body = read.clone();
    body.as_object_mut().unwrap().remove("_links");
    body["name"] = json!("Rabobank NL");
    let written = app.json_as("PATCH", &platform, &url, &body).await;
    assert_eq!(written.status, StatusCode::NO_CONTENT, "{}", written.text());
    let same_name = app.json_as("PATCH", &platform, &url, &json!({"shortName": "RABO"})).await;
    assert_eq!(same_name.status, StatusCode::NO_CONTENT, "an unchanged shortName is fine: {}", same_name.text());
    let renamed = app.json_as("PATCH", &platform, &url, &json!({"shortName": "other"})).await;
    assert_eq!(renamed.status, StatusCode::BAD_REQUEST);
    assert!(renamed.text().contains("shortName"), "{}", renamed.text());

    let merged = app
        .json_as("PATCH", &platform, &url, &json!({"properties": {"team": null, "segment.ms": "1000", "new": "yes"}}))
        .await;
    assert_eq!(merged.status, StatusCode::NO_CONTENT);
    let after = app.get_as(&platform, &url).await.json();
    assert_eq!(after["name"], "Rabobank NL");
    assert_eq!(after["properties"]["segment.ms"], "1000");
    assert_eq!(after["properties"]["new"], "yes");
    assert_eq!(after["properties"]["cleanup.policy"], "delete", "keys not mentioned are kept");
    assert!(after["properties"].get("team").is_none(), "null removes a key");
}

#[actix_web::test]
async fn e_mail_addresses_are_unique_and_found_ignoring_case() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    create_user(&app, &admin, "Casey", "Casey.Jones@acme.test").await;
    let twin = app
        .json_as(
            "POST",
            &admin,
            "/users",
            &json!({"firstName": "Other", "lastName": "Casey", "emailAddress": "casey.jones@ACME.test"}),
        )
        .await;
    assert_eq!(twin.status, StatusCode::CONFLICT, "{}", twin.text());
    let found = app.get_as(&admin, "/users/search/findByEmailAddress?email=CASEY.JONES@acme.test").await.json();
    assert_eq!(found["_embedded"]["users"][0]["emailAddress"]["email"], "Casey.Jones@acme.test");
    assert!(found.get("page").is_none(), "an unpaged search result");
}

#[actix_web::test]
async fn the_index_lists_every_registered_collection_and_profiles_come_from_the_wire_types() {
    let app = TestApp::start().await;
    let admin = acme_admin(&app).await;
    let index = app.get_as(&admin, "/").await.json();
    let rels = crate::support::keys(&index["_links"]);
    assert_eq!(
        rels,
        [
            "tenants",
            "groups",
            "streams",
            "instances",
            "support_tiers",
            "schema_versions",
            "users",
            "environments",
            "schemas",
            "confidentialities",
            "connect_plugins",
            "stream_configs",
            "integrities",
            "clusters",
            "group",
            "user",
            "tenant",
            "profile"
        ],
        "the seed's order, whichever crate serves what"
    );
    assert_eq!(index["_links"]["confidentialities"]["templated"], true);
    assert!(index["_links"]["confidentialities"].get("title").is_none(), "untitled in the seed");
    let groups = app
        .send(
            TestRequest::get()
                .uri("/profile/groups")
                .insert_header(bearer(&admin))
                .insert_header(("accept", "application/schema+json")),
        )
        .await
        .json();
    assert_eq!(groups["title"], "Group");
    assert_eq!(
        groups["properties"]["emailAddress"],
        json!({"title": "Email address", "readOnly": false, "type": "object", "$ref": "#/definitions/emailAddress"})
    );
    assert_eq!(
        groups["properties"]["members"],
        json!({"title": "Members", "readOnly": false, "type": "string", "format": "uri"})
    );
    assert_eq!(groups["properties"]["modified_at"]["readOnly"], false);
    assert_eq!(
        groups["definitions"]["emailAddress"]["properties"]["email"],
        json!({"title": "Email", "readOnly": true, "type": "string"})
    );
    let users = app
        .send(
            TestRequest::get()
                .uri("/profile/users")
                .insert_header(bearer(&admin))
                .insert_header(("accept", "application/schema+json")),
        )
        .await
        .json();
    let mut names = crate::support::keys(&users["properties"]);
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "created_at",
            "created_by",
            "emailAddress",
            "firstName",
            "lastName",
            "middleName",
            "modified_at",
            "modified_by",
            "phoneNumber",
            "roles",
            "uid"
        ],
        "the seed's user profile, no password"
    );
    assert_eq!(
        users["definitions"]["role"]["properties"]["name"],
        json!({"title": "Name", "readOnly": false, "type": "string"})
    );
}
