//! Request throughput of the whole gateway app in-process (every middleware, a real SQLite or
//! PostgreSQL database), for the hot paths: health, bearer-authenticated reads, Basic-
//! authenticated reads, and token issuing.
//!
//! Run: `cargo bench -p portico-gateway --bench requests` (SQLite; set
//! `PORTICO_TEST_POSTGRES_URL` for PostgreSQL). Figures go to `docs/benchmarks.md`.

use actix_web::body::MessageBody;
use actix_web::test::{self, TestRequest};
use base64::Engine;
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::SystemClock;
use portico_gateway::app::{AppState, app};
use portico_gateway::settings::Settings;
use portico_identity::config::IdentityConfig;
use portico_identity::password::PasswordCost;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADMIN: &str = "admin@bench.test";
const PASSWORD: &str = "bench password";
const CLIENT: &str = "bench-client";
const SECRET: &str = "bench-client-secret";

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let total: Duration = samples.iter().sum();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "{name:<48} {:>8.0} req/s   p50 {:>7.1} µs   p99 {:>7.1} µs   ({} requests)",
        samples.len() as f64 / total.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6,
        samples.len()
    );
}

#[actix_web::main]
async fn main() {
    let iterations: usize = std::env::var("BENCH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let test_db = TestDatabase::migrated(&portico_gateway::server::migrations());
    let mut settings = Settings::default();
    settings.database.url = test_db.url().to_owned();
    settings.bootstrap.admin_email = ADMIN.into();
    settings.bootstrap.admin_password = PASSWORD.into();
    settings.bootstrap.client_id = CLIENT.into();
    settings.bootstrap.client_secret = SECRET.into();
    let db = test_db.database();
    let sealer = Sealer::generate();
    let clock = Arc::new(SystemClock);
    // Standard Argon2id cost: what a production login costs.
    portico_gateway::server::run_bootstrap(&settings, &db, &sealer, clock.as_ref(), PasswordCost::Standard)
        .unwrap_or_else(|e| panic!("bootstrap: {e}"));
    let config = IdentityConfig {
        password_cost: PasswordCost::Standard,
        ..portico_gateway::server::identity_config(&settings, None)
    };
    let services = portico_gateway::server::open_services(
        &db,
        &sealer,
        clock.clone(),
        config,
        Default::default(),
        Default::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let service = test::init_service(app(AppState::new(settings, db, sealer, clock, services))).await;

    let call = |request: TestRequest| {
        let request = request.peer_addr("10.0.0.1:5000".parse().unwrap_or_else(|e| panic!("{e}"))).to_request();
        test::call_service(&service, request)
    };
    let token_form = format!("grant_type=client_credentials&client_id={CLIENT}&client_secret={SECRET}");
    let token_request = || {
        TestRequest::post()
            .uri("/auth/realms/master/protocol/openid-connect/token")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(token_form.clone())
    };
    let body: Value =
        serde_json::from_slice(&call(token_request()).await.into_body().try_into_bytes().unwrap_or_default())
            .unwrap_or(Value::Null);
    let token = body["access_token"].as_str().unwrap_or_else(|| panic!("no token: {body}")).to_owned();
    let bearer = ("authorization", format!("Bearer {token}"));
    let basic = (
        "authorization",
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{ADMIN}:{PASSWORD}"))),
    );

    // A credential to read.
    let stores: Value = serde_json::from_slice(
        &call(
            TestRequest::get()
                .uri("/flexdeploy/rest/v2/administration/security/credentialstore")
                .insert_header(bearer.clone()),
        )
        .await
        .into_body()
        .try_into_bytes()
        .unwrap_or_default(),
    )
    .unwrap_or(Value::Null);
    let created: Value = serde_json::from_slice(
        &call(TestRequest::post().uri("/flexdeploy/rest/v2/administration/security/credential").insert_header(bearer.clone()).set_json(json!({
            "credentialName": "bench", "credentialScope": "ENVINST", "credentialStoreId": stores[0]["credentialStoreId"],
            "credentialInputs": [{"inputValue": "TestPassword", "credentialStoreInputDefId": 12000}]
        })))
        .await
        .into_body()
        .try_into_bytes()
        .unwrap_or_default(),
    )
    .unwrap_or(Value::Null);
    let credential = format!("/flexdeploy/rest/v2/administration/security/credential/{}", created["credentialId"]);

    println!("backend: {:?}, {iterations} requests per scenario, one client, in-process", TestDatabase::backend());
    type Make<'a> = Box<dyn Fn() -> TestRequest + 'a>;
    let scenarios: Vec<(&str, Make<'_>)> = vec![
        ("GET /healthz (middleware only)", Box::new(|| TestRequest::get().uri("/healthz"))),
        (
            "GET /users (Bearer, Axual HAL page)",
            Box::new(|| TestRequest::get().uri("/users").insert_header(bearer.clone())),
        ),
        (
            "GET credential by id (Bearer, unsealed)",
            Box::new(|| TestRequest::get().uri(&credential).insert_header(bearer.clone())),
        ),
        (
            "GET credential by id (Basic, cached check)",
            Box::new(|| TestRequest::get().uri(&credential).insert_header(basic.clone())),
        ),
        ("POST token (client_credentials, ES256)", Box::new(token_request)),
    ];
    for (name, make) in scenarios {
        for _ in 0..50 {
            let _ = call(make()).await;
        }
        let mut samples = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let started = Instant::now();
            let response = call(make()).await;
            samples.push(started.elapsed());
            assert!(response.status().is_success(), "{name}: {}", response.status());
        }
        report(name, samples);
    }
}
