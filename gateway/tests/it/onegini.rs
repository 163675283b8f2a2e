//! Onegini external resources (`/api/v1/instance`, `/api/v1/config`, `/api/v1/reference`)
//! against real git: repositories made with `git`, served over a file path and over smart
//! HTTP with Basic authentication (`git http-backend` on 127.0.0.1).

use crate::support::{TestApp, TestResponse, USER_PASSWORD, basic_user, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use portico_gitsync::testing::{GitServer, ServerOptions, TestRepo};
use serde_json::{Value, json};

pub(crate) const INSTANCE: &str = "a31dbf27-75d5-45c6-9acd-2fb1376d4e3b";
pub(crate) const ROLE: &str = "css_configuration";

/// How a test calls the configuration endpoints: Basic or Bearer.
#[derive(Clone)]
pub(crate) struct Caller {
    pub(crate) authorization: (&'static str, String),
}

impl Caller {
    pub(crate) fn basic(email: &str) -> Caller {
        Caller { authorization: basic_user(email, USER_PASSWORD) }
    }

    pub(crate) fn bearer(token: &str) -> Caller {
        Caller { authorization: bearer(token) }
    }

    pub(crate) fn request(&self, method: &str, path: &str, instance: &str, body: Option<&Value>) -> TestRequest {
        let request = match method {
            "POST" => TestRequest::post(),
            "PATCH" => TestRequest::patch(),
            "DELETE" => TestRequest::delete(),
            _ => TestRequest::get(),
        }
        .uri(path)
        .insert_header(self.authorization.clone())
        .insert_header(("X-Onegini-Instance", instance.to_owned()));
        match body {
            Some(body) => request.insert_header(("content-type", "application/json")).set_payload(body.to_string()),
            None => request,
        }
    }
}

/// Every object in the app's file store (read on a blocking thread, as the service does).
pub(crate) async fn stored(app: &TestApp) -> Vec<String> {
    let files = app.files.clone();
    actix_web::web::block(move || files.objects(None)).await.unwrap().unwrap()
}

pub(crate) fn config_path(instance: &str) -> String {
    format!("/api/v1/config/{instance}")
}

pub(crate) fn assert_uncached(response: &TestResponse) {
    assert_eq!(response.header("cache-control"), Some("no-store"), "{:?}", response.headers);
    assert_eq!(response.header("pragma"), Some("no-cache"));
}

pub(crate) fn assert_onegini_error(response: &TestResponse, status: u16, error: &str, description: &str) {
    assert_eq!(response.status.as_u16(), status, "{}", response.text());
    let body = response.json();
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].as_str().unwrap().contains(description), "expected '{description}' in {body}");
    assert_uncached(response);
}

pub(crate) fn basic_draft(url: &str, password: &str, synchronization: &str) -> Value {
    json!({
        "remote_url": url,
        "authentication_type": "BASIC",
        "username": "alice",
        "password": password,
        "synchronization_type": synchronization,
    })
}

/// A repository with branches `master` and `develop` and tags `v1` (annotated) and `v2`, served
/// over smart HTTP with Basic credentials alice/s3cret. Returns the commits of v1 and v2.
pub(crate) fn served_repository() -> (TestRepo, GitServer, String, String) {
    let repo = TestRepo::new();
    let v1 = repo.commit("master", &[("app.json", "{\"v\": 1}")], false);
    repo.tag("master", "v1", true);
    let v2 = repo.commit("master", &[("app.json", "{\"v\": 2}"), ("theme/colors.css", "body {}")], false);
    repo.tag("master", "v2", false);
    repo.commit("develop", &[("wip.txt", "work in progress")], false);
    let server = GitServer::start(
        repo.root(),
        ServerOptions { credentials: Some(("alice".into(), "s3cret".into())), ..Default::default() },
    );
    (repo, server, v1, v2)
}

