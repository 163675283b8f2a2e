//! Connect plugins: read from an instance's Kafka Connect cluster on synchronize and by the
//! background worker, served read-only at `/connect_plugins` in the seed's shape.
//!
//! Kafka Connect is a JVM service whose distribution this machine cannot fetch (no Maven or
//! Apache mirrors), so the worker here is a stand-in speaking Connect's REST API as Apache
//! Kafka documents it (`GET /connector-plugins`, `PUT /connector-plugins/{class}/config/validate`,
//! `GET /connector-plugins/{class}/config`) over real HTTP; everything on Portico's side is real.

use crate::seed::{assert_shape, response_to};
use crate::support::{TestApp, TestRealm, TestResponse, bearer, uid_of, uri};
use crate::tls::Authority;
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the stand-in Connect cluster offers.
#[derive(Clone)]
struct Offer {
    /// `GET /connector-plugins?connectorsOnly=false` items (`class`, `type`, `version`).
    plugins: Vec<Value>,
    /// Config definitions by class (`name`, `type`, ...).
    configs: Vec<(String, Vec<Value>)>,
    /// Classes whose validation fails (a 500, as Connect answers a plugin it cannot load).
    broken_validation: Vec<String>,
}

/// The seed's two plugins, and a converter that must not show up.
fn seed_offer() -> Offer {
    let definition = |name: &str, kind: &str| {
        json!({"name": name, "type": kind, "required": false,
        "default_value": null, "importance": "HIGH", "documentation": "", "group": "Common", "width": "NONE",
        "display_name": name, "dependents": [], "order": 1})
    };
    Offer {
        plugins: vec![
            json!({"class": "io.axual.test.sink.plugin", "type": "sink", "version": "1.0.0"}),
            json!({"class": "io.axual.test.source.plugin", "type": "source", "version": "1.0.0"}),
            json!({"class": "org.apache.kafka.connect.storage.StringConverter", "type": "converter", "version": "3.7.0"}),
        ],
        configs: vec![
            (
                "io.axual.test.sink.plugin".into(),
                vec![
                    definition("transforms", "LIST"),
                    definition("key.converter", "CLASS"),
                    definition("tasks.max", "INT"),
                    definition("logger.name", "STRING"),
                    definition("connector.class", "STRING"),
                    definition("name", "STRING"),
                ],
            ),
            ("io.axual.test.source.plugin".into(), vec![]),
        ],
        broken_validation: vec![],
    }
}

/// A Connect REST stand-in on its own thread and port, stopped when dropped.
struct ConnectWorker {
    url: String,
    offer: Arc<Mutex<Offer>>,
    requests: Arc<Mutex<Vec<String>>>,
    server: actix_web::dev::ServerHandle,
}

impl Drop for ConnectWorker {
    fn drop(&mut self) {
        let stop = self.server.stop(false);
        std::thread::spawn(move || actix_web::rt::System::new().block_on(stop));
    }
}

