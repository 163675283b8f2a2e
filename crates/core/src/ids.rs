//! Identifier formats of the seed APIs.
//!
//! - Axual: a 32-character lower-case hex `uid` (a UUID without dashes). Fixture ids in the
//!   seed break that rule, so parsing accepts any `[A-Za-z0-9]{1,64}` while generation is strict.
//! - MATTR and Onegini: UUIDs (with dashes).
//! - FlexDeploy: numeric ids (database sequences, see the stores).

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// `bytes` as lower-case hex (digests, fingerprints, key ids).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// An Axual entity identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AxualUid(String);

impl AxualUid {
    /// A fresh 32-hex uid.
    pub fn generate() -> AxualUid {
        AxualUid(Uuid::new_v4().simple().to_string())
    }

    /// The uid of a UUID-keyed row (the UUID without dashes).
    pub fn from_uuid(id: Uuid) -> AxualUid {
        AxualUid(id.simple().to_string())
    }

    /// Accepts what Axual clients may send: 1–64 ASCII letters and digits.
    pub fn parse(value: &str) -> Option<AxualUid> {
        let valid = !value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric());
        valid.then(|| AxualUid(value.to_owned()))
    }

    /// The uid as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The UUID this uid encodes, if it is one.
    pub fn to_uuid(&self) -> Option<Uuid> {
        Uuid::try_parse(&self.0).ok()
    }
}

impl fmt::Display for AxualUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new random UUID for a public identifier (v4: it reveals nothing, unlike v7's timestamp).
pub fn new_uuid() -> Uuid {
    Uuid::new_v4()
}

/// Parses a UUID in its hyphenated or simple form.
pub fn parse_uuid(value: &str) -> Option<Uuid> {
    Uuid::try_parse(value).ok()
}

/// `count` random bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // getrandom only fails when the OS has no entropy source at all; there is no safe fallback.
    if let Err(err) = getrandom::fill(&mut bytes) {
        panic!("operating system random source unavailable: {err}");
    }
    bytes
}

/// A random string of `len` characters from `[A-Za-z0-9]` (client ids, generated passwords).
pub fn random_alphanumeric(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in random_bytes::<64>() {
            // Rejection sampling keeps the distribution uniform: 62 * 4 = 248.
            if byte < 248 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(byte % 62)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_written_as_lower_case_hex() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn generated_uids_are_32_lowercase_hex() {
        let uid = AxualUid::generate();
        assert_eq!(uid.as_str().len(), 32);
        assert!(uid.as_str().bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert!(uid.to_uuid().is_some());
    }

    #[test]
    fn parsing_accepts_the_seed_fixture_ids_and_rejects_junk() {
        assert!(AxualUid::parse("514d4oit834841869644c2ad8b439553").is_some());
        assert!(AxualUid::parse("197691609c2fe4f129cfc79f18d5d1269").is_some());
        assert!(AxualUid::parse("").is_none());
        assert!(AxualUid::parse("../etc").is_none());
        assert!(AxualUid::parse(&"a".repeat(65)).is_none());
    }

    #[test]
    fn random_alphanumeric_has_the_requested_length_and_alphabet() {
        let value = random_alphanumeric(32);
        assert_eq!(value.len(), 32);
        assert!(value.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(value, random_alphanumeric(32));
    }
}

/// A realm's id: the key every realm-scoped row carries in its `realm_id` column.
///
/// Store queries take a `RealmId`, never a bare UUID, so a user's or group's id cannot stand in
/// for the realm by mistake. It binds as the column's text (the hyphenated UUID) on both
/// backends, and reading a `realm_id` that is not a UUID fails the query (a corrupt row) instead
/// of carrying on with a made-up id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, AsExpression, FromSqlRow,
)]
#[serde(transparent)]
#[diesel(sql_type = Text)]
pub struct RealmId(Uuid);

impl RealmId {
    /// The realm id of a UUID.
    pub const fn new(id: Uuid) -> RealmId {
        RealmId(id)
    }

    /// The UUID (the MATTR tenant id; without dashes, the Axual tenant uid).
    pub const fn uuid(self) -> Uuid {
        self.0
    }
}

impl From<Uuid> for RealmId {
    fn from(id: Uuid) -> Self {
        RealmId(id)
    }
}

impl From<RealmId> for Uuid {
    fn from(id: RealmId) -> Self {
        id.0
    }
}

impl PartialEq<Uuid> for RealmId {
    fn eq(&self, other: &Uuid) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for RealmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

mod realm_id_sql {
    use super::RealmId;
    use crate::db::DbBackend;
    use diesel::deserialize::{self, FromSql};
    use diesel::pg::Pg;
    use diesel::serialize::{self, IsNull, Output, ToSql};
    use diesel::sql_types::Text;
    use diesel::sqlite::Sqlite;
    use std::io::Write;
    use uuid::Uuid;

    fn parse(text: &str) -> deserialize::Result<RealmId> {
        Uuid::try_parse(text).map(RealmId).map_err(|_| format!("realm_id '{text}' is not a UUID").into())
    }

    impl ToSql<Text, Sqlite> for RealmId {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            out.set_value(self.0.hyphenated().to_string());
            Ok(IsNull::No)
        }
    }

    impl ToSql<Text, Pg> for RealmId {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            write!(out, "{}", self.0.hyphenated())?;
            Ok(IsNull::No)
        }
    }

    impl ToSql<Text, DbBackend> for RealmId {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DbBackend>) -> serialize::Result {
            out.set_value((Text, self));
            Ok(IsNull::No)
        }
    }

    impl FromSql<Text, Sqlite> for RealmId {
        fn from_sql(bytes: <Sqlite as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
            let text = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
            parse(&text)
        }
    }

    impl FromSql<Text, Pg> for RealmId {
        fn from_sql(bytes: <Pg as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
            let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
            parse(&text)
        }
    }

    impl FromSql<Text, DbBackend> for RealmId {
        fn from_sql(bytes: <DbBackend as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
            bytes.from_sql::<Self, Text>()
        }
    }
}
