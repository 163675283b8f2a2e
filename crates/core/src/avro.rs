//! Avro schemas as every domain takes them (feature `avro`): the catalog's schema registry and
//! Utilihive's `AvroSchema` resources parse them here, so one schema is accepted or refused
//! alike everywhere.
//!
//! The text is checked before `apache-avro` sees it, and the work the library does is bounded:
//! JSON nesting at most [`MAX_DEPTH`] levels (every object and array counts); a `fixed` `size` from 0 to [`MAX_FIXED_SIZE`]
//! bytes; a decimal's `precision` from 1 and `scale` from 0 to 2^31-1 (Avro's `int`), the
//! scale no more than the precision; every other number the library reads as a size an
//! integer. The library is not trusted beyond that: a panic inside it is caught and answered
//! as a schema that cannot be processed (a 400 for the caller, logged), never a crash.

pub use apache_avro::Schema;
use apache_avro::rabin::Rabin;
use serde_json::Value;

/// The deepest JSON nesting of a schema.
pub const MAX_DEPTH: usize = 100;
/// The largest `fixed` size, in bytes (16 MiB: far beyond any real type, far below overflow).
pub const MAX_FIXED_SIZE: u64 = 1 << 24;
/// The largest decimal precision and scale (Avro's `int`).
pub const MAX_DECIMAL_DIGITS: u64 = i32::MAX as u64;

/// A parsed Avro schema with its Parsing Canonical Form and that form's CRC-64-AVRO (Rabin)
/// fingerprint in hex.
#[derive(Debug, Clone)]
pub struct ParsedAvro {
    /// The schema.
    pub schema: Schema,
    /// Avro's Parsing Canonical Form.
    pub canonical: String,
    /// The fingerprint of the canonical form.
    pub fingerprint: String,
}

/// Why a text is not taken as an Avro schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct AvroRefused {
    /// What is wrong, in words.
    pub reason: String,
    /// The text is beyond the limits above (or the library could not process it): refused
    /// wherever it is sent, also where other text than Avro would be kept as it is.
    pub beyond_limits: bool,
}

impl AvroRefused {
    fn invalid(reason: impl Into<String>) -> AvroRefused {
        AvroRefused { reason: reason.into(), beyond_limits: false }
    }

    fn beyond_limits(reason: impl Into<String>) -> AvroRefused {
        AvroRefused { reason: reason.into(), beyond_limits: true }
    }
}

/// Parses `text` (an Avro schema in JSON); the error says what is wrong, in words.
pub fn parse(text: &str) -> Result<ParsedAvro, AvroRefused> {
    let json: Value = serde_json::from_str(text).map_err(|err| AvroRefused::invalid(format!("not JSON: {err}")))?;
    check(&json, 0).map_err(AvroRefused::beyond_limits)?;
    // `apache-avro` has panicked on input it accepted (a fixed size near 2^64 in its canonical
    // form); whatever else it may do, a request is answered. The JSON tree is dropped before
    // the canonical form is made, and the fingerprint hashes that form as it is, so at most
    // two copies of the schema are held at once.
    let parsed = std::panic::catch_unwind(move || -> Result<ParsedAvro, AvroRefused> {
        let schema = Schema::parse(&json).map_err(|err| AvroRefused::invalid(err.to_string()))?;
        drop(json);
        let canonical = schema.canonical_form();
        let mut rabin = Rabin::default();
        digest::Update::update(&mut rabin, canonical.as_bytes());
        let fingerprint = crate::ids::hex(&digest::FixedOutput::finalize_fixed(rabin));
        Ok(ParsedAvro { schema, canonical, fingerprint })
    });
    parsed.unwrap_or_else(|_| {
        tracing::warn!("apache-avro panicked on a schema; refused");
        Err(AvroRefused::beyond_limits("the schema cannot be processed"))
    })
}

/// The keys of a schema object that hold schemas (a record's `fields` hold field objects,
/// whose `type` is one); `default` values and other attributes are data, not schemas.
const SCHEMA_KEYS: [&str; 4] = ["type", "items", "values", "fields"];

