//! Axual instances over HTTP: the seed's example and shapes, relations by URI (clusters and
//! support tiers, in this realm only), CA certificates read for real, searches, roles and bad
//! input.

use crate::support::{TestApp, TestResponse, bearer, certificate, keys};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

/// 2038-05-24T10:34:14, the seed's `expiresOn`.
const SEED_EXPIRY: i64 = 2_158_310_054;

async fn send(app: &TestApp, method: &str, realm: &str, path: &str, body: Option<&Value>) -> TestResponse {
    app.platform(method, realm, path, body).await
}

/// A cluster of `realm`; returns its URI as the seed writes them.
async fn cluster(app: &TestApp, realm: &str, name: &str) -> String {
    let body = json!({"name": name, "bootstrapServers": [{"bootstrapServer": "broker1:9092"}]});
    let created = send(app, "POST", realm, "/clusters", Some(&body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    format!("http://api.example.com/clusters/{}", created.json()["uid"].as_str().unwrap())
}

async fn gold(app: &TestApp, token: &str) -> String {
    let tiers = app.get_as(token, "/support_tiers").await.json();
    tiers["_embedded"]["support_tiers"][0]["uid"].as_str().unwrap().to_owned()
}

fn seed_instance(cluster: &str, tier: &str, pem: &str) -> Value {
    json!({ "name": "AEB LST", "description": "AEB Load Stress Testing Instance",
            "instanceClusters": [ { "cluster": cluster, "schemaRegistryUrls": "schema.registry.local:24001,schema.registry.local:24002" } ],
            "supportTier": format!("http://api.example.com/supportTiers/{tier}"),
            "caCerts": [ { "pem": pem } ],
            "apiUrl": "http://boxtel-lst.instance.local", "shortName": "lst", "connectEnabled": false })
}

#[actix_web::test]
async fn the_seed_example_creates_an_instance_in_the_seed_shape() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let cluster_uri = cluster(&app, "acme", "Best Cluster LST").await;
    let tier = gold(&app, &realm.admin).await;
    let (pem, _) = certificate(SEED_EXPIRY);
    let created = send(&app, "POST", "acme", "/instances", Some(&seed_instance(&cluster_uri, &tier, &pem))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("etag"), Some("\"0\""));
    assert!(created.header("last-modified").is_some());
    let body = created.json();
    assert_eq!(
        keys(&body),
        [
            "properties",
            "name",
            "description",
            "apiUrl",
            "instanceClusters",
            "caCerts",
            "shortName",
            "connectEnabled",
            "connectUrls",
            "uid",
            "created_at",
            "modified_at",
            "created_by",
            "modified_by",
            "_embedded",
            "_links"
        ]
    );
    assert_eq!(
        body["properties"],
        json!({"replication.factor": "1", "cleanup.policy": "delete", "num.partitions": "12",
               "min.insync.replicas": "1", "segment.ms": "86400000", "retention.ms": "604800000"})
    );
    assert_eq!(keys(&body["properties"])[0], "replication.factor", "the seed's order");
    let link = &body["instanceClusters"][0];
    assert_eq!(keys(link), ["schemaRegistryUrls", "_links"]);
    assert_eq!(link["_links"]["cluster"]["title"], "A cluster");
    assert!(link["_links"]["cluster"]["href"].as_str().unwrap().ends_with(cluster_uri.rsplit('/').next().unwrap()));
    assert_eq!(body["caCerts"], json!([{"pem": pem, "expiresOn": "2038-05-24T10:34:14"}]));
    assert_eq!(body["connectUrls"], Value::Null);
    let embedded = &body["_embedded"]["supportTier"];
    assert_eq!(keys(embedded), ["name", "description", "uid", "_links"]);
    assert_eq!(embedded["name"], "GOLD");
    assert_eq!(embedded["_links"]["self"]["templated"], true);
    assert_eq!(keys(&body["_links"]), ["self", "instance", "edit", "synchronize", "supportTier"]);
    assert_eq!(body["_links"]["instance"]["templated"], true);
    let uid = body["uid"].as_str().unwrap();
    assert!(
        body["_links"]["supportTier"]["href"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/instances/{uid}/supportTier{{?projection}}"))
    );

    // The tenant admin reads it (no edit link, but synchronize); the list shows summaries with
    // inline clusters.
    let read = app.get_as(&realm.admin, &format!("/instances/{uid}")).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    assert_eq!(keys(&read.json()["_links"]), ["self", "instance", "synchronize", "supportTier"]);
    let list = app.get_as(&realm.admin, "/instances").await.json();
    let item = &list["_embedded"]["instances"][0];
    assert_eq!(keys(item), ["name", "instanceClusters", "description", "uid", "_links"]);
    assert_eq!(keys(&item["instanceClusters"][0]), ["schemaRegistryUrls", "cluster"]);
    assert_eq!(item["instanceClusters"][0]["cluster"]["name"], "Best Cluster LST");
    assert!(item["instanceClusters"][0]["cluster"].get("_links").is_none());
    assert_eq!(keys(&item["_links"]), ["self", "instance", "supportTier"]);
    assert!(list["_links"].get("create").is_none(), "tenant admins do not create instances");
    let tier_of = app.get_as(&realm.admin, &format!("/instances/{uid}/supportTier")).await;
    assert_eq!(tier_of.status, StatusCode::OK);
    assert_eq!(tier_of.json()["name"], "GOLD");

    // Searches.
    let found = app.get_as(&realm.admin, "/instances/search/findByName?name=AEB+LST").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text());
    assert_eq!(keys(&found.json()["_links"]), ["self", "instance", "supportTier"]);
    assert_eq!(app.get_as(&realm.admin, "/instances/search/findByName?name=AEB").await.status, StatusCode::NOT_FOUND);
    let containing = app.get_as(&realm.admin, "/instances/search/findByNameContaining?name=lst").await.json();
    assert_eq!(containing["page"]["totalElements"], 1);
    assert_eq!(
        keys(&app.get_as(&realm.admin, "/instances/search").await.json()["_links"]),
        ["findByName", "findByNameContaining", "self"]
    );
}

#[actix_web::test]
async fn a_patch_replaces_clusters_and_certificates_and_sets_properties() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let first = cluster(&app, "acme", "First Cluster").await;
    let second = cluster(&app, "acme", "Second Cluster").await;
    let tier = gold(&app, &realm.admin).await;
    let (pem, _) = certificate(SEED_EXPIRY);
    let created = send(&app, "POST", "acme", "/instances", Some(&seed_instance(&first, &tier, &pem))).await.json();
    let path = format!("/instances/{}", created["uid"].as_str().unwrap());
    let refused = send(&app, "PATCH", "acme", &path, Some(&json!({"connectEnabled": true}))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text());
    assert!(refused.text().contains("connectUrls"));
    let (renewed, _) = certificate(SEED_EXPIRY + 86_400);
    let patched = send(
        &app,
        "PATCH",
        "acme",
        &path,
        Some(&json!({
            "instanceClusters": [{"cluster": second, "schemaRegistryUrls": "https://schema.local1"}],
            "caCerts": [{"pem": renewed, "expiresOn": "ignored"}],
            "connectEnabled": true, "connectUrls": "test-connect-worker-1,test-connect-worker-2",
            "properties": {"num.partitions": 24, "retention.ms": null, "max.message.bytes": "2097152"},
            "supportTier": null
        })),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    assert_eq!(patched.header("etag"), Some("\"1\""));
    let body = patched.json();
    assert_eq!(body["instanceClusters"].as_array().unwrap().len(), 1);
    assert!(
        body["instanceClusters"][0]["_links"]["cluster"]["href"]
            .as_str()
            .unwrap()
            .ends_with(second.rsplit('/').next().unwrap())
    );
    assert_eq!(body["caCerts"][0]["expiresOn"], "2038-05-25T10:34:14");
    assert_eq!(body["connectEnabled"], true);
    assert_eq!(body["properties"]["num.partitions"], "24");
    assert!(body["properties"].get("retention.ms").is_none());
    assert_eq!(body["properties"]["max.message.bytes"], "2097152");
    assert!(body.get("_embedded").is_none(), "the tier was cleared");
    assert_eq!(body["name"], "AEB LST", "left out, unchanged");
    assert_eq!(app.get_as(&realm.admin, &format!("{path}/supportTier")).await.status, StatusCode::NOT_FOUND);
    // A stale If-Match is refused.
    let token = app.admin_token().await;
    let stale = app
        .send(
            TestRequest::patch()
                .uri(&path)
                .insert_header(bearer(&token))
                .insert_header(("realm", "acme"))
                .insert_header(("if-match", "\"0\""))
                .set_json(json!({"description": "late"})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.text());
}

#[actix_web::test]
async fn bad_instances_are_400s_naming_the_field_and_nothing_is_created() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    app.realm("other").await;
    let mine = cluster(&app, "acme", "Acme Cluster").await;
    let foreign = cluster(&app, "other", "Other Cluster").await;
    let tier = gold(&app, &realm.admin).await;
    let (pem, key) = certificate(SEED_EXPIRY);
    let valid = seed_instance(&mine, &tier, &pem);
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = valid.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    for (body, field) in [
        (without("name"), "name"),
        (without("shortName"), "shortName"),
        (without("apiUrl"), "apiUrl"),
        (without("instanceClusters"), "instanceClusters"),
        (without("caCerts"), "caCerts"),
        (with("name", json!("x")), "name"),
        (with("shortName", json!("way-too-long-name")), "shortName"),
        (with("apiUrl", json!("not a url")), "apiUrl"),
        (with("instanceClusters", json!([])), "instanceClusters"),
        (with("instanceClusters", json!([{"cluster": foreign}])), "instanceClusters"),
        (
            with(
                "instanceClusters",
                json!([{"cluster": "http://api.example.com/clusters/0123456789abcdef0123456789abcdef"}]),
            ),
            "instanceClusters",
        ),
        (
            with(
                "instanceClusters",
                json!([{"cluster": "http://api.example.com/groups/0123456789abcdef0123456789abcdef"}]),
            ),
            "instanceClusters",
        ),
        (with("instanceClusters", json!([{"cluster": mine}, {"cluster": mine}])), "instanceClusters"),
        (
            with("supportTier", json!("http://api.example.com/support_tiers/0123456789abcdef0123456789abcdef")),
            "supportTier",
        ),
        (with("supportTier", json!("not-a-uri")), "supportTier"),
        (with("connectUrls", json!("http://admin:s3cret@connect:8083")), "connectUrls"),
        (with("connectUrls", json!("ftp://connect")), "connectUrls"),
        (with("connectUrls", json!("https://connect1.url, not a url")), "connectUrls"),
        (with("caCerts", json!([])), "caCerts"),
        (with("caCerts", json!([{"pem": "not a certificate"}])), "caCerts"),
        (with("caCerts", json!([{"pem": key}])), "caCerts"),
        (with("properties", json!({"num.partitions": "many"})), "num.partitions"),
        (with("properties", json!({"cleanup.policy": "forever"})), "cleanup.policy"),
        (with("properties", json!({"Bad Key": "1"})), "properties"),
        (with("properties", json!({"segment.ms": {"nested": 1}})), "properties"),
        (with("connectEnabled", json!("yes")), "connectEnabled"),
    ] {
        let response = send(&app, "POST", "acme", "/instances", Some(&body)).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{field}: {}", response.text());
        assert_eq!(response.json()["status"], 400);
        assert!(response.text().contains(field), "{field}: {}", response.text());
        let secret_line = key.lines().nth(1).unwrap();
        assert!(!response.text().contains(secret_line), "a private key is never echoed");
    }
    assert_eq!(app.get_as(&realm.admin, "/instances").await.json()["page"]["totalElements"], 0, "nothing was created");
    // A taken short name is a conflict.
    assert_eq!(send(&app, "POST", "acme", "/instances", Some(&valid)).await.status, StatusCode::CREATED);
    let twin = send(&app, "POST", "acme", "/instances", Some(&with("name", json!("Another")))).await;
    assert_eq!(twin.status, StatusCode::CONFLICT, "{}", twin.text());
}

#[actix_web::test]
async fn only_platform_admins_write_instances_and_other_realms_see_none() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let other = app.realm("other").await;
    let cluster_uri = cluster(&app, "acme", "Acme Cluster").await;
    let tier = gold(&app, &acme.admin).await;
    let (pem, _) = certificate(SEED_EXPIRY);
    let body = seed_instance(&cluster_uri, &tier, &pem);
    let denied = app.json_as("POST", &acme.admin, "/instances", &body).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.text());
    let created = send(&app, "POST", "acme", "/instances", Some(&body)).await.json();
    let path = format!("/instances/{}", created["uid"].as_str().unwrap());
    let patch = app.json_as("PATCH", &acme.admin, &path, &json!({"description": "mine"})).await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&path).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_as(&other.admin, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&other.admin, "/instances").await.json()["page"]["totalElements"], 0);
    assert_eq!(
        app.get_as(&other.admin, "/instances/search/findByName?name=AEB+LST").await.status,
        StatusCode::NOT_FOUND
    );
    let delete = app.send(TestRequest::delete().uri(&path).insert_header(bearer(&acme.admin))).await;
    assert_eq!(delete.status, StatusCode::METHOD_NOT_ALLOWED, "no DELETE is documented");
}

