//! Axual streams over HTTP: the seed's example and shapes, key/value types in every spelling,
//! schemas, levels and owners by URI in the realm, roles, two-step delete, searches, bad input
//! and the levels' and groups' deletion constraints.

use crate::support::{TestApp, TestRealm, USER_PASSWORD, bearer, keys, uri};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

const KEY: &str =
    r#"{"type":"record","name":"Key","namespace":"nl.rabobank.beb","fields":[{"name":"id","type":"string"}]}"#;
const VALUE: &str =
    r#"{"type":"record","name":"Value","namespace":"nl.rabobank.beb","fields":[{"name":"v","type":"long"}]}"#;

/// Realm `acme`: a group with member `member@acme.test`, an outsider, two schemas and two levels.
struct Fixture<'a> {
    app: &'a TestApp,
    realm: TestRealm<'a>,
    group: String,
    member: String,
    outsider: String,
    key_schema: String,
    value_schema: String,
    integrity: String,
    confidentiality: String,
}

async fn fixture(app: &TestApp) -> Fixture<'_> {
    let realm = app.realm("acme").await;
    let member = realm.user("member@acme.test", &[]).await;
    let outsider = realm.user("outsider@acme.test", &[]).await;
    let group = app
        .json_accepting(
            "POST",
            &realm.admin,
            "/groups",
            "application/hal+json",
            &json!({"name": "Stream-raboApplication1", "members": [uri("users", &member.uid)]}),
        )
        .await
        .json()["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let member = app.password_token("acme", "member@acme.test", USER_PASSWORD).await;
    let mut schema_uids = Vec::new();
    for (body, name) in [(KEY, "nl.rabobank.beb.Key"), (VALUE, "nl.rabobank.beb.Value")] {
        app.json_as("POST", &realm.admin, "/schemas/upload", &json!({"schema": body, "version": "1"})).await;
        let found = app.get_as(&realm.admin, &format!("/schemas/search/findByName?name={name}")).await.json();
        schema_uids.push(found["_embedded"]["schemas"][0]["uid"].as_str().unwrap().to_owned());
    }
    let integrity = app
        .json_accepting("POST", &realm.admin, "/integrities", "application/hal+json", &json!({"level": "i1"}))
        .await
        .json()["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let confidentiality = app
        .json_accepting("POST", &realm.admin, "/confidentialities", "application/hal+json", &json!({"level": "c1"}))
        .await
        .json()["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    Fixture {
        app,
        realm,
        group,
        member,
        outsider: outsider.token,
        key_schema: schema_uids[0].clone(),
        value_schema: schema_uids[1].clone(),
        integrity,
        confidentiality,
    }
}

impl Fixture<'_> {
    fn seed_body(&self) -> Value {
        json!({ "name": "general-applicationlog", "description": "Stream to capture application logs",
                "keyType": "AVRO", "valueType": "AVRO", "retentionPolicy": "delete",
                "keySchema": uri("schemas", &self.key_schema), "valueSchema": uri("schemas", &self.value_schema),
                "integrity": uri("integrities", &self.integrity), "confidentiality": uri("confidentialities", &self.confidentiality),
                "owners": uri("groups", &self.group) })
    }

    async fn create(&self, token: &str, body: &Value) -> crate::support::TestResponse {
        self.app.json_accepting("POST", token, "/streams", "application/hal+json", body).await
    }
}

