//! Avro schemas: parsing, canonical form, fingerprint, and compatibility between versions with
//! the reasons when they are not compatible.
//!
//! Compatibility modes mean what they mean in Confluent Schema Registry:
//! - `BACKWARD`: consumers using the new schema can read data written with the latest earlier
//!   version (the new schema reads, the old one wrote); `BACKWARD_TRANSITIVE`: with every
//!   earlier version;
//! - `FORWARD`: consumers still on the latest earlier version can read data written with the
//!   new one; `FORWARD_TRANSITIVE`: consumers on any earlier version;
//! - `FULL` / `FULL_TRANSITIVE`: both; `NONE`: no check.
//!
//! The resolution rules are Avro's (apache-avro's `SchemaCompatibility`). Where Avro would
//! resolve only some data (an enum symbol or union branch the reader lacks), the versions are
//! incompatible, as in Confluent's registry. Each incompatibility says which version it is
//! against, in which direction, where in the schema (a dotted field path), and the old and
//! new types when a type changed — not just "incompatible".

use apache_avro::Schema;
use apache_avro::error::CompatibilityError;
use apache_avro::rabin::Rabin;
use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};
use serde::Serialize;

/// A parsed Avro schema with its Parsing Canonical Form and that form's fingerprint.
#[derive(Debug, Clone)]
pub struct AvroSchema {
    schema: Schema,
    canonical: String,
    fingerprint: String,
}

impl PartialEq for AvroSchema {
    /// Two schemas are the same schema when their canonical forms are equal (documentation,
    /// defaults and whitespace aside).
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical
    }
}

impl AvroSchema {
    /// Parses `text` (an Avro schema in JSON); the error is the parser's reason.
    pub fn parse(text: &str) -> Result<AvroSchema, String> {
        let schema = Schema::parse_str(text).map_err(|err| err.to_string())?;
        let canonical = schema.canonical_form();
        let fingerprint = Schema::parse_str(&canonical)
            .map(|parsed| parsed.fingerprint::<Rabin>().to_string())
            .map_err(|err| format!("the schema's canonical form does not parse: {err}"))?;
        Ok(AvroSchema { schema, canonical, fingerprint })
    }

    /// Avro's Parsing Canonical Form: equal for schemas that read and write data alike.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The CRC-64-AVRO (Rabin) fingerprint of the canonical form, in hex.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The full name (`namespace.name`) of the top-level named type; `None` for a schema that
    /// is not a record, enum or fixed.
    pub fn full_name(&self) -> Option<String> {
        self.schema.name().map(|name| name.fullname(None))
    }

    /// The parsed schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
}

/// How a new version must relate to the earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompatibilityMode {
    /// No check.
    None,
    /// The new version reads data of the latest earlier one.
    Backward,
    /// The new version reads data of every earlier one.
    BackwardTransitive,
    /// The latest earlier version reads data of the new one.
    Forward,
    /// Every earlier version reads data of the new one.
    ForwardTransitive,
    /// Backward and forward against the latest earlier version.
    Full,
    /// Backward and forward against every earlier version.
    FullTransitive,
}

impl CompatibilityMode {
    /// Every mode, in Confluent's spelling order.
    pub const ALL: [CompatibilityMode; 7] = [
        CompatibilityMode::None,
        CompatibilityMode::Backward,
        CompatibilityMode::BackwardTransitive,
        CompatibilityMode::Forward,
        CompatibilityMode::ForwardTransitive,
        CompatibilityMode::Full,
        CompatibilityMode::FullTransitive,
    ];

    /// Confluent's spelling (`BACKWARD_TRANSITIVE`).
    pub fn as_str(self) -> &'static str {
        match self {
            CompatibilityMode::None => "NONE",
            CompatibilityMode::Backward => "BACKWARD",
            CompatibilityMode::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityMode::Forward => "FORWARD",
            CompatibilityMode::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityMode::Full => "FULL",
            CompatibilityMode::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// The mode spelled `text` (case-insensitive), or `None`.
    pub fn parse(text: &str) -> Option<CompatibilityMode> {
        CompatibilityMode::ALL.into_iter().find(|mode| mode.as_str().eq_ignore_ascii_case(text.trim()))
    }

    fn backward(self) -> bool {
        matches!(
            self,
            CompatibilityMode::Backward
                | CompatibilityMode::BackwardTransitive
                | CompatibilityMode::Full
                | CompatibilityMode::FullTransitive
        )
    }

    fn forward(self) -> bool {
        matches!(
            self,
            CompatibilityMode::Forward
                | CompatibilityMode::ForwardTransitive
                | CompatibilityMode::Full
                | CompatibilityMode::FullTransitive
        )
    }

    fn transitive(self) -> bool {
        matches!(
            self,
            CompatibilityMode::BackwardTransitive
                | CompatibilityMode::ForwardTransitive
                | CompatibilityMode::FullTransitive
        )
    }
}

/// Who could not read whose data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Direction {
    /// The new version cannot read data written with the earlier one.
    Backward,
    /// The earlier version cannot read data written with the new one.
    Forward,
}

