//! Access tokens: the signing key ring and the claims.

pub mod claims;
pub mod keys;

pub use claims::AccessClaims;
pub use keys::KeyRing;
