//! The signing key ring: ES256 keys generated on first start, stored in the database with the
//! private half sealed (so every replica signs and verifies alike), rotated with overlap.
//!
//! - The newest key that is not retired signs. A rotation adds a key and retires the others:
//!   they stop signing at once but stay in the JWKS until `key_overlap` has passed, longer than
//!   any token they signed lives.
//! - The `kid` is the key's RFC 7638 thumbprint, so a new key never reuses an old `kid`.
//! - A token whose `kid` is unknown makes the ring reload from the database (at most once a
//!   second), so a rotation on another replica is picked up without a restart.

use crate::error::IdentityError;
use crate::store::keys::{self, SigningKeyRow};
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use portico_core::seal::Sealer;
use portico_core::{Database, Timestamp};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

const RELOAD_AT_MOST_EVERY: Duration = Duration::from_secs(1);
const REFRESH_SIGNER_EVERY: Duration = Duration::from_secs(60);

struct Loaded {
    signer: Option<(String, EncodingKey)>,
    verifiers: HashMap<String, DecodingKey>,
    jwks: JwkSet,
    at: Instant,
}

/// The keys that sign and verify access tokens.
pub struct KeyRing {
    db: Database,
    sealer: Sealer,
    loaded: RwLock<Loaded>,
    /// When an unknown `kid` last made the ring reload (bounds the work forged tokens cause).
    miss_reload: std::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").finish_non_exhaustive()
    }
}

fn seal_context(kid: &str) -> String {
    format!("identity/signing-key/{kid}")
}

impl KeyRing {
    /// Loads the published keys, generating the first one if none signs yet.
    pub fn open(db: Database, sealer: Sealer, now: Timestamp) -> Result<KeyRing, IdentityError> {
        let ring = KeyRing {
            db,
            sealer,
            loaded: RwLock::new(Loaded {
                signer: None,
                verifiers: HashMap::new(),
                jwks: JwkSet { keys: vec![] },
                at: Instant::now(),
            }),
            miss_reload: std::sync::Mutex::new(None),
        };
        ring.reload(now)?;
        if ring.read().signer.is_none() {
            ring.add_key(now)?;
            ring.reload(now)?;
        }
        Ok(ring)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Loaded> {
        self.loaded.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Generates, seals and stores a new ES256 key; returns its `kid`.
    fn add_key(&self, now: Timestamp) -> Result<String, IdentityError> {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| IdentityError::Internal(format!("key generation: {e}")))?;
        let der = pair.serialize_der();
        let encoding = EncodingKey::from_ec_der(&der);
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::ES256)
            .map_err(|e| IdentityError::Internal(format!("public key: {e}")))?;
        let kid =
            jwk.thumbprint(ThumbprintHash::SHA256).map_err(|e| IdentityError::Internal(format!("thumbprint: {e}")))?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let row = SigningKeyRow {
            kid: kid.clone(),
            algorithm: "ES256".into(),
            private_key: self.sealer.seal(&der, &seal_context(&kid)),
            public_jwk: serde_json::to_string(&jwk).map_err(|e| IdentityError::Internal(e.to_string()))?,
            created_at: now.as_primitive(),
            retired_at: None,
            expires_at: None,
        };
        self.db.write(|conn| keys::insert(conn, &row).map_err(IdentityError::from))?;
        Ok(kid)
    }

    /// Re-reads the published keys from the database.
    pub fn reload(&self, now: Timestamp) -> Result<(), IdentityError> {
        let rows = self.db.read(|conn| keys::published(conn, now).map_err(IdentityError::from))?;
        let mut signer = None;
        let mut verifiers = HashMap::new();
        let mut jwks = JwkSet { keys: Vec::new() };
        for row in rows {
            let jwk: Jwk = serde_json::from_str(&row.public_jwk)
                .map_err(|e| IdentityError::Internal(format!("stored JWK: {e}")))?;
            let decoding =
                DecodingKey::from_jwk(&jwk).map_err(|e| IdentityError::Internal(format!("stored JWK: {e}")))?;
            if signer.is_none() && row.retired_at.is_none() {
                let der = self.sealer.unseal(&row.private_key, &seal_context(&row.kid))?;
                signer = Some((row.kid.clone(), EncodingKey::from_ec_der(&der)));
            }
            verifiers.insert(row.kid.clone(), decoding);
            jwks.keys.push(jwk);
        }
        let mut loaded = self.loaded.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        *loaded = Loaded { signer, verifiers, jwks, at: Instant::now() };
        Ok(())
    }

    /// Signs access-token `claims` (`typ` `at+jwt`, RFC 9068) with the current key.
    pub fn sign<T: serde::Serialize>(&self, claims: &T, now: Timestamp) -> Result<String, IdentityError> {
        self.sign_typed(claims, "at+jwt", now)
    }

    /// Signs `claims` with the current key under the JOSE header `typ`.
    pub fn sign_typed<T: serde::Serialize>(
        &self,
        claims: &T,
        typ: &str,
        now: Timestamp,
    ) -> Result<String, IdentityError> {
        if self.read().at.elapsed() > REFRESH_SIGNER_EVERY {
            self.reload(now)?;
        }
        let loaded = self.read();
        let (kid, key) = loaded.signer.as_ref().ok_or_else(|| IdentityError::Internal("no signing key".into()))?;
        let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
        header.kid = Some(kid.clone());
        header.typ = Some(typ.into());
        jsonwebtoken::encode(&header, claims, key)
            .map(super::low_s::normalized)
            .map_err(|e| IdentityError::Internal(format!("signing: {e}")))
    }

    /// The verification key `kid`, reloading once if another replica may have added it.
    pub fn decoding_key(&self, kid: &str, now: Timestamp) -> Option<DecodingKey> {
        if let Some(key) = self.read().verifiers.get(kid) {
            return Some(key.clone());
        }
        let may_reload = match self.miss_reload.lock() {
            Ok(mut last) if last.is_none_or(|at| at.elapsed() >= RELOAD_AT_MOST_EVERY) => {
                *last = Some(Instant::now());
                true
            }
            _ => false,
        };
        if !may_reload || self.reload(now).is_err() {
            return None;
        }
        self.read().verifiers.get(kid).cloned()
    }

    /// The published keys (JWKS).
    pub fn jwks(&self) -> JwkSet {
        self.read().jwks.clone()
    }

    /// Adds a new signing key and retires the others; they stay published for `overlap` seconds.
    pub fn rotate(&self, now: Timestamp, overlap: i64) -> Result<String, IdentityError> {
        let kid = self.add_key(now)?;
        let expires = now.plus(time::Duration::seconds(overlap));
        self.db.write(|conn| keys::retire_all_except(conn, &kid, now, expires).map_err(IdentityError::from))?;
        self.reload(now)?;
        Ok(kid)
    }
}
