//! Synchronised git files in an S3-compatible object store: the real `portico` binary,
//! configured with `PORTICO_GITSYNC__S3_*`, synchronises a real git repository into a bucket
//! of s3rver (an S3-compatible server on 127.0.0.1, signature V4 checked), serves the files
//! back from it, replaces the set atomically and leaves nothing behind when the instance is
//! deleted.
//!
//! Needs `npm ci --prefix tests/s3` (`.ci/run` runs it); run with
//! `cargo test -p portico-e2e --features s3 --test s3`.

#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

use portico_e2e::{ADMIN_EMAIL, ADMIN_PASSWORD, Portico, Storage, http_client, standard_env};
use portico_gitsync::testing::TestRepo;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTANCE: &str = "a31dbf27-75d5-45c6-9acd-2fb1376d4e3b";
const BUCKET: &str = "portico-files";

/// s3rver on a free port, storing under a temporary directory; stopped when dropped.
struct S3Server {
    child: Child,
    port: u16,
    directory: tempfile::TempDir,
}

impl S3Server {
    fn start() -> S3Server {
        let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("s3/node_modules/.bin/s3rver");
        assert!(binary.exists(), "{} is missing: run `npm ci --prefix tests/s3`", binary.display());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let directory = tempfile::tempdir().unwrap();
        let child = Command::new(binary)
            .args(["--address", "127.0.0.1", "--port", &port.to_string(), "--configure-bucket", BUCKET, "--silent"])
            .arg("--directory")
            .arg(directory.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "s3rver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        S3Server { child, port, directory }
    }

    /// The objects s3rver holds in the bucket (it stores each as `<key>._S3rver_object`).
    fn objects(&self) -> Vec<String> {
        fn walk(dir: &Path, root: &Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path: PathBuf = entry.path();
                if path.is_dir() {
                    walk(&path, root, found);
                } else if let Some(name) = path.to_str().and_then(|p| p.strip_suffix("._S3rver_object")) {
                    found.push(Path::new(name).strip_prefix(root).unwrap().display().to_string());
                }
            }
        }
        let root = self.directory.path().join(BUCKET);
        let mut found = Vec::new();
        walk(&root, &root, &mut found);
        found.sort();
        found
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn basic() -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{ADMIN_EMAIL}:{ADMIN_PASSWORD}")))
}

#[tokio::test]
async fn synchronised_files_live_in_an_s3_bucket() {
    let s3 = S3Server::start();
    let repo = TestRepo::new();
    let first = repo.commit("master", &[("app.json", "{\"v\": 1}"), ("theme/a b.css", "body {}")], false);
    let endpoint = format!("http://127.0.0.1:{}", s3.port);
    let mut env = standard_env();
    env.extend([
        ("PORTICO_GITSYNC__ALLOW_LOCAL_REMOTES", "true"),
        ("PORTICO_GITSYNC__S3_BUCKET", BUCKET),
        ("PORTICO_GITSYNC__S3_ENDPOINT", endpoint.as_str()),
        ("PORTICO_GITSYNC__S3_ACCESS_KEY_ID", "S3RVER"),
        ("PORTICO_GITSYNC__S3_SECRET_ACCESS_KEY", "S3RVER"),
        ("PORTICO_GITSYNC__S3_ALLOW_HTTP", "true"),
    ]);
    let portico = Portico::start_on(Storage::new(), &env);
    let client = http_client();
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = client
            .request(method, portico.url(&path))
            .header("authorization", basic())
            .header("x-onegini-instance", INSTANCE);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    let config = format!("/api/v1/config/{INSTANCE}");

    let draft =
        json!({"remote_url": repo.file_url(), "authentication_type": "NONE", "synchronization_type": "DEVELOPMENT"});
    let created = call(reqwest::Method::POST, config.clone(), Some(draft)).await.unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let select =
        call(reqwest::Method::PATCH, config.clone(), Some(json!({"selected_reference": "master"}))).await.unwrap();
    assert_eq!(select.status(), 204);
    let synced = call(reqwest::Method::POST, format!("{config}/synchronize"), None).await.unwrap();
    assert_eq!(synced.status(), 200);
    let sync: Value = synced.json().await.unwrap();
    assert_eq!(sync["commit_id"], first);
    assert_eq!(sync["file_count"], 3);

    // The files are objects of the bucket, under realm/instance/set.
    let objects = s3.objects();
    assert_eq!(objects.len(), 3, "{objects:?}");
    assert!(objects.iter().all(|o| o.contains(INSTANCE)), "{objects:?}");
    assert!(objects.iter().any(|o| o.ends_with("theme/a b.css")), "{objects:?}");
    let css = call(reqwest::Method::GET, format!("{config}/files/theme/a b.css"), None).await.unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.bytes().await.unwrap().as_ref(), b"body {}");

    // A new commit replaces the set: the old objects are gone.
    let second = repo.commit("master", &[("app.json", "{\"v\": 2}")], true);
    let synced: Value =
        call(reqwest::Method::POST, format!("{config}/synchronize"), None).await.unwrap().json().await.unwrap();
    assert_eq!(synced["commit_id"], second);
    let objects = s3.objects();
    assert_eq!(objects.len(), 1, "only the new set remains: {objects:?}");
    let app = call(reqwest::Method::GET, format!("{config}/files/app.json"), None).await.unwrap();
    assert_eq!(app.bytes().await.unwrap().as_ref(), b"{\"v\": 2}");

    // Deleting the instance empties the bucket of it.
    let token: Value = client
        .post(portico.url("/auth/realms/master/protocol/openid-connect/token"))
        .form(&[("grant_type", "password"), ("username", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deleted = client
        .delete(portico.url(&format!("/api/v1/instance/{INSTANCE}")))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(s3.objects().is_empty(), "{:?}", s3.objects());
}