/// One reason why a new version is not compatible with an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Incompatibility {
    /// The earlier version.
    pub version: i64,
    /// Which way reading fails.
    pub direction: Direction,
    /// Where: the dotted path of record fields from the top (empty: the schema itself).
    pub path: String,
    /// The earlier version's type there, when a type changed.
    pub old_type: Option<String>,
    /// The new version's type there, when a type changed.
    pub new_type: Option<String>,
    /// What is wrong, in words.
    pub reason: String,
}

/// The reasons `new` is not compatible with `earlier` (oldest first, each with its version
/// number) under `mode`; empty when it is.
pub fn check(mode: CompatibilityMode, earlier: &[(i64, &AvroSchema)], new: &AvroSchema) -> Vec<Incompatibility> {
    let against: &[(i64, &AvroSchema)] =
        if mode.transitive() { earlier } else { earlier.last().map_or(&[], std::slice::from_ref) };
    let mut problems = Vec::new();
    for &(version, old) in against {
        if mode.backward() {
            problems.extend(reading(version, Direction::Backward, old, new));
        }
        if mode.forward() {
            problems.extend(reading(version, Direction::Forward, old, new));
        }
    }
    problems
}

/// Whether the reader of `direction` reads every datum of its writer.
fn reading(version: i64, direction: Direction, old: &AvroSchema, new: &AvroSchema) -> Option<Incompatibility> {
    let (writer, reader) = match direction {
        Direction::Backward => (old, new),
        Direction::Forward => (new, old),
    };
    let problem = match SchemaCompatibility::can_read(&writer.schema, &reader.schema) {
        Ok(Compatibility::Full) => return None,
        Ok(Compatibility::Partial) => Incompatibility {
            version,
            direction,
            path: String::new(),
            old_type: None,
            new_type: None,
            reason: "the reader lacks some enum symbols or union branches the writer may use".to_owned(),
        },
        Err(err) => explain(version, direction, err),
    };
    Some(problem)
}

/// Turns apache-avro's nested error into a path and a leaf reason.
fn explain(version: i64, direction: Direction, err: CompatibilityError) -> Incompatibility {
    let mut path = Vec::new();
    let mut err = err;
    while let CompatibilityError::FieldTypeMismatch(field, inner) = err {
        path.push(field);
        err = *inner;
    }
    let (mut old_type, mut new_type) = (None, None);
    let reason = match &err {
        CompatibilityError::WrongType { writer_schema_type, reader_schema_type } => {
            let (written, read) = (avro_spelling(writer_schema_type), avro_spelling(reader_schema_type));
            match direction {
                Direction::Backward => (old_type, new_type) = (Some(written.clone()), Some(read.clone())),
                Direction::Forward => (old_type, new_type) = (Some(read.clone()), Some(written.clone())),
            }
            format!("a {read} cannot be read from data written as {written}")
        }
        CompatibilityError::MissingDefaultValue(field) => {
            path.push(field.clone());
            match direction {
                Direction::Backward => "the new version adds this field without a default".to_owned(),
                Direction::Forward => "the new version removes this field, which has no default".to_owned(),
            }
        }
        other => other.to_string().trim_start_matches("Incompatible schemata! ").to_owned(),
    };
    Incompatibility { version, direction, path: path.join("."), old_type, new_type, reason }
}

