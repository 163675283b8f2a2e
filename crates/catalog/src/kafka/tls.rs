//! Trust for TLS listeners, and the client certificate presented to those that ask for one.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

/// The certificate (chain) and private key the catalog presents to Kafka TLS listeners that
/// require client authentication (mutual TLS). Parsed and checked once, at start.
pub struct ClientIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Clone for ClientIdentity {
    fn clone(&self) -> Self {
        ClientIdentity { chain: self.chain.clone(), key: self.key.clone_key() }
    }
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity").field("certificates", &self.chain.len()).finish_non_exhaustive()
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

impl ClientIdentity {
    /// From PEM texts: the certificate first (then its intermediates), and its private key
    /// (PKCS#8, PKCS#1 or SEC1). The reason names what is wrong, never the key.
    pub fn from_pem(certificates: &str, key: &str) -> Result<ClientIdentity, String> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(certificates.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|_| "the client certificate is not PEM".to_owned())?;
        if chain.is_empty() {
            return Err("the client certificate file holds no certificate".to_owned());
        }
        let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
            .map_err(|_| "the client key file holds no private key in PEM".to_owned())?;
        let identity = ClientIdentity { chain, key };
        // The pair must be usable: rustls checks that the key can sign and matches.
        rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|err| err.to_string())?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key())
            .map_err(|err| format!("the client certificate and key cannot be used together: {err}"))?;
        Ok(identity)
    }
}

/// What a TLS (`SSL://`) listener is trusted by: the CA certificates of the instances the
/// cluster powers; and the client identity presented when the listener asks for one.
#[derive(Clone)]
pub struct KafkaTls {
    pub(super) config: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for KafkaTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaTls").finish_non_exhaustive()
    }
}

impl KafkaTls {
    /// Trusts the certificates in `pems` (PEM texts, each may hold several), presenting no
    /// client certificate; `None` when none of them holds a usable certificate.
    pub fn trusting(pems: &[String]) -> Option<KafkaTls> {
        KafkaTls::trusting_as(pems, None)
    }

    /// [`KafkaTls::trusting`], presenting `client` to listeners that ask for a certificate.
    pub fn trusting_as(pems: &[String], client: Option<&ClientIdentity>) -> Option<KafkaTls> {
        let mut roots = rustls::RootCertStore::empty();
        for pem in pems {
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()).flatten() {
                let _ = roots.add(cert);
            }
        }
        if roots.is_empty() {
            return None;
        }
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .ok()?
            .with_root_certificates(roots);
        let config = match client {
            // Checked usable when the identity was made.
            Some(client) => builder.with_client_auth_cert(client.chain.clone(), client.key.clone_key()).ok()?,
            None => builder.with_no_client_auth(),
        };
        Some(KafkaTls { config: Arc::new(config) })
    }
}
