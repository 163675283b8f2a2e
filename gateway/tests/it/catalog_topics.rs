//! Stream configs on a real Kafka-protocol broker (tansu, memory storage): their topics are
//! created, reconfigured and deleted through the outbox, `synchronize` of instances and
//! environments deploys them at once (and reports a cluster it cannot reach, then succeeds
//! once the cluster is up), and `browse` reads the records the broker holds.

use crate::support::{TestApp, TestRealm, TestResponse, USER_PASSWORD, bearer, uid_of, uri};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use bytes::Bytes;
use portico_catalog::kafka::{Cluster, KafkaLimits, Message};
use serde_json::{Value, json};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A tansu broker listening on `port`, stopped when dropped.
pub(crate) struct Broker {
    child: Child,
    pub(crate) address: String,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tansu binary: `$TANSU`, else `tansu` in `$CARGO_HOME/bin` or on the `PATH`; when there
/// is none, it is installed into `$CARGO_HOME/bin` (`cargo install tansu --locked --features
/// dynostore`, about ten minutes), by one test process at a time.
fn tansu() -> String {
    if let Ok(path) = std::env::var("TANSU") {
        return path;
    }
    let home =
        std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap_or_default()));
    let installed = format!("{home}/bin/tansu");
    let on_path = || Command::new("tansu").arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if std::path::Path::new(&installed).exists() {
        return installed;
    }
    if on_path() {
        return "tansu".to_owned();
    }
    let lock = std::fs::File::create(std::env::temp_dir().join("portico-tansu-install.lock")).unwrap();
    lock.lock().unwrap();
    if !std::path::Path::new(&installed).exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["install", "tansu", "--locked", "--features", "dynostore"])
            .status()
            .unwrap_or_else(|e| panic!("cargo did not run: {e}"));
        assert!(status.success(), "installing tansu failed: {status}");
    }
    installed
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Broker {
    fn start_on(port: u16) -> Broker {
        Broker::start_advertising(port, port)
    }

    /// A broker on `port` that tells clients to reach it at `advertised` (a front in between).
    pub(crate) fn start_advertising(port: u16, advertised: u16) -> Broker {
        let address = format!("127.0.0.1:{port}");
        let child = Command::new(tansu())
            .args([
                "broker",
                "--listener-url",
                &format!("tcp://{address}"),
                "--advertised-listener-url",
                &format!("tcp://127.0.0.1:{advertised}"),
                "--storage-engine",
                "memory://tansu/",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("tansu did not start: {e}"));
        let broker = Broker { child, address };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(&broker.address).is_err() {
            assert!(Instant::now() < deadline, "tansu did not listen on {}", broker.address);
            std::thread::sleep(Duration::from_millis(50));
        }
        broker
    }

    fn start() -> Broker {
        Broker::start_on(free_port())
    }

    fn client(&self) -> Cluster {
        Cluster::connect(std::slice::from_ref(&self.address), &KafkaLimits::default()).unwrap()
    }
}

/// Waits (up to a minute) until `done` holds: the outbox worker runs on its own thread.
pub(crate) fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "{what} did not happen");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A realm with a cluster at `bootstrap`, an instance `ota` on it, a public environment `dev`
/// on the instance, a group with a member, and a stream `orders` owned by the group.
pub(crate) struct Fixture<'a> {
    app: &'a TestApp,
    pub(crate) realm: TestRealm<'a>,
    pub(crate) member: String,
    outsider: String,
    group: String,
    pub(crate) instance: String,
    environment: String,
    stream: String,
}

async fn fixture<'a>(app: &'a TestApp, bootstrap: &str) -> Fixture<'a> {
    let (pem, _) = crate::support::certificate(4_102_444_800); // valid until 2100
    fixture_trusting(app, bootstrap, &pem).await
}

