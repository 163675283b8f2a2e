//! One spelling per token. An ECDSA signature `(r, s)` has a twin `(r, n − s)` that verifies
//! as well, so any holder of a token could mint a second string for it (a different cache
//! key, a different log line, the same authority). Portico signs only the low form
//! (`s ≤ n/2`, as Bitcoin and Ethereum require) and refuses the high one.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The order of P-256's base point, big-endian.
const N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA,
    0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

/// `N / 2`, rounded down: the largest low `s`.
const HALF_N: [u8; 32] = [
    0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xDE, 0x73, 0x7D,
    0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8,
];

/// The signature of a compact JWS (its third part), when it is an ES256 `r || s`.
fn signature(token: &str) -> Option<(usize, [u8; 64])> {
    let at = token.rfind('.')?;
    let bytes = URL_SAFE_NO_PAD.decode(&token[at + 1..]).ok()?;
    Some((at, <[u8; 64]>::try_from(bytes.as_slice()).ok()?))
}

fn s_of(signature: &[u8; 64]) -> [u8; 32] {
    let mut s = [0u8; 32];
    s.copy_from_slice(&signature[32..]);
    s
}

/// Whether `token`'s signature is a 64-byte ES256 signature in its low form. Big-endian
/// arrays of one length compare as the numbers they hold.
pub fn is_low_s(token: &str) -> bool {
    signature(token).is_some_and(|(_, signature)| s_of(&signature) <= HALF_N)
}

/// `token` with its signature in the low form (unchanged when it is, or is not ES256).
pub fn normalized(token: String) -> String {
    let Some((at, mut signature)) = signature(&token) else {
        return token;
    };
    let s = s_of(&signature);
    if s <= HALF_N {
        return token;
    }
    // n − s, big-endian, with borrow.
    let mut borrow = false;
    for i in (0..32).rev() {
        let (difference, under) = N[i].overflowing_sub(s[i]);
        let (difference, under_again) = difference.overflowing_sub(u8::from(borrow));
        signature[32 + i] = difference;
        borrow = under || under_again;
    }
    format!("{}.{}", &token[..at], URL_SAFE_NO_PAD.encode(signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_with(s: [u8; 32]) -> String {
        let mut signature = [7u8; 64];
        signature[32..].copy_from_slice(&s);
        format!("e30.e30.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    #[test]
    fn the_high_twin_is_refused_and_normalised_to_the_low_one() {
        let low = token_with(HALF_N);
        assert!(is_low_s(&low));
        assert_eq!(normalized(low.clone()), low, "a low signature is kept");
        // s = n − 1 is high; its twin is 1.
        let mut n_minus_one = N;
        n_minus_one[31] -= 1;
        let high = token_with(n_minus_one);
        assert!(!is_low_s(&high));
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(normalized(high), token_with(one));
        // The twin of HALF_N + 1 is HALF_N (n is odd).
        let mut above = HALF_N;
        above[31] += 1;
        assert_eq!(normalized(token_with(above)), token_with(HALF_N));
        assert!(!is_low_s("not.a.token!"));
        assert_eq!(normalized("a.b".to_owned()), "a.b");
    }
}
