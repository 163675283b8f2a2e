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