#[actix_web::test]
async fn a_configuration_is_created_selected_synchronized_and_deleted() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let user = acme.user("config@acme.test", &[ROLE]).await;
    let (_repo, server, v1, v2) = served_repository();
    let caller = Caller::basic(&user.email);
    let path = config_path(INSTANCE);

    // Create: the instance comes to exist, the remote's tags are offered.
    let draft = basic_draft(&server.url(), "s3cret", "PRODUCTION");
    let created = app.send(caller.request("POST", &path, INSTANCE, Some(&draft))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_uncached(&created);
    let body = created.json();
    assert_eq!(
        crate::support::keys(&body),
        [
            "remote_url",
            "authentication_type",
            "username",
            "selected_reference",
            "reference_type",
            "synchronization_type",
            "available_references"
        ]
    );
    assert_eq!(body["remote_url"], server.url());
    assert_eq!(body["authentication_type"], "BASIC");
    assert_eq!(body["username"], "alice");
    assert_eq!(body["selected_reference"], Value::Null);
    assert_eq!(body["reference_type"], "TAG");
    assert_eq!(body["available_references"], json!(["v1", "v2"]));
    assert!(!created.text().contains("s3cret"));

    let again = app.send(caller.request("POST", &path, INSTANCE, Some(&draft))).await;
    assert_onegini_error(&again, 400, "invalid_request", "Configuration already exists");

    // The password is sealed at rest.
    let passwords = app.stored_texts("gitsync_configs", "password");
    assert_eq!(passwords.len(), 1);
    assert!(!passwords[0].contains("s3cret"));

    // Read: no password, nothing selected yet, an ETag.
    let read = app.send(caller.request("GET", &path, INSTANCE, None)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    assert_uncached(&read);
    assert_eq!(read.header("content-type"), Some("application/json;charset=UTF-8"));
    let config = read.json();
    assert_eq!(
        crate::support::keys(&config),
        [
            "remote_url",
            "authentication_type",
            "username",
            "selected_reference",
            "reference_type",
            "synchronization_type",
            "last_synchronization"
        ]
    );
    assert_eq!(config["selected_reference"], Value::Null);
    assert_eq!(config["last_synchronization"], Value::Null);
    assert!(read.header("etag").is_some());
    assert!(!read.text().contains("s3cret"));

    let references = app.send(caller.request("GET", &format!("/api/v1/reference/{INSTANCE}"), INSTANCE, None)).await;
    assert_eq!(references.status, StatusCode::OK, "{}", references.text());
    assert_eq!(references.json(), json!({"result": ["v1", "v2"]}));

    // Select a tag; an unknown one is refused.
    let unknown = app.send(caller.request("PATCH", &path, INSTANCE, Some(&json!({"selected_reference": "v9"})))).await;
    assert_onegini_error(&unknown, 400, "invalid_request", "'v9' is not a tag");
    let selected = app.send(caller.request("PATCH", &path, INSTANCE, Some(&json!({"selected_reference": "v2"})))).await;
    assert_eq!(selected.status, StatusCode::NO_CONTENT, "{}", selected.text());
    assert_uncached(&selected);
    let read = app.send(caller.request("GET", &path, INSTANCE, None)).await.json();
    assert_eq!(read["selected_reference"], "v2");

    // Synchronize the selected tag (the document's example path has no body).
    let synced = app.send(caller.request("POST", &format!("{path}/synchronization"), INSTANCE, None)).await;
    assert_eq!(synced.status, StatusCode::OK, "{}", synced.text());
    assert_uncached(&synced);
    let sync = synced.json();
    assert_eq!(sync["outcome"], "SUCCEEDED");
    assert_eq!(sync["reference"], "v2");
    assert_eq!(sync["commit_id"], v2);
    assert_eq!(sync["file_count"], 3);
    assert!(sync["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(sync["requested_by"], user.email);

    let files = app.send(caller.request("GET", &format!("{path}/files"), INSTANCE, None)).await;
    assert_eq!(files.status, StatusCode::OK, "{}", files.text());
    let listed: Vec<String> =
        files.json()["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect();
    assert_eq!(listed, ["README.md", "app.json", "theme/colors.css"]);
    let app_json = app.send(caller.request("GET", &format!("{path}/files/app.json"), INSTANCE, None)).await;
    assert_eq!(app_json.status, StatusCode::OK);
    assert_eq!(app_json.body, b"{\"v\": 2}");
    let css = app.send(caller.request("GET", &format!("{path}/files/theme/colors.css"), INSTANCE, None)).await;
    assert_eq!(css.body, b"body {}");
    let missing = app.send(caller.request("GET", &format!("{path}/files/nope.txt"), INSTANCE, None)).await;
    assert_onegini_error(&missing, 404, "invalid_request", "nope.txt");

    // A given commit instead of the selected tag: the files are replaced, the old set is gone.
    let by_commit = app
        .send(caller.request("POST", &format!("{path}/synchronize"), INSTANCE, Some(&json!({"commit_id": v1}))))
        .await;
    assert_eq!(by_commit.status, StatusCode::OK, "{}", by_commit.text());
    assert_eq!(by_commit.json()["commit_id"], v1);
    assert_eq!(by_commit.json()["requested_commit_id"], v1);
    let app_json = app.send(caller.request("GET", &format!("{path}/files/app.json"), INSTANCE, None)).await;
    assert_eq!(app_json.body, b"{\"v\": 1}");
    let gone = app.send(caller.request("GET", &format!("{path}/files/theme/colors.css"), INSTANCE, None)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(stored(&app).await.len(), 2, "only the current set is stored");

    let history = app.send(caller.request("GET", &format!("{path}/synchronizations"), INSTANCE, None)).await.json();
    let outcomes: Vec<&Value> =
        history["synchronizations"].as_array().unwrap().iter().map(|s| &s["commit_id"]).collect();
    assert_eq!(outcomes, [&json!(v1), &json!(v2)]);
    let config = app.send(caller.request("GET", &path, INSTANCE, None)).await.json();
    assert_eq!(config["last_synchronization"]["commit_id"], v1);

    // The instance endpoints (Bearer only).
    let listed = app.get_as(&user.token, "/api/v1/instance").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    assert_uncached(&listed);
    assert_eq!(listed.json(), json!({"instances": [{"id": INSTANCE}]}));
    let one = app.get_as(&user.token, &format!("/api/v1/instance/{INSTANCE}")).await;
    assert_eq!(one.json(), json!({"instance_id": INSTANCE}));

    // Deleting the configuration keeps the instance and its files.
    let deleted = app.send(caller.request("DELETE", &path, INSTANCE, None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    assert_uncached(&deleted);
    let read = app.send(caller.request("GET", &path, INSTANCE, None)).await;
    assert_onegini_error(&read, 404, "invalid_request", "Could not find Configuration linked to requested Instance");
    let again = app.send(caller.request("DELETE", &path, INSTANCE, None)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let patch = app.send(caller.request("PATCH", &path, INSTANCE, Some(&json!({"selected_reference": "v1"})))).await;
    assert_onegini_error(&patch, 400, "invalid_request", "Configuration does not exist");
    assert_eq!(app.get_as(&user.token, &format!("/api/v1/instance/{INSTANCE}")).await.status, StatusCode::OK);
    assert_eq!(stored(&app).await.len(), 2);

    // Deleting the instance removes every file and row.
    let removed = app
        .send(TestRequest::delete().uri(&format!("/api/v1/instance/{INSTANCE}")).insert_header(bearer(&user.token)))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text());
    assert!(stored(&app).await.is_empty());
    let gone = app.get_as(&user.token, &format!("/api/v1/instance/{INSTANCE}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let again = app
        .send(TestRequest::delete().uri(&format!("/api/v1/instance/{INSTANCE}")).insert_header(bearer(&user.token)))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(app.tables_holding_realm(&acme.id).iter().all(|t| !t.starts_with("gitsync")));
}

#[actix_web::test]
async fn development_configurations_offer_branches_and_bearer_tokens_work_too() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let user = acme.user("dev@acme.test", &[ROLE]).await;
    let repo = TestRepo::new();
    repo.commit("feature/login", &[("login.html", "<form>")], false);
    let caller = Caller::bearer(&user.token);
    let path = config_path(INSTANCE);
    let draft =
        json!({"remote_url": repo.file_url(), "authentication_type": "NONE", "synchronization_type": "DEVELOPMENT"});
    let created = app.send(caller.request("POST", &path, INSTANCE, Some(&draft))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.json()["reference_type"], "BRANCH");
    assert_eq!(created.json()["username"], Value::Null);
    assert_eq!(created.json()["available_references"], json!(["feature/login", "master"]));

    // Nothing selected: a synchronisation needs a reference or a commit.
    let unselected = app.send(caller.request("POST", &format!("{path}/synchronize"), INSTANCE, None)).await;
    assert_onegini_error(&unselected, 400, "invalid_request", "selected_reference");

    let patch = json!({"selected_reference": "feature/login"});
    assert_eq!(app.send(caller.request("PATCH", &path, INSTANCE, Some(&patch))).await.status, StatusCode::NO_CONTENT);
    let synced = app.send(caller.request("POST", &format!("{path}/synchronize"), INSTANCE, None)).await;
    assert_eq!(synced.status, StatusCode::OK, "{}", synced.text());
    assert_eq!(synced.json()["file_count"], 2);

    // Switching to PRODUCTION offers tags, of which there are none: the branch is not one.
    let production = json!({"selected_reference": "feature/login", "synchronization_type": "PRODUCTION"});
    let refused = app.send(caller.request("PATCH", &path, INSTANCE, Some(&production))).await;
    assert_onegini_error(&refused, 400, "invalid_request", "is not a tag");

    // If-Match with a stale ETag: 412, nothing changes.
    let etag = app.send(caller.request("GET", &path, INSTANCE, None)).await.header("etag").unwrap().to_owned();
    let stale = caller
        .request("PATCH", &path, INSTANCE, Some(&json!({"selected_reference": "master"})))
        .insert_header(("if-match", "\"999\""));
    assert_eq!(app.send(stale).await.status, StatusCode::PRECONDITION_FAILED);
    let current = caller
        .request("PATCH", &path, INSTANCE, Some(&json!({"selected_reference": "master"})))
        .insert_header(("if-match", etag));
    assert_eq!(app.send(current).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.send(caller.request("GET", &path, INSTANCE, None)).await.json()["selected_reference"], "master");
}

#[actix_web::test]
async fn only_callers_with_the_scope_or_role_of_the_realm_get_in() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let globex = app.realm("globex").await;
    let user = acme.user("config@acme.test", &[ROLE]).await;
    let stranger = globex.user("config@globex.test", &[ROLE]).await;
    let viewer = acme.user("viewer@acme.test", &["STREAM_ADMIN"]).await;
    let repo = TestRepo::new();
    let path = config_path(INSTANCE);
    let draft =
        json!({"remote_url": repo.file_url(), "authentication_type": "NONE", "synchronization_type": "PRODUCTION"});
    let created = app.send(Caller::basic(&user.email).request("POST", &path, INSTANCE, Some(&draft))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());

    // No credentials: 401 in Onegini's format.
    let anonymous = TestRequest::get().uri(&path).insert_header(("X-Onegini-Instance", INSTANCE));
    let response = app.send(anonymous).await;
    assert_onegini_error(&response, 401, "invalid_token", "");
    assert!(response.header("www-authenticate").is_some());
    assert_eq!(app.get("/api/v1/instance").await.status, StatusCode::UNAUTHORIZED);

    // A user without the role: 403, before the body is read.
    for caller in [Caller::basic(&viewer.email), Caller::bearer(&viewer.token)] {
        let response = app.send(caller.request("GET", &path, INSTANCE, None)).await;
        assert_onegini_error(&response, 403, "access_denied", "css_configuration");
        let response = app.send(caller.request("POST", &path, INSTANCE, Some(&json!({"junk": true})))).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.get_as(&viewer.token, "/api/v1/instance").await.status, StatusCode::FORBIDDEN);

    // Another realm sees nothing of acme's instance.
    let other = Caller::bearer(&stranger.token);
    assert_eq!(app.send(other.request("GET", &path, INSTANCE, None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.send(other.request("GET", &format!("/api/v1/reference/{INSTANCE}"), INSTANCE, None)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.send(other.request("POST", &format!("{path}/synchronize"), INSTANCE, None)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.send(other.request("DELETE", &path, INSTANCE, None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&stranger.token, "/api/v1/instance").await.json(), json!({"instances": []}));
    assert_eq!(
        app.get_as(&stranger.token, &format!("/api/v1/instance/{INSTANCE}")).await.status,
        StatusCode::NOT_FOUND
    );
    // The same instance id in another realm is another instance.
    let theirs = app.send(other.request("POST", &path, INSTANCE, Some(&draft))).await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.text());
    let acme_config = app.send(Caller::basic(&user.email).request("GET", &path, INSTANCE, None)).await;
    assert_eq!(acme_config.status, StatusCode::OK);

    // Instance endpoints take bearer tokens only.
    let basic = TestRequest::get().uri("/api/v1/instance").insert_header(basic_user(&user.email, USER_PASSWORD));
    let response = app.send(basic).await;
    assert_onegini_error(&response, 401, "invalid_token", "bearer token");
    assert!(response.header("www-authenticate").unwrap().starts_with("Bearer"));
    let not_uuid = app.get_as(&user.token, "/api/v1/instance/xyz").await;
    assert_onegini_error(&not_uuid, 400, "invalid_request", "instance_id");

    // A platform admin may act in the realm.
    let admin = app.admin_token().await;
    let listed = app
        .send(TestRequest::get().uri("/api/v1/instance").insert_header(bearer(&admin)).insert_header(("realm", "acme")))
        .await;
    assert_eq!(listed.json(), json!({"instances": [{"id": INSTANCE}]}));
}