/// The checks [`parse`] makes before the library parses anything (serde_json itself refuses
/// JSON nested more than 128 levels, defaults included).
fn check(json: &Value, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("the schema is nested more than {MAX_DEPTH} levels deep"));
    }
    match json {
        Value::Array(items) => items.iter().try_for_each(|item| check(item, depth + 1)),
        Value::Object(object) => {
            let fixed = object.get("type").and_then(Value::as_str) == Some("fixed");
            let logical = object.contains_key("logicalType");
            let number = |key: &str, min: u64, max: u64| -> Result<(), String> {
                match object.get(key) {
                    None => Ok(()),
                    Some(value) => match value.as_u64() {
                        Some(n) if (min..=max).contains(&n) => Ok(()),
                        _ => Err(format!("'{key}' must be a whole number from {min} to {max}, not {value}")),
                    },
                }
            };
            if fixed {
                number("size", 0, MAX_FIXED_SIZE)?;
            }
            if fixed || logical {
                number("precision", 1, MAX_DECIMAL_DIGITS)?;
                number("scale", 0, MAX_DECIMAL_DIGITS)?;
            }
            let digits = |key: &str| object.get(key).and_then(Value::as_u64);
            if let (Some(scale), Some(precision)) = (digits("scale"), digits("precision"))
                && scale > precision
            {
                return Err(format!("a decimal's scale ({scale}) must not exceed its precision ({precision})"));
            }
            SCHEMA_KEYS.iter().filter_map(|key| object.get(*key)).try_for_each(|value| check(value, depth + 1))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_the_library_cannot_take_are_refused_before_it_sees_them() {
        for schema in [
            r#"{"type": "fixed", "name": "F1", "size": 18446744073709551615}"#,
            r#"{"type": "fixed", "name": "F1", "size": 9223372036854775808}"#,
            r#"{"type": "fixed", "name": "F1", "size": -1}"#,
            r#"{"type": "fixed", "name": "F1", "size": 1.5}"#,
            r#"{"type": "bytes", "logicalType": "decimal", "precision": 9223372036854775808, "scale": 2}"#,
            r#"{"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 9223372036854775808}"#,
            r#"{"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 5}"#,
            r#"{"type": "record", "name": "R", "fields": [{"name": "f", "type": {"type": "fixed", "name": "F", "size": 18446744073709551615}}]}"#,
        ] {
            let err = parse(schema).map(|p| p.canonical).unwrap_err();
            assert!(err.beyond_limits, "{schema}: {err}");
        }
        assert!(parse(r#"{"type": "fixed", "name": "F1", "size": 16}"#).is_ok());
        assert!(parse(r#"{"type": "fixed", "name": "Big", "size": 16777216}"#).is_ok());
        let decimal = r#"{"type": "bytes", "logicalType": "decimal", "precision": 2147483647, "scale": 2}"#;
        assert!(parse(decimal).is_ok(), "the largest precision still parses");
        let default = r#"{"type": "record", "name": "R", "fields": [{"name": "m", "type": {"type": "map", "values": "long"}, "default": {"size": -1}}]}"#;
        assert!(parse(default).is_ok(), "a default is data, not a schema");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}\"int\"{}", r#"{"type": "array", "items": "#.repeat(110), "}".repeat(110));
        assert!(parse(&deep).unwrap_err().reason.contains("nested more than"));
        assert!(!parse(r#"{"type": "record", "name": "X"}"#).unwrap_err().beyond_limits, "invalid, not too big");
        let shallow = format!("{}\"int\"{}", r#"{"type": "array", "items": "#.repeat(10), "}".repeat(10));
        assert!(parse(&shallow).is_ok());
    }

    #[test]
    fn the_canonical_form_and_fingerprint_ignore_documentation() {
        let a = parse(r#"{"type": "record", "name": "P", "namespace": "b", "doc": "x", "fields": []}"#).unwrap();
        let b = parse(r#"{"namespace": "b", "name": "P", "type": "record", "fields": []}"#).unwrap();
        assert_eq!(a.canonical, r#"{"name":"b.P","type":"record","fields":[]}"#);
        assert_eq!(a.fingerprint, b.fingerprint);
    }
}
