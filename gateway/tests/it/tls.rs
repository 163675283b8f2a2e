//! TLS for tests: a CA with a certificate for 127.0.0.1, and a TLS front that terminates
//! real TLS (rustls) before a plaintext service — tansu and the Kafka Connect stand-in serve
//! plaintext only — relaying bytes both ways.

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

/// A CA named `name`, and a certificate for 127.0.0.1 it signed.
pub struct Authority {
    /// The CA's certificate, PEM (what an instance's `caCerts` hold).
    pub ca_pem: String,
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

impl Authority {
    pub fn new(name: &str) -> Authority {
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(rcgen::DnType::CommonName, name);
        let issuer = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap()).unwrap();
        let server_key = rcgen::KeyPair::generate().unwrap();
        let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&server_key, &issuer)
            .unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        Authority { ca_pem: issuer.pem(), issuer, cert: server.der().clone(), key }
    }

    /// A client certificate named `name` that this CA signed, and its key: `(cert_pem, key_pem)`.
    pub fn client(&self, name: &str) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, name);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// Serves TLS on `port` with the certificate for 127.0.0.1, relaying each connection to
    /// the plaintext service at `backend`, until the process ends.
    pub fn front(&self, port: u16, backend: String) {
        self.serve(port, backend, false);
    }

    /// [`Authority::front`] that also requires a client certificate this CA signed.
    pub fn front_requiring_clients(&self, port: u16, backend: String) {
        self.serve(port, backend, true);
    }

    fn serve(&self, port: u16, backend: String, clients: bool) {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if clients {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.issuer.der().clone()).unwrap();
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build().unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let config = builder.with_single_cert(vec![self.cert.clone()], self.key.clone_key()).unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        // Bound here, so the port listens when this returns.
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((client, _)) = listener.accept().await else { continue };
                    let (acceptor, backend) = (acceptor.clone(), backend.clone());
                    actix_web::rt::spawn(async move {
                        let Ok(mut secured) = acceptor.accept(client).await else { return };
                        let Ok(mut plain) = tokio::net::TcpStream::connect(&backend).await else { return };
                        let _ = tokio::io::copy_bidirectional(&mut secured, &mut plain).await;
                    });
                }
            });
        });
    }
}