impl ConnectWorker {
    fn start(offer: Offer) -> ConnectWorker {
        let offer = Arc::new(Mutex::new(offer));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (sent, received) = std::sync::mpsc::channel();
        let (state, log) = (offer.clone(), requests.clone());
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = actix_web::HttpServer::new(move || {
                    let (state, log) = (state.clone(), log.clone());
                    actix_web::App::new()
                        .app_data(web::Data::new((state, log)))
                        .route("/connector-plugins", web::get().to(list))
                        .route("/connector-plugins/{class}/config/validate", web::put().to(validate))
                        .route("/connector-plugins/{class}/config", web::get().to(describe))
                })
                .workers(1)
                .bind("127.0.0.1:0")
                .unwrap();
                let port = server.addrs()[0].port();
                let server = server.run();
                sent.send((port, server.handle())).unwrap();
                server.await.unwrap();
            });
        });
        let (port, server) = received.recv_timeout(Duration::from_secs(30)).unwrap();
        ConnectWorker { url: format!("http://127.0.0.1:{port}"), offer, requests, server }
    }

    fn offer(&self, change: impl FnOnce(&mut Offer)) {
        change(&mut self.offer.lock().unwrap());
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

type State = web::Data<(Arc<Mutex<Offer>>, Arc<Mutex<Vec<String>>>)>;

fn connect_error(status: u16, message: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .json(json!({"error_code": status, "message": message}))
}

async fn list(state: State, req: actix_web::HttpRequest) -> HttpResponse {
    state.1.lock().unwrap().push(format!("GET {}", req.uri()));
    let connectors_only = !req.query_string().contains("connectorsOnly=false");
    let offer = state.0.lock().unwrap().clone();
    let plugins: Vec<Value> = offer
        .plugins
        .into_iter()
        .filter(|p| !connectors_only || matches!(p["type"].as_str(), Some("sink" | "source")))
        .collect();
    HttpResponse::Ok().json(plugins)
}

async fn validate(state: State, class: web::Path<String>, body: web::Json<Value>) -> HttpResponse {
    state.1.lock().unwrap().push(format!("PUT /connector-plugins/{class}/config/validate"));
    let offer = state.0.lock().unwrap().clone();
    if body["connector.class"] != json!(class.as_str()) {
        return connect_error(400, "Included connector type does not match request type");
    }
    if offer.broken_validation.contains(&class) {
        return connect_error(500, "Failed to find any class that implements Connector");
    }
    match offer.configs.iter().find(|(known, _)| *known == *class) {
        Some((_, definitions)) => HttpResponse::Ok().json(json!({
            "name": class.as_str(), "error_count": 1, "groups": ["Common"],
            "configs": definitions.iter().map(|d| json!({"definition": d,
                "value": {"name": d["name"], "value": null, "recommended_values": [], "errors": [], "visible": true}}))
                .collect::<Vec<_>>()})),
        None => connect_error(
            404,
            &format!("Failed to find any class that implements Connector and which name matches {class}"),
        ),
    }
}

async fn describe(state: State, class: web::Path<String>) -> HttpResponse {
    state.1.lock().unwrap().push(format!("GET /connector-plugins/{class}/config"));
    let offer = state.0.lock().unwrap().clone();
    match offer.configs.iter().find(|(known, _)| *known == *class) {
        Some((_, definitions)) => HttpResponse::Ok().json(definitions),
        None => connect_error(404, "Unknown plugin"),
    }
}

/// A realm `acme` with a cluster and an instance `ota` whose Connect workers are `urls`; the
/// instance's uid.
async fn instance(app: &TestApp, realm: &str, urls: &str) -> String {
    let (pem, _) = crate::support::certificate(4_102_444_800);
    instance_trusting(app, realm, urls, &pem).await
}

/// [`instance`] with the CA certificate `ca_pem`.
async fn instance_trusting(app: &TestApp, realm: &str, urls: &str, ca_pem: &str) -> String {
    let cluster = uid_of(
        &app.platform(
            "POST",
            realm,
            "/clusters",
            Some(&json!({"name": "Local", "bootstrapServers": [{"bootstrapServer": "127.0.0.1:9"}]})),
        )
        .await,
    );
    let pem = ca_pem;
    let created = app
        .platform(
            "POST",
            realm,
            "/instances",
            Some(&json!({"name": "OTA", "shortName": "ota", "apiUrl": "http://ota.local",
                         "instanceClusters": [{"cluster": uri("clusters", &cluster)}], "caCerts": [{"pem": pem}],
                         "connectEnabled": true, "connectUrls": urls})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    uid_of(&created)
}

async fn synchronize(app: &TestApp, token: &str, instance: &str) -> TestResponse {
    app.send(TestRequest::post().uri(&format!("/instances/{instance}/synchronize")).insert_header(bearer(token))).await
}

fn plugins(listing: &Value) -> Vec<Value> {
    listing["_embedded"]["connect_plugins"].as_array().cloned().unwrap_or_default()
}

fn classes(listing: &Value) -> Vec<String> {
    plugins(listing).iter().map(|p| p["pluginClass"].as_str().unwrap().to_owned()).collect()
}

/// Realm `rabo` with an instance whose Connect (a stand-in offering the seed's plugins) a
/// synchronize has read: the stand-in, the realm, the instance and the listing then.
async fn read_once(app: &TestApp) -> (ConnectWorker, TestRealm<'_>, String, Value) {
    let connect = ConnectWorker::start(seed_offer());
    let realm = app.realm("rabo").await;
    let instance = instance(app, "rabo", &connect.url).await;
    assert_eq!(synchronize(app, &realm.admin, &instance).await.status, StatusCode::NO_CONTENT);
    let listing = app.get_as(&realm.admin, "/connect_plugins").await.json();
    (connect, realm, instance, listing)
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[actix_web::test]
async fn synchronize_reads_the_plugins_and_serves_them_in_the_seeds_shape() {
    let app = TestApp::start().await;
    let connect = ConnectWorker::start(seed_offer());
    let realm = app.realm("rabo").await;
    let user = realm.user("reader@rabo.test", &[]).await;
    // The first worker is down: the next one answers.
    let urls = format!("http://127.0.0.1:{}, {}", closed_port(), connect.url);
    let instance = instance(&app, "rabo", &urls).await;
    let synced = synchronize(&app, &realm.admin, &instance).await;
    assert_eq!(synced.status, StatusCode::NO_CONTENT, "{}", synced.text());

    let listing = app.get_as(&user.token, "/connect_plugins").await;
    assert_eq!(listing.status, StatusCode::OK, "{}", listing.text());
    assert_eq!(listing.header("content-type"), Some("application/hal+json;charset=UTF-8"));
    let listing = listing.json();
    assert_shape(&listing, &response_to("GET /connect_plugins HTTP"));
    assert_eq!(classes(&listing), ["io.axual.test.sink.plugin", "io.axual.test.source.plugin"], "Connect's order");
    let sink = &plugins(&listing)[0];
    assert_eq!(sink["pluginType"], "SINK");
    assert_eq!(sink["pluginVersion"], "1.0.0");
    assert_eq!(
        sink["pluginConfigs"],
        json!([{"name": "transforms", "type": "LIST"}, {"name": "key.converter", "type": "CLASS"},
               {"name": "tasks.max", "type": "INT"}, {"name": "logger.name", "type": "STRING"},
               {"name": "connector.class", "type": "STRING"}, {"name": "name", "type": "STRING"}])
    );
    assert_eq!(plugins(&listing)[1]["pluginConfigs"], json!([]));
    assert_eq!(sink["instance"]["tenant"]["shortName"], "rabo");
    let tenant = uuid::Uuid::parse_str(&realm.id).unwrap().simple().to_string();
    let href = |link: &Value| link["href"].as_str().unwrap_or_default().to_owned();
    assert!(href(&sink["instance"]["tenant"]["_links"]["self"]).ends_with(&format!("/tenants/{tenant}")));
    assert!(href(&sink["instance"]["_links"]["self"]).ends_with(&format!("/instances/{instance}{{?projection}}")));
    assert!(
        href(&sink["_links"]["instance"])
            .ends_with(&format!("/connect_plugins/{}/instance{{?projection}}", sink["uid"].as_str().unwrap()))
    );
    assert_eq!(listing["page"], json!({"size": 20, "totalElements": 2, "totalPages": 1, "number": 0}));
    assert!(connect.requests().iter().any(|r| r == "GET /connector-plugins?connectorsOnly=true"));

    // The item alone, its instance association, the search index.
    let uid = sink["uid"].as_str().unwrap();
    let alone = app.get_as(&user.token, &format!("/connect_plugins/{uid}")).await;
    assert_eq!(alone.status, StatusCode::OK, "{}", alone.text());
    assert_eq!(alone.json(), *sink);
    let of = app.get_as(&user.token, &format!("/connect_plugins/{uid}/instance")).await;
    assert_eq!(of.status, StatusCode::OK, "{}", of.text());
    assert_eq!(of.json()["uid"], instance);
    let searches = app.get_as(&user.token, "/connect_plugins/search").await;
    assert_eq!(searches.status, StatusCode::OK);
    assert!(href(&searches.json()["_links"]["self"]).ends_with("/connect_plugins/search"));

    // Sorted and paged.
    let sorted = app.get_as(&user.token, "/connect_plugins?sort=pluginType,desc&size=1&page=0").await.json();
    assert_eq!(classes(&sorted), ["io.axual.test.source.plugin"]);
    assert_eq!(sorted["page"]["totalPages"], 2);
    let bad = app.get_as(&user.token, "/connect_plugins?sort=color").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
    assert!(bad.text().contains("pluginClass"), "{}", bad.text());

    // The index links the collection as the seed does (templated, untitled).
    let index = app.get_as(&user.token, "/").await.json();
    assert_eq!(index["_links"]["connect_plugins"]["templated"], true);
    assert!(index["_links"]["connect_plugins"].get("title").is_none());
}

#[actix_web::test]
async fn a_new_reading_keeps_uids_follows_changes_and_falls_back_to_the_config_endpoint() {
    let app = TestApp::start().await;
    let (connect, realm, instance, before) = read_once(&app).await;
    let sink_uid = plugins(&before)[0]["uid"].clone();

    connect.offer(|offer| {
        offer.plugins = vec![
            json!({"class": "io.axual.test.sink.plugin", "type": "sink", "version": "1.1.0"}),
            json!({"class": "com.example.JdbcSource", "type": "source"}),
            // A second version of a class: the first listed is kept.
            json!({"class": "io.axual.test.sink.plugin", "type": "sink", "version": "0.9.0"}),
        ];
        offer
            .configs
            .push(("com.example.JdbcSource".into(), vec![json!({"name": "connection.url", "type": "PASSWORD"})]));
        offer.broken_validation = vec!["com.example.JdbcSource".into()];
    });
    assert_eq!(synchronize(&app, &realm.admin, &instance).await.status, StatusCode::NO_CONTENT);
    let after = app.get_as(&realm.admin, "/connect_plugins").await.json();
    assert_eq!(classes(&after), ["io.axual.test.sink.plugin", "com.example.JdbcSource"]);
    assert_eq!(plugins(&after)[0]["uid"], sink_uid, "a class keeps its uid");
    assert_eq!(plugins(&after)[0]["pluginVersion"], "1.1.0");
    assert_eq!(plugins(&after)[1]["pluginVersion"], "undefined", "no version stated");
    assert_eq!(plugins(&after)[1]["pluginConfigs"], json!([{"name": "connection.url", "type": "PASSWORD"}]));
    assert!(connect.requests().iter().any(|r| r == "GET /connector-plugins/com.example.JdbcSource/config"));
    let gone = plugins(&before)[1]["uid"].as_str().unwrap().to_owned();
    assert_eq!(app.get_as(&realm.admin, &format!("/connect_plugins/{gone}")).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_unreadable_connect_is_a_500_naming_it_and_changes_nothing() {
    let app = TestApp::start().await;
    let (connect, realm, instance, before) = read_once(&app).await;

    // Both the validation and the config endpoint fail for a plugin: nothing is replaced.
    connect.offer(|offer| {
        offer.plugins.push(json!({"class": "com.example.Broken", "type": "sink", "version": "1"}));
        offer.broken_validation = vec!["com.example.Broken".into()];
    });
    let failed = synchronize(&app, &realm.admin, &instance).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", failed.text());
    let message = failed.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("instance 'OTA'") && message.contains("com.example.Broken"), "{message}");
    assert!(message.contains("HTTP 500") && message.contains("HTTP 404"), "{message}");
    assert_eq!(app.get_as(&realm.admin, "/connect_plugins").await.json(), before);

    // Credentials in a worker URL are refused (instances are shown to every user); a worker
    // that is down is named with the cause.
    let path = format!("/instances/{instance}");
    let port = closed_port();
    let secret = json!({"connectUrls": format!("http://admin:s3cret@127.0.0.1:{port}")});
    let refused = app.platform("PATCH", "rabo", &path, Some(&secret)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text());
    assert!(refused.text().contains("must not carry credentials") && !refused.text().contains("s3cret"));
    assert_eq!(app.get_as(&realm.admin, "/connect_plugins").await.json(), before, "nothing changed");
    let moved = json!({"connectUrls": format!("http://127.0.0.1:{port}")});
    let patched = app.platform("PATCH", "rabo", &path, Some(&moved)).await;
    assert!(patched.status.is_success(), "{}", patched.text());
    assert!(plugins(&app.get_as(&realm.admin, "/connect_plugins").await.json()).is_empty(), "Connect moved");
    let failed = synchronize(&app, &realm.admin, &instance).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    let text = failed.text();
    assert!(text.contains(&format!("http://127.0.0.1:{port}/: GET /connector-plugins")), "{text}");
    assert!(text.to_lowercase().contains("connection refused"), "{text}");
}

#[actix_web::test]
async fn https_workers_are_trusted_by_the_instance_ca_certificates() {
    let app = TestApp::start().await;
    let connect = ConnectWorker::start(seed_offer());
    let authority = Authority::new("Connect CA");
    let port = closed_port();
    authority.front(port, connect.url.trim_start_matches("http://").to_owned());
    let realm = app.realm("rabo").await;
    let urls = format!("https://127.0.0.1:{port}");
    let instance = instance_trusting(&app, "rabo", &urls, &authority.ca_pem).await;
    let synced = synchronize(&app, &realm.admin, &instance).await;
    assert_eq!(synced.status, StatusCode::NO_CONTENT, "{}", synced.text());
    assert_eq!(classes(&app.get_as(&realm.admin, "/connect_plugins").await.json()).len(), 2);

    // An instance trusting another CA: the certificate is refused, by name.
    let other = app.realm("acme").await;
    let stranger = instance_trusting(&app, "acme", &urls, &Authority::new("Another CA").ca_pem).await;
    let refused = synchronize(&app, &other.admin, &stranger).await;
    assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", refused.text());
    assert!(refused.text().contains("invalid peer certificate: UnknownIssuer"), "{}", refused.text());
}

#[actix_web::test]
async fn the_worker_reads_connect_when_it_is_set_and_again_after_ten_minutes() {
    let app = TestApp::start().await;
    let connect = ConnectWorker::start(seed_offer());
    let realm = app.realm("rabo").await;
    // Created without a synchronize: the worker reads it.
    let instance = instance(&app, "rabo", &connect.url).await;
    let listed = || async { classes(&app.get_as(&realm.admin, "/connect_plugins").await.json()) };
    // Waits (up to a minute) until the worker has made `count` plugins visible.
    let listing = |count: usize, what: &'static str| {
        let listed = &listed;
        async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            while listed().await.len() != count {
                assert!(Instant::now() < deadline, "{what}");
                actix_web::rt::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    listing(2, "the worker did not read Connect").await;

    // Switched off: forgotten at once.
    let off =
        app.platform("PATCH", "rabo", &format!("/instances/{instance}"), Some(&json!({"connectEnabled": false}))).await;
    assert!(off.status.is_success(), "{}", off.text());
    assert!(listed().await.is_empty());

    // On again: read again; then a change on Connect shows once ten minutes have passed.
    let on =
        app.platform("PATCH", "rabo", &format!("/instances/{instance}"), Some(&json!({"connectEnabled": true}))).await;
    assert!(on.status.is_success(), "{}", on.text());
    listing(2, "the worker did not read Connect again").await;
    connect.offer(|offer| offer.plugins.truncate(1));
    actix_web::rt::time::sleep(Duration::from_secs(6)).await; // a worker pass or more
    assert_eq!(listed().await.len(), 2, "not read again before ten minutes");
    app.advance(601);
    listing(1, "the worker did not refresh").await;
}

#[actix_web::test]
async fn plugins_are_read_only_realm_scoped_and_need_a_caller() {
    let app = TestApp::start().await;
    let connect = ConnectWorker::start(seed_offer());
    let realm = app.realm("rabo").await;
    let other = app.realm("acme").await;
    let user = realm.user("reader@rabo.test", &[]).await;
    let instance = instance(&app, "rabo", &connect.url).await;
    // Synchronize: tenant admins (and platform admins) only.
    assert_eq!(synchronize(&app, &user.token, &instance).await.status, StatusCode::FORBIDDEN);
    assert_eq!(synchronize(&app, &other.admin, &instance).await.status, StatusCode::NOT_FOUND);
    assert_eq!(synchronize(&app, &realm.admin, &instance).await.status, StatusCode::NO_CONTENT);
    let uid = plugins(&app.get_as(&user.token, "/connect_plugins").await.json())[0]["uid"].as_str().unwrap().to_owned();

    for path in ["/connect_plugins".to_owned(), format!("/connect_plugins/{uid}"), "/connect_plugins/search".into()] {
        assert_eq!(app.get(&path).await.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // Another realm sees none of them.
    let theirs = app.get_as(&other.admin, "/connect_plugins").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(plugins(&theirs.json()).is_empty());
    assert_eq!(theirs.json()["page"]["totalElements"], 0);
    assert_eq!(app.get_as(&other.admin, &format!("/connect_plugins/{uid}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_as(&other.admin, &format!("/connect_plugins/{uid}/instance")).await.status,
        StatusCode::NOT_FOUND
    );
    let malformed = app.get_as(&user.token, "/connect_plugins/not-a-uid").await;
    assert!(malformed.status.is_client_error(), "{}", malformed.text());
    let paged = app.get_as(&user.token, "/connect_plugins?page=-1").await;
    assert_eq!(paged.status, StatusCode::BAD_REQUEST, "{}", paged.text());
    let unknown = app.get_as(&user.token, "/connect_plugins/0123456789abcdef0123456789abcdef").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.json().get("message").is_some(), "Axual error body: {}", unknown.text());
    // No writes, as in Axual.
    for (method, path) in [
        ("POST", "/connect_plugins".to_owned()),
        ("PATCH", format!("/connect_plugins/{uid}")),
        ("PUT", format!("/connect_plugins/{uid}")),
        ("DELETE", format!("/connect_plugins/{uid}")),
    ] {
        let refused = app.json_as(method, &realm.admin, &path, &json!({"pluginClass": "x"})).await;
        assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}: {}", refused.text());
    }
    // Deleting the tenant removes its plugins.
    let realm_id = uuid::Uuid::parse_str(&realm.id).unwrap().to_string();
    assert!(app.tables_holding_realm(&realm_id).contains(&"catalog_connect_plugins"));
    let platform = app.admin_token().await;
    let deleted = app.json_as("DELETE", &platform, &format!("/v1/tenants/{}", realm.id), &json!({})).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    assert_eq!(app.tables_holding_realm(&realm_id), Vec::<&str>::new());
}
