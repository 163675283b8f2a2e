//! Axual environments over HTTP: the seed's example and shapes, visibility of private
//! environments, owners and instances by URI, two-step delete, searches, roles, bad input and
//! the owning group's deletion constraints.

use crate::support::{TestApp, TestRealm, TestResponse, USER_PASSWORD, bearer, keys, uri};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

/// Realm `acme` with a group (its one member `member@acme.test`), an outsider, and an instance
/// made by the platform admin.
struct Acme<'a> {
    app: &'a TestApp,
    realm: TestRealm<'a>,
    group: String,
    member: String,
    outsider: String,
    instance: String,
}

async fn as_platform(app: &TestApp, method: &str, path: &str, body: &Value) -> TestResponse {
    app.platform(method, "acme", path, Some(body)).await
}

async fn acme(app: &TestApp) -> Acme<'_> {
    let realm = app.realm("acme").await;
    let member = realm.user("member@acme.test", &[]).await;
    let outsider = realm.user("outsider@acme.test", &[]).await;
    let group = app
        .json_accepting(
            "POST",
            &realm.admin,
            "/groups",
            "application/hal+json",
            &json!({"name": "Application-raboApplication1", "members": [uri("users", &member.uid)]}),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.text());
    let group = group.json()["uid"].as_str().unwrap().to_owned();
    // Tokens are read after the membership exists (groups are looked up per request anyway).
    let member = app.password_token("acme", "member@acme.test", USER_PASSWORD).await;
    let cluster = as_platform(app, "POST", "/clusters", &json!({"name": "Boxtel Cluster OTA", "location": "Boxtel", "bootstrapServers": [{"bootstrapServer": "b:9092"}]})).await;
    let cluster = cluster.json()["uid"].as_str().unwrap().to_owned();
    let mut params = rcgen::CertificateParams::new(vec!["ca.test".to_owned()]).unwrap();
    params.not_after = time::OffsetDateTime::from_unix_timestamp(2_158_310_054).unwrap();
    let pem = params.self_signed(&rcgen::KeyPair::generate().unwrap()).unwrap().pem();
    let instance = as_platform(
        app,
        "POST",
        "/instances",
        &json!({"name": "Rabo OTA", "shortName": "ota", "description": "Rabo OTA Instance", "apiUrl": "http://ota.local",
                "instanceClusters": [{"cluster": uri("clusters", &cluster), "schemaRegistryUrls": "https://schema.local3"}],
                "caCerts": [{"pem": pem}]}),
    )
    .await;
    assert_eq!(instance.status, StatusCode::CREATED, "{}", instance.text());
    let instance = instance.json()["uid"].as_str().unwrap().to_owned();
    Acme { app, realm, group, member, outsider: outsider.token, instance }
}

impl Acme<'_> {
    fn seed_body(&self) -> Value {
        json!({ "name": "KAD Test", "shortName": "kad", "description": "This is KAD test environment", "retentionTime": 90000, "partitions": 8,
                "authorizationIssuer": "Stream owner", "visibility": "Public",
                "instance": uri("instances", &self.instance),
                "owners": uri("groups", &self.group),
                "properties": { "stream.integrity": "2", "stream.confidentiality": "3" } })
    }

    fn private_body(&self) -> Value {
        json!({"name": "Team Sandbox", "shortName": "sandbox", "visibility": "private", "owners": uri("groups", &self.group)})
    }

    async fn create(&self, token: &str, body: &Value) -> TestResponse {
        self.app.json_accepting("POST", token, "/environments", "application/hal+json", body).await
    }
}

