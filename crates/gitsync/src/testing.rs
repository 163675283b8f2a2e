//! Real git for tests (feature `testing`): repositories made with the `git` program, and a
//! smart-HTTP server on 127.0.0.1 that runs `git http-backend` (CGI) behind HTTP Basic
//! authentication. No mock of git anywhere.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Runs `git` with `args` in `dir`; panics with git's output when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap_or_else(|e| panic!("git {args:?}: {e}"));
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A bare repository (what a server serves) with a work tree beside it to make commits.
pub struct TestRepo {
    root: tempfile::TempDir,
}

impl Default for TestRepo {
    fn default() -> Self {
        TestRepo::new()
    }
}

impl TestRepo {
    /// A repository whose branch `master` holds one commit with a `README.md`.
    pub fn new() -> TestRepo {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let repo = TestRepo { root };
        std::fs::create_dir_all(repo.work()).unwrap_or_else(|e| panic!("{e}"));
        git(repo.root.path(), &["init", "-q", "--bare", "-b", "master", "repo.git"]);
        let work = repo.work();
        git(&work, &["init", "-q", "-b", "master"]);
        git(&work, &["remote", "add", "origin", &repo.bare().display().to_string()]);
        std::fs::write(work.join("README.md"), "# configuration\n").unwrap_or_else(|e| panic!("{e}"));
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "initial"]);
        git(&work, &["push", "-q", "origin", "master"]);
        repo
    }

    /// The bare repository's directory (served as `/repo.git`).
    pub fn bare(&self) -> PathBuf {
        self.root.path().join("repo.git")
    }

    /// The directory that holds the bare repository (the server's project root).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// Its `file://` URL.
    pub fn file_url(&self) -> String {
        format!("file://{}", self.bare().display())
    }

    /// Commits `files` (path, content) on `branch` (created from the current one when new),
    /// replacing the whole tree when `replace`; pushes it; returns the commit id.
    pub fn commit(&self, branch: &str, files: &[(&str, &str)], replace: bool) -> String {
        let work = self.work();
        if git(&work, &["branch", "--list", branch]).is_empty() {
            git(&work, &["checkout", "-q", "-b", branch]);
        } else {
            git(&work, &["checkout", "-q", branch]);
        }
        if replace {
            let _ = git(&work, &["rm", "-r", "-q", "--ignore-unmatch", "."]);
        }
        for (path, content) in files {
            let file = work.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(&file, content).unwrap_or_else(|e| panic!("{e}"));
        }
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "--allow-empty", "-m", &format!("change on {branch}")]);
        git(&work, &["push", "-q", "origin", branch]);
        git(&work, &["rev-parse", "HEAD"])
    }

    /// Commits `count` generated files (`dir/N/file-N.json`) on `branch`.
    pub fn commit_many(&self, branch: &str, count: usize) -> String {
        let work = self.work();
        for i in 0..count {
            let dir = work.join(format!("generated/{}", i / 100));
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(dir.join(format!("file-{i}.json")), format!("{{\"n\": {i}}}\n"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        self.commit(branch, &[], false)
    }

    /// Tags the tip of `branch` as `tag` (annotated when `annotated`) and pushes the tag.
    pub fn tag(&self, branch: &str, tag: &str, annotated: bool) {
        let work = self.work();
        if annotated {
            git(&work, &["tag", "-a", "-m", tag, tag, branch]);
        } else {
            git(&work, &["tag", tag, branch]);
        }
        git(&work, &["push", "-q", "origin", tag]);
    }
}

/// What the server does with each request.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Require these Basic credentials.
    pub credentials: Option<(String, String)>,
    /// Wait this long before answering a pack request (to hold a synchronisation open).
    pub pack_delay: Duration,
}

/// A smart-HTTP git server on 127.0.0.1 serving the repositories under a directory. Stops when
/// dropped.
pub struct GitServer {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    options: Arc<Mutex<ServerOptions>>,
}

impl GitServer {
    /// Serves `root` (e.g. [`TestRepo::root`]) with `options`.
    pub fn start(root: &Path, options: ServerOptions) -> GitServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        listener.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let options = Arc::new(Mutex::new(options));
        let root = root.to_owned();
        let (stopping, counting, configured) = (stop.clone(), requests.clone(), options.clone());
        std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        counting.fetch_add(1, Ordering::Relaxed);
                        let (root, options) = (root.clone(), configured.lock().map(|o| o.clone()).unwrap_or_default());
                        std::thread::spawn(move || {
                            let _ = serve(stream, &root, &options);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        GitServer { address, stop, requests, options }
    }

    /// `http://127.0.0.1:port/repo.git`.
    pub fn url(&self) -> String {
        format!("http://{}/repo.git", self.address)
    }

    /// How many connections it accepted.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// Changes what later requests get.
    pub fn set_options(&self, options: ServerOptions) {
        if let Ok(mut current) = self.options.lock() {
            *current = options;
        }
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, root: &Path, options: &ServerOptions) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("GET").to_owned(), parts.next().unwrap_or("/").to_owned());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        read_chunked(&mut reader)?
    } else {
        let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    let mut stream = stream;
    if let Some((user, password)) = &options.credentials {
        let expected = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        if header("authorization").as_deref() != Some(expected.as_str()) {
            let response = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            return stream.write_all(response.as_bytes());
        }
    }
    if method == "POST" && !options.pack_delay.is_zero() {
        std::thread::sleep(options.pack_delay);
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", header("content-type").unwrap_or_default())
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("REMOTE_USER", options.credentials.as_ref().map(|c| c.0.clone()).unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(protocol) = header("git-protocol") {
        command.env("GIT_PROTOCOL", protocol);
    }
    if let Some(encoding) = header("content-encoding") {
        command.env("HTTP_CONTENT_ENCODING", encoding);
    }
    let mut child = command.spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&body)?;
    }
    let output = child.wait_with_output()?;
    let split = output
        .stdout
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| output.stdout.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let (head, content) = match split {
        Some((at, len)) => (String::from_utf8_lossy(&output.stdout[..at]).into_owned(), &output.stdout[at + len..]),
        None => (String::new(), &output.stdout[..]),
    };
    let mut status = "200 OK".to_owned();
    let mut response_headers = String::new();
    for line in head.lines() {
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("status") => status = value.trim().to_owned(),
            Some(_) => {
                response_headers.push_str(line.trim_end());
                response_headers.push_str("\r\n");
            }
            None => {}
        }
    }
    let head = format!(
        "HTTP/1.1 {status}\r\n{response_headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        content.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(content)
}

fn read_chunked(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        if size == 0 {
            let mut end = String::new();
            reader.read_line(&mut end)?;
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf = [0; 2];
        reader.read_exact(&mut crlf)?;
    }
}