/// [`fixture`] with the instance's CA certificate `ca_pem` (what TLS listeners are trusted by).
pub(crate) async fn fixture_trusting<'a>(app: &'a TestApp, bootstrap: &str, ca_pem: &str) -> Fixture<'a> {
    let realm = app.realm("acme").await;
    let member = realm.user("member@acme.test", &[]).await;
    let outsider = realm.user("outsider@acme.test", &[]).await;
    let group = realm.group("Orders team", &[&member.uid]).await;
    let member = app.password_token("acme", "member@acme.test", USER_PASSWORD).await;
    let cluster = uid_of(
        &app.platform(
            "POST",
            "acme",
            "/clusters",
            Some(&json!({"name": "Local", "bootstrapServers": [{"bootstrapServer": bootstrap}]})),
        )
        .await,
    );
    let pem = ca_pem;
    let instance = uid_of(
        &app.platform(
            "POST",
            "acme",
            "/instances",
            Some(&json!({"name": "OTA", "shortName": "ota", "apiUrl": "http://ota.local",
                         "instanceClusters": [{"cluster": uri("clusters", &cluster)}], "caCerts": [{"pem": pem}],
                         "properties": {"segment.ms": "172800000"}})),
        )
        .await,
    );
    let environment = uid_of(
        &app.platform(
            "POST",
            "acme",
            "/environments",
            Some(&json!({"name": "Development", "shortName": "dev", "visibility": "public", "partitions": 2,
                         "instance": uri("instances", &instance), "owners": uri("groups", &group)})),
        )
        .await,
    );
    let stream = uid_of(
        &app.json_accepting(
            "POST",
            &member,
            "/streams",
            "application/hal+json",
            &json!({"name": "orders", "keyType": "STRING", "valueType": "JSON", "owners": uri("groups", &group)}),
        )
        .await,
    );
    Fixture { app, realm, member, outsider: outsider.token, group, instance, environment, stream }
}

/// The topic of `orders` on `dev` of `ota` in realm `acme`.
pub(crate) const TOPIC: &str = "acme-ota-dev-orders";

impl Fixture<'_> {
    pub(crate) async fn configure(&self, body: Value) -> String {
        let mut body = body;
        body["stream"] = json!(uri("streams", &self.stream));
        body["environment"] = json!(uri("environments", &self.environment));
        let created =
            self.app.json_accepting("POST", &self.member, "/stream_configs", "application/hal+json", &body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        uid_of(&created)
    }

    /// Synchronizes the environment as the tenant admin, which must succeed.
    async fn synchronized(&self) {
        let synced = self.post(&self.realm.admin, &format!("/environments/{}/synchronize", self.environment)).await;
        assert_eq!(synced.status, StatusCode::NO_CONTENT, "{}", synced.text());
    }

    pub(crate) async fn post(&self, token: &str, path: &str) -> TestResponse {
        self.app.send(TestRequest::post().uri(path).insert_header(bearer(token))).await
    }

    pub(crate) async fn browse(&self, token: &str, config: &str, query: &str) -> TestResponse {
        self.app.get_as(token, &format!("/streams/{config}/browse{query}")).await
    }
}

fn config_of(kafka: &mut Cluster, topic: &str) -> Vec<(String, Option<String>)> {
    kafka.topic_configs(topic).unwrap()
}

#[actix_web::test]
async fn a_stream_config_becomes_a_topic_and_deleting_it_removes_the_topic() {
    let broker = Broker::start();
    let app = TestApp::start().await;
    let f = fixture(&app, &broker.address).await;
    let config = f.configure(json!({"retentionTime": 3_600_000, "partitions": 3})).await;

    // The worker applies the outbox on its own.
    let mut kafka = broker.client();
    eventually("the topic's creation", || kafka.topic(TOPIC).unwrap().is_some());
    let topic = kafka.topic(TOPIC).unwrap().unwrap();
    assert_eq!(topic.partitions.len(), 3, "{topic:?}");
    let configs = config_of(&mut kafka, TOPIC);
    for (key, value) in [("retention.ms", "3600000"), ("cleanup.policy", "delete"), ("segment.ms", "172800000")] {
        assert!(
            configs.iter().any(|(k, v)| k == key && v.as_deref() == Some(value)),
            "{key}={value} missing from {configs:?}"
        );
    }

    // Synchronizing again changes nothing and answers 204.
    f.synchronized().await;
    assert_eq!(kafka.topic(TOPIC).unwrap().unwrap().partitions.len(), 3);

    let deleted = app
        .send(TestRequest::delete().uri(&format!("/stream_configs/{config}")).insert_header(bearer(&f.member)))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    eventually("the topic's deletion", || kafka.topic(TOPIC).unwrap().is_none());
}