#[actix_web::test]
async fn the_instance_profile_is_the_seeds() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let profile = app.profile(&realm.admin, "instances").await;
    assert_eq!(profile["title"], "Instance");
    crate::seed::assert_shape(&profile, &crate::seed::response_to("GET /profile/instances HTTP"));
    assert_eq!(profile, crate::seed::response_to("GET /profile/instances HTTP"), "the seed's profile, verbatim");
    assert_eq!(profile["properties"]["supportTier"]["format"], "uri");
    assert_eq!(profile["properties"]["instanceClusters"]["uniqueItems"], true);
    assert_eq!(profile["properties"]["instanceClusters"]["items"]["$ref"], "#/definitions/instanceClusters");
    assert_eq!(profile["properties"]["caCerts"]["items"]["$ref"], "#/definitions/cACert");
    assert_eq!(profile["definitions"]["cACert"]["properties"]["expiresOn"]["format"], "date-time");
    assert_eq!(profile["definitions"]["instanceClusters"]["properties"]["cluster"]["format"], "uri");
    for read_only in ["uid", "created_at", "created_by"] {
        assert_eq!(profile["properties"][read_only]["readOnly"], true, "{read_only}");
    }
    assert_eq!(profile["properties"]["modified_at"]["readOnly"], false);
}

#[actix_web::test]
async fn deleting_a_tenant_removes_its_instances_clusters_and_tiers() {
    let app = TestApp::start().await;
    let realm = app.realm("gone").await;
    let cluster_uri = cluster(&app, "gone", "Gone Cluster").await;
    let tier = gold(&app, &realm.admin).await;
    let (pem, _) = certificate(SEED_EXPIRY);
    let created = send(&app, "POST", "gone", "/instances", Some(&seed_instance(&cluster_uri, &tier, &pem))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let admin = app.admin_token().await;
    let deleted = app.json_as("DELETE", &admin, &format!("/v1/tenants/{}", realm.id), &json!({})).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    let realm_id = uuid::Uuid::parse_str(&realm.id).unwrap().to_string();
    assert_eq!(app.tables_holding_realm(&realm_id), Vec::<&str>::new());
}