#[actix_web::test]
async fn the_seed_example_creates_a_stream_in_the_seed_shape() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let created = app.json_as("POST", &f.member, "/streams", &f.seed_body()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert!(created.body.is_empty(), "no body without Accept, as the seed shows");
    let location = created.header("location").unwrap().to_owned();
    let uid = location.rsplit('/').next().unwrap().to_owned();
    let read = app.get_as(&f.member, &format!("/streams/{uid}")).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    let body = read.json();
    assert_eq!(
        keys(&body),
        [
            "properties",
            "name",
            "description",
            "keyType",
            "valueType",
            "retentionPolicy",
            "uid",
            "created_at",
            "modified_at",
            "created_by",
            "modified_by",
            "_embedded",
            "_links"
        ]
    );
    assert_eq!((body["keyType"].as_str(), body["retentionPolicy"].as_str()), (Some("AVRO"), Some("delete")));
    assert_eq!(keys(&body["_embedded"]), ["valueSchema", "keySchema", "owners", "integrity", "confidentiality"]);
    assert_eq!(body["_embedded"]["keySchema"]["name"], "nl.rabobank.beb.Key");
    assert_eq!(keys(&body["_embedded"]["owners"]["_links"]), ["self", "members"]);
    assert_eq!(
        keys(&body["_links"]),
        ["self", "stream", "edit", "delete", "keySchema", "integrity", "owners", "confidentiality", "valueSchema"]
    );
    // The summary, and the association links lead to their resources.
    let list = app.get_as(&f.outsider, "/streams").await.json();
    let item = &list["_embedded"]["streams"][0];
    assert_eq!(
        keys(item),
        ["name", "owners", "retentionPolicy", "integrity", "confidentiality", "description", "uid", "_links"]
    );
    assert_eq!(item["owners"]["name"], "Stream-raboApplication1");
    assert_eq!(item["integrity"]["level"], "i1");
    assert_eq!(
        keys(&item["_links"]),
        ["self", "stream", "keySchema", "integrity", "owners", "confidentiality", "valueSchema"]
    );
    let outsider_view = app.get_as(&f.outsider, &format!("/streams/{uid}")).await.json();
    assert!(outsider_view["_links"].get("edit").is_none(), "an outsider reads but may not edit");
    for (association, field, expected) in [
        ("keySchema", "name", "nl.rabobank.beb.Key"),
        ("owners", "uid", f.group.as_str()),
        ("confidentiality", "level", "c1"),
    ] {
        let related = app.get_as(&f.outsider, &format!("/streams/{uid}/{association}")).await;
        assert_eq!(related.status, StatusCode::OK, "{association}: {}", related.text());
        assert_eq!(related.json()[field], expected, "{association}");
    }
    assert_eq!(app.get_as(&f.outsider, &format!("/streams/{uid}/nonsense")).await.status, StatusCode::NOT_FOUND);

    // The levels and the group now count the stream and cannot be deleted.
    let level = app.get_as(&f.realm.admin, &format!("/integrities/{}/deletion-constraints", f.integrity)).await;
    assert_eq!(level.text(), r#"{"canDelete":false,"streamsCount":1}"#);
    let refused = app
        .send(TestRequest::delete().uri(&format!("/integrities/{}", f.integrity)).insert_header(bearer(&f.realm.admin)))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    let group = app.get_as(&f.realm.admin, &format!("/groups/{}/deletion-constraints", f.group)).await.json();
    assert_eq!(group["streamsCount"], 1);

    // Two-step delete by the owning group's member.
    let constraints = app.get_as(&f.member, &format!("/streams/{uid}/deletion-constraints")).await;
    assert_eq!(constraints.text(), r#"{"canDelete":true,"streamConfigsCount":0,"activeGrantsCount":0}"#);
    let outsider_delete =
        app.send(TestRequest::delete().uri(&format!("/streams/{uid}")).insert_header(bearer(&f.outsider))).await;
    assert_eq!(outsider_delete.status, StatusCode::FORBIDDEN);
    let deleted =
        app.send(TestRequest::delete().uri(&format!("/streams/{uid}")).insert_header(bearer(&f.member))).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    let level = app.get_as(&f.realm.admin, &format!("/integrities/{}/deletion-constraints", f.integrity)).await;
    assert_eq!(level.text(), r#"{"canDelete":true,"streamsCount":0}"#);
}

#[actix_web::test]
async fn types_are_taken_in_every_spelling_and_avro_needs_its_schemas() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let owners = uri("groups", &f.group);
    let spelled = f
        .create(&f.member, &json!({"name": "plain-text", "keyType": "String", "valueType": "xml", "owners": owners}))
        .await;
    assert_eq!(spelled.status, StatusCode::CREATED, "{}", spelled.text());
    assert_eq!(
        (spelled.json()["keyType"].as_str(), spelled.json()["valueType"].as_str()),
        (Some("STRING"), Some("XML"))
    );
    for (body, field) in [
        (json!({"name": "stream-1", "keyType": "AVRO", "valueType": "JSON", "owners": owners}), "keySchema"),
        (json!({"name": "stream-2", "keyType": "JSON", "valueType": "AVRO", "owners": owners}), "valueSchema"),
        (
            json!({"name": "stream-3", "keyType": "JSON", "valueType": "JSON", "keySchema": uri("schemas", &f.key_schema), "owners": owners}),
            "keySchema",
        ),
        (json!({"name": "stream-4", "keyType": "PROTOBUF", "valueType": "JSON", "owners": owners}), "keyType"),
        (json!({"name": "stream-5", "valueType": "JSON", "owners": owners}), "keyType"),
        (json!({"name": "stream-6", "keyType": "JSON", "valueType": "JSON"}), "owners"),
        (json!({"keyType": "JSON", "valueType": "JSON", "owners": owners}), "name"),
        (json!({"name": "x/y", "keyType": "JSON", "valueType": "JSON", "owners": owners}), "name"),
        (json!({"name": "n".repeat(181), "keyType": "JSON", "valueType": "JSON", "owners": owners}), "name"),
        (
            json!({"name": "stream-7", "keyType": "JSON", "valueType": "JSON", "owners": owners, "retentionPolicy": "forever"}),
            "retentionPolicy",
        ),
        (
            json!({"name": "stream-8", "keyType": "JSON", "valueType": "JSON", "owners": owners, "integrity": uri("confidentialities", &f.confidentiality)}),
            "integrity",
        ),
        (
            json!({"name": "stream-9", "keyType": "JSON", "valueType": "JSON", "owners": owners, "integrity": uri("integrities", &f.confidentiality)}),
            "integrity",
        ),
        (
            json!({"name": "stream-10", "keyType": "AVRO", "valueType": "JSON", "keySchema": uri("schemas", "0123456789abcdef0123456789abcdef"), "owners": owners}),
            "keySchema",
        ),
        (
            json!({"name": "stream-11", "keyType": "JSON", "valueType": "JSON", "owners": uri("groups", "0123456789abcdef0123456789abcdef")}),
            "owners",
        ),
        (
            json!({"name": "stream-12", "keyType": "JSON", "valueType": "JSON", "owners": owners, "description": "d".repeat(201)}),
            "description",
        ),
    ] {
        let response = f.create(&f.realm.admin, &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{field}: {}", response.text());
        assert!(response.text().contains(field), "{field}: {}", response.text());
    }
    let list = app.get_as(&f.member, "/streams").await.json();
    assert_eq!(list["page"]["totalElements"], 1, "nothing else was created");
    let twin = f
        .create(&f.member, &json!({"name": "plain-text", "keyType": "JSON", "valueType": "JSON", "owners": owners}))
        .await;
    assert_eq!(twin.status, StatusCode::CONFLICT, "{}", twin.text());
    // An outsider may not create a stream for a group they are not in.
    let denied = f
        .create(&f.outsider, &json!({"name": "theirs", "keyType": "JSON", "valueType": "JSON", "owners": owners}))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.text());
    assert_eq!(app.get("/streams").await.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn patches_searches_and_realms() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let other = app.realm("other").await;
    let owners = uri("groups", &f.group);
    for name in ["rabo-stream1", "rabo-stream2", "other-flow"] {
        let created =
            f.create(&f.member, &json!({"name": name, "keyType": "JSON", "valueType": "JSON", "owners": owners})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    }
    let found = app.get_as(&f.outsider, "/streams/search/findByName?name=rabo-stream1").await.json();
    assert_eq!(found["_embedded"]["streams"].as_array().unwrap().len(), 1);
    assert!(found.get("page").is_none());
    let containing = app.get_as(&f.member, "/streams/search/findByNameContaining?name=STREAM").await.json();
    assert_eq!(containing["page"]["totalElements"], 2);
    // Texts the trigram index (SQLite) reads as a phrase, and short ones it leaves to LIKE.
    for (text, matches) in [
        ("o-str", 2),
        ("m1", 1),
        ("b", 2),
        ("%22", 0),
        ("a%22b%22c", 0),
        ("OR", 0),
        ("FLOW", 1),
        ("st*", 0),
        ("-", 3),
        ("%25", 0),
        ("_", 0),
    ] {
        let found = app.get_as(&f.member, &format!("/streams/search/findByNameContaining?name={text}")).await;
        assert_eq!(found.status, StatusCode::OK, "{text}: {}", found.text());
        assert_eq!(found.json()["page"]["totalElements"], matches, "{text}");
    }
    assert!(containing["_links"].get("create").is_some(), "members of a group may create");
    let uid = found["_embedded"]["streams"][0]["uid"].as_str().unwrap().to_owned();
    let path = format!("/streams/{uid}");
    // PATCH: the types change together with their schemas; compact retention.
    let patched = app
        .json_accepting("PATCH", &f.member, &path, "application/hal+json", &json!({"valueType": "AVRO", "valueSchema": uri("schemas", &f.value_schema), "retentionPolicy": "compact", "properties": {"team": "payments"}}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    let body = patched.json();
    assert_eq!((body["valueType"].as_str(), body["retentionPolicy"].as_str()), (Some("AVRO"), Some("compact")));
    assert_eq!(body["properties"], json!({"team": "payments"}));
    let half = app.json_as("PATCH", &f.member, &path, &json!({"valueType": "JSON"})).await;
    assert_eq!(half.status, StatusCode::BAD_REQUEST, "a JSON value cannot keep an Avro schema: {}", half.text());
    assert_eq!(
        app.json_as("PATCH", &f.outsider, &path, &json!({"description": "mine"})).await.status,
        StatusCode::FORBIDDEN
    );
    let stale = app
        .send(
            TestRequest::patch()
                .uri(&path)
                .insert_header(bearer(&f.member))
                .insert_header(("if-match", "\"0\""))
                .set_json(json!({"description": "late"})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    // Another realm sees nothing, and cannot point at acme's schemas or groups.
    assert_eq!(app.get_as(&other.admin, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&other.admin, "/streams").await.json()["page"]["totalElements"], 0);
    let foreign = app
        .json_as("POST", &other.admin, "/streams", &json!({"name": "borrowed", "keyType": "AVRO", "valueType": "JSON", "keySchema": uri("schemas", &f.key_schema), "owners": owners}))
        .await;
    assert_eq!(foreign.status, StatusCode::BAD_REQUEST, "{}", foreign.text());
    // The profile carries the seed's enum spellings.
    let profile = app.profile(&f.realm.admin, "streams").await;
    assert_eq!(profile["title"], "Stream");
    assert_eq!(profile["properties"]["keyType"]["enum"], json!(["AVRO", "JSON", "String", "Binary", "Xml"]));
    assert_eq!(profile["properties"]["retentionPolicy"]["enum"], json!(["delete", "compact"]));
}

#[actix_web::test]
async fn concurrent_patches_with_if_match_let_exactly_one_win_on_every_catalog_resource() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let admin = app.admin_token().await;
    let cluster = app
        .platform(
            "POST",
            "acme",
            "/clusters",
            Some(&json!({"name": "Race Cluster", "bootstrapServers": [{"bootstrapServer": "b:9092"}]})),
        )
        .await
        .json()["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let environment = app
        .json_accepting(
            "POST",
            &f.realm.admin,
            "/environments",
            "application/hal+json",
            &json!({"name": "Race Env", "shortName": "race", "owners": uri("groups", &f.group)}),
        )
        .await
        .json()["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let stream = f
        .create(
            &f.member,
            &json!({"name": "race-stream", "keyType": "JSON", "valueType": "JSON", "owners": uri("groups", &f.group)}),
        )
        .await
        .json()["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases: [(String, &str, Value, Value); 4] = [
        (
            format!("/clusters/{cluster}"),
            admin.as_str(),
            json!({"description": "first"}),
            json!({"description": "second"}),
        ),
        (
            format!("/environments/{environment}"),
            f.realm.admin.as_str(),
            json!({"color": "red"}),
            json!({"color": "blue"}),
        ),
        (
            format!("/schemas/{}", f.key_schema),
            f.realm.admin.as_str(),
            json!({"description": "first"}),
            json!({"description": "second"}),
        ),
        (
            format!("/streams/{stream}"),
            f.member.as_str(),
            json!({"description": "first"}),
            json!({"description": "second"}),
        ),
    ];
    for (path, token, first, second) in cases {
        let patch = |body: Value| {
            app.send(
                TestRequest::patch()
                    .uri(&path)
                    .insert_header(bearer(token))
                    .insert_header(("realm", "acme"))
                    .insert_header(("if-match", "\"0\""))
                    .set_json(body),
            )
        };
        let (a, b) = tokio::join!(patch(first), patch(second));
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [204, 412], "{path}: {} / {}", a.text(), b.text());
        let now =
            app.send(TestRequest::get().uri(&path).insert_header(bearer(token)).insert_header(("realm", "acme"))).await;
        assert_eq!(now.header("etag"), Some("\"1\""), "{path}: exactly one write");
    }
}

#[actix_web::test]
async fn pages_read_from_the_end_are_slices_of_the_whole_listing_in_every_order() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let owners = uri("groups", &f.group);
    for n in 0..45 {
        // Every third stream has no description, and descriptions repeat: NULLs and ties.
        let description = if n % 3 == 0 { Value::Null } else { json!(format!("d{}", n % 4)) };
        let created = f
            .create(
                &f.member,
                &json!({"name": format!("s-{n:02}"), "keyType": "JSON", "valueType": "JSON", "owners": owners, "description": description}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    }
    let uids = |body: &Value| -> Vec<String> {
        body["_embedded"]["streams"].as_array().unwrap().iter().map(|s| s["uid"].as_str().unwrap().to_owned()).collect()
    };
    for sort in
        ["", "&sort=description", "&sort=description,desc", "&sort=name,desc", "&sort=retentionPolicy,description"]
    {
        let whole = uids(&app.get_as(&f.member, &format!("/streams?size=100{sort}")).await.json());
        assert_eq!(whole.len(), 45);
        for size in [7, 20] {
            let mut paged = Vec::new();
            for page in 0..45_usize.div_ceil(size) {
                let body = app.get_as(&f.member, &format!("/streams?size={size}&page={page}{sort}")).await.json();
                assert_eq!(body["page"]["number"], page);
                paged.extend(uids(&body));
            }
            assert_eq!(paged, whole, "sort '{sort}', pages of {size}");
        }
        let beyond = app.get_as(&f.member, &format!("/streams?size=20&page=3{sort}")).await.json();
        assert_eq!(beyond["_embedded"]["streams"], json!([]), "{sort}");
    }
}

#[actix_web::test]
async fn contains_searches_follow_renames_and_deletes() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let owners = uri("groups", &f.group);
    let created = f
        .create(
            &f.member,
            &json!({"name": "payments-events", "keyType": "JSON", "valueType": "JSON", "owners": owners}),
        )
        .await;
    let uid = created.json()["uid"].as_str().unwrap().to_owned();
    let count = |text: &str| {
        let path = format!("/streams/search/findByNameContaining?name={text}");
        let (app, token) = (&app, f.member.clone());
        async move { app.get_as(&token, &path).await.json()["page"]["totalElements"].as_u64().unwrap() }
    };
    assert_eq!(count("MENTS-EV").await, 1);
    let renamed = app.json_as("PATCH", &f.member, &format!("/streams/{uid}"), &json!({"name": "refunds-events"})).await;
    assert_eq!(renamed.status, StatusCode::NO_CONTENT, "{}", renamed.text());
    assert_eq!((count("payments").await, count("refunds").await, count("events").await), (0, 1, 1));
    let deleted =
        app.send(TestRequest::delete().uri(&format!("/streams/{uid}")).insert_header(bearer(&f.member))).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!((count("refunds").await, count("events").await), (0, 0));
}
