//! Client secrets: generated with high entropy, stored only as a keyed hash.
//!
//! The hash is `hmac-sha256$<key id>$<hex>` with a key derived from the sealing KEK. Naming
//! the key id keeps stored hashes verifiable after the KEK is rotated (the old KEK stays among
//! the previous keys). A keyed hash is enough here: the secrets are random, not passwords, so
//! there is nothing for a slow hash to protect against, and checking stays fast.

use hmac::{Hmac, Mac};
use portico_core::seal::Sealer;
use sha2::Sha256;

const PURPOSE: &str = "identity/client-secret";

fn mac(key: &[u8; 32]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

/// HMAC-SHA256 of `data` under the current key derived for `purpose`, as hex, with the key id.
pub fn keyed_digest(sealer: &Sealer, purpose: &str, data: &[u8]) -> (String, String) {
    let (key, key_id) = sealer.derive(purpose);
    let mut mac = mac(&key);
    mac.update(data);
    (portico_core::ids::hex(&mac.finalize().into_bytes()), key_id.to_owned())
}

/// The stored form of `secret`.
pub fn hash_client_secret(sealer: &Sealer, secret: &str) -> String {
    let (digest, key_id) = keyed_digest(sealer, PURPOSE, secret.as_bytes());
    format!("hmac-sha256${key_id}${digest}")
}

/// Whether `secret` matches `stored` (constant-time comparison).
pub fn verify_client_secret(sealer: &Sealer, secret: &str, stored: &str) -> bool {
    let mut parts = stored.splitn(3, '$');
    let (Some("hmac-sha256"), Some(key_id), Some(hex)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Some(key) = sealer.derive_with(key_id, PURPOSE) else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    let mut mac = mac(&key);
    mac.update(secret.as_bytes());
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_verify_against_their_keyed_hash_only() {
        let sealer = Sealer::generate();
        let stored = hash_client_secret(&sealer, "Qn_43J-SPeAPExee");
        assert!(!stored.contains("Qn_43J"));
        assert!(verify_client_secret(&sealer, "Qn_43J-SPeAPExee", &stored));
        assert!(!verify_client_secret(&sealer, "Qn_43J-SPeAPExeX", &stored));
        assert!(!verify_client_secret(&Sealer::generate(), "Qn_43J-SPeAPExee", &stored));
        assert!(!verify_client_secret(&sealer, "x", "plain"));
    }
}
