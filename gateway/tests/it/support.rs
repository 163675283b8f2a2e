//! The in-process test harness: the whole gateway app (every middleware and crate) over a
//! fresh database per test, driven with `actix_web::test` requests.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use futures_util::future::LocalBoxFuture;
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::SystemClock;
use portico_gateway::app::{AppState, app};
use portico_gateway::settings::Settings;
use serde_json::Value;
use std::rc::Rc;
use std::sync::Arc;

/// The bootstrap admin's credentials in every test app.
pub const ADMIN_EMAIL: &str = "admin@portico.test";
/// The bootstrap admin's password.
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

type Call = Rc<dyn Fn(actix_http::Request) -> LocalBoxFuture<'static, ServiceResponse<BoxBody>>>;

/// One gateway app over its own database.
pub struct TestApp {
    /// Shared state (database, sealer, settings).
    pub state: AppState,
    call: Call,
    _db: TestDatabase,
}

/// A response, fully read.
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The body as JSON (panics with the body text if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl TestApp {
    /// Starts an app with default settings over a fresh, migrated and bootstrapped database.
    pub async fn start() -> TestApp {
        TestApp::start_with(Settings::default()).await
    }

    /// Starts an app with `settings` (the database URL is replaced by the test database).
    pub async fn start_with(mut settings: Settings) -> TestApp {
        let test_db = TestDatabase::migrated(&portico_gateway::server::MIGRATIONS);
        settings.database.url = test_db.url().to_owned();
        settings.bootstrap.admin_email = ADMIN_EMAIL.to_owned();
        settings.bootstrap.admin_password = ADMIN_PASSWORD.to_owned();
        let db = test_db.database();
        let sealer = Sealer::generate();
        portico_gateway::server::run_bootstrap(&settings, &db, &sealer, &SystemClock)
            .unwrap_or_else(|e| panic!("bootstrap failed: {e}"));
        let state = AppState::new(settings, db, sealer, Arc::new(SystemClock));
        let service = Rc::new(test::init_service(app(state.clone())).await);
        let call: Call = Rc::new(move |req| {
            let service = service.clone();
            Box::pin(async move { test::call_service(&*service, req).await.map_into_boxed_body() })
        });
        TestApp { state, call, _db: test_db }
    }

    /// Sends a request and reads the whole response.
    pub async fn send(&self, request: TestRequest) -> TestResponse {
        let response = (self.call)(request.to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().try_into_bytes().unwrap_or_default().to_vec();
        TestResponse { status, headers, body }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(TestRequest::get().uri(path)).await
    }
}
