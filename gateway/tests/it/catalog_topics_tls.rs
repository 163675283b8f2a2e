//! Clusters behind TLS listeners (`SSL://`): topics are provisioned and browsed over TLS,
//! trusted by the instance's CA certificates, and a broker whose certificate that CA did not
//! sign is refused by name.
//!
//! tansu serves plaintext only, so a TLS front (`tls::Authority::front`: a real rustls
//! handshake with a certificate signed by a CA made here) sits before it, and the broker
//! advertises the front's address, so every connection the client makes — bootstrap and
//! partition leaders — is TLS.

use crate::catalog_topics::{Broker, TOPIC, eventually, fixture_trusting, free_port};
use crate::support::TestApp;
use crate::tls::Authority;
use actix_web::http::StatusCode;
use bytes::Bytes;
use portico_catalog::kafka::{Cluster, KafkaLimits, KafkaTls, Message};
use portico_gateway::settings::Settings;
use serde_json::json;

/// A broker reachable only over TLS at the returned port, and the CA that signed its
/// certificate.
fn tls_broker() -> (Broker, u16, String) {
    let authority = Authority::new("Portico test CA");
    let front = free_port();
    let broker = Broker::start_advertising(free_port(), front);
    authority.front(front, broker.address.clone());
    (broker, front, authority.ca_pem)
}

#[actix_web::test]
async fn topics_are_provisioned_and_browsed_over_tls_trusting_the_instance_ca() {
    let (_broker, front, ca_pem) = tls_broker();
    let app = TestApp::start().await;
    let bootstrap = format!("SSL://127.0.0.1:{front}");
    let f = fixture_trusting(&app, &bootstrap, &ca_pem).await;
    let config = f.configure(json!({"partitions": 2})).await;

    let tls = KafkaTls::trusting(std::slice::from_ref(&ca_pem)).expect("a CA");
    let connect = || Cluster::connect_with(std::slice::from_ref(&bootstrap), &KafkaLimits::default(), Some(&tls));
    let mut kafka = connect().unwrap();
    eventually("the topic's creation over TLS", || kafka.topic(TOPIC).unwrap().is_some());
    let synced = f.post(&f.realm.admin, &format!("/instances/{}/synchronize", f.instance)).await;
    assert_eq!(synced.status, StatusCode::NO_CONTENT, "{}", synced.text());
    let partitions = kafka.topic(TOPIC).unwrap().unwrap().partitions;
    assert_eq!(partitions.len(), 2);

    // A record written over TLS is read back by browse over TLS.
    let record = Message {
        partition: 0,
        offset: 0,
        timestamp: 1_000_000_000,
        key: Some(Bytes::from_static(b"k1")),
        value: Some(Bytes::from_static(br#"{"over":"tls"}"#)),
        headers: vec![],
    };
    kafka.produce(TOPIC, partitions[0], &[record]).unwrap();
    let browsed = f.browse(&f.member, &config, "").await;
    assert_eq!(browsed.status, StatusCode::OK, "{}", browsed.text());
    assert_eq!(browsed.json()["messages"][0]["value"], r#"{"over":"tls"}"#);

    // Without trust, or as plaintext, the listener cannot be used.
    let plain = Cluster::connect(&[format!("127.0.0.1:{front}")], &KafkaLimits::default());
    assert!(plain.is_err(), "a plaintext client gets no Kafka answer from a TLS listener");
}

#[actix_web::test]
async fn a_broker_certificate_the_instance_ca_did_not_sign_is_refused_by_name() {
    let (_broker, front, _ca_pem) = tls_broker();
    let other_ca = Authority::new("Another CA").ca_pem;
    // Another CA; then a CA with the broker's issuer's name but another key (the signature is
    // what counts).
    let impostor = Authority::new("Portico test CA").ca_pem;
    for (trusted, reason) in [(other_ca, "UnknownIssuer"), (impostor, "BadSignature")] {
        let app = TestApp::start().await;
        let f = fixture_trusting(&app, &format!("SSL://127.0.0.1:{front}"), &trusted).await;
        f.configure(json!({"partitions": 1})).await;
        let failed = f.post(&f.realm.admin, &format!("/instances/{}/synchronize", f.instance)).await;
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", failed.text());
        let message = failed.text();
        assert!(message.contains(&format!("TLS handshake failed: invalid peer certificate: {reason}")), "{message}");
        assert!(message.contains(TOPIC) && message.contains("cluster 'Local'"), "{message}");
    }
}

#[actix_web::test]
async fn listeners_requiring_client_certificates_get_the_configured_one() {
    let authority = Authority::new("Portico test CA");
    let front = free_port();
    let _broker = Broker::start_advertising(free_port(), front);
    authority.front_requiring_clients(front, _broker.address.clone());
    let bootstrap = format!("SSL://127.0.0.1:{front}");

    // Without a client certificate the listener refuses the catalog, by name.
    let app = TestApp::start().await;
    let f = fixture_trusting(&app, &bootstrap, &authority.ca_pem).await;
    f.configure(json!({"partitions": 1})).await;
    let failed = f.post(&f.realm.admin, &format!("/instances/{}/synchronize", f.instance)).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", failed.text());
    assert!(failed.text().contains("CertificateRequired"), "{}", failed.text());

    // With `catalog.kafka_client_certificate` and `..._key` set, the same works.
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = authority.client("portico");
    std::fs::write(dir.path().join("client.pem"), cert).unwrap();
    std::fs::write(dir.path().join("client.key"), key).unwrap();
    let mut settings = Settings::default();
    settings.catalog.kafka_client_certificate = dir.path().join("client.pem").display().to_string();
    settings.catalog.kafka_client_key = dir.path().join("client.key").display().to_string();
    let app = TestApp::start_with(settings).await;
    let f = fixture_trusting(&app, &bootstrap, &authority.ca_pem).await;
    let config = f.configure(json!({"partitions": 1})).await;
    let synced = f.post(&f.realm.admin, &format!("/instances/{}/synchronize", f.instance)).await;
    assert_eq!(synced.status, StatusCode::NO_CONTENT, "{}", synced.text());
    let browsed = f.browse(&f.member, &config, "").await;
    assert_eq!(browsed.status, StatusCode::OK, "{}", browsed.text());
}

#[test]
fn a_client_certificate_without_its_key_or_with_another_key_stops_the_start() {
    let authority = Authority::new("Portico test CA");
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = authority.client("portico");
    let (_, other_key) = authority.client("other");
    std::fs::write(dir.path().join("client.pem"), &cert).unwrap();
    std::fs::write(dir.path().join("other.key"), &other_key).unwrap();
    std::fs::write(dir.path().join("cert-as-key.pem"), &cert).unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    for (certificate, key, reason) in [
        (path("client.pem"), String::new(), "go together"),
        (path("client.pem"), path("missing.key"), "catalog.kafka_client_key"),
        (path("client.pem"), path("cert-as-key.pem"), "no private key"),
        (path("client.pem"), path("other.key"), "cannot be used together"),
    ] {
        let mut settings = Settings::default();
        settings.catalog.kafka_client_certificate = certificate;
        settings.catalog.kafka_client_key = key;
        let err = portico_gateway::server::catalog_config(&settings).expect_err("refused").to_string();
        assert!(err.contains(reason), "{reason}: {err}");
        assert!(!err.contains("PRIVATE KEY"), "never the key: {err}");
    }
}
