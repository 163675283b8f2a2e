//! Password hashing with Argon2id (PHC strings; parameters travel inside each hash).

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};

/// How expensive new hashes are. Verification always uses the parameters stored in the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordCost {
    /// OWASP's Argon2id baseline: 19 MiB, 2 iterations, 1 lane.
    #[default]
    Standard,
    /// The cheapest valid parameters: for tests only (not settable from configuration).
    Minimal,
}

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHasher(argon2id)")
    }
}

impl PasswordHasher {
    /// A hasher producing hashes of `cost`.
    pub fn new(cost: PasswordCost) -> PasswordHasher {
        let params = match cost {
            PasswordCost::Standard => Params::DEFAULT,
            PasswordCost::Minimal => Params::new(8, 1, 1, None).unwrap_or(Params::DEFAULT),
        };
        PasswordHasher { argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params) }
    }

    /// The PHC string of `password` with a fresh random salt.
    pub fn hash(&self, password: &str) -> String {
        let salt = portico_core::ids::random_bytes::<16>();
        match self.argon.hash_password_with_salt(password.as_bytes(), &salt) {
            Ok(hash) => hash.to_string(),
            // Only possible with invalid parameters, which `new` never builds.
            Err(err) => unreachable!("argon2 rejected valid parameters: {err}"),
        }
    }

    /// Whether `password` matches `hash` (false for malformed hashes).
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        self.argon.verify_password(password.as_bytes(), hash).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let hasher = PasswordHasher::new(PasswordCost::Minimal);
        let hash = hasher.hash("notsecret");
        assert!(hash.starts_with("$argon2id$v=19$"));
        assert!(hasher.verify("notsecret", &hash));
        assert!(!hasher.verify("NotSecret", &hash));
        assert_ne!(hash, hasher.hash("notsecret"));
        assert!(!hasher.verify("x", "not a hash"));
        assert!(
            PasswordHasher::new(PasswordCost::Standard).verify("notsecret", &hash),
            "parameters travel in the hash"
        );
    }
}