/// A schema kind as apache-avro names it (`Int`, `TimestampMillis`) in the specification's
/// spelling (`int`, `timestamp-millis`).
fn avro_spelling(kind: &str) -> String {
    let mut spelled = String::with_capacity(kind.len() + 4);
    for (i, c) in kind.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            spelled.push('-');
        }
        spelled.push(c.to_ascii_lowercase());
    }
    spelled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(text: &str) -> AvroSchema {
        AvroSchema::parse(text).unwrap_or_else(|err| panic!("{err}: {text}"))
    }

    fn record(fields: &str) -> AvroSchema {
        schema(&format!(r#"{{"type": "record", "name": "Payment", "namespace": "bank", "fields": [{fields}]}}"#))
    }

    const ID: &str = r#"{"name": "id", "type": "string"}"#;

    #[test]
    fn invalid_schemas_are_refused_with_the_parsers_reason() {
        let err = AvroSchema::parse(r#"{"type": "record", "name": "X"}"#).err().unwrap_or_default();
        assert!(err.to_lowercase().contains("fields"), "{err}");
        assert!(AvroSchema::parse("{not json").is_err());
        assert!(AvroSchema::parse(r#"{"type": "nonsense"}"#).is_err());
    }

    #[test]
    fn the_same_schema_written_differently_has_one_canonical_form_and_fingerprint() {
        let a = record(ID);
        let b = schema(
            r#"{ "namespace": "bank", "doc": "payments",
                 "name": "Payment", "type": "record",
                 "fields": [ {"type": "string", "name": "id", "doc": "the id"} ] }"#,
        );
        assert_eq!(a, b);
        assert_eq!(a.canonical(), b.canonical());
        assert_eq!(
            a.canonical(),
            r#"{"name":"bank.Payment","type":"record","fields":[{"name":"id","type":"string"}]}"#
        );
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), 16, "CRC-64 in hex");
        assert_ne!(a.fingerprint(), record(r#"{"name": "id", "type": "long"}"#).fingerprint());
    }

    #[test]
    fn kinds_are_named_as_the_specification_names_them() {
        assert_eq!(avro_spelling("Int"), "int");
        assert_eq!(avro_spelling("TimestampMillis"), "timestamp-millis");
        assert_eq!(avro_spelling("LocalTimestampMicros"), "local-timestamp-micros");
    }

    #[test]
    fn modes_are_spelled_as_confluent_spells_them() {
        for mode in CompatibilityMode::ALL {
            assert_eq!(CompatibilityMode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(CompatibilityMode::parse("full_transitive"), Some(CompatibilityMode::FullTransitive));
        assert_eq!(CompatibilityMode::parse("SIDEWAYS"), None);
    }

    #[test]
    fn a_field_added_with_a_default_is_backward_but_without_one_it_says_which_field() {
        let v1 = record(ID);
        let with_default = record(&format!(r#"{ID}, {{"name": "note", "type": "string", "default": ""}}"#));
        assert!(check(CompatibilityMode::Backward, &[(1, &v1)], &with_default).is_empty());
        let without = record(&format!(r#"{ID}, {{"name": "amount", "type": "long"}}"#));
        let problems = check(CompatibilityMode::Backward, &[(1, &v1)], &without);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].version, 1);
        assert_eq!(problems[0].direction, Direction::Backward);
        assert_eq!(problems[0].path, "amount");
        assert!(problems[0].reason.contains("without a default"), "{}", problems[0].reason);
        // Removing a field is forward-incompatible only when the old readers have no default.
        assert!(check(CompatibilityMode::Forward, &[(1, &without)], &v1)[0].reason.contains("removes this field"));
        assert!(check(CompatibilityMode::Forward, &[(1, &with_default)], &v1).is_empty());
    }

    #[test]
    fn a_changed_type_names_the_nested_field_and_both_types() {
        let address = |zip: &str| {
            record(&format!(
                r#"{ID}, {{"name": "address", "type": {{"type": "record", "name": "Address",
                    "fields": [{{"name": "zip", "type": "{zip}"}}]}}}}"#
            ))
        };
        let problems = check(CompatibilityMode::Backward, &[(3, &address("int"))], &address("string"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        let problem = &problems[0];
        assert_eq!((problem.path.as_str(), problem.version), ("address.zip", 3));
        assert_eq!(problem.old_type.as_deref(), Some("int"));
        assert_eq!(problem.new_type.as_deref(), Some("string"));
        // Promotions follow Avro: int data reads as long, not the other way round.
        assert!(check(CompatibilityMode::Backward, &[(1, &address("int"))], &address("long")).is_empty());
        let narrowed = check(CompatibilityMode::Forward, &[(1, &address("int"))], &address("long"));
        assert_eq!(narrowed.len(), 1);
        assert_eq!(narrowed[0].direction, Direction::Forward);
        assert_eq!((narrowed[0].old_type.as_deref(), narrowed[0].new_type.as_deref()), (Some("int"), Some("long")));
        assert_eq!(check(CompatibilityMode::Full, &[(1, &address("int"))], &address("long")).len(), 1);
        assert!(check(CompatibilityMode::None, &[(1, &address("int"))], &address("boolean")).is_empty());
    }

    #[test]
    fn transitive_modes_check_every_earlier_version_and_the_others_only_the_latest() {
        let v1 = record(ID);
        let v2 = record(&format!(r#"{ID}, {{"name": "amount", "type": "long", "default": 0}}"#));
        // v3 makes the field required: it reads v2's data (which has it) but not v1's.
        let v3 = record(&format!(r#"{ID}, {{"name": "amount", "type": "long"}}"#));
        let history = [(1, &v1), (2, &v2)];
        assert!(check(CompatibilityMode::Backward, &history, &v3).is_empty());
        let transitive = check(CompatibilityMode::BackwardTransitive, &history, &v3);
        assert_eq!(transitive.len(), 1, "{transitive:?}");
        assert_eq!((transitive[0].version, transitive[0].path.as_str()), (1, "amount"));
        assert!(check(CompatibilityMode::FullTransitive, &[], &v3).is_empty(), "a first version has nothing to meet");
    }

    #[test]
    fn removed_enum_symbols_are_incompatible_for_readers_that_lack_them() {
        let status =
            |symbols: &str| schema(&format!(r#"{{"type": "enum", "name": "Status", "symbols": [{symbols}]}}"#));
        let (two, three) = (status(r#""OPEN", "CLOSED""#), status(r#""OPEN", "CLOSED", "HELD""#));
        assert!(check(CompatibilityMode::Backward, &[(1, &two)], &three).is_empty(), "a reader with more symbols");
        let problems = check(CompatibilityMode::Forward, &[(1, &two)], &three);
        assert_eq!(problems.len(), 1, "old readers do not know HELD: {problems:?}");
        assert_eq!(problems[0].direction, Direction::Forward);
        assert!(!problems[0].reason.is_empty());
    }
}
