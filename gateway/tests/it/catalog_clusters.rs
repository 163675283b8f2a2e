//! Axual clusters and support tiers over HTTP: the seed's example and shapes, searches, roles,
//! realms and bad input.

use crate::support::{TestApp, TestResponse, bearer, keys};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

/// A request of the platform admin acting in `realm`.
fn in_realm(request: TestRequest, token: &str, realm: &str) -> TestRequest {
    request.insert_header(bearer(token)).insert_header(("realm", realm.to_owned()))
}

async fn as_platform(app: &TestApp, method: &str, path: &str, body: Option<&Value>) -> TestResponse {
    app.platform(method, "acme", path, body).await
}

fn seed_cluster() -> Value {
    json!({ "name": "Test Cluster ACC", "description": "Test cluster for ACC in Best DC", "location": "Best",
            "apiUrl": "http://testcluster.acc.best.local", "clusterBrowseUrl": "http://testclusterbrowse.acc.best.local:9999",
            "bootstrapServers": [ { "bootstrapServer": "bootstrapserver1:9092" }, { "bootstrapServer": "bootstrapserver2:9092" } ] })
}

#[actix_web::test]
async fn the_seed_example_creates_a_cluster_in_the_seed_shape() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let created = as_platform(&app, "POST", "/clusters", Some(&seed_cluster())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("etag"), Some("\"0\""));
    assert!(created.header("last-modified").is_none(), "clusters have no audit fields");
    let body = created.json();
    assert_eq!(
        keys(&body),
        [
            "name",
            "description",
            "location",
            "billingCloudEnabled",
            "apiUrl",
            "clusterBrowseUrl",
            "bootstrapServers",
            "uid",
            "_links"
        ]
    );
    assert_eq!(body["billingCloudEnabled"], Value::Null);
    assert_eq!(body["bootstrapServers"].as_array().unwrap().len(), 2);
    assert_eq!(keys(&body["_links"]), ["self", "cluster"]);
    assert_eq!(body["_links"]["cluster"]["title"], "A cluster");
    assert!(body["_links"]["cluster"].get("templated").is_none());
    let uid = body["uid"].as_str().unwrap();
    assert!(created.header("location").unwrap().ends_with(&format!("/clusters/{uid}")));

    // Every user of the realm reads it; the list offers create only to platform admins.
    let list = app.get_as(&realm.admin, "/clusters").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let list = list.json();
    assert_eq!(list["_embedded"]["clusters"][0], body);
    assert_eq!(keys(&list["_links"]), ["self", "profile", "search"], "the seed's example has no create link");
    let read = app.get_as(&realm.admin, &format!("/clusters/{uid}")).await;
    assert_eq!(read.header("etag"), Some("\"0\""));
    assert_eq!(read.json(), body);

    // PATCH: any subset; bootstrap servers are a set that a PATCH replaces.
    let patched = as_platform(
        &app,
        "PATCH",
        &format!("/clusters/{uid}"),
        Some(&json!({"description": "modified description", "billingCloudEnabled": true,
                     "bootstrapServers": [{"bootstrapServer": "b3:9092"}, {"bootstrapServer": "B3:9092"}]})),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    assert_eq!(patched.header("etag"), Some("\"1\""));
    let patched = patched.json();
    assert_eq!(patched["description"], "modified description");
    assert_eq!(patched["billingCloudEnabled"], true);
    assert_eq!(patched["bootstrapServers"], json!([{"bootstrapServer": "b3:9092"}]));
    assert_eq!(patched["location"], "Best", "left out, unchanged");

    // Searches: one exact match as an entity; a contains search, ignoring case, paged.
    as_platform(
        &app,
        "POST",
        "/clusters",
        Some(&json!({"name": "Best Cluster OTA", "bootstrapServers": [{"bootstrapServer": "10.0.0.1:9092"}]})),
    )
    .await;
    let found = app.get_as(&realm.admin, "/clusters/search/findByName?name=Test+Cluster+ACC").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text());
    assert_eq!(found.json()["uid"], uid);
    let missing = app.get_as(&realm.admin, "/clusters/search/findByName?name=test+cluster+acc").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "exact name");
    let containing = app.get_as(&realm.admin, "/clusters/search/findByNameContaining?name=best").await.json();
    assert_eq!(containing["page"]["totalElements"], 1);
    assert_eq!(containing["_embedded"]["clusters"][0]["name"], "Best Cluster OTA");
    let containing =
        app.get_as(&realm.admin, "/clusters/search/findByNameContaining?name=CLUSTER&sort=name,desc").await.json();
    let names: Vec<&str> =
        containing["_embedded"]["clusters"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Test Cluster ACC", "Best Cluster OTA"]);
    let index = app.get_as(&realm.admin, "/clusters/search").await.json();
    assert_eq!(keys(&index["_links"]), ["findByName", "findByNameContaining", "self"]);
    assert_eq!(app.get_as(&realm.admin, "/clusters/search/findByNameContaining").await.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn only_platform_admins_write_clusters_and_realms_keep_their_own() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let other = app.realm("other").await;
    let created = as_platform(&app, "POST", "/clusters", Some(&seed_cluster())).await.json();
    let path = format!("/clusters/{}", created["uid"].as_str().unwrap());
    for (method, target) in [("POST", "/clusters"), ("PATCH", path.as_str())] {
        let request = if method == "POST" { TestRequest::post() } else { TestRequest::patch() };
        let response =
            app.send(request.uri(target).insert_header(bearer(&acme.admin)).set_json(json!({"name": "Mine"}))).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{method} {target}: {}", response.text());
    }
    assert_eq!(app.get(&path).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_as(&other.admin, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&other.admin, "/clusters").await.json()["page"]["totalElements"], 0);
    let search = app.get_as(&other.admin, "/clusters/search/findByName?name=Test+Cluster+ACC").await;
    assert_eq!(search.status, StatusCode::NOT_FOUND);
    // The same name is free in another realm; taken in the same one (409), even by a rename.
    let token = app.admin_token().await;
    let elsewhere =
        app.send(in_realm(TestRequest::post().uri("/clusters"), &token, "other").set_json(seed_cluster())).await;
    assert_eq!(elsewhere.status, StatusCode::CREATED, "{}", elsewhere.text());
    let twin = as_platform(&app, "POST", "/clusters", Some(&seed_cluster())).await;
    assert_eq!(twin.status, StatusCode::CONFLICT, "{}", twin.text());
    let second = as_platform(
        &app,
        "POST",
        "/clusters",
        Some(&json!({"name": "Second", "bootstrapServers": [{"bootstrapServer": "h:1"}]})),
    )
    .await
    .json();
    let rename = as_platform(
        &app,
        "PATCH",
        &format!("/clusters/{}", second["uid"].as_str().unwrap()),
        Some(&json!({"name": "Test Cluster ACC"})),
    )
    .await;
    assert_eq!(rename.status, StatusCode::CONFLICT, "{}", rename.text());
    // No DELETE is documented.
    let delete =
        app.send(TestRequest::delete().uri(&path).insert_header(bearer(&token)).insert_header(("realm", "acme"))).await;
    assert_eq!(delete.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[actix_web::test]
async fn bad_cluster_input_is_a_400_naming_the_field_and_changes_nothing() {
    let app = TestApp::start().await;
    app.realm("acme").await;
    let servers = json!([{"bootstrapServer": "broker:9092"}]);
    for (body, field) in [
        (json!({"bootstrapServers": servers}), "name"),
        (json!({"name": "ab", "bootstrapServers": servers}), "name"),
        (json!({"name": "bad/name", "bootstrapServers": servers}), "name"),
        (json!({"name": "n".repeat(51), "bootstrapServers": servers}), "name"),
        (json!({"name": "Good"}), "bootstrapServers"),
        (json!({"name": "Good", "bootstrapServers": []}), "bootstrapServers"),
        (json!({"name": "Good", "bootstrapServers": [{"bootstrapServer": "no-port"}]}), "bootstrapServers"),
        (json!({"name": "Good", "bootstrapServers": [{"bootstrapServer": "host:99999"}]}), "bootstrapServers"),
        (json!({"name": "Good", "bootstrapServers": [{"bootstrapServer": ":9092"}]}), "bootstrapServers"),
        (json!({"name": "Good", "bootstrapServers": [{"bootstrapServer": "SASL_SSL://b:9093"}]}), "SASL_SSL protocol"),
        (json!({"name": "Good", "bootstrapServers": [{"bootstrapServer": "SSL://"}]}), "bootstrapServers"),
        (json!({"name": "Good", "bootstrapServers": "broker:9092"}), "bootstrapServers"),
        (json!({"name": "Good", "bootstrapServers": servers, "apiUrl": "not a url"}), "apiUrl"),
        (json!({"name": "Good", "bootstrapServers": servers, "clusterBrowseUrl": "ftp://x.test/"}), "clusterBrowseUrl"),
        (json!({"name": "Good", "bootstrapServers": servers, "location": "l".repeat(51)}), "location"),
        (json!({"name": "Good", "bootstrapServers": servers, "description": "d".repeat(201)}), "description"),
        (json!({"name": "Good", "bootstrapServers": servers, "billingCloudEnabled": "yes"}), "billingCloudEnabled"),
    ] {
        let response = as_platform(&app, "POST", "/clusters", Some(&body)).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}: {}", response.text());
        assert_eq!(response.json()["status"], 400);
        assert!(response.text().contains(field), "{body}: {}", response.text());
    }
    let realm = app.realm("other").await;
    assert_eq!(app.get_as(&realm.admin, "/clusters").await.json()["page"]["totalElements"], 0);
    let listed = as_platform(&app, "GET", "/clusters", None).await.json();
    assert_eq!(listed["page"]["totalElements"], 0, "nothing was created");
}

#[actix_web::test]
async fn every_realm_has_the_seeded_support_tiers_read_only() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let listed = app.get_as(&realm.admin, "/support_tiers").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    let listed = listed.json();
    assert_eq!(keys(&listed["_links"]), ["self", "profile"]);
    assert_eq!(listed["_links"]["self"]["templated"], true);
    let tiers = listed["_embedded"]["support_tiers"].as_array().unwrap();
    let names: Vec<&str> = tiers.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["GOLD", "SILVER"]);
    let gold = &tiers[0];
    assert_eq!(keys(gold), ["name", "description", "uid", "_links"]);
    assert_eq!(gold["description"], "This is gold");
    assert_eq!(keys(&gold["_links"]), ["self", "supportTier"]);
    assert_eq!(gold["_links"]["supportTier"]["templated"], true);
    assert!(gold["_links"]["supportTier"].get("title").is_none());
    let path = format!("/support_tiers/{}", gold["uid"].as_str().unwrap());
    let one = app.get_as(&realm.admin, &path).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(&one.json(), gold);
    // Another realm has tiers of its own; acme's are not visible there.
    let other = app.realm("other").await;
    assert_eq!(app.get_as(&other.admin, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&other.admin, "/support_tiers").await.json()["page"]["totalElements"], 2);
    // Read-only.
    let posted = app.json_as("POST", &realm.admin, "/support_tiers", &json!({"name": "PLATINUM"})).await;
    assert_eq!(posted.status, StatusCode::METHOD_NOT_ALLOWED, "{}", posted.text());
    assert_eq!(app.get("/support_tiers").await.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn the_cluster_profile_is_the_seeds() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let profile = app.profile(&realm.admin, "clusters").await;
    assert_eq!(profile["title"], "Cluster");
    assert_eq!(
        keys(&profile["properties"]),
        [
            "uid",
            "apiUrl",
            "bootstrapServers",
            "name",
            "clusterBrowseUrl",
            "description",
            "location",
            "billingCloudEnabled"
        ],
        "the seed's order"
    );
    crate::seed::assert_shape(&profile, &crate::seed::response_to("GET /profile/clusters HTTP"));
    assert_eq!(profile["properties"]["uid"]["readOnly"], true);
    assert_eq!(profile["properties"]["bootstrapServers"]["uniqueItems"], true);
    assert_eq!(profile["properties"]["bootstrapServers"]["items"]["$ref"], "#/definitions/bootstrapServer");
    assert_eq!(
        profile["definitions"]["bootstrapServer"]["properties"]["bootstrapServer"],
        json!({"title": "Bootstrap server", "readOnly": false, "type": "string"})
    );
}

#[actix_web::test]
async fn sorting_clusters_and_tiers_is_served_by_indexes() {
    let app = TestApp::start().await;
    let mut conn = app.state.db.conn().unwrap();
    portico_core::testing::assert_sort_indexed(
        &mut conn,
        "catalog_clusters",
        &portico_catalog::store::clusters::CLUSTER_SORT,
        &["realm_id"],
    );
    portico_core::testing::assert_sort_indexed(
        &mut conn,
        "catalog_support_tiers",
        &portico_catalog::store::support_tiers::TIER_SORT,
        &["realm_id"],
    );
}
