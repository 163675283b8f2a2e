//! Sealing secrets at rest: AES-256-GCM under a key-encryption key (KEK) with key ids.
//!
//! A sealed value is the text `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`. The caller
//! passes a *context* (e.g. `credentials/input/<realm>/<id>`) that is bound in as associated
//! data, so a sealed value copied into another row, realm or column does not open.
//!
//! The KEK comes from configuration or, on first start without one, is generated into the data
//! directory. Rotation: configure the new key as primary and the old ones as previous keys;
//! values sealed under a previous key still open, and [`Sealer::needs_reseal`] tells which to
//! rewrite. Keys derived for other purposes (cursor MACs, client-secret hashes) are derived per
//! key id, so a stored hash names the key it was made with and survives rotation.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::Path;

const NONCE_LEN: usize = 12;
/// File name of the generated key inside the data directory.
pub const KEY_FILE: &str = "sealing.key";

/// Why a value could not be sealed or opened, or a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The value names a key this server does not hold.
    #[error("sealed with key '{0}', which is not configured (add it to secrets.previous_keys)")]
    UnknownKey(String),
    /// The value is damaged, or belongs to another context.
    #[error("sealed value is corrupt or does not belong here")]
    Corrupt,
    /// A configured key is not 32 bytes of base64.
    #[error("sealing key is invalid: {0}")]
    InvalidKey(String),
    /// The key file could not be read or written.
    #[error("sealing key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

#[derive(Clone)]
struct SealingKey {
    id: String,
    key: [u8; 32],
}

impl SealingKey {
    fn new(key: [u8; 32]) -> SealingKey {
        let digest = Sha256::digest(key);
        let id = crate::ids::hex(&digest[..8]);
        SealingKey { id, key }
    }

    fn parse(text: &str) -> Result<SealingKey, SealError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|e| SealError::InvalidKey(format!("not base64: {e}")))?;
        let key: [u8; 32] =
            bytes.try_into().map_err(|b: Vec<u8>| SealError::InvalidKey(format!("{} bytes, expected 32", b.len())))?;
        Ok(SealingKey::new(key))
    }
}

/// Seals and opens secrets; holds the primary KEK and any previous ones.
#[derive(Clone)]
pub struct Sealer {
    primary: SealingKey,
    previous: Vec<SealingKey>,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer").field("primary", &self.primary.id).finish_non_exhaustive()
    }
}

impl Sealer {
    /// A sealer with `primary` for new values and `previous` keys for opening old ones.
    pub fn new(primary: [u8; 32], previous: &[[u8; 32]]) -> Sealer {
        Sealer { primary: SealingKey::new(primary), previous: previous.iter().copied().map(SealingKey::new).collect() }
    }

    /// A sealer with a fresh random key (tests and throwaway instances).
    pub fn generate() -> Sealer {
        Sealer::new(crate::ids::random_bytes::<32>(), &[])
    }

    /// Loads the configured keys (base64 of 32 bytes), or the key file in `data_dir`, creating
    /// it with a new random key (mode 0600) when neither exists.
    pub fn load(configured: Option<&str>, previous: &[String], data_dir: &Path) -> Result<Sealer, SealError> {
        let previous = previous.iter().map(|k| SealingKey::parse(k)).collect::<Result<Vec<_>, _>>()?;
        let primary = match configured.filter(|k| !k.trim().is_empty()) {
            Some(key) => SealingKey::parse(key)?,
            None => load_or_create_key_file(&data_dir.join(KEY_FILE))?,
        };
        Ok(Sealer { primary, previous })
    }

    /// The id of the key new values are sealed with.
    pub fn primary_key_id(&self) -> &str {
        &self.primary.id
    }

