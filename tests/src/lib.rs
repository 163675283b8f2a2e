//! # portico-e2e
//!
//! The black-box harness: builds the real `portico` binary (with cargo, once per test process,
//! so it is never stale), starts it on a free port (`PORTICO_HTTP__BIND=127.0.0.1:0`; the
//! address is read from its output) with a temporary data directory and a fresh database
//! (SQLite, or PostgreSQL when `PORTICO_TEST_POSTGRES_URL` is set), and hands out its URL.

use portico_core::testing::TestDatabase;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Password of the bootstrap admin unless a test asks for a generated one.
pub const ADMIN_PASSWORD: &str = "e2e admin password";
/// E-mail of the bootstrap admin.
pub const ADMIN_EMAIL: &str = "admin@portico.test";
/// Id of the bootstrap management client.
pub const CLIENT_ID: &str = "e2e-management-client";
/// Secret of the bootstrap management client.
pub const CLIENT_SECRET: &str = "e2e-management-client-secret-0123456789";

/// Where a stopped server's state lives, to start it again on the same data.
pub struct Storage {
    data: tempfile::TempDir,
    database: Option<TestDatabase>,
}

impl Storage {
    /// A new, empty data directory and database.
    pub fn new() -> Storage {
        let data = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let database = (TestDatabase::backend() == portico_core::db::Backend::Postgres).then(TestDatabase::empty);
        Storage { data, database }
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The environment pointing a server at this storage. SQLite uses the default
    /// `<data_dir>/portico.db`, exactly as the README's run command does.
    fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![("PORTICO_DATA_DIR".to_owned(), self.data.path().display().to_string())];
        if let Some(database) = &self.database {
            env.push(("PORTICO_DATABASE__URL".to_owned(), database.url().to_owned()));
        }
        env
    }
}

impl Default for Storage {
    fn default() -> Self {
        Storage::new()
    }
}

/// A running `portico` process.
pub struct Portico {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    child: Child,
    output: Arc<Mutex<Vec<String>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    storage: Option<Storage>,
}

/// The standard environment: fixed bootstrap credentials, quiet logs.
pub fn standard_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("PORTICO_BOOTSTRAP__ADMIN_EMAIL", ADMIN_EMAIL),
        ("PORTICO_BOOTSTRAP__ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("PORTICO_BOOTSTRAP__CLIENT_ID", CLIENT_ID),
        ("PORTICO_BOOTSTRAP__CLIENT_SECRET", CLIENT_SECRET),
    ]
}

impl Portico {
    /// Starts a server with the standard environment on new storage.
    pub fn start() -> Portico {
        Portico::start_on(Storage::new(), &standard_env())
    }

    /// Starts a server on `storage` with extra environment variables.
    pub fn start_on(storage: Storage, env: &[(&str, &str)]) -> Portico {
        let mut command = Command::new(binary());
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORTICO_HTTP__BIND", "127.0.0.1:0")
            .env("PORTICO_LOG__LEVEL", "warn")
            .envs(storage.env())
            .envs(env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot start portico: {e}"));
        let output = Arc::new(Mutex::new(Vec::new()));
        let (address_tx, address_rx) = mpsc::channel();
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            let output = output.clone();
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(address) = line.strip_prefix("portico: listening on ") {
                        let _ = address_tx.send(address.to_owned());
                    }
                    if let Ok(mut lines) = output.lock() {
                        lines.push(line);
                    }
                }
            }));
        }
        if let Some(stderr) = child.stderr.take() {
            let output = output.clone();
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Ok(mut lines) = output.lock() {
                        lines.push(line);
                    }
                }
            }));
        }
        match address_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(base) => Portico { base, child, output, readers, storage: Some(storage) },
            Err(_) => {
                let _ = child.kill();
                let lines = output.lock().map(|l| l.join("\n")).unwrap_or_default();
                panic!("portico did not start within 60 s; output:\n{lines}");
            }
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Everything the process printed so far (stdout and stderr).
    pub fn output(&self) -> Vec<String> {
        self.output.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for a graceful exit; returns the status and the storage.
    pub fn stop(mut self) -> (ExitStatus, Storage) {
        let status = terminate(&mut self.child);
        let storage = self.storage.take().unwrap_or_default();
        (status, storage)
    }

    /// Stops the server gracefully and returns its exit status and everything it printed, to
    /// the last line.
    pub fn stop_with_output(mut self) -> (ExitStatus, Vec<String>) {
        let status = terminate(&mut self.child);
        for reader in std::mem::take(&mut self.readers) {
            let _ = reader.join();
        }
        (status, self.output())
    }
}

impl Drop for Portico {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn terminate(child: &mut Child) -> ExitStatus {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    for _ in 0..300 {
        if let Ok(Some(status)) = child.try_wait() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    child.wait().unwrap_or_else(|e| panic!("wait: {e}"))
}

/// Runs `portico` with `args` on `storage` to completion (subcommands); returns status and output.
pub fn run_command(storage: &Storage, args: &[&str], env: &[(&str, &str)]) -> (ExitStatus, String) {
    let output = Command::new(binary())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(storage.env())
        .envs(env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run portico: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status, text)
}

/// Builds the `portico` binary once per test process and returns its path.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_binary)
}

fn build_binary() -> PathBuf {
    // The test executable lives in <target>/<profile>/deps/.
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let profile_dir =
        exe.parent().and_then(Path::parent).unwrap_or_else(|| panic!("unexpected test path {}", exe.display()));
    let target_dir = profile_dir.parent().unwrap_or_else(|| panic!("unexpected test path {}", exe.display()));
    let profile = profile_dir.file_name().and_then(|n| n.to_str()).unwrap_or("debug");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--quiet", "-p", "portico-gateway", "--bin", "portico", "--target-dir"])
        .arg(target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile == "release" {
        command.arg("--release");
    }
    let status = command.status().unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    assert!(status.success(), "building portico failed");
    let binary = profile_dir.join(format!("portico{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} was not built", binary.display());
    binary
}

/// An HTTP client that never follows redirects (as oauth2 recommends).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("http client: {e}"))
}
