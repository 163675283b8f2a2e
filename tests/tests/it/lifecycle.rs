//! Start-up on the embedded default, first-start bootstrap, restart, graceful shutdown,
//! the `migrate` and `configtest` subcommands, and the JSON error behaviour.

use portico_e2e::{ADMIN_EMAIL, Portico, Storage, http_client, run_command, standard_env};

#[tokio::test]
async fn the_server_runs_on_its_embedded_default_and_serves_healthz() {
    let storage = Storage::new();
    let sqlite = portico_core::testing::TestDatabase::backend() == portico_core::db::Backend::Sqlite;
    let portico = Portico::start_on(storage, &standard_env());
    let response = http_client().get(portico.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let ready = http_client().get(portico.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let (status, storage) = portico.stop();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    if sqlite {
        assert!(storage.data_dir().join("portico.db").exists(), "the default database is <data_dir>/portico.db");
    }
    assert!(storage.data_dir().join("sealing.key").exists(), "the sealing key is generated into the data dir");
}

#[tokio::test]
async fn a_generated_admin_password_is_printed_once_and_restarts_change_nothing() {
    let env = [("PORTICO_BOOTSTRAP__ADMIN_EMAIL", ADMIN_EMAIL)];
    let first = Portico::start_on(Storage::new(), &env);
    let printed: Vec<String> = first.output().into_iter().filter(|l| l.contains("generated password")).collect();
    assert_eq!(printed.len(), 1, "{:?}", first.output());
    assert!(printed[0].contains(ADMIN_EMAIL));
    let (status, storage) = first.stop();
    assert!(status.success());

    let second = Portico::start_on(storage, &env);
    assert!(second.output().iter().all(|l| !l.contains("generated password")), "{:?}", second.output());
    let response = http_client().get(second.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn unknown_routes_get_json_errors_not_html() {
    let portico = Portico::start();
    let response = http_client().get(portico.url("/definitely/not/here")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers()["content-type"].to_str().unwrap().contains("json"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], 404);
}

#[test]
fn migrate_applies_everything_once_and_configtest_checks_the_setup() {
    let storage = Storage::new();
    let (status, output) = run_command(&storage, &["migrate"], &[]);
    assert!(status.success(), "{output}");
    assert!(output.contains("applied"), "{output}");
    let (status, output) = run_command(&storage, &["migrate"], &[]);
    assert!(status.success(), "{output}");
    assert!(output.contains("up to date"), "{output}");

    let (status, output) =
        run_command(&storage, &["configtest"], &[("PORTICO_BOOTSTRAP__ADMIN_PASSWORD", "hunter2hunter2")]);
    assert!(status.success(), "{output}");
    assert!(output.contains("configuration OK"), "{output}");
    assert!(!output.contains("hunter2hunter2"), "secrets are masked: {output}");

    let (status, output) = run_command(&storage, &["configtest"], &[("PORTICO_HTTP__BIND", "not-an-address")]);
    assert_eq!(status.code(), Some(2), "{output}");
    assert!(output.contains("http.bind"), "{output}");

    // The Kafka client certificate is checked as the start checks it (here: its key is missing).
    let (status, output) =
        run_command(&storage, &["configtest"], &[("PORTICO_CATALOG__KAFKA_CLIENT_CERTIFICATE", "/nonexistent.pem")]);
    assert!(!status.success(), "{output}");
    assert!(output.contains("catalog.kafka_client_key go together"), "{output}");

    let (status, output) = run_command(&storage, &["rotate-signing-key"], &[]);
    assert!(status.success(), "{output}");
    assert!(output.contains("new signing key"), "{output}");

    let (status, output) = run_command(&storage, &["bogus"], &[]);
    assert_eq!(status.code(), Some(2), "{output}");
    assert!(output.contains("usage"), "{output}");
}

#[tokio::test]
async fn configured_environments_are_created_at_start() {
    let mut env = standard_env();
    env.push(("PORTICO_IDENTITY__ENVIRONMENTS", "au01,eu01"));
    let portico = Portico::start_on(Storage::new(), &env);
    let http = http_client();
    let token: serde_json::Value = http
        .post(portico.url("/oauth/token"))
        .json(&serde_json::json!({"client_id": portico_e2e::CLIENT_ID, "client_secret": portico_e2e::CLIENT_SECRET, "audience": "portico-management", "grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let environments: serde_json::Value = http
        .get(portico.url("/v1/environments"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> =
        environments["data"].as_array().into_iter().flatten().filter_map(|e| e["name"].as_str()).collect();
    assert_eq!(names.len(), 3, "{environments}");
    for name in ["local", "au01", "eu01"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
}

#[tokio::test]
async fn request_logs_are_plain_text_off_a_terminal_and_json_when_asked() {
    let text = Portico::start_on(Storage::new(), &[("PORTICO_LOG__LEVEL", "info")]);
    let response = http_client().get(text.url("/info")).header("x-request-id", "log-check-1").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let (status, lines) = text.stop_with_output();
    assert!(status.success());
    let request =
        lines.iter().find(|l| l.contains("log-check-1")).unwrap_or_else(|| panic!("no request line: {lines:?}"));
    assert!(request.contains("status=200") || request.contains("status: 200"), "{request}");
    assert!(lines.iter().all(|l| !l.contains('\u{1b}')), "no colour codes when stderr is not a terminal: {lines:?}");

    let json = Portico::start_on(Storage::new(), &[("PORTICO_LOG__LEVEL", "info"), ("PORTICO_LOG__FORMAT", "json")]);
    let response = http_client().get(json.url("/info")).header("x-request-id", "log-check-2").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let (status, lines) = json.stop_with_output();
    assert!(status.success());
    let logged: Vec<serde_json::Value> =
        lines.iter().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect();
    let request = logged
        .iter()
        .find(|event| event.to_string().contains("log-check-2"))
        .unwrap_or_else(|| panic!("no JSON request line: {lines:?}"));
    assert_eq!(request["status"], 200, "{request}");
}