#[actix_web::test]
async fn synchronize_reports_an_unreachable_cluster_and_succeeds_once_it_is_up() {
    let port = free_port();
    let app = TestApp::start().await;
    let f = fixture(&app, &format!("127.0.0.1:{port}")).await;
    f.configure(json!({"partitions": 2})).await;

    let failed = f.post(&f.realm.admin, &format!("/instances/{}/synchronize", f.instance)).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", failed.text());
    let message = failed.text();
    assert!(message.contains(TOPIC) && message.contains("cluster 'Local'"), "{message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");

    // The failed change stays queued; with the cluster up, synchronize deploys it.
    let broker = Broker::start_on(port);
    let synced = f.post(&f.realm.admin, &format!("/instances/{}/synchronize", f.instance)).await;
    assert_eq!(synced.status, StatusCode::NO_CONTENT, "{}", synced.text());
    let mut kafka = broker.client();
    assert_eq!(kafka.topic(TOPIC).unwrap().expect("created").partitions.len(), 2);
}

#[actix_web::test]
async fn changes_of_a_config_or_its_stream_reconfigure_the_existing_topic() {
    let broker = Broker::start();
    let app = TestApp::start().await;
    let f = fixture(&app, &broker.address).await;
    let config = f.configure(json!({"partitions": 1})).await;
    f.synchronized().await;
    let mut kafka = broker.client();
    let policy = |kafka: &mut Cluster| {
        config_of(kafka, TOPIC).into_iter().find(|(k, _)| k == "cleanup.policy").and_then(|(_, v)| v)
    };
    assert_eq!(policy(&mut kafka).as_deref(), Some("delete"));

    // The stream's retention policy is the topic's cleanup.policy.
    let patched = app
        .json_as("PATCH", &f.member, &format!("/streams/{}", f.stream), &json!({"retentionPolicy": "compact"}))
        .await;
    assert!(patched.status.is_success(), "{}", patched.text());
    f.synchronized().await;
    assert_eq!(policy(&mut kafka).as_deref(), Some("compact"));

    // The config's retention is the topic's retention.ms.
    let patched = app
        .json_as("PATCH", &f.member, &format!("/stream_configs/{config}"), &json!({"retentionTime": 7_200_000}))
        .await;
    assert!(patched.status.is_success(), "{}", patched.text());
    f.synchronized().await;
    let retention = config_of(&mut kafka, TOPIC).into_iter().find(|(k, _)| k == "retention.ms").and_then(|(_, v)| v);
    assert_eq!(retention.as_deref(), Some("7200000"));

    // More partitions: tansu has no CreatePartitions, and synchronize says so by name; the
    // change stays queued (and is retried).
    let patched =
        app.json_as("PATCH", &f.member, &format!("/stream_configs/{config}"), &json!({"partitions": 3})).await;
    assert!(patched.status.is_success(), "{}", patched.text());
    let failed = f.post(&f.realm.admin, &format!("/environments/{}/synchronize", f.environment)).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", failed.text());
    let text = failed.text();
    assert!(text.contains(TOPIC) && text.contains("cluster 'Local'"), "{text}");
    assert!(text.contains("does not support CreatePartitions"), "{text}");
    assert_eq!(app.stored_texts("catalog_topic_outbox", "topic"), [TOPIC]);
    assert_eq!(kafka.topic(TOPIC).unwrap().unwrap().partitions.len(), 1);
}

