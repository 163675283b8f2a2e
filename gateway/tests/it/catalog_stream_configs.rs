//! Axual stream configs over HTTP: the seed's examples and shapes, defaults from the
//! environment and its instance, schema versions of the stream's schemas, one config per
//! stream and environment, roles, private environments, searches, two-step delete, the
//! streams' and environments' deletion constraints, bad input and other realms.

use crate::seed::{assert_shape, response_to};
use crate::support::{TestApp, TestRealm, TestResponse, USER_PASSWORD, bearer, encoded, keys, uid_of, uri};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

pub(crate) const KEY: &str =
    r#"{"type":"record","name":"Key","namespace":"nl.rabobank.beb","fields":[{"name":"id","type":"string"}]}"#;
const VALUE: &str =
    r#"{"type":"record","name":"Value","namespace":"nl.rabobank.beb","fields":[{"name":"v","type":"long"}]}"#;

/// Realm `acme` as the seed's examples have it: an instance (with `segment.ms`), the public
/// environment `raboenv1` on it, a private environment, an AVRO stream with levels, its
/// schemas' versions, a member of the owning group and an outsider.
pub(crate) struct Fixture<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) realm: TestRealm<'a>,
    pub(crate) member: String,
    pub(crate) outsider: String,
    pub(crate) group: String,
    pub(crate) cluster: String,
    pub(crate) instance: String,
    pub(crate) environment: String,
    pub(crate) private: String,
    pub(crate) stream: String,
    pub(crate) plain: String,
    pub(crate) integrity: String,
    pub(crate) confidentiality: String,
    pub(crate) key_schema: String,
    pub(crate) key_version: String,
    pub(crate) value_version: String,
    pub(crate) other_key_version: String,
}

