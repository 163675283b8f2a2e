//! Trust for TLS listeners.

/// What a TLS (`SSL://`) listener is trusted by: the CA certificates of the instances the
/// cluster powers. No client certificate is presented.
#[derive(Clone)]
pub struct KafkaTls {
    pub(super) config: std::sync::Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for KafkaTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaTls").finish_non_exhaustive()
    }
}

impl KafkaTls {
    /// Trusts the certificates in `pems` (PEM texts, each may hold several); `None` when none
    /// of them holds a usable certificate.
    pub fn trusting(pems: &[String]) -> Option<KafkaTls> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for pem in pems {
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()).flatten() {
                let _ = roots.add(cert);
            }
        }
        if roots.is_empty() {
            return None;
        }
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .ok()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Some(KafkaTls { config: std::sync::Arc::new(config) })
    }
}
