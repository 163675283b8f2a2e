//! Throughput under concurrency: the real `portico` binary against a bare actix-web + diesel
//! baseline doing the same query over the same kind of r2d2 pool, loaded one after the other
//! with the same client settings in the same run; prints requests per second, p50/p99 latency,
//! the ratio to the baseline, and Portico's resident memory as `ps` reports it (anonymous and
//! file-backed pages): idle after a restart on an existing data directory, after one password
//! login, under load, and around a burst of logins.
//!
//! Run: `cargo bench -p portico-gateway --bench throughput` (SQLite; set
//! `PORTICO_TEST_POSTGRES_URL` for PostgreSQL). `BENCH_SECONDS` (default 10) and
//! `BENCH_CONNECTIONS` (default 64) set the load, like `wrk -c64 -d10s`. Figures go to
//! `docs/benchmarks.md`.

use actix_web::web::{self, Data, Path};
use actix_web::{App, HttpResponse, HttpServer};
use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Bool, Text};
use portico_core::db::{Database, PoolOptions};
use portico_core::testing::TestDatabase;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CLIENT: &str = "bench-client";
const SECRET: &str = "bench-client-secret";

/// Rounds each scenario's measuring time is split into, alternating Portico and the baseline.
const ROUNDS: u32 = 5;

/// One load run's outcome.
#[derive(Default)]
struct Load {
    requests: usize,
    failures: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Load {
    fn add(&mut self, other: Load) {
        self.requests += other.requests;
        self.failures += other.failures;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
    }

    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let index = ((self.latencies.len() as f64 * p) as usize).min(self.latencies.len().saturating_sub(1));
        self.latencies.get(index).copied().unwrap_or_default()
    }
}

/// Reads one HTTP/1.1 response (status line, headers, `Content-Length` body) into `buf`.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(status)
}

/// `connections` keep-alive clients sending `request` as fast as answers come, for `duration`.
async fn load(addr: SocketAddr, request: Arc<Vec<u8>>, connections: usize, duration: Duration) -> Load {
    let started = Instant::now();
    let deadline = started + duration;
    let clients = (0..connections).map(|_| {
        let request = request.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0;
            let Ok(mut stream) = TcpStream::connect(addr).await else { return (latencies, 1) };
            let _ = stream.set_nodelay(true);
            let mut buf = Vec::with_capacity(16 * 1024);
            while Instant::now() < deadline {
                let sent = Instant::now();
                if stream.write_all(&request).await.is_err() {
                    failures += 1;
                    break;
                }
                match read_response(&mut stream, &mut buf).await {
                    Ok(200) => latencies.push(sent.elapsed()),
                    Ok(_) => failures += 1,
                    Err(_) => {
                        failures += 1;
                        break;
                    }
                }
            }
            (latencies, failures)
        })
    });
    let mut all = Vec::new();
    let mut failures = 0;
    for client in futures_util::future::join_all(clients).await {
        let (latencies, failed) = client.unwrap_or_default();
        all.extend(latencies);
        failures += failed;
    }
    let elapsed = started.elapsed();
    all.sort_unstable();
    Load { requests: all.len(), failures, elapsed, latencies: all }
}