#[actix_web::test]
async fn patched_properties_merge_into_the_topic_and_a_removed_one_returns_to_the_default() {
    let broker = Broker::start();
    let app = TestApp::start().await;
    let f = fixture(&app, &broker.address).await;
    let config = f.configure(json!({"partitions": 1, "properties": {"max.message.bytes": "2000"}})).await;
    f.synchronized().await;
    let mut kafka = broker.client();
    let value = |kafka: &mut Cluster, key: &str| {
        config_of(kafka, TOPIC).into_iter().find(|(k, _)| k == key).and_then(|(_, v)| v)
    };
    assert_eq!(value(&mut kafka, "max.message.bytes").as_deref(), Some("2000"));
    let default_flush = value(&mut kafka, "flush.ms");

    // A second PATCH of other keys keeps the first key, on the config and on the topic.
    let path = format!("/stream_configs/{config}");
    for body in [json!({"properties": {"flush.ms": "60000"}}), json!({"properties": {"segment.bytes": 1048576}})] {
        let patched = app.json_as("PATCH", &f.member, &path, &body).await;
        assert!(patched.status.is_success(), "{}", patched.text());
    }
    f.synchronized().await;
    assert_eq!(value(&mut kafka, "max.message.bytes").as_deref(), Some("2000"), "a key dropped out of the topic");
    assert_eq!(value(&mut kafka, "flush.ms").as_deref(), Some("60000"));
    assert_eq!(value(&mut kafka, "segment.bytes").as_deref(), Some("1048576"));

    // `null` removes the property from the config, and the topic goes back to the default.
    let removed = app.json_as("PATCH", &f.member, &path, &json!({"properties": {"flush.ms": null}})).await;
    assert!(removed.status.is_success(), "{}", removed.text());
    assert!(app.get_as(&f.member, &path).await.json()["properties"].get("flush.ms").is_none());
    f.synchronized().await;
    assert_eq!(value(&mut kafka, "flush.ms"), default_flush, "the removed key is still set on the topic");
    assert_eq!(value(&mut kafka, "max.message.bytes").as_deref(), Some("2000"));
}

