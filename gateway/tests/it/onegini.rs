//! Onegini external resources (`/api/v1/instance`, `/api/v1/config`, `/api/v1/reference`)
//! against real git: repositories made with `git`, served over a file path and over smart
//! HTTP with Basic authentication (`git http-backend` on 127.0.0.1).

use crate::support::{TestApp, TestResponse, USER_PASSWORD, basic_user, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use portico_gitsync::testing::{GitServer, ServerOptions, TestRepo};
use serde_json::{Value, json};
use std::time::Duration;

const INSTANCE: &str = "a31dbf27-75d5-45c6-9acd-2fb1376d4e3b";
const ROLE: &str = "css_configuration";

/// How a test calls the configuration endpoints: Basic or Bearer.
#[derive(Clone)]
struct Caller {
    authorization: (&'static str, String),
}

impl Caller {
    fn basic(email: &str) -> Caller {
        Caller { authorization: basic_user(email, USER_PASSWORD) }
    }

    fn bearer(token: &str) -> Caller {
        Caller { authorization: bearer(token) }
    }

    fn request(&self, method: &str, path: &str, instance: &str, body: Option<&Value>) -> TestRequest {
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
async fn stored(app: &TestApp) -> Vec<String> {
    let files = app.files.clone();
    actix_web::web::block(move || files.objects(None)).await.unwrap().unwrap()
}

fn config_path(instance: &str) -> String {
    format!("/api/v1/config/{instance}")
}

fn assert_uncached(response: &TestResponse) {
    assert_eq!(response.header("cache-control"), Some("no-store"), "{:?}", response.headers);
    assert_eq!(response.header("pragma"), Some("no-cache"));
}

fn assert_onegini_error(response: &TestResponse, status: u16, error: &str, description: &str) {
    assert_eq!(response.status.as_u16(), status, "{}", response.text());
    let body = response.json();
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].as_str().unwrap().contains(description), "expected '{description}' in {body}");
    assert_uncached(response);
}

fn basic_draft(url: &str, password: &str, synchronization: &str) -> Value {
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
fn served_repository() -> (TestRepo, GitServer, String, String) {
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
async fn the_header_the_fields_and_the_remote_are_checked() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let user = acme.user("config@acme.test", &[ROLE]).await;
    let caller = Caller::basic(&user.email);
    let repo = TestRepo::new();
    let path = config_path(INSTANCE);
    let good =
        json!({"remote_url": repo.file_url(), "authentication_type": "NONE", "synchronization_type": "PRODUCTION"});

    // X-Onegini-Instance: required, a UUID, equal to the path.
    let missing = TestRequest::get().uri(&path).insert_header(caller.authorization.clone());
    assert_onegini_error(&app.send(missing).await, 400, "invalid_request", "X-Onegini-Instance header is required");
    let not_uuid = app.send(caller.request("GET", &path, "not-a-uuid", None)).await;
    assert_onegini_error(&not_uuid, 400, "invalid_request", "must be a valid UUID");
    let other = app.send(caller.request("GET", &path, "b42ecf38-86e6-46d7-8bde-3fc2487e5f4c", None)).await;
    assert_onegini_error(&other, 403, "access_denied", "does not match the X-Onegini-Instance header");
    let bad_path = app.send(caller.request("GET", "/api/v1/config/nope", "nope", None)).await;
    assert_onegini_error(&bad_path, 400, "invalid_request", "instance_id");

    // The document's descriptions, field by field.
    let cases = [
        (
            json!({"authentication_type": "NONE", "synchronization_type": "PRODUCTION"}),
            "[remote_url] field is required",
        ),
        (
            json!({"remote_url": " ", "authentication_type": "NONE", "synchronization_type": "PRODUCTION"}),
            "[remote_url] field is required",
        ),
        (
            json!({"remote_url": repo.file_url(), "synchronization_type": "PRODUCTION"}),
            "Valid [authentication_type] field is required",
        ),
        (
            json!({"remote_url": repo.file_url(), "authentication_type": "basic", "synchronization_type": "PRODUCTION"}),
            "Valid [authentication_type] field is required",
        ),
        (
            json!({"remote_url": repo.file_url(), "authentication_type": "BASIC", "password": "x", "synchronization_type": "PRODUCTION"}),
            "[username] field is required",
        ),
        (
            json!({"remote_url": repo.file_url(), "authentication_type": "BASIC", "username": "x", "synchronization_type": "PRODUCTION"}),
            "[password] field is required",
        ),
        (
            json!({"remote_url": repo.file_url(), "authentication_type": "NONE"}),
            "Valid [synchronization_type] field is required",
        ),
        (
            json!({"remote_url": repo.file_url(), "authentication_type": "NONE", "synchronization_type": "STAGING"}),
            "Valid [synchronization_type] field is required",
        ),
        (
            json!({"remote_url": "ftp://example.com/repo.git", "authentication_type": "NONE", "synchronization_type": "PRODUCTION"}),
            "'ftp' remotes are not allowed",
        ),
        (
            json!({"remote_url": "https://user:pw@example.com/r.git", "authentication_type": "NONE", "synchronization_type": "PRODUCTION"}),
            "user name or password",
        ),
        (
            json!({"remote_url": format!("https://example.com/{}", "a".repeat(3000)), "authentication_type": "NONE", "synchronization_type": "PRODUCTION"}),
            "at most 2048",
        ),
        (
            json!({"remote_url": repo.file_url(), "authentication_type": "BASIC", "username": "a\u{0}b", "password": "p", "synchronization_type": "PRODUCTION"}),
            "control character",
        ),
        (json!({"remote_url": 5, "authentication_type": "NONE", "synchronization_type": "PRODUCTION"}), "remote_url"),
    ];
    for (body, description) in cases {
        let response = app.send(caller.request("POST", &path, INSTANCE, Some(&body))).await;
        assert_onegini_error(&response, 400, "invalid_request", description);
    }
    let not_json = caller
        .request("POST", &path, INSTANCE, None)
        .insert_header(("content-type", "application/json"))
        .set_payload("{");
    assert_onegini_error(&app.send(not_json).await, 400, "invalid_request", "");
    let text =
        caller.request("POST", &path, INSTANCE, None).insert_header(("content-type", "text/plain")).set_payload("x");
    assert_onegini_error(&app.send(text).await, 415, "invalid_request", "application/json");

    // Nothing was saved by any of them.
    assert_eq!(app.send(caller.request("GET", &path, INSTANCE, None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&user.token, "/api/v1/instance").await.json(), json!({"instances": []}));

    // Remote failures are 500 git_api_error with a reason, and save nothing.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let unreachable = json!({"remote_url": format!("http://{closed}/repo.git"), "authentication_type": "NONE", "synchronization_type": "PRODUCTION"});
    let failed = app.send(caller.request("POST", &path, INSTANCE, Some(&unreachable))).await;
    assert_onegini_error(&failed, 500, "git_api_error", "Git remote repository references fetching failure: ");
    let (_served, server, _, _) = served_repository();
    let wrong = basic_draft(&server.url(), "wrong-password", "PRODUCTION");
    let refused = app.send(caller.request("POST", &path, INSTANCE, Some(&wrong))).await;
    assert_onegini_error(&refused, 500, "git_api_error", "Git remote repository references fetching failure: ");
    assert!(!refused.text().contains("wrong-password"));
    assert_eq!(app.send(caller.request("GET", &path, INSTANCE, None)).await.status, StatusCode::NOT_FOUND);

    // Created after all; the PATCH rules.
    assert_eq!(app.send(caller.request("POST", &path, INSTANCE, Some(&good))).await.status, StatusCode::CREATED);
    let patches = [
        (json!({}), "selected_reference field is required"),
        (json!({"selected_reference": "  "}), "selected_reference field is required"),
        (
            json!({"selected_reference": "master", "authentication_type": "BASIC", "password": "p"}),
            "username field is required",
        ),
        (
            json!({"selected_reference": "master", "authentication_type": "BASIC", "username": "u"}),
            "password field is required",
        ),
        (json!({"selected_reference": "master", "username": "u"}), "only used with BASIC"),
        (json!({"selected_reference": "a..b"}), "not a valid git reference name"),
        (
            json!({"selected_reference": "master", "authentication_type": "SSH"}),
            "Valid [authentication_type] field is required",
        ),
    ];
    for (body, description) in patches {
        let response = app.send(caller.request("PATCH", &path, INSTANCE, Some(&body))).await;
        assert_onegini_error(&response, 400, "invalid_request", description);
    }
    let bad_commit = app
        .send(caller.request("POST", &format!("{path}/synchronize"), INSTANCE, Some(&json!({"commit_id": "abc"}))))
        .await;
    assert_onegini_error(&bad_commit, 400, "invalid_request", "40 hexadecimal digits");
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

#[actix_web::test]
async fn failures_keep_the_files_and_one_synchronisation_runs_at_a_time() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let user = acme.user("config@acme.test", &[ROLE]).await;
    let (repo, server, _v1, v2) = served_repository();
    let caller = Caller::basic(&user.email);
    let path = config_path(INSTANCE);
    let draft = basic_draft(&server.url(), "s3cret", "PRODUCTION");
    assert_eq!(app.send(caller.request("POST", &path, INSTANCE, Some(&draft))).await.status, StatusCode::CREATED);
    let select = json!({"selected_reference": "v2"});
    assert_eq!(app.send(caller.request("PATCH", &path, INSTANCE, Some(&select))).await.status, StatusCode::NO_CONTENT);
    let sync_path = format!("{path}/synchronize");
    let first = app.send(caller.request("POST", &sync_path, INSTANCE, None)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let files_before = app.send(caller.request("GET", &format!("{path}/files"), INSTANCE, None)).await.json();
    let stored_before = stored(&app).await;

    // An unknown commit, then a password the server no longer takes: 500, files intact.
    let unknown = app
        .send(caller.request("POST", &sync_path, INSTANCE, Some(&json!({"commit_id": "0123456789".repeat(4)}))))
        .await;
    assert_onegini_error(&unknown, 500, "git_api_error", "Git remote repository synchronization failure: ");
    server.set_options(ServerOptions { credentials: Some(("alice".into(), "rotated".into())), ..Default::default() });
    let denied = app.send(caller.request("POST", &sync_path, INSTANCE, None)).await;
    assert_onegini_error(&denied, 500, "git_api_error", "Git remote repository synchronization failure: ");
    assert!(!denied.text().contains("s3cret"));
    let files_after = app.send(caller.request("GET", &format!("{path}/files"), INSTANCE, None)).await.json();
    assert_eq!(files_after, files_before);
    assert_eq!(stored(&app).await, stored_before);
    let history = app.send(caller.request("GET", &format!("{path}/synchronizations"), INSTANCE, None)).await.json();
    let outcomes: Vec<&str> =
        history["synchronizations"].as_array().unwrap().iter().map(|s| s["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["FAILED", "FAILED", "SUCCEEDED"]);
    assert!(history["synchronizations"][0]["error"].as_str().unwrap().contains("synchronization failure"));

    // The password again; a slow server holds the first synchronisation while a second comes.
    let rotated =
        json!({"selected_reference": "v2", "authentication_type": "BASIC", "username": "alice", "password": "rotated"});
    assert_eq!(app.send(caller.request("PATCH", &path, INSTANCE, Some(&rotated))).await.status, StatusCode::NO_CONTENT);
    server.set_options(ServerOptions {
        credentials: Some(("alice".into(), "rotated".into())),
        pack_delay: Duration::from_millis(1500),
    });
    let (one, two) = futures_util::join!(app.send(caller.request("POST", &sync_path, INSTANCE, None)), async {
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        app.send(caller.request("POST", &sync_path, INSTANCE, None)).await
    });
    let mut statuses = [one.status.as_u16(), two.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", one.text(), two.text());
    let busy = if one.status == StatusCode::CONFLICT { &one } else { &two };
    assert_onegini_error(busy, 409, "invalid_request", "already running");
    // Deleting the instance while a synchronisation runs is refused the same way.
    let (sync, delete) = futures_util::join!(app.send(caller.request("POST", &sync_path, INSTANCE, None)), async {
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        app.send(TestRequest::delete().uri(&format!("/api/v1/instance/{INSTANCE}")).insert_header(bearer(&user.token)))
            .await
    });
    assert_eq!(sync.status, StatusCode::OK, "{}", sync.text());
    assert_eq!(sync.json()["commit_id"], v2);
    assert_eq!(delete.status, StatusCode::CONFLICT, "{}", delete.text());
    drop(repo);
}

#[actix_web::test]
async fn thousands_of_files_are_synchronized() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let user = acme.user("config@acme.test", &[ROLE]).await;
    let repo = TestRepo::new();
    let commit = repo.commit_many("master", 3000);
    let caller = Caller::bearer(&user.token);
    let path = config_path(INSTANCE);
    let draft =
        json!({"remote_url": repo.file_url(), "authentication_type": "NONE", "synchronization_type": "DEVELOPMENT"});
    assert_eq!(app.send(caller.request("POST", &path, INSTANCE, Some(&draft))).await.status, StatusCode::CREATED);
    let select = json!({"selected_reference": "master"});
    assert_eq!(app.send(caller.request("PATCH", &path, INSTANCE, Some(&select))).await.status, StatusCode::NO_CONTENT);
    let synced = app.send(caller.request("POST", &format!("{path}/synchronize"), INSTANCE, None)).await;
    assert_eq!(synced.status, StatusCode::OK, "{}", synced.text());
    assert_eq!(synced.json()["commit_id"], commit);
    assert_eq!(synced.json()["file_count"], 3001);
    let files = app.send(caller.request("GET", &format!("{path}/files"), INSTANCE, None)).await.json();
    assert_eq!(files["files"].as_array().unwrap().len(), 3001);
    let one =
        app.send(caller.request("GET", &format!("{path}/files/generated/29/file-2999.json"), INSTANCE, None)).await;
    assert_eq!(one.body, b"{\"n\": 2999}\n");
    assert_eq!(stored(&app).await.len(), 3001);
}

#[actix_web::test]
async fn local_and_private_remotes_are_refused_unless_allowed() {
    let app = TestApp::start_with(portico_gateway::settings::Settings::default()).await;
    let acme = app.realm("acme").await;
    let user = acme.user("config@acme.test", &[ROLE]).await;
    let caller = Caller::basic(&user.email);
    let path = config_path(INSTANCE);
    let repo = TestRepo::new();
    let server = GitServer::start(repo.root(), ServerOptions::default());
    for url in [
        server.url(),
        repo.file_url(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://[::1]/r.git".to_owned(),
    ] {
        let draft = json!({"remote_url": url, "authentication_type": "NONE", "synchronization_type": "PRODUCTION"});
        let response = app.send(caller.request("POST", &path, INSTANCE, Some(&draft))).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{url}: {}", response.text());
        assert_eq!(response.json()["error"], "invalid_request");
    }
    assert_eq!(server.requests(), 0, "a refused remote is never contacted");
}
