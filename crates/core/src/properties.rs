//! Map-valued fields (`properties` of instances, environments, streams, stream configs and
//! tenants): one rule for every resource, so no PATCH can replace a map by accident.
//!
//! A [`PropertyPatch`] is what a request body says about a map, read as RFC 7396 reads a
//! merge patch: each key it names is set to its value, `null` removes the key, and keys it does
//! not name keep their values. `application/json` and `application/merge-patch+json` mean the
//! same (Spring Data REST merges maps too). A create applies the patch to the resource's
//! defaults. Values are text: strings as they are, numbers and booleans in their JSON
//! spelling exactly as sent ([`scalar_text`]: `1e40` stays `1e40`, forty digits stay forty
//! digits); an object or array is refused, naming its key.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;

/// Changes to a map: each key set (`Some`) or removed (`None`), in the order sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertyPatch(Vec<(String, Option<String>)>);

impl PropertyPatch {
    /// A patch of `entries`.
    pub fn new(entries: Vec<(String, Option<String>)>) -> PropertyPatch {
        PropertyPatch(entries)
    }

    /// Every key the patch names, with its new value (`None`: removed).
    pub fn entries(&self) -> &[(String, Option<String>)] {
        &self.0
    }

    /// The keys the patch sets, with their values.
    pub fn set_values(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().filter_map(|(key, value)| value.as_deref().map(|value| (key.as_str(), value)))
    }

    /// Applies the patch to properties kept in order: a set key keeps its place (a new one
    /// goes last), a removed key is dropped, the others are untouched.
    pub fn apply(&self, current: &mut Vec<(String, String)>) {
        for (key, value) in &self.0 {
            match (current.iter_mut().find(|(k, _)| k == key), value) {
                (Some(slot), Some(value)) => slot.1.clone_from(value),
                (None, Some(value)) => current.push((key.clone(), value.clone())),
                (_, None) => current.retain(|(k, _)| k != key),
            }
        }
    }

    /// Applies the patch to properties kept sorted by key.
    pub fn apply_to_map(&self, current: &mut BTreeMap<String, String>) {
        for (key, value) in &self.0 {
            match value {
                Some(value) => current.insert(key.clone(), value.clone()),
                None => current.remove(key),
            };
        }
    }
}

impl<'de> Deserialize<'de> for PropertyPatch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PatchVisitor)
    }
}

struct PatchVisitor;

impl<'de> Visitor<'de> for PatchVisitor {
    type Value = PropertyPatch;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of property names to text values (null removes a property)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PropertyPatch, A::Error> {
        let mut entries: Vec<(String, Option<String>)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let raw = map.next_value::<Box<RawValue>>()?;
            let value = scalar_text(&raw).map_err(|NotScalar| {
                serde::de::Error::custom(format!("'{}' must be text, a number, a boolean or null", key.escape_debug()))
            })?;
            // A key sent twice counts once, with its last value (as JSON parsers read objects).
            entries.retain(|(k, _)| *k != key);
            entries.push((key, value));
        }
        Ok(PropertyPatch(entries))
    }
}

/// A JSON value that is an object or an array where a scalar was wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a string, number, boolean or null")]
pub struct NotScalar;

/// A JSON scalar as text, exactly as it was sent: a string's content, a number's literal (never
/// reparsed, so no digit is lost or rounded), `true` or `false`; `None` for `null`.
pub fn scalar_text(raw: &RawValue) -> Result<Option<String>, NotScalar> {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text).map(Some).map_err(|_| NotScalar),
        Some(b'-' | b'0'..=b'9') | Some(b't' | b'f') => Ok(Some(text.to_owned())),
        Some(b'n') => Ok(None),
        _ => Err(NotScalar),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: &str) -> PropertyPatch {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_patch_merges_key_by_key_and_null_removes() {
        let mut current = pairs(&[("segment.ms", "100000"), ("a", "1")]);
        patch(r#"{"max.message.bytes": "2"}"#).apply(&mut current);
        assert_eq!(current, pairs(&[("segment.ms", "100000"), ("a", "1"), ("max.message.bytes", "2")]));
        patch(r#"{"segment.ms": 5, "a": null}"#).apply(&mut current);
        assert_eq!(current, pairs(&[("segment.ms", "5"), ("max.message.bytes", "2")]));
        patch("{}").apply(&mut current);
        assert_eq!(current.len(), 2, "an empty patch changes nothing");
        let mut sorted = BTreeMap::from([("x".to_owned(), "1".to_owned())]);
        patch(r#"{"y": true, "x": null}"#).apply_to_map(&mut sorted);
        assert_eq!(sorted, BTreeMap::from([("y".to_owned(), "true".to_owned())]));
    }

    #[test]
    fn values_are_kept_as_sent_and_nested_values_are_refused() {
        let numbers =
            patch(r#"{"n": 10000000000000000000000000000000000000000, "f": 0.50, "e": 1E+2, "s": "x\u00e9"}"#);
        assert_eq!(
            numbers.set_values().collect::<Vec<_>>(),
            [("n", "10000000000000000000000000000000000000000"), ("f", "0.50"), ("e", "1E+2"), ("s", "xé")]
        );
        let err = serde_json::from_str::<PropertyPatch>(r#"{"deep": {"x": 1}}"#).unwrap_err();
        assert!(err.to_string().contains("'deep' must be text"), "{err}");
        assert!(serde_json::from_str::<PropertyPatch>("[1]").is_err());
        assert_eq!(patch(r#"{"k": "a", "k": "b"}"#).entries(), [("k".to_owned(), Some("b".to_owned()))]);
    }
}
