//! Access tokens: the signing key ring and the claims.

pub mod claims;
pub mod keys;
pub mod low_s;

pub use claims::AccessClaims;
pub use keys::KeyRing;
