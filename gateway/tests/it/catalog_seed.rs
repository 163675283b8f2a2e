//! The seed's own catalog examples, replayed: a realm laid out as the seed's (instance, clusters,
//! public and private environments, schemas with versions, streams with levels, a stream config)
//! answers each documented read with the shape the seed prints (keys and their order, link
//! relations, titles and `templated`), compared by `seed::assert_shape`.

use crate::seed::{differences, response_to};
use crate::support::{TestApp, USER_PASSWORD, encoded, uid_of, uri};
use serde_json::{Value, json};

const KEY: &str =
    r#"{"type":"record","name":"KeySchema1","namespace":"nl.rabobank.beb","fields":[{"name":"id","type":"string"}]}"#;
const VALUE: &str =
    r#"{"type":"record","name":"ValueSchema1","namespace":"nl.rabobank.beb","fields":[{"name":"v","type":"long"}]}"#;

/// Marks a read the platform admin makes (acting in the realm).
const PLATFORM: &str = "platform:";

#[actix_web::test]
async fn every_documented_catalog_read_answers_in_the_seed_shape() {
    let app = TestApp::start().await;
    let realm = app.realm("rabo").await;
    // The seed's caller administers the tenant's streams and environments and is in the groups.
    let power = realm.user("poweruser@rabobank.nl", &["TENANT_ADMIN", "STREAM_ADMIN", "ENVIRONMENT_ADMIN"]).await;
    let group = |name: &str| {
        let body = json!({"name": name, "members": [uri("users", &power.uid)]});
        let admin = realm.admin.clone();
        let app = &app;
        async move { uid_of(&app.json_accepting("POST", &admin, "/groups", "application/hal+json", &body).await) }
    };
    let owners = group("Stream-raboApplication1").await;
    let token = app.password_token("rabo", "poweruser@rabobank.nl", USER_PASSWORD).await;
    let post = |path: &str, body: Value| {
        let (app, token, path) = (&app, token.clone(), path.to_owned());
        async move { uid_of(&app.json_accepting("POST", &token, &path, "application/hal+json", &body).await) }
    };
    let platform = |path: &str, body: Value| {
        let (app, path) = (&app, path.to_owned());
        async move { uid_of(&app.platform("POST", "rabo", &path, Some(&body)).await) }
    };

    let confidentiality = post("/confidentialities", json!({"level": "C1", "description": "c", "color": "blue"})).await;
    let integrity =
        post("/integrities", json!({"level": "L2", "description": "This is level 2", "color": "yellow"})).await;
    let cluster = platform(
        "/clusters",
        json!({"name": "Best Cluster LST", "description": "cluster", "location": "Boxtel", "apiUrl": "http://api.local",
               "clusterBrowseUrl": "http://browse.local", "bootstrapServers": [{"bootstrapServer": "b:9092"}]}),
    )
    .await;
    let (pem, _) = crate::support::certificate(4_102_444_800); // valid until 2100
    let tiers = app.get_as(&token, "/support_tiers").await.json();
    let gold = tiers["_embedded"]["support_tiers"][0]["uid"].as_str().unwrap().to_owned();
    let instance = platform(
        "/instances",
        json!({"name": "Rabo OTA", "shortName": "ota", "description": "Rabo OTA Instance", "apiUrl": "http://aeb-ota.local",
               "supportTier": uri("support_tiers", &gold),
               "instanceClusters": [{"cluster": uri("clusters", &cluster), "schemaRegistryUrls": "https://schema.local3"}],
               "caCerts": [{"pem": pem}]}),
    )
    .await;
    let environment = platform(
        "/environments",
        json!({"name": "raboenv1", "shortName": "raboenv1", "description": "environment", "visibility": "public",
               "instance": uri("instances", &instance), "owners": uri("groups", &owners)}),
    )
    .await;
    let private = post(
        "/environments",
        json!({"name": "private env", "shortName": "privateenv", "visibility": "private", "owners": uri("groups", &owners)}),
    )
    .await;
    for (body, version) in [(KEY, "1.0"), (VALUE, "1.0")] {
        let uploaded =
            app.json_as("POST", &token, "/schemas/upload", &json!({"schema": body, "version": version})).await;
        assert!(uploaded.status.is_success(), "{}", uploaded.text());
    }
    let schema_uid = |name: &str| {
        let (app, token, name) = (&app, token.clone(), name.to_owned());
        async move {
            let found = app.get_as(&token, &format!("/schemas/search/findByName?name={name}")).await.json();
            found["_embedded"]["schemas"][0]["uid"].as_str().unwrap().to_owned()
        }
    };
    let key_schema = schema_uid("nl.rabobank.beb.KeySchema1").await;
    let value_schema = schema_uid("nl.rabobank.beb.ValueSchema1").await;
    let version_of = |schema: &str| {
        let (app, token, schema) = (&app, token.clone(), schema.to_owned());
        async move {
            let path = format!("/schema_versions/search/findAllBySchema?schema={}", encoded(&uri("schemas", &schema)));
            let found = app.get_as(&token, &path).await.json();
            found["_embedded"]["schema_versions"][0]["uid"].as_str().unwrap().to_owned()
        }
    };
    let key_version = version_of(&key_schema).await;
    let value_version = version_of(&value_schema).await;
    // rabo-stream1 as the seed's stream examples (no levels), rabo-stream2 as its stream
    // config's (with levels).
    let stream = post(
        "/streams",
        json!({"name": "rabo-stream1", "keyType": "AVRO", "valueType": "AVRO", "owners": uri("groups", &owners),
               "keySchema": uri("schemas", &key_schema), "valueSchema": uri("schemas", &value_schema)}),
    )
    .await;
    let configured = post(
        "/streams",
        json!({"name": "rabo-stream2", "keyType": "AVRO", "valueType": "AVRO", "owners": uri("groups", &owners),
               "keySchema": uri("schemas", &key_schema), "valueSchema": uri("schemas", &value_schema),
               "integrity": uri("integrities", &integrity), "confidentiality": uri("confidentialities", &confidentiality)}),
    )
    .await;
    post(
        "/stream_configs",
        json!({"stream": uri("streams", &configured), "environment": uri("environments", &environment),
               "keySchemaVersion": uri("schema_versions", &key_version), "valueSchemaVersion": uri("schema_versions", &value_version)}),
    )
    .await;

    // (the seed's request line, the same request here)
    let reads: Vec<(&str, String)> = vec![
        ("GET /profile/instances HTTP", "/profile/instances".into()),
        // The seed's instance examples are read by the platform ("Axual") admin: `show`,
        // `create`, `edit`.
        ("GET /instances HTTP", format!("{PLATFORM}/instances")),
        ("GET /instances/b9301e9144324928911f7d83ec40c478 HTTP", format!("{PLATFORM}/instances/{instance}")),
        ("GET /instances/search/findByName?", "/instances/search/findByName?name=Rabo+OTA".into()),
        ("GET /instances/search/findByNameContaining?", "/instances/search/findByNameContaining?name=ota".into()),
        ("GET /profile/clusters HTTP", "/profile/clusters".into()),
        ("GET /clusters HTTP", "/clusters".into()),
        ("GET /clusters/66c12e25ab06458eac988f0d700fbe81 HTTP", format!("/clusters/{cluster}")),
        ("GET /clusters/search/findByName?", "/clusters/search/findByName?name=Best+Cluster+LST".into()),
        ("GET /clusters/search/findByNameContaining?", "/clusters/search/findByNameContaining?name=best".into()),
        ("GET /confidentialities HTTP", "/confidentialities".into()),
        (
            "GET /confidentialities/347ab08009fe4da8be6905b55552ab52 HTTP",
            format!("/confidentialities/{confidentiality}"),
        ),
        ("GET /integrities HTTP", "/integrities".into()),
        ("GET /integrities/247ab08159fe4da8be6905b55552ab52 HTTP", format!("/integrities/{integrity}")),
        ("GET /profile/environments HTTP", "/profile/environments".into()),
        ("GET /environments HTTP", "/environments".into()),
        ("GET /environments/search/findByName?", "/environments/search/findByName?name=raboenv1".into()),
        (
            "GET /environments/search/findByNameContaining?",
            "/environments/search/findByNameContaining?name=raboenv1".into(),
        ),
        ("GET /environments/search/findByShortName?", "/environments/search/findByShortName?shortName=raboenv1".into()),
        ("GET /profile/streams HTTP", "/profile/streams".into()),
        ("GET /streams HTTP", "/streams".into()),
        ("GET /streams/066f5944d16344f88c9214d240d139dc HTTP", format!("/streams/{stream}")),
        ("GET /streams/search/findByName?", "/streams/search/findByName?name=rabo-stream1".into()),
        ("GET /streams/search/findByNameContaining?", "/streams/search/findByNameContaining?name=stream".into()),
        (
            "GET /streams/066f5944d16344f88c9214d240d139dc/deletion-constraints HTTP",
            format!("/streams/{stream}/deletion-constraints"),
        ),
        ("GET /profile/stream_configs HTTP", "/profile/stream_configs".into()),
        (
            "GET /stream_configs/search/findByStream?",
            format!("/stream_configs/search/findByStream?stream={}", encoded(&uri("streams", &configured))),
        ),
        (
            "GET /stream_configs/search/findByEnvironment?",
            format!("/stream_configs/search/findByEnvironment?environment={}", encoded(&uri("environments", &private))),
        ),
        (
            "GET /stream_configs/search/findByStreamAndEnvironment?",
            format!(
                "/stream_configs/search/findByStreamAndEnvironment?stream={}&environment={}",
                encoded(&uri("streams", &configured)),
                encoded(&uri("environments", &environment))
            ),
        ),
        ("GET /profile/schemas HTTP", "/profile/schemas".into()),
        ("GET /schemas HTTP", "/schemas".into()),
        ("GET /schemas?projection=names HTTP", "/schemas?projection=names".into()),
        ("GET /schemas/4edccfd6aa744e698542da36f1f01114 HTTP", format!("/schemas/{key_schema}")),
        ("GET /schemas/search/findByName?", "/schemas/search/findByName?name=nl.rabobank.beb.KeySchema1".into()),
        ("GET /schemas/search/findByNameContaining?", "/schemas/search/findByNameContaining?name=rabobank".into()),
        ("GET /profile/schema_versions HTTP", "/profile/schema_versions".into()),
        ("GET /schema_versions HTTP", "/schema_versions".into()),
        ("GET /schema_versions?projection=versions HTTP", "/schema_versions?projection=versions".into()),
        (
            "GET /schema_versions/search/findAllBySchema?",
            format!("/schema_versions/search/findAllBySchema?schema={}", encoded(&uri("schemas", &key_schema))),
        ),
        ("GET /support_tiers HTTP", "/support_tiers".into()),
    ];
    let mut failures = Vec::new();
    for (seed_request, path) in &reads {
        let response = match path.strip_prefix(PLATFORM) {
            Some(path) => app.platform("GET", "rabo", path, None).await,
            None => {
                let mut request =
                    actix_web::test::TestRequest::get().uri(path).insert_header(crate::support::bearer(&token));
                if path.starts_with("/profile/") {
                    request = request.insert_header(("accept", "application/schema+json"));
                }
                app.send(request).await
            }
        };
        if response.status != actix_web::http::StatusCode::OK {
            failures.push(format!("{path}: {} {}", response.status, response.text()));
            continue;
        }
        let expected = response_to(seed_request);
        let mut differences = differences(&response.json(), &expected);
        if path.starts_with("/profile/") && response.json() != expected {
            differences.push("the profile's content is not the seed's".to_owned());
        }
        if !differences.is_empty() {
            failures.push(format!("{path}:\n  {}", differences.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} reads differ from the seed:\n{}",
        failures.len(),
        reads.len(),
        failures.join("\n\n")
    );
}
