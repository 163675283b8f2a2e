//! X.509 certificates given as PEM text (instance CA certificates, certificate secrets):
//! parsed for real, so a value that is not a certificate is refused with a reason and the
//! expiry shown to clients is the certificate's own `notAfter`.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// At most this many certificates in one PEM value (a chain or a CA bundle).
pub const MAX_CERTIFICATES: usize = 32;

/// At most this many bytes of PEM text.
pub const MAX_PEM_BYTES: usize = 256 * 1024;

/// What Portico reads of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Subject distinguished name (RFC 4514 order as printed by the parser).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, hex with colons.
    pub serial: String,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity (`expiresOn`).
    pub not_after: OffsetDateTime,
    /// Whether it is a CA certificate (basic constraints).
    pub is_ca: bool,
    /// SHA-256 of the DER encoding, lower-case hex.
    pub sha256: String,
}

/// Why a PEM value was refused. The messages never quote the input (it may be a private key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// No `-----BEGIN CERTIFICATE-----` block at all.
    #[error("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)")]
    NoCertificate,
    /// A block of another kind, e.g. a private key.
    #[error("PEM block {position} is a {label}, not a CERTIFICATE")]
    NotACertificate {
        /// 1-based.
        position: usize,
        /// Its label.
        label: String,
    },
    /// A block that does not decode or parse.
    #[error("PEM block {position} is not a valid X.509 certificate: {reason}")]
    Invalid {
        /// 1-based.
        position: usize,
        /// The parser's reason.
        reason: String,
    },
    /// Beyond [`MAX_PEM_BYTES`] or [`MAX_CERTIFICATES`].
    #[error("too large: at most {MAX_CERTIFICATES} certificates and {MAX_PEM_BYTES} bytes")]
    TooLarge,
}

/// Every certificate in `pem`, in order; the whole value is refused if any block is not one.
pub fn parse_pem_certificates(pem: &str) -> Result<Vec<CertificateInfo>, CertificateError> {
    if pem.len() > MAX_PEM_BYTES {
        return Err(CertificateError::TooLarge);
    }
    let mut certificates = Vec::new();
    for (index, block) in x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes()).enumerate() {
        let position = index + 1;
        let block = block.map_err(|err| CertificateError::Invalid { position, reason: err.to_string() })?;
        if block.label != "CERTIFICATE" {
            return Err(CertificateError::NotACertificate { position, label: block.label.clone() });
        }
        if certificates.len() == MAX_CERTIFICATES {
            return Err(CertificateError::TooLarge);
        }
        let parsed =
            block.parse_x509().map_err(|err| CertificateError::Invalid { position, reason: err.to_string() })?;
        let validity = parsed.validity();
        certificates.push(CertificateInfo {
            subject: parsed.subject().to_string(),
            issuer: parsed.issuer().to_string(),
            serial: parsed.raw_serial_as_string(),
            not_before: validity.not_before.to_datetime(),
            not_after: validity.not_after.to_datetime(),
            is_ca: parsed.is_ca(),
            sha256: crate::ids::hex(&Sha256::digest(&block.contents)),
        });
    }
    if certificates.is_empty() {
        return Err(CertificateError::NoCertificate);
    }
    Ok(certificates)
}

/// The earliest `notAfter` of the certificates in `pem` (a bundle expires with its first).
pub fn expires_on(pem: &str) -> Result<OffsetDateTime, CertificateError> {
    let certificates = parse_pem_certificates(pem)?;
    certificates.iter().map(|c| c.not_after).min().ok_or(CertificateError::NoCertificate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

    fn certificate(name: &str, days: i64, ca: bool) -> (String, String) {
        let mut params = CertificateParams::new(vec![format!("{name}.example")]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.not_before = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        params.not_after = params.not_before + time::Duration::days(days);
        if ca {
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn a_certificate_is_read_with_its_validity_names_and_fingerprint() {
        let (pem, _) = certificate("Acme Root", 365, true);
        let certs = parse_pem_certificates(&pem).unwrap();
        assert_eq!(certs.len(), 1);
        let cert = &certs[0];
        assert!(cert.subject.contains("CN=Acme Root"), "{}", cert.subject);
        assert_eq!(cert.subject, cert.issuer, "self-signed");
        assert!(cert.is_ca);
        assert_eq!(cert.not_before.unix_timestamp(), 1_700_000_000);
        assert_eq!(cert.not_after.unix_timestamp(), 1_700_000_000 + 365 * 86_400);
        assert_eq!(cert.sha256.len(), 64);
        assert!(!cert.serial.is_empty());
    }

    #[test]
    fn a_bundle_is_read_in_order_and_expires_with_its_first_certificate() {
        let (long, _) = certificate("Long", 3650, true);
        let (short, _) = certificate("Short", 30, false);
        let bundle = format!("{long}\n{short}");
        let certs = parse_pem_certificates(&bundle).unwrap();
        assert_eq!(certs.len(), 2);
        assert!(!certs[1].is_ca);
        assert_eq!(expires_on(&bundle).unwrap(), certs[1].not_after);
    }

    #[test]
    fn anything_else_is_refused_without_quoting_it() {
        let (cert, key) = certificate("Leaf", 30, false);
        assert_eq!(parse_pem_certificates("hello"), Err(CertificateError::NoCertificate));
        assert_eq!(parse_pem_certificates(""), Err(CertificateError::NoCertificate));
        let err = parse_pem_certificates(&format!("{cert}{key}")).unwrap_err();
        assert_eq!(err, CertificateError::NotACertificate { position: 2, label: "PRIVATE KEY".into() });
        assert!(!err.to_string().contains("MII"), "the key is not echoed: {err}");
        let garbage = "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
        assert!(matches!(parse_pem_certificates(garbage), Err(CertificateError::Invalid { position: 1, .. })));
        let broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(matches!(parse_pem_certificates(broken), Err(CertificateError::Invalid { position: 1, .. })));
        assert_eq!(parse_pem_certificates(&" ".repeat(MAX_PEM_BYTES + 1)), Err(CertificateError::TooLarge));
        let many = cert.repeat(MAX_CERTIFICATES + 1);
        assert_eq!(parse_pem_certificates(&many), Err(CertificateError::TooLarge));
    }
}