#[actix_web::test]
async fn synchronize_is_for_tenant_and_platform_admins_in_their_own_realm() {
    let broker = Broker::start();
    let app = TestApp::start().await;
    let f = fixture(&app, &broker.address).await;
    let instance = format!("/instances/{}/synchronize", f.instance);
    let environment = format!("/environments/{}/synchronize", f.environment);
    for path in [&instance, &environment] {
        assert_eq!(app.send(TestRequest::post().uri(path)).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(f.post(&f.member, path).await.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(f.post(&f.realm.admin, path).await.status, StatusCode::NO_CONTENT, "{path}");
        assert_eq!(app.platform("POST", "acme", path, None).await.status, StatusCode::NO_CONTENT, "{path}");
    }
    let unknown = "/instances/0123456789abcdef0123456789abcdef/synchronize";
    assert_eq!(f.post(&f.realm.admin, unknown).await.status, StatusCode::NOT_FOUND);
    let other = app.realm("other").await;
    assert_eq!(f.post(&other.admin, &instance).await.status, StatusCode::NOT_FOUND);
    assert_eq!(f.post(&other.admin, &environment).await.status, StatusCode::NOT_FOUND);

    // The conditional `synchronize` links follow the same rule, in the seed's order.
    let links = |body: Value| body["_links"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let as_admin = links(app.get_as(&f.realm.admin, &format!("/instances/{}", f.instance)).await.json());
    assert_eq!(as_admin, ["self", "instance", "synchronize", "supportTier"]);
    let as_member = links(app.get_as(&f.member, &format!("/instances/{}", f.instance)).await.json());
    assert_eq!(as_member, ["self", "instance", "supportTier"]);
    let as_admin = links(app.get_as(&f.realm.admin, &format!("/environments/{}", f.environment)).await.json());
    assert!(as_admin.contains(&"synchronize".to_owned()), "{as_admin:?}");
    let as_member = links(app.get_as(&f.member, &format!("/environments/{}", f.environment)).await.json());
    assert!(!as_member.contains(&"synchronize".to_owned()), "{as_member:?}");
}

/// The keys of a browse page's messages, in order.
fn message_keys(body: &Value) -> Vec<&str> {
    body["messages"].as_array().unwrap().iter().map(|m| m["key"].as_str().unwrap()).collect()
}

fn message(timestamp: i64, key: &str, value: &[u8]) -> Message {
    Message {
        partition: 0,
        offset: 0,
        timestamp,
        key: Some(Bytes::copy_from_slice(key.as_bytes())),
        value: Some(Bytes::copy_from_slice(value)),
        headers: vec![
            ("source".to_owned(), Some(Bytes::from_static(b"test"))),
            ("raw".to_owned(), Some(Bytes::from_static(&[0xff, 0x00]))),
        ],
    }
}

#[actix_web::test]
async fn browse_reads_the_records_of_a_time_window_newest_first_with_search_and_pages() {
    let broker = Broker::start();
    let app = TestApp::start().await;
    let f = fixture(&app, &broker.address).await;
    let config = f.configure(json!({"partitions": 2})).await;
    f.synchronized().await;

    // Records at whole seconds: 1,000,000 s, 1,000,001 s, ... on both partitions.
    let mut kafka = broker.client();
    let partitions = kafka.topic(TOPIC).unwrap().unwrap().partitions;
    let base = 1_000_000_000i64;
    kafka
        .produce(
            TOPIC,
            partitions[0],
            &[
                message(base, "a1", br#"{"order":"apple"}"#),
                message(base + 2_000, "a2", br#"{"order":"banana"}"#),
                message(base + 4_000, "a3", &[0xde, 0xad, 0xbe, 0xef]),
            ],
        )
        .unwrap();
    kafka
        .produce(
            TOPIC,
            partitions[1],
            &[
                message(base + 1_000, "b1", br#"{"order":"Apple pie"}"#),
                message(base + 3_000, "b2", br#"{"order":"cherry"}"#),
            ],
        )
        .unwrap();

    let everything = f.browse(&f.member, &config, "").await;
    assert_eq!(everything.status, StatusCode::OK, "{}", everything.text());
    let body = everything.json();
    assert_eq!(body["page"], json!({"size": 20, "totalElements": 5, "totalPages": 1, "number": 0}));
    let keys = message_keys(&body);
    assert_eq!(keys, ["a3", "b2", "a2", "b1", "a1"], "newest first");
    let binary = &body["messages"][0];
    assert_eq!(binary["value"], "3q2+7w==");
    assert_eq!(binary["valueEncoding"], "BASE64");
    assert_eq!(binary["keyEncoding"], "UTF8");
    assert_eq!(binary["timestamp"], base + 4_000);
    assert_eq!(binary["headers"], json!({"source": "test", "raw": "/wA="}));
    assert_eq!(binary["binaryHeaders"], json!(["raw"]));
    assert_eq!(body["messages"][1]["value"], r#"{"order":"cherry"}"#);
    assert!(body.get("truncated").is_none());

    // The window is in seconds and inclusive at both ends.
    let window = f.browse(&f.member, &config, "?fromTime=1000001&toTime=1000003").await.json();
    let keys = message_keys(&window);
    assert_eq!(keys, ["b2", "a2", "b1"]);

    // `query` matches key or value text, ignoring case.
    let apples = f.browse(&f.member, &config, "?query=APPLE").await.json();
    let keys = message_keys(&apples);
    assert_eq!(keys, ["b1", "a1"]);

    // Pages of two.
    let second = f.browse(&f.member, &config, "?page=1&pageSize=2").await.json();
    assert_eq!(second["page"], json!({"size": 2, "totalElements": 5, "totalPages": 3, "number": 1}));
    let keys = message_keys(&second);
    assert_eq!(keys, ["a2", "b1"]);
    let beyond = f.browse(&f.member, &config, "?page=9").await.json();
    assert_eq!(beyond["messages"], json!([]));

    // By cluster name; an unknown name is a 400 naming the parameter.
    assert_eq!(f.browse(&f.member, &config, "?selectedCluster=Local").await.json()["page"]["totalElements"], 5);
    let unknown = f.browse(&f.member, &config, "?selectedCluster=Elsewhere").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.text());
    assert!(unknown.text().contains("selectedCluster"), "{}", unknown.text());
}

#[actix_web::test]
async fn browse_shows_tombstones_and_stops_at_its_scan_limit_saying_so() {
    let broker = Broker::start();
    let app = TestApp::start().await;
    let f = fixture(&app, &broker.address).await;
    let config = f.configure(json!({"partitions": 1})).await;
    f.synchronized().await;
    let mut kafka = broker.client();
    let partition = kafka.topic(TOPIC).unwrap().unwrap().partitions[0];
    let mut tombstone = message(1_000_000_000, "gone", b"");
    (tombstone.value, tombstone.headers) = (None, Vec::new());
    kafka.produce(TOPIC, partition, &[tombstone]).unwrap();
    let first = f.browse(&f.member, &config, "").await.json();
    assert_eq!(first["messages"][0]["value"], Value::Null, "{first}");
    assert_eq!(first["messages"][0]["headers"], json!({}));

    // One more record than a browse looks at.
    let many: Vec<Message> = (0..portico_catalog::store::browse::SCAN_RECORDS as i64)
        .map(|n| message(1_000_001_000 + n, &format!("k{n}"), b"v"))
        .collect();
    kafka.produce(TOPIC, partition, &many).unwrap();
    let body = f.browse(&f.member, &config, "?pageSize=1").await.json();
    assert_eq!(body["truncated"], true, "{}", body["page"]);
    assert_eq!(body["page"]["totalElements"], portico_catalog::store::browse::SCAN_RECORDS as u64);
    // A narrower window is whole.
    let narrow = f.browse(&f.member, &config, "?fromTime=1000010&toTime=1000010").await.json();
    assert!(narrow.get("truncated").is_none(), "{}", narrow["page"]);
    assert_eq!(narrow["page"]["totalElements"], 1000);
}

#[actix_web::test]
async fn browse_checks_its_parameters_access_and_the_topic() {
    let broker = Broker::start();
    let app = TestApp::start().await;
    let f = fixture(&app, &broker.address).await;
    let config = f.configure(json!({"partitions": 1})).await;

    for (query, field) in [
        ("?fromTime=yesterday", "fromTime"),
        ("?toTime=-1", "toTime"),
        ("?fromTime=20&toTime=10", "fromTime"),
        ("?pageSize=0", "pageSize"),
        ("?pageSize=501", "pageSize"),
        ("?page=-1", "page"),
        ("?fromTime=99999999999999999999", "fromTime"),
    ] {
        let refused = f.browse(&f.member, &config, query).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{query}: {}", refused.text());
        assert!(refused.text().contains(field), "{query}: {}", refused.text());
    }
    let nul = f.browse(&f.member, &config, "?query=a%00b").await;
    assert_eq!(nul.status, StatusCode::BAD_REQUEST, "{}", nul.text());

    assert_eq!(app.get(&format!("/streams/{config}/browse")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(f.browse(&f.outsider, &config, "").await.status, StatusCode::FORBIDDEN);
    let other = app.realm("other").await;
    assert_eq!(f.browse(&other.admin, &config, "").await.status, StatusCode::NOT_FOUND);
    let unknown = f.browse(&f.member, "0123456789abcdef0123456789abcdef", "").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // Before the topic exists on the cluster: a 409 that says to synchronize. The worker may
    // have been quicker; delete the topic behind its back to be sure.
    let mut kafka = broker.client();
    eventually("the topic's creation", || kafka.topic(TOPIC).unwrap().is_some());
    assert!(kafka.delete_topic(TOPIC).unwrap());
    let missing = f.browse(&f.member, &config, "").await;
    assert_eq!(missing.status, StatusCode::CONFLICT, "{}", missing.text());
    assert!(missing.text().contains("synchronize"), "{}", missing.text());
    f.synchronized().await;
    assert_eq!(f.browse(&f.member, &config, "").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_config_on_an_environment_without_instance_has_nothing_to_browse_or_deploy() {
    let app = TestApp::start().await;
    let f = fixture(&app, "127.0.0.1:9").await;
    let sandbox = uid_of(
        &app.json_accepting(
            "POST",
            &f.realm.admin,
            "/environments",
            "application/hal+json",
            &json!({"name": "Sandbox", "shortName": "sandbox", "visibility": "public", "owners": uri("groups", &f.group)}),
        )
        .await,
    );
    let created = app
        .json_accepting(
            "POST",
            &f.member,
            "/stream_configs",
            "application/hal+json",
            &json!({"stream": uri("streams", &f.stream), "environment": uri("environments", &sandbox)}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let config = uid_of(&created);
    let browsed = f.browse(&f.member, &config, "").await;
    assert_eq!(browsed.status, StatusCode::CONFLICT, "{}", browsed.text());
    let synced = f.post(&f.realm.admin, &format!("/environments/{sandbox}/synchronize")).await;
    assert_eq!(synced.status, StatusCode::NO_CONTENT, "{}", synced.text());
}
