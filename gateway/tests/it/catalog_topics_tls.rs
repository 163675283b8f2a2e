//! Clusters behind TLS listeners (`SSL://`): topics are provisioned and browsed over TLS,
//! trusted by the instance's CA certificates, and a broker whose certificate that CA did not
//! sign is refused by name.
//!
//! tansu serves plaintext only, so a TLS front (rustls, a real handshake with a certificate
//! signed by a CA made here) sits before it: it relays each request frame to the broker and its
//! answer back, and the broker advertises the front's address, so every connection the client
//! makes — bootstrap and partition leaders — is TLS.

use crate::catalog_topics::{Broker, TOPIC, eventually, fixture_trusting, free_port};
use crate::support::TestApp;
use actix_web::http::StatusCode;
use bytes::Bytes;
use portico_catalog::kafka::{Cluster, KafkaLimits, KafkaTls, Message};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

/// A CA named `name`, and a certificate for 127.0.0.1 it signed: `(ca_pem, server_cert,
/// server_key)`.
fn authority(name: &str) -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, name);
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&server_key, &ca).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    (ca.pem(), server.der().clone(), key)
}

/// Reads one Kafka frame (size, then that many bytes), size included.
fn frame(from: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut size = [0u8; 4];
    from.read_exact(&mut size)?;
    let length = usize::try_from(i32::from_be_bytes(size)).map_err(std::io::Error::other)?;
    let mut body = vec![0u8; 4 + length];
    body[..4].copy_from_slice(&size);
    from.read_exact(&mut body[4..])?;
    Ok(body)
}

/// Relays one TLS client's requests to the broker, one at a time (a Kafka client waits for
/// each answer).
fn relay(client: TcpStream, config: Arc<rustls::ServerConfig>, broker: &str) -> std::io::Result<()> {
    let mut secured =
        rustls::StreamOwned::new(rustls::ServerConnection::new(config).map_err(std::io::Error::other)?, client);
    let mut plain = TcpStream::connect(broker)?;
    loop {
        let request = frame(&mut secured)?;
        plain.write_all(&request)?;
        let answer = frame(&mut plain)?;
        secured.write_all(&answer)?;
        secured.flush()?;
    }
}

/// A TLS front on `port` for the broker at `broker`, serving `cert`.
fn tls_front(port: u16, broker: String, cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (config, broker) = (config.clone(), broker.clone());
            std::thread::spawn(move || relay(client, config, &broker));
        }
    });
}

/// A broker reachable only over TLS at the returned port, and the CA that signed its
/// certificate.
fn tls_broker() -> (Broker, u16, String) {
    let (ca_pem, cert, key) = authority("Portico test CA");
    let front = free_port();
    let broker = Broker::start_advertising(free_port(), front);
    tls_front(front, broker.address.clone(), cert, key);
    (broker, front, ca_pem)
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
    let (other_ca, _, _) = authority("Another CA");
    // Another CA; then a CA with the broker's issuer's name but another key (the signature is
    // what counts).
    let (impostor, _, _) = authority("Portico test CA");
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
