//! The in-process test harness: the whole gateway app (every middleware and crate) over a
//! fresh database per test, driven with `actix_web::test` requests.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use base64::Engine;
use futures_util::future::LocalBoxFuture;
use portico_core::seal::Sealer;
use portico_core::testing::TestDatabase;
use portico_core::time::ManualClock;
use portico_core::{Clock, Timestamp};
use portico_gateway::app::{AppState, app};
use portico_gateway::settings::Settings;
use portico_identity::config::IdentityConfig;
use portico_identity::password::PasswordCost;
use serde_json::{Value, json};
use std::rc::Rc;
use std::sync::Arc;

/// The bootstrap admin's credentials in every test app.
pub const ADMIN_EMAIL: &str = "admin@portico.test";
/// The bootstrap admin's password.
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";
/// The bootstrap management client.
pub const CLIENT_ID: &str = "platform-client";
/// Its secret (with characters that need form-encoding in HTTP Basic).
pub const CLIENT_SECRET: &str = "s3cret+with/special:chars%";

type Call = Rc<dyn Fn(actix_http::Request) -> LocalBoxFuture<'static, ServiceResponse<BoxBody>>>;

/// One gateway app over its own database.
pub struct TestApp {
    /// Shared state (database, sealer, settings).
    pub state: AppState,
    /// The app's clock (tests move it).
    pub clock: Arc<ManualClock>,
    /// Where synchronised git files go (in memory).
    pub files: portico_gitsync::files::FileStore,
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
        let mut settings = Settings::default();
        // Git remotes of the tests are served on 127.0.0.1.
        settings.gitsync.allow_local_remotes = true;
        TestApp::start_with(settings).await
    }

    /// Starts an app with `settings` (the database URL is replaced by the test database).
    pub async fn start_with(mut settings: Settings) -> TestApp {
        let test_db = TestDatabase::migrated(&portico_gateway::server::migrations());
        settings.database.url = test_db.url().to_owned();
        settings.bootstrap.admin_email = ADMIN_EMAIL.to_owned();
        settings.bootstrap.admin_password = ADMIN_PASSWORD.to_owned();
        settings.bootstrap.client_id = CLIENT_ID.to_owned();
        settings.bootstrap.client_secret = CLIENT_SECRET.to_owned();
        let db = test_db.database();
        let sealer = Sealer::generate();
        let clock = Arc::new(ManualClock::new(portico_core::time::SystemClock.now()));
        portico_gateway::server::run_bootstrap(&settings, &db, &sealer, clock.as_ref(), PasswordCost::Minimal)
            .unwrap_or_else(|e| panic!("bootstrap failed: {e}"));
        let config = IdentityConfig {
            password_cost: PasswordCost::Minimal,
            ..portico_gateway::server::identity_config(&settings, None)
        };
        let files = portico_gitsync::files::FileStore::memory();
        let gitsync = portico_gitsync::config::GitsyncConfig {
            allow_local_remotes: settings.gitsync.allow_local_remotes,
            files: Some(files.clone()),
            ..Default::default()
        };
        let catalog = portico_gateway::server::catalog_config(&settings).unwrap_or_else(|e| panic!("catalog: {e}"));
        let services = portico_gateway::server::open_services(&db, &sealer, clock.clone(), config, gitsync, catalog)
            .unwrap_or_else(|e| panic!("services: {e}"));
        let state = AppState::new(settings, db, sealer, clock.clone(), services);
        let service = Rc::new(test::init_service(app(state.clone())).await);
        let call: Call = Rc::new(move |req| {
            let service = service.clone();
            Box::pin(async move { test::call_service(&*service, req).await.map_into_boxed_body() })
        });
        TestApp { state, clock, files, call, _db: test_db }
    }

    /// Sends a request and reads the whole response.
    pub async fn send(&self, request: TestRequest) -> TestResponse {
        let response = (self.call)(request.peer_addr("10.0.0.1:5000".parse().unwrap()).to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().try_into_bytes().unwrap().to_vec();
        TestResponse { status, headers, body }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(TestRequest::get().uri(path)).await
    }

    /// `GET path` with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> TestResponse {
        self.send(TestRequest::get().uri(path).insert_header(bearer(token))).await
    }

    /// `GET /profile/{rel}` as JSON Schema (`Accept: application/schema+json`), which must answer 200.
    pub async fn profile(&self, token: &str, rel: &str) -> Value {
        let response = self
            .send(
                TestRequest::get()
                    .uri(&format!("/profile/{rel}"))
                    .insert_header(bearer(token))
                    .insert_header(("accept", "application/schema+json")),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    /// `method path` as the platform admin acting in `realm` (the `realm` header), with
    /// `Accept: application/hal+json` and, when given, a JSON body.
    pub async fn platform(&self, method: &str, realm: &str, path: &str, body: Option<&Value>) -> TestResponse {
        let token = self.admin_token().await;
        let request = TestRequest::default()
            .method(actix_web::http::Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path)
            .insert_header(bearer(&token))
            .insert_header(("realm", realm.to_owned()))
            .insert_header(("accept", "application/hal+json"));
        self.send(match body {
            Some(body) => request.set_json(body),
            None => request,
        })
        .await
    }

    /// A form POST.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(form).unwrap();
        self.send(
            TestRequest::post()
                .uri(path)
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(body),
        )
        .await
    }

    /// A JSON request with a bearer token.
    pub async fn json_as(&self, method: &str, token: &str, path: &str, body: &Value) -> TestResponse {
        self.send(json_request(method, token, path, body)).await
    }

    /// A JSON request with a bearer token and an `Accept` header (Axual answers created and
    /// patched resources with a body only when one is sent).
    pub async fn json_accepting(
        &self,
        method: &str,
        token: &str,
        path: &str,
        accept: &str,
        body: &Value,
    ) -> TestResponse {
        self.send(json_request(method, token, path, body).insert_header(("accept", accept))).await
    }

    /// A password-grant access token.
    pub async fn password_token(&self, realm: &str, email: &str, password: &str) -> String {
        let response = self
            .post_form(
                &format!("/auth/realms/{realm}/protocol/openid-connect/token"),
                &[("grant_type", "password"), ("username", email), ("password", password)],
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        access_token(&response)
    }

    /// The bootstrap platform admin's access token.
    pub async fn admin_token(&self) -> String {
        self.password_token("master", ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// A `client_credentials` token of a client in `realm`.
    pub async fn client_token(&self, realm: &str, client_id: &str, secret: &str) -> String {
        let response = self
            .post_form(
                &format!("/auth/realms/{realm}/protocol/openid-connect/token"),
                &[("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)],
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        access_token(&response)
    }

    /// Creates a tenant through MATTR; returns `(tenant id, first client id, its secret)`.
    pub async fn create_tenant(&self, subdomain: &str) -> (String, String, String) {
        let admin = self.admin_token().await;
        let environments = self.get_as(&admin, "/v1/environments").await.json();
        let environment = environments["data"][0]["id"].as_str().unwrap().to_owned();
        let created = self
            .json_as(
                "POST",
                &admin,
                "/v1/tenants",
                &json!({"name": format!("{subdomain} tenant"), "subdomain": subdomain, "environmentId": environment}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let body = created.json();
        let text = |v: &Value| v.as_str().unwrap().to_owned();
        (text(&body["id"]), text(&body["client"]["clientId"]), text(&body["client"]["clientSecret"]))
    }

    /// Makes realm `name` (a MATTR tenant) with its administrator: `app.realm("acme").await`.
    pub async fn realm(&self, name: &str) -> TestRealm<'_> {
        let (id, _, _) = self.create_tenant(name).await;
        let mut realm = TestRealm {
            app: self,
            name: name.to_owned(),
            id,
            platform: self.admin_token().await,
            admin: String::new(),
        };
        realm.admin = realm
            .user_with_password(&format!("tenadmin@{name}.test"), "tenant admin pw", &["TENANT_ADMIN", "GROUP_ADMIN"])
            .await
            .token;
        realm
    }

    /// How many rows of `table` belong to realm `realm` (a realm id as the database stores it).
    fn rows_in_realm(&self, table: &str, realm: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let rows: Vec<Count> = self
            .state
            .db
            .read(|conn| {
                let query = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table} WHERE realm_id = $1"))
                    .bind::<diesel::sql_types::Text, _>(realm.to_owned());
                diesel::RunQueryDsl::load(query, conn).map_err(portico_core::DbError::from)
            })
            .unwrap();
        rows[0].n
    }

    /// Another identity replica over this app's database, keys and clock (as a second server
    /// process would be), optionally configured with another issuer.
    pub fn replica(&self, issuer: Option<&str>) -> portico_identity::store::IdentityStore {
        self.replica_with(|config| {
            if let Some(issuer) = issuer {
                config.issuer = issuer.to_owned();
            }
        })
    }

    /// [`replica`](Self::replica) with its configuration changed by `change`.
    pub fn replica_with(&self, change: impl FnOnce(&mut IdentityConfig)) -> portico_identity::store::IdentityStore {
        let mut config = IdentityConfig {
            password_cost: PasswordCost::Minimal,
            ..portico_gateway::server::identity_config(&self.state.settings, None)
        };
        change(&mut config);
        portico_identity::store::IdentityStore::open(
            self.state.db.clone(),
            self.state.sealer.clone(),
            self.clock.clone(),
            config,
        )
        .unwrap()
    }

    /// The tables that still hold rows of realm `realm`: every declared table with a `realm_id`
    /// column but the audit log, which outlives the realm on purpose.
    pub fn tables_holding_realm(&self, realm: &str) -> Vec<&'static str> {
        let tables = portico_gateway::server::declared_tables();
        let scoped: Vec<&'static str> = tables
            .into_iter()
            .filter(|(name, select)| *name != "audit_events" && portico_core::db::realm_scoped(name, select))
            .map(|(name, _)| name)
            .collect();
        assert!(scoped.len() > 10, "realm-scoped tables: {scoped:?}");
        scoped.into_iter().filter(|table| self.rows_in_realm(table, realm) > 0).collect()
    }

    /// Every value of the text `column` of `table`, as stored (to check what is sealed at rest).
    pub fn stored_texts(&self, table: &str, column: &str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Text {
            #[diesel(sql_type = diesel::sql_types::Text)]
            text: String,
        }
        let rows: Vec<Text> = self
            .state
            .db
            .read(|conn| {
                let query = diesel::sql_query(format!("SELECT {column} AS text FROM {table}"));
                diesel::RunQueryDsl::load(query, conn).map_err(portico_core::DbError::from)
            })
            .unwrap();
        rows.into_iter().map(|row| row.text).collect()
    }

    /// Moves the app's clock.
    pub fn advance(&self, seconds: i64) {
        self.clock.advance(time::Duration::seconds(seconds));
    }

    /// Now, on the app's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// A realm made for a test; users and clients with roles are one call each.
pub struct TestRealm<'a> {
    app: &'a TestApp,
    /// Its name (the MATTR subdomain, the `realm` header).
    pub name: String,
    /// Its tenant id.
    pub id: String,
    platform: String,
    /// A token of its administrator `tenadmin@<name>.test` (TENANT_ADMIN, GROUP_ADMIN).
    pub admin: String,
}

/// A user made by [`TestRealm::user`].
pub struct TestUser {
    /// Its uid.
    pub uid: String,
    /// Its e-mail (the login name).
    pub email: String,
    /// A password-grant access token.
    pub token: String,
}

/// A client made by [`TestRealm::client`].
pub struct TestClient {
    /// Its client id.
    pub id: String,
    /// Its secret.
    pub secret: String,
    /// A `client_credentials` access token.
    pub token: String,
}

/// The password of users made by [`TestRealm::user`].
pub const USER_PASSWORD: &str = "pw-of-user";

impl TestRealm<'_> {
    /// A user `email` (password [`USER_PASSWORD`]) holding `roles`, and its token.
    pub async fn user(&self, email: &str, roles: &[&str]) -> TestUser {
        self.user_with_password(email, USER_PASSWORD, roles).await
    }

    async fn user_with_password(&self, email: &str, password: &str, roles: &[&str]) -> TestUser {
        let as_platform = |request: TestRequest| {
            request.insert_header(bearer(&self.platform)).insert_header(("realm", self.name.as_str()))
        };
        let body = json!({"firstName": "Test", "lastName": "User", "emailAddress": email, "password": password});
        let created = self
            .app
            .send(
                as_platform(TestRequest::post().uri("/users"))
                    .insert_header(("accept", "application/hal+json"))
                    .set_json(body),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let uid = created.json()["uid"].as_str().unwrap().to_owned();
        let granted = self
            .app
            .send(as_platform(TestRequest::put().uri(&format!("/users/{uid}/roles"))).set_json(json!(roles)))
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.text());
        let token = self.app.password_token(&self.name, email, password).await;
        TestUser { uid, email: email.to_owned(), token }
    }

    /// A group `name` of this realm with `members` (user uids), made by its administrator;
    /// returns its uid.
    pub async fn group(&self, name: &str, members: &[&str]) -> String {
        let members: Vec<String> = members.iter().map(|uid| uri("users", uid)).collect();
        let created = self
            .app
            .json_accepting(
                "POST",
                &self.admin,
                "/groups",
                "application/hal+json",
                &json!({"name": name, "members": members}),
            )
            .await;
        uid_of(&created)
    }

    /// A client holding `roles`, and its token.
    pub async fn client(&self, name: &str, roles: &[&str]) -> TestClient {
        let path = format!("/v1/tenants/{}/clients", self.id);
        let created = self.app.json_as("POST", &self.platform, &path, &json!({"name": name, "roles": roles})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let body = created.json();
        let id = body["clientId"].as_str().unwrap().to_owned();
        let secret = body["clientSecret"].as_str().unwrap().to_owned();
        let token = self.app.client_token(&self.name, &id, &secret).await;
        TestClient { id, secret, token }
    }
}

/// The bootstrap admin's access token as `replica` issues it (password grant in `master`).
pub fn admin_token_from(replica: &portico_identity::store::IdentityStore) -> String {
    let request = portico_identity::oauth::GrantRequest {
        endpoint: portico_identity::oauth::TokenEndpoint::Realm("master".into()),
        grant_type: "password".into(),
        username: Some(ADMIN_EMAIL.into()),
        password: Some(ADMIN_PASSWORD.into()),
        refresh_token: None,
        scope: None,
        audience: None,
        code: None,
        redirect_uri: None,
        code_verifier: None,
        client: None,
        source: "test".into(),
    };
    portico_identity::service::TokenService::grant(replica, &request).unwrap().access_token
}

/// The `access_token` of a token response.
pub fn access_token(response: &TestResponse) -> String {
    response.json()["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access_token in {}", response.text()))
        .to_owned()
}

/// `method path` with a bearer token and a JSON body.
pub fn json_request(method: &str, token: &str, path: &str, body: &Value) -> TestRequest {
    let request = match method {
        "POST" => TestRequest::post(),
        "PUT" => TestRequest::put(),
        "PATCH" => TestRequest::patch(),
        "DELETE" => TestRequest::delete(),
        _ => TestRequest::get(),
    };
    request
        .uri(path)
        .insert_header(bearer(token))
        .insert_header(("content-type", "application/json"))
        .set_payload(body.to_string())
}

/// An `Authorization: Bearer` header.
pub fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

/// An `Authorization: Basic` header (id and secret form-encoded first, RFC 6749 §2.3.1).
pub fn basic(id: &str, secret: &str) -> (&'static str, String) {
    let encode = |s: &str| serde_urlencoded::to_string([("", s)]).unwrap().trim_start_matches('=').to_owned();
    let pair = format!("{}:{}", encode(id), encode(secret));
    ("authorization", format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair)))
}

/// HTTP Basic with a realm user's plain credentials (FlexDeploy style, not form-encoded).
pub fn basic_user(email: &str, password: &str) -> (&'static str, String) {
    (
        "authorization",
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{email}:{password}"))),
    )
}

/// The keys of a JSON object, in order (the seed's key order is part of the contract).
pub fn keys(value: &Value) -> Vec<&str> {
    value.as_object().unwrap_or_else(|| panic!("not an object: {value}")).keys().map(String::as_str).collect()
}

/// The Axual URI of entity `uid` of `collection`, as clients write relations.
pub fn uri(collection: &str, uid: &str) -> String {
    format!("http://api.example.com/{collection}/{uid}")
}

/// `uri` as a query value (what the seed's searches send: `http%3A%2F%2F...`).
pub fn encoded(uri: &str) -> String {
    uri.replace(':', "%3A").replace('/', "%2F")
}

/// The `uid` of a successful Axual response (panics with the body otherwise).
pub fn uid_of(response: &TestResponse) -> String {
    assert!(response.status.is_success(), "{}", response.text());
    response.json()["uid"].as_str().unwrap_or_else(|| panic!("no uid: {}", response.text())).to_owned()
}

/// A self-signed certificate valid until `not_after` (seconds since the epoch), and its key.
pub fn certificate(not_after: i64) -> (String, String) {
    let mut params = rcgen::CertificateParams::new(vec!["ca.acme.test".to_owned()]).unwrap();
    params.not_before = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    params.not_after = time::OffsetDateTime::from_unix_timestamp(not_after).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}