    /// Seals `plaintext` for `context`.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let cipher = cipher(&self.primary.key);
        let nonce_bytes = crate::ids::random_bytes::<NONCE_LEN>();
        let nonce = Nonce::from(nonce_bytes);
        // Encryption fails only for plaintexts over 64 GiB; secrets are bounded far below by body limits.
        let ciphertext = cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .unwrap_or_else(|_| unreachable!("AES-GCM encryption of a bounded plaintext"));
        let mut blob = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        blob.extend_from_slice(&nonce_bytes);
        blob.extend_from_slice(&ciphertext);
        format!("v1.{}.{}", self.primary.id, URL_SAFE_NO_PAD.encode(blob))
    }

    /// Seals a UTF-8 secret.
    pub fn seal_str(&self, plaintext: &str, context: &str) -> String {
        self.seal(plaintext.as_bytes(), context)
    }

    /// Opens a value sealed for `context`.
    pub fn unseal(&self, sealed: &str, context: &str) -> Result<Vec<u8>, SealError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some("v1"), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SealError::Corrupt);
        };
        let key = self.key(key_id).ok_or_else(|| SealError::UnknownKey(key_id.to_owned()))?;
        let blob = URL_SAFE_NO_PAD.decode(body).map_err(|_| SealError::Corrupt)?;
        if blob.len() < NONCE_LEN {
            return Err(SealError::Corrupt);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Corrupt)?;
        cipher(&key.key)
            .decrypt(&Nonce::from(nonce), Payload { msg: ciphertext, aad: context.as_bytes() })
            .map_err(|_| SealError::Corrupt)
    }

    /// Opens a sealed UTF-8 secret.
    pub fn unseal_str(&self, sealed: &str, context: &str) -> Result<String, SealError> {
        String::from_utf8(self.unseal(sealed, context)?).map_err(|_| SealError::Corrupt)
    }

    /// Whether `sealed` was made with a key other than the primary (rewrite it to rotate).
    pub fn needs_reseal(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.primary.id.as_str())
    }

    /// A 32-byte key for `purpose`, derived from the primary KEK, with the id of that KEK.
    pub fn derive(&self, purpose: &str) -> ([u8; 32], &str) {
        (derive(&self.primary.key, purpose), &self.primary.id)
    }

    /// The key for `purpose` derived from the KEK with id `key_id`, if this server holds it.
    pub fn derive_with(&self, key_id: &str, purpose: &str) -> Option<[u8; 32]> {
        self.key(key_id).map(|key| derive(&key.key, purpose))
    }

    fn key(&self, key_id: &str) -> Option<&SealingKey> {
        std::iter::once(&self.primary).chain(&self.previous).find(|k| k.id == key_id)
    }
}

fn cipher(key: &[u8; 32]) -> Aes256Gcm {
    // A 32-byte slice is always a valid AES-256 key.
    Aes256Gcm::new_from_slice(key).unwrap_or_else(|_| unreachable!("32-byte AES-256 key"))
}

fn derive(key: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(b"portico/derive/");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

fn load_or_create_key_file(path: &Path) -> Result<SealingKey, SealError> {
    let io_err = |source| SealError::KeyFile { path: path.display().to_string(), source };
    match std::fs::read_to_string(path) {
        Ok(text) => SealingKey::parse(&text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io_err)?;
            }
            let key = crate::ids::random_bytes::<32>();
            write_private(path, &STANDARD.encode(key)).map_err(io_err)?;
            Ok(SealingKey::new(key))
        }
        Err(err) => Err(io_err(err)),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// A secret string whose `Debug` and `Display` never show the value (keeps it out of logs).
#[derive(Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> SecretString {
        SecretString(value.into())
    }

    /// The secret itself; call sites are easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(***)")
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_context() {
        let sealer = Sealer::generate();
        let sealed = sealer.seal_str("TestPassword", "credentials/input/r1/1");
        assert!(!sealed.contains("TestPassword"));
        assert!(sealed.starts_with(&format!("v1.{}.", sealer.primary_key_id())));
        assert_eq!(sealer.unseal_str(&sealed, "credentials/input/r1/1").ok().as_deref(), Some("TestPassword"));
        assert!(matches!(sealer.unseal(&sealed, "credentials/input/r2/1"), Err(SealError::Corrupt)));
        assert_ne!(sealed, sealer.seal_str("TestPassword", "credentials/input/r1/1"), "nonces are random");
    }

    #[test]
    fn rotation_keeps_old_values_readable_and_flags_them() {
        let old = Sealer::new([1; 32], &[]);
        let sealed = old.seal_str("s", "c");
        let rotated = Sealer::new([2; 32], &[[1; 32]]);
        assert_eq!(rotated.unseal_str(&sealed, "c").ok().as_deref(), Some("s"));
        assert!(rotated.needs_reseal(&sealed));
        assert!(!rotated.needs_reseal(&rotated.seal_str("s", "c")));
        let without_old = Sealer::new([2; 32], &[]);
        assert!(matches!(without_old.unseal(&sealed, "c"), Err(SealError::UnknownKey(_))));
        let (derived, id) = old.derive("cursor");
        assert_eq!(rotated.derive_with(id, "cursor"), Some(derived));
    }

    #[test]
    fn tampering_is_detected() {
        let sealer = Sealer::generate();
        let mut sealed = sealer.seal_str("secret", "c");
        let last = sealed.pop().map(|c| if c == 'A' { 'B' } else { 'A' });
        sealed.extend(last);
        assert!(sealer.unseal(&sealed, "c").is_err());
        assert!(sealer.unseal("v2.x.y", "c").is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let first = Sealer::load(None, &[], dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let second = Sealer::load(None, &[], dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.primary_key_id(), second.primary_key_id());
        let configured = Sealer::load(Some(&STANDARD.encode([9u8; 32])), &[], dir.path());
        assert_ne!(configured.map(|s| s.primary_key_id().to_owned()).ok().as_deref(), Some(first.primary_key_id()));
        assert!(Sealer::load(Some("c2hvcnQ="), &[], dir.path()).is_err());
        assert!(format!("{:?}", SecretString::new("hunter2")).contains("***"));
    }
}
