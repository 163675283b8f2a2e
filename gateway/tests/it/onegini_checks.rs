//! Onegini external resources, the checks and the failure modes: the instance header, the
//! configuration's fields and remote (and the remote policy), failed synchronisations that keep
//! the current files, one synchronisation at a time, and thousands of files. The lifecycle and
//! access tests, with the shared helpers, are in `onegini.rs`.

use crate::onegini::{
    Caller, INSTANCE, ROLE, assert_onegini_error, basic_draft, config_path, served_repository, stored,
};
use crate::support::{TestApp, bearer};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use portico_gitsync::testing::{GitServer, ServerOptions, TestRepo};
use serde_json::json;
use std::time::Duration;

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
        // Credentials with NONE are refused as PATCH refuses them, not silently dropped.
        (
            json!({"remote_url": repo.file_url(), "authentication_type": "NONE", "username": "u", "password": "p", "synchronization_type": "PRODUCTION"}),
            "only used with BASIC authentication_type",
        ),
        (
            json!({"remote_url": repo.file_url(), "authentication_type": "NONE", "password": "p", "synchronization_type": "PRODUCTION"}),
            "only used with BASIC authentication_type",
        ),
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
    // The caller learns that the repository could not be read, not what the transport met
    // (a status, "connection refused"): that would make Portico a scanner of addresses.
    let description = failed.json()["error_description"].as_str().unwrap().to_owned();
    assert!(description.ends_with(portico_gitsync::git::UNREADABLE), "{description}");
    assert!(!description.contains(&closed.port().to_string()) && !description.to_lowercase().contains("refused"));
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
    let port = server.url().split(':').nth(2).and_then(|rest| rest.split('/').next()).unwrap().to_owned();
    for url in [
        server.url(),
        repo.file_url(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://[::1]/r.git".to_owned(),
        // IPv6 spellings that carry the loopback address, each at the test server's port.
        format!("http://[::127.0.0.1]:{port}/x.git"),
        format!("http://[::ffff:0:127.0.0.1]:{port}/x.git"),
        format!("http://[::ffff:127.0.0.1]:{port}/x.git"),
        format!("http://[64:ff9b::127.0.0.1]:{port}/x.git"),
        format!("http://[2002:7f00:1::]:{port}/x.git"),
        format!("http://[2001:0:7f00:1::1]:{port}/x.git"),
    ] {
        let draft = json!({"remote_url": url, "authentication_type": "NONE", "synchronization_type": "PRODUCTION"});
        let response = app.send(caller.request("POST", &path, INSTANCE, Some(&draft))).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{url}: {}", response.text());
        assert_eq!(response.json()["error"], "invalid_request");
    }
    assert_eq!(server.requests(), 0, "a refused remote is never contacted");
}

#[actix_web::test]
async fn file_paths_are_decoded_once_and_a_stale_if_match_keeps_the_configuration() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let user = acme.user("config@acme.test", &[ROLE]).await;
    let caller = Caller::basic(&user.email);
    let repo = TestRepo::new();
    repo.commit("master", &[("100% a+b.txt", "odd"), ("100%25.txt", "literal"), ("dir/x.json", "{}")], false);
    repo.tag("master", "v1", false);
    let path = config_path(INSTANCE);
    let draft =
        json!({"remote_url": repo.file_url(), "authentication_type": "NONE", "synchronization_type": "PRODUCTION"});
    assert_eq!(app.send(caller.request("POST", &path, INSTANCE, Some(&draft))).await.status, StatusCode::CREATED);
    let selected = app.send(caller.request("PATCH", &path, INSTANCE, Some(&json!({"selected_reference": "v1"})))).await;
    assert_eq!(selected.status, StatusCode::NO_CONTENT, "{}", selected.text());
    let synced = app.send(caller.request("POST", &format!("{path}/synchronization"), INSTANCE, None)).await;
    assert!(synced.status.is_success(), "{}", synced.text());
    for (encoded, content) in [
        ("100%25%20a%2Bb.txt", "odd"),
        ("100%25%20a+b.txt", "odd"),
        ("100%2525.txt", "literal"),
        ("dir%2Fx.json", "{}"),
    ] {
        let file = app.send(caller.request("GET", &format!("{path}/files/{encoded}"), INSTANCE, None)).await;
        assert_eq!(file.status, StatusCode::OK, "{encoded}: {}", file.text());
        assert_eq!(file.body, content.as_bytes(), "{encoded}");
    }

    let etag = app.send(caller.request("GET", &path, INSTANCE, None)).await.header("etag").unwrap().to_owned();
    let stale = app.send(caller.request("DELETE", &path, INSTANCE, None).insert_header(("if-match", "\"77\""))).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.text());
    assert_eq!(app.send(caller.request("GET", &path, INSTANCE, None)).await.status, StatusCode::OK);
    let current = app.send(caller.request("DELETE", &path, INSTANCE, None).insert_header(("if-match", etag))).await;
    assert_eq!(current.status, StatusCode::NO_CONTENT, "{}", current.text());
    assert_eq!(app.send(caller.request("GET", &path, INSTANCE, None)).await.status, StatusCode::NOT_FOUND);
}
