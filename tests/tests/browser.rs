//! A real browser signs in to a console on another origin: headless Chromium, driven over
//! WebDriver (chromedriver), opens a test page served on 127.0.0.1 by this test, which runs the
//! authorization code flow with PKCE through a real OpenID Connect client library
//! (oidc-client-ts), calls a CORS-protected API with the token, signs out (RP-initiated
//! logout) and finds the token refused.
//!
//! Needs Debian's `chromium` and `chromium-driver` and `npm ci --prefix tests/browser`
//! (`.ci/run` installs them); run with `cargo test -p portico-e2e --features browser --test browser`.

#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

use portico_e2e::{ADMIN_EMAIL, ADMIN_PASSWORD, Portico, Storage, http_client, standard_env};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CLIENT_ID: &str = "browser-console";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// Serves the test console from `tests/browser/page`, the client library from
/// `tests/browser/node_modules`, and `config.js` naming Portico, until the test ends.
fn serve_console(listener: TcpListener, config: String) {
    let page = browser_dir().join("page");
    let library = browser_dir().join("node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js");
    assert!(library.exists(), "{} is missing: run `npm ci --prefix tests/browser`", library.display());
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let (page, library, config) = (page.clone(), library.clone(), config.clone());
            std::thread::spawn(move || answer(stream, &page, &library, &config));
        }
    });
}

fn answer(mut stream: TcpStream, page: &Path, library: &Path, config: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_or(true, |n| n == 0) || line == "\r\n" {
            break;
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/");
    let (status, content_type, body) = match path {
        "/config.js" => ("200 OK", "text/javascript", config.as_bytes().to_vec()),
        "/oidc-client-ts.min.js" => ("200 OK", "text/javascript", std::fs::read(library).unwrap()),
        "/" => ("200 OK", "text/html", std::fs::read(page.join("index.html")).unwrap()),
        "/index.html" | "/callback.html" | "/signed-out.html" | "/app.js" => {
            let kind = if path.ends_with(".js") { "text/javascript" } else { "text/html" };
            ("200 OK", kind, std::fs::read(page.join(&path[1..])).unwrap())
        }
        _ => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
}

/// A chromedriver process with one headless Chromium session.
struct Browser {
    http: reqwest::Client,
    session: String,
    base: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    async fn start() -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromedriver (Debian package chromium-driver): {e}"));
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            http: reqwest::Client::new(),
            session: String::new(),
            base: format!("http://127.0.0.1:{port}"),
            driver,
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while browser.http.get(format!("{}/status", browser.base)).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args},
        }}});
        let created = browser.command("POST", "/session", capabilities).await;
        browser.session = created["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {created}")).to_owned();
        browser
    }

    async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let response: Value = request.send().await.unwrap().json().await.unwrap();
        response["value"].clone()
    }

    async fn session_command(&self, method: &str, path: &str, body: Value) -> Value {
        self.command(method, &format!("/session/{}{path}", self.session), body).await
    }

    async fn goto(&self, url: &str) {
        self.session_command("POST", "/url", json!({"url": url})).await;
    }

    async fn url(&self) -> String {
        self.session_command("GET", "/url", Value::Null).await.as_str().unwrap_or_default().to_owned()
    }

    /// The element matching `css`, waiting for it to appear.
    async fn element(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.session_command("POST", "/element", json!({"using": "css selector", "value": css})).await;
            if let Some(id) = found[ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "no element {css} at {}", self.url().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click(&self, css: &str) {
        let element = self.element(css).await;
        self.session_command("POST", &format!("/element/{element}/click"), json!({})).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css).await;
        self.session_command("POST", &format!("/element/{element}/value"), json!({"text": text})).await;
    }

    /// The text of `#result` once it starts with `prefix` (or an error shows).
    async fn result(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let element = self.element("#result").await;
            let text = self.session_command("GET", &format!("/element/{element}/text"), Value::Null).await;
            let text = text.as_str().unwrap_or_default().to_owned();
            if text.starts_with(prefix) || text.starts_with("error") {
                return text;
            }
            assert!(Instant::now() < deadline, "#result is '{text}' at {}", self.url().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn quit(self) {
        self.command("DELETE", &format!("/session/{}", self.session), Value::Null).await;
    }
}

#[tokio::test]
async fn a_console_on_another_origin_signs_in_with_code_and_pkce_calls_apis_and_signs_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let console = format!("http://{}", listener.local_addr().unwrap());
    let redirect = format!("{console}/callback.html");
    let signed_out = format!("{console}/signed-out.html");
    let mut env = standard_env();
    env.extend([
        ("PORTICO_HTTP__CORS_ORIGINS", console.as_str()),
        ("PORTICO_IDENTITY__CONSOLE_CLIENT_ID", CLIENT_ID),
        ("PORTICO_IDENTITY__CONSOLE_REDIRECT_URIS", redirect.as_str()),
        ("PORTICO_IDENTITY__CONSOLE_POST_LOGOUT_REDIRECT_URIS", signed_out.as_str()),
    ]);
    let portico = Portico::start_on(Storage::new(), &env);
    serve_console(listener, format!("window.PORTICO = {:?}; window.CLIENT_ID = {CLIENT_ID:?};\n", portico.base));
    let browser = Browser::start().await;

    // The console sends the browser to Portico's login page.
    browser.goto(&format!("{console}/")).await;
    assert_eq!(browser.result("ready").await, "ready");
    browser.click("#login").await;
    browser.element("input[name=password]").await;
    let login_page = browser.url().await;
    assert!(login_page.starts_with(&portico.url("/auth/realms/master/protocol/openid-connect/auth?")), "{login_page}");
    assert!(login_page.contains("code_challenge_method=S256"), "the library uses PKCE: {login_page}");

    // A wrong password keeps the user on the page, with the same words as the token endpoint.
    browser.type_into("#username", ADMIN_EMAIL).await;
    browser.type_into("#password", "not the password").await;
    browser.click("button[type=submit]").await;
    let alert = browser.element("[role=alert]").await;
    let alert = browser.session_command("GET", &format!("/element/{alert}/text"), Value::Null).await;
    assert_eq!(alert, "Invalid user credentials.");

    // The right one returns to the console with a code; the library exchanges it (CORS) and
    // the console calls a preflighted API (Authorization, realm, Accept) and reads an exposed header.
    browser.type_into("#password", ADMIN_PASSWORD).await;
    browser.click("button[type=submit]").await;
    let signed_in = browser.result("signed-in").await;
    assert_eq!(signed_in, format!("signed-in {ADMIN_EMAIL} management openid 200 request-id users=1"));
    assert!(browser.url().await.starts_with(&redirect));

    // RP-initiated logout returns to the registered page, and the earlier token is refused.
    browser.click("#logout").await;
    let after = browser.result("signed-out").await;
    assert_eq!(after, "signed-out 401 request-id");
    assert!(browser.url().await.starts_with(&signed_out));
    browser.quit().await;

    // A page on an origin that is not allowed gets no CORS permission from Portico.
    let foreign =
        http_client().get(portico.url("/healthz")).header("origin", "http://127.0.0.1:9").send().await.unwrap();
    assert!(foreign.headers().get("access-control-allow-origin").is_none());
    let (status, _) = portico.stop();
    assert!(status.success(), "{status}");
}