pub(crate) async fn fixture(app: &TestApp) -> Fixture<'_> {
    let realm = app.realm("acme").await;
    let member = realm.user("member@acme.test", &[]).await;
    let outsider = realm.user("outsider@acme.test", &[]).await;
    let group = realm.group("Stream-raboApplication2", &[&member.uid]).await;
    let member = app.password_token("acme", "member@acme.test", USER_PASSWORD).await;
    let mut versions = Vec::new();
    for (body, name, version) in [
        (KEY, "nl.rabobank.beb.Key", "1"),
        (VALUE, "nl.rabobank.beb.Value", "1"),
        (VALUE, "nl.rabobank.beb.Value", "2"),
    ] {
        let body = if version == "2" {
            body.replace(r#""type":"long"}"#, r#""type":"long"},{"name":"w","type":["null","string"],"default":null}"#)
        } else {
            body.to_owned()
        };
        let uploaded =
            app.json_as("POST", &realm.admin, "/schemas/upload", &json!({"schema": body, "version": version})).await;
        assert!(uploaded.status.is_success(), "{}", uploaded.text());
        let schema = app.get_as(&realm.admin, &format!("/schemas/search/findByName?name={name}")).await.json();
        let schema = schema["_embedded"]["schemas"][0]["uid"].as_str().unwrap().to_owned();
        let found = app
            .get_as(
                &realm.admin,
                &format!("/schema_versions/search/findAllBySchema?schema={}", uri("schemas", &schema)),
            )
            .await
            .json();
        let found = found["_embedded"]["schema_versions"].as_array().unwrap().last().unwrap()["uid"].clone();
        versions.push((schema, found.as_str().unwrap().to_owned()));
    }
    let integrity = uid_of(
        &app.json_accepting("POST", &realm.admin, "/integrities", "application/hal+json", &json!({"level": "L2"}))
            .await,
    );
    let confidentiality = uid_of(
        &app.json_accepting(
            "POST",
            &realm.admin,
            "/confidentialities",
            "application/hal+json",
            &json!({"level": "L2"}),
        )
        .await,
    );
    let cluster = uid_of(
        &app.platform(
            "POST",
            "acme",
            "/clusters",
            Some(&json!({"name": "Boxtel", "bootstrapServers": [{"bootstrapServer": "b:9092"}]})),
        )
        .await,
    );
    let (pem, _) = crate::support::certificate(4_102_444_800); // valid until 2100
    let instance = uid_of(
        &app.platform(
            "POST",
            "acme",
            "/instances",
            Some(&json!({"name": "Rabo OTA", "shortName": "ota", "apiUrl": "http://ota.local",
                         "instanceClusters": [{"cluster": uri("clusters", &cluster)}], "caCerts": [{"pem": pem}],
                         "properties": {"segment.ms": "172800000", "replication.factor": "2"}})),
        )
        .await,
    );
    let environment = uid_of(&app
        .platform(
            "POST",
            "acme",
            "/environments",
            Some(&json!({"name": "raboenv1", "shortName": "raboenv1", "description": "environment", "visibility": "public",
                         "partitions": 6, "instance": uri("instances", &instance), "owners": uri("groups", &group)})),
        )
        .await);
    let private = uid_of(&app
        .json_accepting(
            "POST",
            &realm.admin,
            "/environments",
            "application/hal+json",
            &json!({"name": "Team Sandbox", "shortName": "sandbox", "visibility": "private", "owners": uri("groups", &group)}),
        )
        .await);
    let stream = uid_of(&app
        .json_accepting(
            "POST",
            &member,
            "/streams",
            "application/hal+json",
            &json!({"name": "rabo-stream2", "keyType": "AVRO", "valueType": "AVRO", "owners": uri("groups", &group),
                    "keySchema": uri("schemas", &versions[0].0), "valueSchema": uri("schemas", &versions[1].0),
                    "integrity": uri("integrities", &integrity), "confidentiality": uri("confidentialities", &confidentiality)}),
        )
        .await);
    let plain = uid_of(
        &app.json_accepting(
            "POST",
            &member,
            "/streams",
            "application/hal+json",
            &json!({"name": "plain-stream", "keyType": "STRING", "valueType": "JSON", "owners": uri("groups", &group)}),
        )
        .await,
    );
    Fixture {
        app,
        realm,
        member,
        outsider: outsider.token,
        group,
        cluster,
        instance,
        environment,
        private,
        stream,
        plain,
        integrity,
        confidentiality,
        key_schema: versions[0].0.clone(),
        key_version: versions[0].1.clone(),
        value_version: versions[1].1.clone(),
        other_key_version: versions[2].1.clone(),
    }
}

impl Fixture<'_> {
    /// The seed's create example, pointed at this realm's entities.
    pub(crate) fn seed_body(&self) -> Value {
        json!({ "retentionTime": 10000, "partitions": 12,
                "stream": uri("streams", &self.stream), "environment": uri("environments", &self.environment),
                "keySchemaVersion": uri("schema_versions", &self.key_version),
                "valueSchemaVersion": uri("schema_versions", &self.value_version) })
    }

    async fn create(&self, token: &str, body: &Value) -> TestResponse {
        self.app.json_accepting("POST", token, "/stream_configs", "application/hal+json", body).await
    }

    async fn delete(&self, token: &str, path: &str) -> TestResponse {
        self.app.send(TestRequest::delete().uri(path).insert_header(bearer(token))).await
    }
}

