//! The client's failure modes, without a broker.

use super::*;
use std::io::{Read, Write};

#[test]
fn an_unreachable_cluster_names_every_bootstrap_server() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let limits = KafkaLimits { connect_timeout: Duration::from_millis(500), ..KafkaLimits::default() };
    let err = Cluster::connect(&[format!("127.0.0.1:{port}"), "no-such-host.invalid:9092".into()], &limits)
        .err()
        .expect("nothing listens");
    let message = err.to_string();
    assert!(matches!(err, KafkaError::Unreachable(_)), "{message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")) && message.contains("no-such-host.invalid"), "{message}");
    assert!(Cluster::connect(&[], &limits).err().unwrap().to_string().contains("empty bootstrap list"));
}

#[test]
fn sasl_listeners_and_tls_without_trust_are_refused_by_name_before_any_connection() {
    // A listener that would accept the connection: the refusal must come before it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let limits = KafkaLimits::default();
    for protocol in ["SASL_SSL", "SASL_PLAINTEXT", "GOPHER"] {
        let err = Cluster::connect(&[format!("{protocol}://127.0.0.1:{port}")], &limits).err().expect("refused");
        let message = err.to_string();
        assert!(matches!(err, KafkaError::Unreachable(_)), "{message}");
        assert!(message.contains(&format!("the {protocol} protocol is not spoken here")), "{message}");
    }
    let err = Cluster::connect(&[format!("SSL://127.0.0.1:{port}")], &limits).err().expect("no trust");
    assert!(err.to_string().contains("no CA certificate to trust"), "{err}");
    listener.set_nonblocking(true).unwrap();
    assert!(listener.accept().is_err(), "no connection was made");
}

#[test]
fn a_peer_that_is_not_kafka_is_a_protocol_error_not_a_hang() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut buffer = [0u8; 64];
        let _ = socket.read(&mut buffer);
        // A size prefix far over the limit.
        socket.write_all(&i32::MAX.to_be_bytes()).unwrap();
    });
    let limits = KafkaLimits { max_response_bytes: 1 << 20, ..KafkaLimits::default() };
    let err = Cluster::connect(std::slice::from_ref(&address), &limits).err().expect("not Kafka");
    assert!(err.to_string().contains("over the limit"), "{err}");
    server.join().unwrap();
}

#[test]
fn tls_trust_needs_a_certificate() {
    assert!(KafkaTls::trusting(&[]).is_none());
    let key_only = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n".to_owned();
    assert!(KafkaTls::trusting(&["not a PEM".to_owned(), key_only]).is_none());
}
