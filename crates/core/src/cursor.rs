//! MATTR-style cursor paging: `limit` (1..=1000, default 100) and an opaque `cursor`.
//!
//! A cursor is a keyset position `(created_at, id)` of the last entry returned, encoded as
//! base64url and authenticated with an HMAC bound to the listing it came from, so a client can
//! neither forge a position nor replay a cursor of one tenant's list against another's.

use crate::page::InvalidPaging;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Default `limit`.
pub const DEFAULT_LIMIT: u32 = 100;
/// Largest `limit`.
pub const MAX_LIMIT: u32 = 1000;
const TAG_LEN: usize = 16;

/// A keyset position: the sort value (microseconds since the epoch) and the id tie-breaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    /// `created_at` of the entry, in microseconds since the Unix epoch.
    pub at_micros: i64,
    /// The entry's id.
    pub id: String,
}

impl Keyset {
    /// The position as `(created_at, id)` column values, for a keyset `WHERE` clause.
    pub fn position(&self) -> Option<(time::PrimitiveDateTime, String)> {
        crate::time::Timestamp::from_unix_micros(self.at_micros).map(|at| (at.as_primitive(), self.id.clone()))
    }

    /// The position of an entry created at `at` with `id`.
    pub fn of(at: crate::time::Timestamp, id: impl ToString) -> Keyset {
        Keyset { at_micros: at.unix_micros(), id: id.to_string() }
    }
}

/// Restricts a boxed diesel query to rows after a keyset position:
/// `(at, id) > (after.at, after.id)`, for `ORDER BY at, id`.
///
/// ```text
/// let query = portico_core::keyset_after!(table.into_boxed(), table::created_at, table::id, request.after);
/// ```
#[macro_export]
macro_rules! keyset_after {
    ($query:expr, $at:expr, $id:expr, $after:expr) => {{
        match $after.as_ref().and_then(|keyset: &$crate::cursor::Keyset| keyset.position()) {
            Some((at, id)) => $query.filter($at.gt(at).or($at.eq(at).and($id.gt(id)))),
            None => $query,
        }
    }};
}

/// A parsed cursor request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorRequest {
    /// Entries to return.
    pub limit: u32,
    /// Return entries strictly after this position.
    pub after: Option<Keyset>,
}

/// One slice of a cursor listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorPage<T> {
    /// The entries.
    pub items: Vec<T>,
    /// Position of the last entry (absent when the slice is empty).
    pub last: Option<Keyset>,
}

/// Encodes and verifies cursors with a server-side key.
#[derive(Clone)]
pub struct CursorCodec {
    key: [u8; 32],
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec(..)")
    }
}

impl CursorCodec {
    /// A codec keyed with `key` (derive it from the sealing key so every replica agrees).
    pub fn new(key: [u8; 32]) -> CursorCodec {
        CursorCodec { key }
    }

    /// Encodes `position` for the listing named `scope` (e.g. `tenants`, `clients:<tenant id>`).
    pub fn encode(&self, scope: &str, position: &Keyset) -> String {
        let payload = format!("{}:{}", position.at_micros, position.id);
        let mut bytes = payload.into_bytes();
        let tag = self.tag(scope, &bytes);
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Decodes a cursor of listing `scope`, refusing anything this server did not issue for it.
    pub fn decode(&self, scope: &str, cursor: &str) -> Result<Keyset, InvalidPaging> {
        let invalid = || InvalidPaging { parameter: "cursor", reason: "is not a cursor issued for this list".into() };
        let bytes = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).map_err(|_| invalid())?;
        if bytes.len() <= TAG_LEN {
            return Err(invalid());
        }
        let (payload, tag) = bytes.split_at(bytes.len() - TAG_LEN);
        let mut mac = self.mac(scope);
        mac.update(payload);
        mac.verify_truncated_left(tag).map_err(|_| invalid())?;
        let text = std::str::from_utf8(payload).map_err(|_| invalid())?;
        let (at, id) = text.split_once(':').ok_or_else(invalid)?;
        Ok(Keyset { at_micros: at.parse().map_err(|_| invalid())?, id: id.to_owned() })
    }

    /// Parses `limit` and `cursor` query values.
    pub fn request(
        &self,
        scope: &str,
        limit: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<CursorRequest, InvalidPaging> {
        let limit = crate::page::bounded("limit", limit, DEFAULT_LIMIT.into(), 1, MAX_LIMIT.into())?;
        // Bounded to 1..=MAX_LIMIT just above.
        let limit = u32::try_from(limit).unwrap_or(DEFAULT_LIMIT);
        let after = match cursor {
            None | Some("") => None,
            Some(value) => Some(self.decode(scope, value)?),
        };
        Ok(CursorRequest { limit, after })
    }

    fn mac(&self, scope: &str) -> Hmac<Sha256> {
        // new_from_slice only fails for invalid key lengths; HMAC accepts any length.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac
    }

    fn tag(&self, scope: &str, payload: &[u8]) -> Vec<u8> {
        let mut mac = self.mac(scope);
        mac.update(payload);
        mac.finalize().into_bytes()[..TAG_LEN].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_within_their_scope_only() {
        let codec = CursorCodec::new([7; 32]);
        let position = Keyset { at_micros: 1_600_000_000_123_456, id: "a66ffea5-848d-439d-80a4-dda55f53e36c".into() };
        let cursor = codec.encode("tenants", &position);
        assert_eq!(codec.decode("tenants", &cursor), Ok(position));
        assert!(codec.decode("clients:x", &cursor).is_err());
        assert!(CursorCodec::new([8; 32]).decode("tenants", &cursor).is_err());
    }

    #[test]
    fn tampered_or_junk_cursors_are_rejected() {
        let codec = CursorCodec::new([7; 32]);
        let cursor = codec.encode("tenants", &Keyset { at_micros: 1, id: "x".into() });
        let mut tampered = cursor.clone().into_bytes();
        tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
        assert!(codec.decode("tenants", &String::from_utf8_lossy(&tampered)).is_err());
        assert!(codec.decode("tenants", "Y3JlYXRlZEF0PTIwMjAtMDgtMjVU").is_err());
        assert!(codec.decode("tenants", "%%%").is_err());
    }

    #[test]
    fn limit_defaults_to_100_and_must_be_between_1_and_1000() {
        let codec = CursorCodec::new([1; 32]);
        assert_eq!(codec.request("t", None, None).map(|r| r.limit), Ok(100));
        assert_eq!(codec.request("t", Some("1000"), None).map(|r| r.limit), Ok(1000));
        for bad in ["0", "1001", "-5", "ten"] {
            assert_eq!(codec.request("t", Some(bad), None).err().map(|e| e.parameter), Some("limit"));
        }
    }
}