#[actix_web::test]
async fn the_seed_example_creates_an_environment_in_the_seed_shape() {
    let app = TestApp::start().await;
    let acme = acme(&app).await;
    // Linking an instance is the platform admin's; the tenant admin may not.
    let denied = acme.create(&acme.realm.admin, &acme.seed_body()).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.text());
    let created = as_platform(&app, "POST", "/environments", &acme.seed_body()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("etag"), Some("\"0\""));
    let body = created.json();
    assert_eq!(
        keys(&body),
        [
            "properties",
            "name",
            "shortName",
            "description",
            "color",
            "authorizationIssuer",
            "visibility",
            "retentionTime",
            "partitions",
            "private",
            "autoApproved",
            "uid",
            "created_at",
            "modified_at",
            "created_by",
            "modified_by",
            "_embedded",
            "_links"
        ]
    );
    assert_eq!(body["properties"], json!({"stream.integrity": "2", "stream.confidentiality": "3"}));
    assert_eq!(
        (body["authorizationIssuer"].as_str(), body["visibility"].as_str()),
        (Some("Stream owner"), Some("public"))
    );
    assert_eq!((body["private"].as_bool(), body["autoApproved"].as_bool()), (Some(false), Some(false)));
    assert_eq!((body["retentionTime"].as_i64(), body["partitions"].as_i64()), (Some(90000), Some(8)));
    let instance = &body["_embedded"]["instance"];
    assert_eq!(keys(instance), ["name", "instanceClusters", "description", "uid", "_links"]);
    assert_eq!(instance["instanceClusters"][0]["cluster"]["location"], "Boxtel");
    assert_eq!(keys(&instance["_links"]), ["self", "supportTier"]);
    assert_eq!(instance["_links"]["self"]["templated"], true);
    let owners = &body["_embedded"]["owners"];
    assert_eq!(keys(owners), ["name", "emailAddress", "phoneNumber", "uid", "_links"]);
    assert_eq!(owners["name"], "Application-raboApplication1");
    assert_eq!(keys(&owners["_links"]), ["self", "members"]);
    assert_eq!(
        keys(&body["_links"]),
        ["self", "environment", "edit", "synchronize", "instance", "owners"],
        "no delete: public"
    );
    assert_eq!(body["_links"]["owners"]["title"], "The group responsible for this object");
    assert_eq!(body["_links"]["instance"]["title"], "An instance");

    // The association links lead somewhere.
    let uid = body["uid"].as_str().unwrap();
    let instance = app.get_as(&acme.outsider, &format!("/environments/{uid}/instance")).await;
    assert_eq!(instance.status, StatusCode::OK, "{}", instance.text());
    assert_eq!(instance.json()["name"], "Rabo OTA");
    let owners = app.get_as(&acme.outsider, &format!("/environments/{uid}/owners")).await;
    assert_eq!(owners.status, StatusCode::OK, "{}", owners.text());
    assert_eq!(owners.json()["uid"], acme.group.as_str());

    // The summary in the list, and the defaults of a minimal environment.
    let list = app.get_as(&acme.outsider, "/environments").await.json();
    let item = &list["_embedded"]["environments"][0];
    assert_eq!(keys(item), ["name", "shortName", "visibility", "color", "description", "uid", "_links"]);
    assert_eq!(keys(&item["_links"]), ["self", "environment", "instance", "owners"]);
    assert!(list["_links"].get("create").is_none(), "a plain user may not create");
    let minimal = acme
        .create(
            &acme.realm.admin,
            &json!({"name": "Minimal", "shortName": "min", "owners": uri("groups", &acme.group)}),
        )
        .await;
    assert_eq!(minimal.status, StatusCode::CREATED, "{}", minimal.text());
    let minimal = minimal.json();
    assert_eq!((minimal["retentionTime"].as_i64(), minimal["partitions"].as_i64()), (Some(604_800_000), Some(12)));
    assert_eq!(minimal["authorizationIssuer"], "Stream owner");
    assert_eq!(minimal["properties"], json!({}));
    assert!(minimal["_embedded"].get("instance").is_none());
    let unlinked = format!("/environments/{}/instance", minimal["uid"].as_str().unwrap());
    assert_eq!(app.get_as(&acme.outsider, &unlinked).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn private_environments_are_their_owners_and_are_deleted_in_two_steps() {
    let app = TestApp::start().await;
    let acme = acme(&app).await;
    let created = acme.create(&acme.realm.admin, &acme.private_body()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    assert_eq!((body["authorizationIssuer"].as_str(), body["visibility"].as_str()), (Some("Auto"), Some("private")));
    assert_eq!((body["private"].as_bool(), body["autoApproved"].as_bool()), (Some(true), Some(true)));
    let path = format!("/environments/{}", body["uid"].as_str().unwrap());

    // The owning group's member sees it and may change and delete it; an outsider sees nothing.
    let seen = app.get_as(&acme.member, &path).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text());
    assert_eq!(keys(&seen.json()["_links"]), ["self", "environment", "edit", "delete", "instance", "owners"]);
    assert_eq!(app.get_as(&acme.outsider, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&acme.outsider, "/environments").await.json()["page"]["totalElements"], 0);
    assert_eq!(app.get_as(&acme.member, "/environments").await.json()["page"]["totalElements"], 1);
    let outsider_patch = app.json_as("PATCH", &acme.outsider, &path, &json!({"description": "mine"})).await;
    assert_eq!(outsider_patch.status, StatusCode::NOT_FOUND);
    let patched = app.json_as("PATCH", &acme.member, &path, &json!({"description": "Updated description"})).await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text());
    let stream_owner = app.json_as("PATCH", &acme.member, &path, &json!({"authorizationIssuer": "Stream owner"})).await;
    assert_eq!(stream_owner.status, StatusCode::BAD_REQUEST, "private means Auto: {}", stream_owner.text());
    let instance =
        app.json_as("PATCH", &acme.member, &path, &json!({"instance": uri("instances", &acme.instance)})).await;
    assert_eq!(instance.status, StatusCode::FORBIDDEN, "only platform admins link instances: {}", instance.text());

    let constraints = app.get_as(&acme.member, &format!("{path}/deletion-constraints")).await;
    assert_eq!(constraints.status, StatusCode::OK, "{}", constraints.text());
    assert_eq!(
        constraints.text(),
        r#"{"canDelete":true,"activeGrantsCount":0,"appPrincipalsCount":0,"streamConfigsCount":0}"#
    );
    let deleted = app.send(TestRequest::delete().uri(&path).insert_header(bearer(&acme.member))).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    assert_eq!(app.get_as(&acme.realm.admin, &path).await.status, StatusCode::NOT_FOUND);

    // A public environment cannot be deleted (405), nor has deletion constraints.
    let public = acme
        .create(
            &acme.realm.admin,
            &json!({"name": "Shared", "shortName": "shared", "owners": uri("groups", &acme.group)}),
        )
        .await
        .json();
    let public_path = format!("/environments/{}", public["uid"].as_str().unwrap());
    let refused = app.send(TestRequest::delete().uri(&public_path).insert_header(bearer(&acme.realm.admin))).await;
    assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED, "{}", refused.text());
    assert_eq!(refused.json()["status"], 405);
    assert_eq!(
        app.get_as(&acme.realm.admin, &format!("{public_path}/deletion-constraints")).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(app.get_as(&acme.realm.admin, &public_path).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_group_that_owns_an_environment_cannot_be_deleted() {
    let app = TestApp::start().await;
    let acme = acme(&app).await;
    let created = acme.create(&acme.realm.admin, &acme.private_body()).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let group_path = format!("/groups/{}", acme.group);
    let constraints = app.get_as(&acme.realm.admin, &format!("{group_path}/deletion-constraints")).await.json();
    assert_eq!(constraints["environmentsCount"], 1);
    assert_eq!(constraints["canDelete"], false);
    let refused = app.send(TestRequest::delete().uri(&group_path).insert_header(bearer(&acme.realm.admin))).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    assert_eq!(app.get_as(&acme.realm.admin, &group_path).await.status, StatusCode::OK, "nothing was deleted");
}

#[actix_web::test]
async fn searches_find_by_name_short_name_instance_and_part_of_the_name() {
    let app = TestApp::start().await;
    let acme = acme(&app).await;
    assert_eq!(as_platform(&app, "POST", "/environments", &acme.seed_body()).await.status, StatusCode::CREATED);
    acme.create(&acme.realm.admin, &acme.private_body()).await;
    let admin = &acme.realm.admin;
    let by_name = app.get_as(admin, "/environments/search/findByName?name=KAD+Test").await.json();
    assert_eq!(by_name["_embedded"]["environments"].as_array().unwrap().len(), 1);
    assert!(by_name.get("page").is_none(), "a list, not a page");
    assert_eq!(keys(&by_name["_links"]), ["self"]);
    let by_short = app.get_as(admin, "/environments/search/findByShortName?shortName=kad").await.json();
    assert_eq!(by_short["_embedded"]["environments"][0]["shortName"], "kad");
    let instance = serde_urlencoded::to_string([("instance", uri("instances", &acme.instance))]).unwrap();
    let by_instance = app.get_as(admin, &format!("/environments/search/findByInstance?{instance}")).await;
    assert_eq!(by_instance.status, StatusCode::OK, "{}", by_instance.text());
    assert_eq!(by_instance.json()["_embedded"]["environments"][0]["name"], "KAD Test");
    let bad_instance = app
        .get_as(admin, "/environments/search/findByInstance?instance=http://x/groups/0123456789abcdef0123456789abcdef")
        .await;
    assert_eq!(bad_instance.status, StatusCode::BAD_REQUEST);
    let containing = app.get_as(admin, "/environments/search/findByNameContaining?name=T").await.json();
    assert_eq!(containing["page"]["totalElements"], 2);
    assert_eq!(containing["_links"]["create"]["href"].as_str().map(|h| h.ends_with("/environments")), Some(true));
    assert!(containing["_links"]["create"].get("templated").is_none());
    // The outsider's searches do not reveal the private environment.
    let hidden = app.get_as(&acme.outsider, "/environments/search/findByShortName?shortName=sandbox").await.json();
    assert!(hidden["_embedded"]["environments"].as_array().is_none_or(Vec::is_empty), "{hidden}");
    let index = app.get_as(admin, "/environments/search").await.json();
    assert_eq!(
        keys(&index["_links"]),
        ["findByName", "findByNameContaining", "findByShortName", "findByInstance", "self"]
    );
}

#[actix_web::test]
async fn bad_environments_are_400s_naming_the_field_and_nothing_is_created() {
    let app = TestApp::start().await;
    let acme = acme(&app).await;
    let other = app.realm("other").await;
    let foreign_group = app
        .json_accepting("POST", &other.admin, "/groups", "application/hal+json", &json!({"name": "Other Team"}))
        .await
        .json()["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let valid = json!({"name": "Good Env", "shortName": "good", "owners": uri("groups", &acme.group)});
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
        (without("owners"), "owners"),
        (with("shortName", json!("UPPER")), "shortName"),
        (with("shortName", json!("ab")), "shortName"),
        (with("owners", json!(uri("groups", &foreign_group))), "owners"),
        (with("owners", json!(uri("users", &acme.group))), "owners"),
        (with("retentionTime", json!(999)), "retentionTime"),
        (with("retentionTime", json!(160_704_000_001_i64)), "retentionTime"),
        (with("partitions", json!(0)), "partitions"),
        (with("partitions", json!(120_001)), "partitions"),
        (with("visibility", json!("secret")), "visibility"),
        (with("authorizationIssuer", json!("Anyone")), "authorizationIssuer"),
        (with("properties", json!({"a.b": {"nested": 1}})), "properties"),
        (with("color", json!("c".repeat(13))), "color"),
        (with("partitions", json!("8")), "partitions"),
    ] {
        let response = acme.create(&acme.realm.admin, &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{field}: {}", response.text());
        assert!(response.text().contains(field), "{field}: {}", response.text());
    }
    let private_stream_owner = acme
        .create(
            &acme.realm.admin,
            &with("visibility", json!("Private"))
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.insert("authorizationIssuer".into(), json!("Stream owner"));
                    Value::Object(o)
                })
                .unwrap(),
        )
        .await;
    assert_eq!(private_stream_owner.status, StatusCode::BAD_REQUEST, "{}", private_stream_owner.text());
    assert_eq!(app.get_as(&acme.realm.admin, "/environments").await.json()["page"]["totalElements"], 0);
    // Who may create, and a taken short name.
    assert_eq!(acme.create(&acme.member, &valid).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/environments").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(acme.create(&acme.realm.admin, &valid).await.status, StatusCode::CREATED);
    let twin = acme.create(&acme.realm.admin, &with("name", json!("Other Name"))).await;
    assert_eq!(twin.status, StatusCode::CONFLICT, "{}", twin.text());
    // Another realm's tenant admin sees none of acme's environments.
    assert_eq!(app.get_as(&other.admin, "/environments").await.json()["page"]["totalElements"], 0);
}

#[actix_web::test]
async fn the_environment_profile_is_the_seeds() {
    let app = TestApp::start().await;
    let realm = app.realm("acme").await;
    let profile = app.profile(&realm.admin, "environments").await;
    assert_eq!(profile["title"], "Environment");
    crate::seed::assert_shape(&profile, &crate::seed::response_to("GET /profile/environments HTTP"));
    assert_eq!(profile, crate::seed::response_to("GET /profile/environments HTTP"), "the seed's profile, verbatim");
    assert_eq!(profile["properties"]["authorizationIssuer"]["enum"], json!(["Stream owner", "Auto"]));
    assert_eq!(profile["properties"]["visibility"]["enum"], json!(["public", "private"]));
    assert_eq!(profile["properties"]["private"]["readOnly"], true);
    assert_eq!(profile["properties"]["autoApproved"]["readOnly"], true);
    assert_eq!(profile["properties"]["owners"]["format"], "uri");
    assert_eq!(profile["properties"]["retentionTime"]["type"], "integer");
}
