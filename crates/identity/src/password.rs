//! Password hashing with Argon2id (PHC strings; parameters travel inside each hash).

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, PasswordHash, Version};
use std::sync::{Arc, Condvar, Mutex};

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
///
/// Each computation needs its Argon2 memory (19 MiB at the standard cost), so a burst of
/// logins must neither exhaust memory nor keep it: at most one computation per CPU core runs at
/// once (the others wait their turn; more at once would only share the same cores), and each
/// one's memory is requested larger than the C allocator's largest pooling threshold (32 MiB),
/// so it is mapped for the computation and returned to the system right after. Only the pages
/// used are ever resident.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    slots: Arc<Slots>,
}

/// A counting semaphore over the running computations.
struct Slots {
    free: Mutex<usize>,
    returned: Condvar,
}

/// Blocks asked for per computation at least: 33 MiB, above glibc's dynamic mmap threshold
/// limit (32 MiB), so the allocation is always its own mapping and `free` unmaps it.
const MAPPED_BLOCKS: usize = 33 * 1024 * 1024 / Block::SIZE;

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
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        PasswordHasher { params, slots: Arc::new(Slots { free: Mutex::new(cores), returned: Condvar::new() }) }
    }

    /// The PHC string of `password` with a fresh random salt.
    pub fn hash(&self, password: &str) -> String {
        let salt = portico_core::ids::random_bytes::<16>();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        let encoded = self.compute(&argon, password.as_bytes(), &salt, &mut out).ok().and_then(|()| {
            Some(PasswordHash {
                algorithm: ARGON2ID_IDENT,
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&self.params).ok()?,
                salt: Some(Salt::new(&salt).ok()?),
                hash: Some(Output::new(&out).ok()?),
            })
        });
        match encoded {
            Some(hash) => hash.to_string(),
            // Only possible with invalid parameters, which `new` never builds.
            None => unreachable!("argon2 rejected valid parameters"),
        }
    }

    /// Whether `password` matches `hash` (false for malformed hashes).
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(hash) else { return false };
        let (Some(expected), Some(salt)) = (&parsed.hash, &parsed.salt) else { return false };
        let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else { return false };
        let version = match parsed.version.map(Version::try_from).transpose() {
            Ok(version) => version.unwrap_or_default(),
            Err(_) => return false,
        };
        let Ok(params) = Params::try_from(&parsed) else { return false };
        let argon = Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.len()];
        // `Output` compares in constant time.
        self.compute(&argon, password.as_bytes(), salt, &mut out).is_ok()
            && Output::new(&out).is_ok_and(|computed| computed == *expected)
    }

    /// Runs one Argon2 computation in a free slot, with memory of its own (see the type docs).
    fn compute(&self, argon: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
        let needed = argon.params().block_count();
        let _slot = self.slots.take();
        let mut memory: Vec<Block> = Vec::with_capacity(needed.max(MAPPED_BLOCKS));
        memory.resize(needed, Block::default());
        argon.hash_password_into_with_memory(password, salt, out, &mut memory[..])
    }
}

/// A taken slot; returned when dropped.
struct Slot<'a>(&'a Slots);

impl Slots {
    fn take(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *free == 0 {
            free = self.returned.wait(free).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut free = self.0.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *free += 1;
        self.0.returned.notify_one();
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

    #[test]
    fn hashes_are_standard_phc_strings_both_ways() {
        use argon2::PasswordHasher as _;
        let params = Params::new(8, 1, 1, None).unwrap();
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let theirs = reference.hash_password_with_salt(b"notsecret", b"sixteen byte sal").unwrap().to_string();
        let ours = PasswordHasher::new(PasswordCost::Minimal);
        assert!(ours.verify("notsecret", &theirs), "a hash made by the argon2 crate verifies");
        assert!(!ours.verify("notsecreT", &theirs));
        let mine = PasswordHasher::new(PasswordCost::Minimal).hash("notsecret");
        let parsed = PasswordHash::new(&mine).unwrap();
        assert!(argon2::PasswordVerifier::verify_password(&reference, b"notsecret", &parsed).is_ok());
    }

    #[test]
    fn more_computations_than_cores_wait_their_turn() {
        let hasher = PasswordHasher::new(PasswordCost::Minimal);
        let hash = hasher.hash("pw");
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (hasher, hash) = (hasher.clone(), hash.clone());
                std::thread::spawn(move || hasher.verify("pw", &hash))
            })
            .collect();
        assert!(threads.into_iter().all(|t| t.join().unwrap()));
        assert_eq!(*hasher.slots.free.lock().unwrap(), std::thread::available_parallelism().map_or(1, usize::from));
    }
}