fn get(path: &str, authorization: Option<&str>) -> Arc<Vec<u8>> {
    let auth = authorization.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
    Arc::new(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Accept: application/json\r\n\r\n").into_bytes())
}

/// One request over a fresh connection, for setting up (status, JSON body).
async fn call(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap_or_else(|e| panic!("write: {e}"));
    let mut buf = Vec::new();
    let status = read_response(&mut stream, &mut buf).await.unwrap_or_else(|e| panic!("read: {e}"));
    let start = buf.windows(4).position(|w| w == b"\r\n\r\n").map_or(0, |p| p + 4);
    (status, serde_json::from_slice(&buf[start..]).unwrap_or(Value::Null))
}

/// Resident memory of `pid` in MiB: `VmRSS` (what `ps` shows as RSS: anonymous, file-backed
/// and shared pages), `RssAnon`, `RssFile`, or `VmHWM` for the peak.
fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The real binary, on a free port, over `database_url`; returns the process and its address.
fn start_portico(database_url: &str, data_dir: &std::path::Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .env_remove("PORTICO_TEST_POSTGRES_URL")
        .env("PORTICO_HTTP__BIND", "127.0.0.1:0")
        .env("PORTICO_DATABASE__URL", database_url)
        .env("PORTICO_DATA_DIR", data_dir)
        .env("PORTICO_BOOTSTRAP__ADMIN_PASSWORD", "bench admin password")
        .env("PORTICO_BOOTSTRAP__CLIENT_ID", CLIENT)
        .env("PORTICO_BOOTSTRAP__CLIENT_SECRET", SECRET)
        .env("PORTICO_HTTP__WORKERS", "2")
        .env("PORTICO_LOG__LEVEL", std::env::var("BENCH_LOG").unwrap_or_else(|_| "info".into()))
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(data_dir.join("portico.log")).map_or(Stdio::null(), Stdio::from))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start portico: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let Some(line) = lines.next() else {
            let log = std::fs::read_to_string(data_dir.join("portico.log")).unwrap_or_default();
            panic!("portico exited before listening:\n{log}");
        };
        let line = line.unwrap_or_default();
        if let Some(url) = line.strip_prefix("portico: listening on http://") {
            break url.parse().unwrap_or_else(|e| panic!("{url}: {e}"));
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

#[derive(diesel::QueryableByName, serde::Serialize)]
struct BareCredential {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    active: bool,
    #[diesel(sql_type = Text)]
    scope: String,
    #[diesel(sql_type = BigInt)]
    store_id: i64,
    #[diesel(sql_type = BigInt)]
    version: i64,
}

#[derive(diesel::QueryableByName, serde::Serialize)]
struct BareUser {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    first_name: String,
    #[diesel(sql_type = Text)]
    last_name: String,
    #[diesel(sql_type = BigInt)]
    version: i64,
}

/// The baseline's state: the pool and the realm whose rows it reads.
struct Bare {
    db: Database,
    realm: String,
}

async fn bare_credential(bare: Data<Bare>, id: Path<i64>) -> HttpResponse {
    let id = id.into_inner();
    let found = web::block(move || {
        let mut conn = bare.db.conn().map_err(|e| e.to_string())?;
        diesel::sql_query(
            "SELECT id, name, active, scope, store_id, version FROM credentials WHERE realm_id = $1 AND id = $2",
        )
        .bind::<Text, _>(&bare.realm)
        .bind::<BigInt, _>(id)
        .get_result::<BareCredential>(&mut **conn)
        .map_err(|e| e.to_string())
    })
    .await;
    match found {
        Ok(Ok(row)) => HttpResponse::Ok().json(row),
        _ => HttpResponse::NotFound().finish(),
    }
}

async fn bare_user(bare: Data<Bare>, id: Path<String>) -> HttpResponse {
    let id = id.into_inner();
    let found = web::block(move || {
        let mut conn = bare.db.conn().map_err(|e| e.to_string())?;
        diesel::sql_query("SELECT id, email, first_name, last_name, version FROM users WHERE realm_id = $1 AND id = $2")
            .bind::<Text, _>(&bare.realm)
            .bind::<Text, _>(&id)
            .get_result::<BareUser>(&mut **conn)
            .map_err(|e| e.to_string())
    })
    .await;
    match found {
        Ok(Ok(row)) => HttpResponse::Ok().json(row),
        _ => HttpResponse::NotFound().finish(),
    }
}

/// The baseline server on its own runtime thread, two workers like Portico; returns its address.
fn start_bare(database_url: String, realm: String) -> SocketAddr {
    let (sent, address) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let db = Database::open(&database_url, &PoolOptions::default()).unwrap_or_else(|e| panic!("{e}"));
            let state = Data::new(Bare { db, realm });
            let server = HttpServer::new(move || {
                App::new()
                    .app_data(state.clone())
                    .route("/healthz", web::get().to(|| async { HttpResponse::Ok().json(json!({"status": "ok"})) }))
                    .route("/credential/{id}", web::get().to(bare_credential))
                    .route("/users/{uid}", web::get().to(bare_user))
            })
            .workers(2)
            .bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("{e}"));
            let _ = sent.send(server.addrs()[0]);
            server.run().await
        })
    });
    address.recv().unwrap_or_else(|e| panic!("bare server: {e}"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let connections: usize = std::env::var("BENCH_CONNECTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    let duration = Duration::from_secs(seconds);
    let test_db = TestDatabase::migrated(&portico_gateway::server::migrations());
    let data_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // The README's situation: a restart on an existing data directory (the first start created
    // the admin and the keys), measured idle and after one password login.
    let (mut first, _) = start_portico(test_db.url(), data_dir.path());
    let stopped = Command::new("kill").args(["-TERM", &first.id().to_string()]).status();
    assert!(stopped.is_ok_and(|s| s.success()), "cannot stop the first start");
    let _ = first.wait();
    let (mut portico, addr) = start_portico(test_db.url(), data_dir.path());
    // Portico returns freed memory and start-up pages 2 s after start, and again after each
    // 10 s without requests (gateway/src/memory.rs): measured once idle, 3 s after one password
    // login, and once idle again.
    tokio::time::sleep(Duration::from_secs(13)).await;
    let resident = |pid: u32| {
        format!(
            "{:.1} MiB ({:.1} anonymous + {:.1} file-backed)",
            memory_mib(pid, "VmRSS:"),
            memory_mib(pid, "RssAnon:"),
            memory_mib(pid, "RssFile:")
        )
    };
    let idle = resident(portico.id());
    let form_type = [("Content-Type", "application/x-www-form-urlencoded")];
    let login = "grant_type=password&username=admin%40localhost&password=bench+admin+password";
    let (status, body) =
        call(addr, "POST", "/auth/realms/master/protocol/openid-connect/token", &form_type, login).await;
    assert_eq!(status, 200, "login: {body}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let logged_in = resident(portico.id());
    tokio::time::sleep(Duration::from_secs(20)).await;
    let idle_again = resident(portico.id());
    println!(
        "Portico resident memory (ps RSS) after a restart: {idle} idle, {logged_in} 3 s after one \
         password login, {idle_again} idle again 23 s after it"
    );

    // A token, a credential and a user to read.
    let form = format!("grant_type=client_credentials&client_id={CLIENT}&client_secret={SECRET}");
    let (status, token) =
        call(addr, "POST", "/auth/realms/master/protocol/openid-connect/token", &form_type, &form).await;
    assert_eq!(status, 200, "token: {token}");
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap_or_default());
    let auth = [("Authorization", bearer.as_str()), ("Content-Type", "application/json")];
    let credentials = "/flexdeploy/rest/v2/administration/security";
    let (_, stores) = call(addr, "GET", &format!("{credentials}/credentialstore"), &auth, "").await;
    let (_, providers) = call(addr, "GET", &format!("{credentials}/credentialstoreprovider"), &auth, "").await;
    let body = json!({
        "credentialName": "bench", "credentialScope": "ENVINST", "isActive": true,
        "credentialStoreId": stores[0]["credentialStoreId"],
        "credentialInputs": [{"inputValue": "TestPassword",
            "credentialStoreInputDefId": providers[0]["credentialStoreInputDefs"][0]["credentialStoreInputDefId"]}]
    });
    let (status, created) = call(addr, "POST", &format!("{credentials}/credential"), &auth, &body.to_string()).await;
    assert_eq!(status, 201, "credential: {created}");
    let id = created["credentialId"].as_i64().unwrap_or_default();
    let (_, users) = call(addr, "GET", "/users", &auth, "").await;
    let uid = users["_embedded"]["users"][0]["uid"].as_str().unwrap_or_default().to_owned();
    let realm = test_db.database().read(|conn| {
        #[derive(diesel::QueryableByName)]
        struct Realm {
            #[diesel(sql_type = Text)]
            id: String,
        }
        diesel::sql_query("SELECT id FROM realms WHERE name = 'master'")
            .get_result::<Realm>(conn)
            .map(|r| r.id)
            .map_err(portico_core::DbError::from)
    });
    let realm = realm.unwrap_or_else(|e| panic!("{e}"));
    let user_id = uuid::Uuid::try_parse(&uid).map(|u| u.hyphenated().to_string()).unwrap_or_default();
    let bare = start_bare(test_db.url().to_owned(), realm);

    println!(
        "backend {:?}; {connections} connections, {seconds} s per side and row in {ROUNDS} alternating rounds, 2 server workers each; ratio = Portico / bare",
        TestDatabase::backend()
    );
    println!(
        "{:<40} {:>10} {:>9} {:>9} {:>10} {:>9} {:>9} {:>7}",
        "scenario", "Portico/s", "p50 ms", "p99 ms", "bare/s", "p50 ms", "p99 ms", "ratio"
    );
    // (scenario, Portico's request, the baseline's request)
    type Row<'a> = (&'a str, Arc<Vec<u8>>, Arc<Vec<u8>>);
    let rows: [Row<'_>; 3] = [
        ("GET /healthz", get("/healthz", None), get("/healthz", None)),
        (
            "GET credential (Bearer)",
            get(&format!("{credentials}/credential/{id}"), Some(&bearer)),
            get(&format!("/credential/{id}"), None),
        ),
        (
            "GET /users/{uid} (Bearer)",
            get(&format!("/users/{uid}"), Some(&bearer)),
            get(&format!("/users/{user_id}"), None),
        ),
    ];
    for (name, ours, theirs) in rows {
        // Warm both (connections, caches, prepared statements), then alternate short rounds so
        // that drift on a shared machine (the database server, other processes) hits both alike.
        load(addr, ours.clone(), connections, Duration::from_secs(1)).await;
        load(bare, theirs.clone(), connections, Duration::from_secs(1)).await;
        let round = duration / ROUNDS;
        let mut portico_load = Load::default();
        let mut bare_load = Load::default();
        for _ in 0..ROUNDS {
            portico_load.add(load(addr, ours.clone(), connections, round).await);
            bare_load.add(load(bare, theirs.clone(), connections, round).await);
        }
        portico_load.latencies.sort_unstable();
        bare_load.latencies.sort_unstable();
        assert_eq!(portico_load.failures, 0, "{name}: Portico answered {} requests with errors", portico_load.failures);
        assert_eq!(bare_load.failures, 0, "{name}: the baseline answered {} requests with errors", bare_load.failures);
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{name:<40} {:>10.0} {:>9.2} {:>9.2} {:>10.0} {:>9.2} {:>9.2} {:>7.2}",
            portico_load.rate(),
            ms(portico_load.percentile(0.50)),
            ms(portico_load.percentile(0.99)),
            bare_load.rate(),
            ms(bare_load.percentile(0.50)),
            ms(bare_load.percentile(0.99)),
            portico_load.rate() / bare_load.rate()
        );
    }
    let loaded = memory_mib(portico.id(), "VmHWM:");
    // A burst of logins: Argon2 needs 19 MiB per password check; it must be given back.
    let started = Instant::now();
    for _ in 0..3 {
        let logins =
            (0..8).map(|_| call(addr, "POST", "/auth/realms/master/protocol/openid-connect/token", &form_type, login));
        for (status, body) in futures_util::future::join_all(logins).await {
            assert_eq!(status, 200, "login: {body}");
        }
    }
    let burst = started.elapsed();
    let peak = memory_mib(portico.id(), "VmHWM:");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let second = memory_mib(portico.id(), "VmRSS:");
    tokio::time::sleep(Duration::from_secs(10)).await;
    println!(
        "Portico resident memory: {loaded:.1} MiB peak under load, \
         {peak:.1} MiB peak during 24 logins ({:.0} ms), {second:.1} MiB a second after them, \
         {:.1} MiB 11 s after them",
        burst.as_secs_f64() * 1e3,
        memory_mib(portico.id(), "VmRSS:")
    );
    let _ = portico.kill();
    let _ = portico.wait();
}