#[actix_web::test]
async fn the_seed_examples_create_read_patch_and_delete_a_stream_config_in_the_seed_shape() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let created = app.json_as("POST", &f.member, "/stream_configs", &f.seed_body()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("etag"), Some("\"0\""));
    assert!(created.header("last-modified").is_some());
    let location = created.header("location").unwrap().to_owned();
    let config = location.rsplit('/').next().unwrap().to_owned();
    assert!(location.ends_with(&format!("/stream_configs/{config}")));
    let path = format!("/stream_configs/{config}");

    let read = app.get_as(&f.member, &path).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    let body = read.json();
    assert_shape(&body, &response_to("POST /stream_configs HTTP"));
    assert_shape(&body, &response_to("GET /stream_configs/c082e097545948dcbd0cf993128d3fc2 HTTP"));
    // The instance's segment.ms is inherited (as the seed's create example shows); the given
    // retention and partitions are kept.
    assert_eq!(body["properties"], json!({"segment.ms": "172800000"}));
    assert_eq!((body["retentionTime"].as_i64(), body["partitions"].as_i64()), (Some(10000), Some(12)));
    assert_eq!(body["_embedded"]["environment"]["shortName"], "raboenv1");
    assert_eq!(body["_embedded"]["stream"]["integrity"]["level"], "l2", "integrity levels are lower-cased");

    // The associations lead to the stream, the environment and the versions.
    for (association, field, expected) in [
        ("stream", "name", "rabo-stream2"),
        ("environment", "shortName", "raboenv1"),
        ("keySchemaVersion", "uid", f.key_version.as_str()),
        ("valueSchemaVersion", "uid", f.value_version.as_str()),
    ] {
        let related = app.get_as(&f.outsider, &format!("{path}/{association}")).await;
        assert_eq!(related.status, StatusCode::OK, "{association}: {}", related.text());
        assert_eq!(related.json()[field], expected, "{association}");
    }
    assert_eq!(app.get_as(&f.outsider, &format!("{path}/nonsense")).await.status, StatusCode::NOT_FOUND);

    // The seed's PATCH: 204 with the next ETag; partitions only grow.
    let patched = app.json_as("PATCH", &f.member, &path, &json!({"retentionTime": 40000})).await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text());
    assert_eq!(patched.header("etag"), Some("\"1\""));
    let shrink = app.json_as("PATCH", &f.member, &path, &json!({"partitions": 6})).await;
    assert_eq!(shrink.status, StatusCode::BAD_REQUEST, "{}", shrink.text());
    assert!(shrink.text().contains("partitions"), "{}", shrink.text());
    let grown = app.json_accepting("PATCH", &f.member, &path, "application/hal+json", &json!({"partitions": 24})).await;
    assert_eq!(grown.json()["partitions"], 24);
    assert_eq!(grown.json()["retentionTime"], 40000);
    let moved = app.json_as("PATCH", &f.member, &path, &json!({"environment": uri("environments", &f.private)})).await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST, "{}", moved.text());
    let stale = app
        .send(
            TestRequest::patch()
                .uri(&path)
                .insert_header(bearer(&f.member))
                .insert_header(("if-match", "\"0\""))
                .set_json(json!({"retentionTime": 5000})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    // The stream and the environment count the config and cannot go while it exists.
    let stream_constraints = app.get_as(&f.member, &format!("/streams/{}/deletion-constraints", f.stream)).await;
    assert_eq!(stream_constraints.text(), r#"{"canDelete":false,"streamConfigsCount":1,"activeGrantsCount":0}"#);
    let refused = f.delete(&f.member, &format!("/streams/{}", f.stream)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    // The stream's key schema cannot change under the config's pinned version.
    let moved_schema = app
        .json_as(
            "PATCH",
            &f.member,
            &format!("/streams/{}", f.stream),
            &json!({"keyType": "STRING", "keySchema": null}),
        )
        .await;
    assert_eq!(moved_schema.status, StatusCode::CONFLICT, "{}", moved_schema.text());

    // Two-step delete, as the seed shows it.
    let constraints = app.get_as(&f.member, &format!("{path}/deletion-constraints")).await;
    assert_eq!(constraints.status, StatusCode::OK);
    assert_eq!(constraints.text(), r#"{"activeGrantsCount":0,"canDelete":true}"#);
    assert_eq!(f.delete(&f.outsider, &path).await.status, StatusCode::FORBIDDEN);
    let deleted = f.delete(&f.member, &path).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    assert_eq!(app.get_as(&f.member, &path).await.status, StatusCode::NOT_FOUND);
    let stream_constraints = app.get_as(&f.member, &format!("/streams/{}/deletion-constraints", f.stream)).await;
    assert_eq!(stream_constraints.json()["streamConfigsCount"], 0);
    assert_eq!(f.delete(&f.member, &format!("/streams/{}", f.stream)).await.status, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn defaults_come_from_the_environment_and_listing_is_disabled() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let created = f
        .create(&f.member, &json!({"stream": uri("streams", &f.plain), "environment": uri("environments", &f.environment), "properties": {"segment.ms": "3600000", "min.insync.replicas": "2"}}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    // The environment's partitions (6) and retention (the default week); given properties win.
    assert_eq!((body["retentionTime"].as_i64(), body["partitions"].as_i64()), (Some(604_800_000), Some(6)));
    assert_eq!(body["properties"], json!({"segment.ms": "3600000", "min.insync.replicas": "2"}));
    // A private environment without an instance: nothing inherited.
    let private = f
        .create(&f.member, &json!({"stream": uri("streams", &f.plain), "environment": uri("environments", &f.private)}))
        .await;
    assert_eq!(private.status, StatusCode::CREATED, "{}", private.text());
    assert_eq!(private.json()["properties"], json!({}));
    // GET /stream_configs is disabled, with the Axual error body.
    let listing = app.get_as(&f.member, "/stream_configs").await;
    assert_eq!(listing.status, StatusCode::METHOD_NOT_ALLOWED, "{}", listing.text());
    assert!(listing.json().get("message").is_some() || listing.json().get("error").is_some(), "{}", listing.text());
    let environment_constraints =
        app.get_as(&f.realm.admin, &format!("/environments/{}/deletion-constraints", f.private)).await.json();
    assert_eq!(environment_constraints["streamConfigsCount"], 1);
    assert_eq!(environment_constraints["canDelete"], false);
}

#[actix_web::test]
async fn bad_input_is_refused_naming_the_field_and_changes_nothing() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let other = app.realm("other").await;
    let foreign_stream = uid_of(&app
        .json_accepting(
            "POST",
            &other.admin,
            "/streams",
            "application/hal+json",
            &json!({"name": "theirs", "keyType": "JSON", "valueType": "JSON", "owners": uri("groups", &{
                let group = app.json_accepting("POST", &other.admin, "/groups", "application/hal+json", &json!({"name": "Theirs"})).await;
                uid_of(&group)
            })}),
        )
        .await);
    let seed = f.seed_body();
    let with = |field: &str, value: Value| {
        let mut body = seed.clone();
        if value.is_null() && field != "keySchemaVersion" {
            body.as_object_mut().unwrap().remove(field);
        } else {
            body[field] = value;
        }
        body
    };
    for (body, field, status) in [
        (with("stream", Value::Null), "stream", StatusCode::BAD_REQUEST),
        (with("environment", Value::Null), "environment", StatusCode::BAD_REQUEST),
        (with("stream", json!("not a uri at all")), "stream", StatusCode::BAD_REQUEST),
        (with("stream", json!(uri("environments", &f.stream))), "stream", StatusCode::BAD_REQUEST),
        (with("stream", json!(uri("streams", &foreign_stream))), "stream", StatusCode::BAD_REQUEST),
        (
            with("environment", json!(uri("environments", "0123456789abcdef0123456789abcdef"))),
            "environment",
            StatusCode::BAD_REQUEST,
        ),
        (with("keySchemaVersion", Value::Null), "keySchemaVersion", StatusCode::BAD_REQUEST),
        (
            with("keySchemaVersion", json!(uri("schema_versions", &f.value_version))),
            "keySchemaVersion",
            StatusCode::BAD_REQUEST,
        ),
        (
            with("valueSchemaVersion", json!(uri("schema_versions", "0123456789abcdef0123456789abcdef"))),
            "valueSchemaVersion",
            StatusCode::BAD_REQUEST,
        ),
        (with("retentionTime", json!(999)), "retentionTime", StatusCode::BAD_REQUEST),
        (with("retentionTime", json!(160_704_000_001_i64)), "retentionTime", StatusCode::BAD_REQUEST),
        (with("retentionTime", json!("a week")), "retentionTime", StatusCode::BAD_REQUEST),
        (with("partitions", json!(0)), "partitions", StatusCode::BAD_REQUEST),
        (with("partitions", json!(120_001)), "partitions", StatusCode::BAD_REQUEST),
        (with("properties", json!({"retention.ms": "1000"})), "retentionTime", StatusCode::BAD_REQUEST),
        (with("properties", json!({"segment.ms": "soon"})), "segment.ms", StatusCode::BAD_REQUEST),
        (with("properties", json!({"Bad Key": "1"})), "properties", StatusCode::BAD_REQUEST),
        (with("properties", json!({"segment.ms": "1\u{0}"})), "control character", StatusCode::BAD_REQUEST),
        (with("properties", json!({"flag": {"nested": true}})), "properties", StatusCode::BAD_REQUEST),
    ] {
        let response = f.create(&f.member, &body).await;
        assert_eq!(response.status, status, "{field}: {}", response.text());
        assert!(response.text().contains(field), "{field}: {}", response.text());
    }
    // A version on a stream side that is not AVRO.
    let plain = f
        .create(&f.member, &json!({"stream": uri("streams", &f.plain), "environment": uri("environments", &f.environment), "keySchemaVersion": uri("schema_versions", &f.key_version)}))
        .await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST, "{}", plain.text());
    assert!(plain.text().contains("keySchemaVersion"), "{}", plain.text());
    let lookup = format!("/stream_configs/search/findByStream?stream={}", encoded(&uri("streams", &f.stream)));
    assert_eq!(
        app.get_as(&f.member, &lookup).await.json()["_embedded"]["stream_configs"],
        json!([]),
        "nothing was written"
    );
    // One config per stream and environment; a later version of the same schema is fine.
    assert_eq!(f.create(&f.member, &f.seed_body()).await.status, StatusCode::CREATED);
    let twin = f.create(&f.member, &f.seed_body()).await;
    assert_eq!(twin.status, StatusCode::CONFLICT, "{}", twin.text());
    let on_private = f
        .create(&f.member, &json!({"stream": uri("streams", &f.stream), "environment": uri("environments", &f.private),
                                   "keySchemaVersion": uri("schema_versions", &f.key_version), "valueSchemaVersion": uri("schema_versions", &f.other_key_version)}))
        .await;
    assert_eq!(on_private.status, StatusCode::CREATED, "{}", on_private.text());
    // Malformed JSON and a search without its parameter.
    let malformed = app
        .send(
            TestRequest::post()
                .uri("/stream_configs")
                .insert_header(bearer(&f.member))
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"stream\": "),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST, "{}", malformed.text());
    assert_eq!(app.get_as(&f.member, "/stream_configs/search/findByStream").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get_as(&f.member, "/stream_configs/search/findByEnvironment?environment=nonsense").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[actix_web::test]
async fn roles_private_environments_searches_and_realms() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let other = app.realm("other").await;
    let stream_admin = f.realm.user("streams@acme.test", &["STREAM_ADMIN"]).await;
    // Only those who manage the stream configure it.
    assert_eq!(f.create(&f.outsider, &f.seed_body()).await.status, StatusCode::FORBIDDEN);
    let public = uid_of(&f.create(&stream_admin.token, &f.seed_body()).await);
    let private_body = json!({"stream": uri("streams", &f.plain), "environment": uri("environments", &f.private)});
    // A stream admin outside the private environment's group does not see it.
    let hidden = f.create(&stream_admin.token, &private_body).await;
    assert_eq!(hidden.status, StatusCode::BAD_REQUEST, "{}", hidden.text());
    assert!(hidden.text().contains("environment"), "{}", hidden.text());
    let private = uid_of(&f.create(&f.member, &private_body).await);
    assert_eq!(app.get("/stream_configs/search").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&format!("/stream_configs/{public}")).await.status, StatusCode::UNAUTHORIZED);
    let index = app.get_as(&f.outsider, "/stream_configs/search").await.json();
    assert_eq!(keys(&index["_links"]), ["findByStream", "findByEnvironment", "findByStreamAndEnvironment", "self"]);

    // Readers see configs on environments they may see; managers get edit and delete.
    let outsider_view = app.get_as(&f.outsider, &format!("/stream_configs/{public}")).await;
    assert_eq!(outsider_view.status, StatusCode::OK);
    assert!(outsider_view.json()["_links"].get("edit").is_none());
    assert_eq!(app.get_as(&f.outsider, &format!("/stream_configs/{private}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.json_as("PATCH", &f.outsider, &format!("/stream_configs/{public}"), &json!({"retentionTime": 2000}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get_as(&other.admin, &format!("/stream_configs/{public}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.json_as("PATCH", &other.admin, &format!("/stream_configs/{public}"), &json!({"retentionTime": 2000}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(f.delete(&other.admin, &format!("/stream_configs/{public}")).await.status, StatusCode::NOT_FOUND);

    let app = &app;
    let search = |token: &str, query: String| {
        let token = token.to_owned();
        async move { app.get_as(&token, &format!("/stream_configs/search/{query}")).await.json() }
    };
    let by_stream = |stream: &str| format!("findByStream?stream={}", encoded(&uri("streams", stream)));
    let by_environment =
        |environment: &str| format!("findByEnvironment?environment={}", encoded(&uri("environments", environment)));
    let found = search(&f.member, by_stream(&f.stream)).await;
    assert_shape(&found, &response_to("GET /stream_configs/search/findByStream?"));
    assert!(found.get("page").is_none());
    assert_eq!(found["_embedded"]["stream_configs"][0]["uid"], public.as_str());
    let member_private = search(&f.member, by_environment(&f.private)).await;
    assert_eq!(member_private["_embedded"]["stream_configs"][0]["uid"], private.as_str());
    let outsider_private = search(&f.outsider, by_environment(&f.private)).await;
    assert_shape(&outsider_private, &response_to("GET /stream_configs/search/findByEnvironment?"));
    assert_eq!(outsider_private["_embedded"]["stream_configs"], json!([]));
    assert_eq!(search(&other.admin, by_stream(&f.stream)).await["_embedded"]["stream_configs"], json!([]));

    let pair = |stream: &str, environment: &str| {
        format!(
            "findByStreamAndEnvironment?stream={}&environment={}",
            encoded(&uri("streams", stream)),
            encoded(&uri("environments", environment))
        )
    };
    let both = search(&f.member, pair(&f.stream, &f.environment)).await;
    assert_shape(&both, &response_to("GET /stream_configs/search/findByStreamAndEnvironment?"));
    assert_eq!(both["_embedded"]["stream_configs"].as_array().unwrap().len(), 1);
    let outsider_pair = search(&f.outsider, pair(&f.stream, &f.environment)).await;
    assert_eq!(keys(&outsider_pair["_links"]), ["self"], "no createStreamConfig for who may not create one");
    let none = search(&f.member, pair(&f.plain, &f.environment)).await;
    assert_eq!(none["_embedded"]["stream_configs"], json!([]));
    assert_eq!(keys(&none["_links"]), ["self", "createStreamConfig"]);

    // The profile, as the seed prints it.
    let profile = app.profile(&f.outsider, "stream_configs").await;
    assert_shape(&profile, &response_to("GET /profile/stream_configs HTTP"));
    assert_eq!(profile, response_to("GET /profile/stream_configs HTTP"));
    // The index links the collection with the seed's (copied) title.
    let index = app.get_as(&f.outsider, "/").await.json();
    assert_eq!(index["_links"]["stream_configs"]["title"], "Access or create streams");
}

#[actix_web::test]
async fn racing_writes_keep_one_config_per_pair_and_if_match_lets_one_patch_win() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let body = f.seed_body();
    let (a, b) = tokio::join!(f.create(&f.member, &body), f.create(&f.member, &body));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} / {}", a.text(), b.text());
    let config = if a.status == StatusCode::CREATED { uid_of(&a) } else { uid_of(&b) };
    let path = format!("/stream_configs/{config}");
    let patch = |retention: i64| {
        app.send(
            TestRequest::patch()
                .uri(&path)
                .insert_header(bearer(&f.member))
                .insert_header(("if-match", "\"0\""))
                .set_json(json!({ "retentionTime": retention })),
        )
    };
    let (a, b) = tokio::join!(patch(20_000), patch(30_000));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 412], "{} / {}", a.text(), b.text());
    // Unconditional PATCHes never fail because another raced them.
    let (first, second) = (json!({ "retentionTime": 50_000 }), json!({ "retentionTime": 60_000 }));
    let (a, b) =
        tokio::join!(app.json_as("PATCH", &f.member, &path, &first), app.json_as("PATCH", &f.member, &path, &second));
    assert_eq!((a.status, b.status), (StatusCode::NO_CONTENT, StatusCode::NO_CONTENT), "{} / {}", a.text(), b.text());
    assert_eq!(app.get_as(&f.member, &path).await.header("etag"), Some("\"3\""));
}

#[actix_web::test]
async fn browse_access_and_config_take_a_stream_config_uid() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let other = app.realm("other").await;
    let config = uid_of(&f.create(&f.member, &f.seed_body()).await);
    let private = uid_of(
        &f.create(
            &f.member,
            &json!({"stream": uri("streams", &f.plain), "environment": uri("environments", &f.private)}),
        )
        .await,
    );
    let access = |token: &str, uid: &str| {
        let (app, token, path) = (&app, token.to_owned(), format!("/streams/{uid}/browse-access"));
        async move { app.get_as(&token, &path).await }
    };
    let allowed = access(&f.member, &config).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.text());
    assert!(allowed.body.is_empty(), "200 with an empty body, as the seed shows");
    assert_eq!(access(&f.outsider, &config).await.status, StatusCode::FORBIDDEN);
    assert_eq!(access(&other.admin, &config).await.status, StatusCode::NOT_FOUND);
    assert_eq!(access(&f.member, &f.stream).await.status, StatusCode::NOT_FOUND, "a stream's uid is not a config's");
    assert_eq!(access(&f.outsider, &private).await.status, StatusCode::NOT_FOUND, "hidden with its environment");
    assert_eq!(app.get(&format!("/streams/{config}/browse-access")).await.status, StatusCode::UNAUTHORIZED);

    // The seed's shape (an unknown cluster: `clusterDetails` is `{}`, as the seed prints it).
    let unknown = app.get_as(&f.member, &format!("/streams/{config}/browse-config?selectedCluster=Elsewhere")).await;
    assert_eq!(unknown.status, StatusCode::OK, "{}", unknown.text());
    assert_shape(&unknown.json(), &response_to("GET /streams/c082e097545948dcbd0cf993128d3fc2/browse-config?"));
    let body = app.get_as(&f.member, &format!("/streams/{config}/browse-config?selectedCluster=Boxtel")).await.json();
    assert_eq!(body["clusterDetails"]["name"], "Boxtel");
    assert_eq!(body["clusterDetails"]["bootstrapServers"], json!(["b:9092"]));
    assert_eq!(
        (body["tenant"].as_str(), body["instance"].as_str(), body["stream"].as_str(), body["environment"].as_str()),
        (Some("acme"), Some("ota"), Some("rabo-stream2"), Some("raboenv1"))
    );
    assert_eq!((body["keyType"].as_str(), body["valueType"].as_str()), (Some("AVRO"), Some("AVRO")));
    assert!(body["instanceCAs"][0].as_str().unwrap().starts_with("-----BEGIN CERTIFICATE-----\n"));
    // A config on an environment without an instance.
    let bare = app.get_as(&f.member, &format!("/streams/{private}/browse-config")).await.json();
    assert_eq!((bare["instance"].clone(), bare["instanceCAs"].clone()), (Value::Null, json!([])));
    assert_eq!(bare["clusterDetails"], json!({}));
    assert_eq!(
        app.get_as(&f.outsider, &format!("/streams/{config}/browse-config")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_as(&other.admin, &format!("/streams/{config}/browse-config")).await.status,
        StatusCode::NOT_FOUND
    );
}
