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
//! The resolution rules are Avro's (the specification's "Schema Resolution"): records match by
//! unqualified name and their fields by name or the reader's aliases, a field the reader adds
//! needs a default, enums need the writer's symbols (or a reader default), fixed types their
//! size, decimals their precision and scale, and numbers promote (`int` → `long`, `float`,
//! `double`; `long` → `float`, `double`; `float` → `double`; `string` ↔ `bytes`). A union
//! branch is resolved against the one reader branch the specification selects (the first of
//! the same type or name, else the first it promotes to), found through an index, so checking
//! costs time in proportion to the schemas' sizes and keeps no table of branch pairs: a union of
//! thousands of branches against another is no harder than two records. Where Avro would
//! resolve only some data (an enum symbol or union branch the reader lacks), the versions are
//! incompatible, as in Confluent's registry. Each incompatibility says which version it is
//! against, in which direction, where in the schema (a dotted field path), and the old and new
//! types when a type changed — not just "incompatible". The work of one check is bounded
//! ([`MAX_STEPS`]); beyond it the check is refused rather than computed.

use apache_avro::Schema;
use apache_avro::schema::{DecimalSchema, InnerDecimalSchema, Name, RecordField, UnionSchema, UuidSchema};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The most schema nodes one compatibility check visits (over every earlier version).
pub const MAX_STEPS: usize = 2_000_000;

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
    /// Parses `text` (an Avro schema in JSON) with core's checks and limits
    /// (`portico_core::avro`, shared with Utilihive's registry); the error is the reason.
    pub fn parse(text: &str) -> Result<AvroSchema, portico_core::avro::AvroRefused> {
        let parsed = portico_core::avro::parse(text)?;
        Ok(AvroSchema { schema: parsed.schema, canonical: parsed.canonical, fingerprint: parsed.fingerprint })
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

    /// Whether every earlier version is checked (else the latest only).
    pub fn transitive(self) -> bool {
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
/// number) under `mode`; empty when it is. [`TooComplex`] when checking would take more than
/// [`MAX_STEPS`] steps.
pub fn check(
    mode: CompatibilityMode,
    earlier: &[(i64, &AvroSchema)],
    new: &AvroSchema,
) -> Result<Vec<Incompatibility>, TooComplex> {
    let against: &[(i64, &AvroSchema)] =
        if mode.transitive() { earlier } else { earlier.last().map_or(&[], std::slice::from_ref) };
    let mut checker = Checker::new(mode, new);
    let mut problems = Vec::new();
    for &(version, old) in against {
        problems.extend(checker.against(version, old)?);
    }
    Ok(problems)
}

/// One compatibility check of a new version, against earlier versions given one at a time (so
/// they need not all be parsed at once), within one budget of [`MAX_STEPS`].
pub struct Checker<'a> {
    mode: CompatibilityMode,
    new: &'a AvroSchema,
    budget: usize,
}

impl<'a> Checker<'a> {
    /// A check of `new` under `mode`.
    pub fn new(mode: CompatibilityMode, new: &'a AvroSchema) -> Checker<'a> {
        Checker { mode, new, budget: MAX_STEPS }
    }

    /// The reasons `new` is not compatible with `old`, version `version`.
    pub fn against(&mut self, version: i64, old: &AvroSchema) -> Result<Vec<Incompatibility>, TooComplex> {
        let mut problems = Vec::new();
        if self.mode.backward() {
            problems.extend(reading(version, Direction::Backward, old, self.new, &mut self.budget)?);
        }
        if self.mode.forward() {
            problems.extend(reading(version, Direction::Forward, old, self.new, &mut self.budget)?);
        }
        Ok(problems)
    }
}

/// A compatibility check that would take more than [`MAX_STEPS`] steps: refused, not computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the schemas are too large to check for compatibility (more than {MAX_STEPS} steps)")]
pub struct TooComplex;

/// Whether the reader of `direction` reads every datum of its writer.
fn reading(
    version: i64,
    direction: Direction,
    old: &AvroSchema,
    new: &AvroSchema,
    budget: &mut usize,
) -> Result<Option<Incompatibility>, TooComplex> {
    let (writer, reader) = match direction {
        Direction::Backward => (old, new),
        Direction::Forward => (new, old),
    };
    let mut resolver = Resolver::new(&writer.schema, &reader.schema, budget);
    let mut path = Vec::new();
    match resolver.resolve(&writer.schema, &reader.schema, &mut path) {
        Ok(()) => Ok(None),
        Err(Stop::TooComplex) => Err(TooComplex),
        Err(Stop::Mismatch(mismatch)) => {
            let (old_type, new_type) = match direction {
                Direction::Backward => (mismatch.writer, mismatch.reader),
                Direction::Forward => (mismatch.reader, mismatch.writer),
            };
            let reason = match (&mismatch.kind, direction) {
                (MismatchKind::MissingDefault, Direction::Backward) => {
                    "the new version adds this field without a default".to_owned()
                }
                (MismatchKind::MissingDefault, Direction::Forward) => {
                    "the new version removes this field, which has no default".to_owned()
                }
                (MismatchKind::Other(reason), _) => reason.clone(),
            };
            Ok(Some(Incompatibility { version, direction, path: mismatch.path.join("."), old_type, new_type, reason }))
        }
    }
}

/// Why a resolution stopped.
enum Stop {
    /// The reader cannot read some data of the writer.
    Mismatch(Mismatch),
    /// The budget ran out.
    TooComplex,
}

struct Mismatch {
    path: Vec<String>,
    /// The writer's and reader's types there, when the types differ.
    writer: Option<String>,
    reader: Option<String>,
    kind: MismatchKind,
}

enum MismatchKind {
    /// A reader field neither in the writer nor with a default.
    MissingDefault,
    Other(String),
}

/// The underlying type of a schema, as schema resolution matches and promotes them (a logical
/// type is its underlying type: a `date` is an `int`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Fixed,
    Enum,
    Record,
    Array,
    Map,
    Union,
}

fn kind(schema: &Schema) -> Kind {
    match schema {
        Schema::Null => Kind::Null,
        Schema::Boolean => Kind::Boolean,
        Schema::Int | Schema::Date | Schema::TimeMillis => Kind::Int,
        Schema::Long
        | Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos => Kind::Long,
        Schema::Float => Kind::Float,
        Schema::Double => Kind::Double,
        Schema::Bytes
        | Schema::BigDecimal
        | Schema::Uuid(UuidSchema::Bytes)
        | Schema::Decimal(DecimalSchema { inner: InnerDecimalSchema::Bytes, .. }) => Kind::Bytes,
        Schema::String | Schema::Uuid(UuidSchema::String) => Kind::String,
        Schema::Fixed(_)
        | Schema::Duration(_)
        | Schema::Uuid(UuidSchema::Fixed(_))
        | Schema::Decimal(DecimalSchema { inner: InnerDecimalSchema::Fixed(_), .. }) => Kind::Fixed,
        Schema::Enum(_) => Kind::Enum,
        Schema::Record(_) => Kind::Record,
        Schema::Array(_) => Kind::Array,
        Schema::Map(_) => Kind::Map,
        Schema::Union(_) => Kind::Union,
        // Resolved before anything asks for a kind; a dangling reference matches nothing.
        Schema::Ref { .. } => Kind::Null,
    }
}

/// Whether data of `writer` kind is read by a `reader` of that kind (equal, or promoted).
fn promotes(writer: Kind, reader: Kind) -> bool {
    use Kind::{Bytes, Double, Float, Int, Long, String};
    writer == reader
        || matches!(
            (writer, reader),
            (Int, Long | Float | Double) | (Long, Float | Double) | (Float, Double) | (Bytes, String) | (String, Bytes)
        )
}

/// A type as the specification spells it, for messages: `int`, `timestamp-millis`,
/// `record bank.Payment`, `decimal(10,2)`.
fn spelled(schema: &Schema) -> String {
    let named = |what: &str, name: &Name| format!("{what} {}", name.fullname(None));
    match schema {
        Schema::Record(record) => named("record", &record.name),
        Schema::Enum(schema) => named("enum", &schema.name),
        Schema::Fixed(fixed) => format!("{} ({} bytes)", named("fixed", &fixed.name), fixed.size),
        Schema::Decimal(decimal) => format!("decimal({},{})", decimal.precision, decimal.scale),
        Schema::Ref { name } => name.fullname(None),
        Schema::Union(_) => "union".to_owned(),
        other => {
            let debug = format!("{other:?}");
            // Unit variants only here (`Int`, `TimestampMillis`); `Uuid(..)` and the like keep
            // their first word.
            let word: String = debug.chars().take_while(char::is_ascii_alphanumeric).collect();
            avro_spelling(&word)
        }
    }
}

/// Where each branch kind and name first occurs in a reader's union.
#[derive(Default)]
struct BranchIndex {
    by_full_name: HashMap<String, usize>,
    by_name: HashMap<(Kind, String), usize>,
    by_kind: HashMap<Kind, usize>,
}

/// Resolves a writer's schema against a reader's, as a reader decoding the writer's data would.
struct Resolver<'a, 'b> {
    writer_names: HashMap<String, &'a Schema>,
    reader_names: HashMap<String, &'a Schema>,
    /// Named pairs resolved, or being resolved (recursive types end there).
    seen: HashSet<(String, String)>,
    /// The index of each reader union, by its address.
    unions: HashMap<usize, BranchIndex>,
    budget: &'b mut usize,
}

impl<'a, 'b> Resolver<'a, 'b> {
    fn new(writer: &'a Schema, reader: &'a Schema, budget: &'b mut usize) -> Resolver<'a, 'b> {
        let (mut writer_names, mut reader_names) = (HashMap::new(), HashMap::new());
        definitions(writer, &mut writer_names);
        definitions(reader, &mut reader_names);
        Resolver { writer_names, reader_names, seen: HashSet::new(), unions: HashMap::new(), budget }
    }

    fn step(&mut self, steps: usize) -> Result<(), Stop> {
        *self.budget = self.budget.checked_sub(steps).ok_or(Stop::TooComplex)?;
        Ok(())
    }

    fn resolve(&mut self, writer: &'a Schema, reader: &'a Schema, path: &mut Vec<String>) -> Result<(), Stop> {
        self.step(1)?;
        let writer = follow(writer, &self.writer_names);
        let reader = follow(reader, &self.reader_names);
        if let (Some(w), Some(r)) = (named(writer), named(reader)) {
            if w.name() != r.name() {
                return Err(mismatch(path, writer, reader, "the reader's type has another name"));
            }
            if !self.seen.insert((w.fullname(None), r.fullname(None))) {
                return Ok(());
            }
        }
        match (writer, reader) {
            // Every branch the writer may use must be read (by the reader's union branch the
            // specification selects, when the reader has a union too).
            (Schema::Union(written), _) => {
                for branch in written.variants() {
                    self.resolve(branch, reader, path)?;
                }
                Ok(())
            }
            (_, Schema::Union(read)) => match self.select(read, writer)? {
                Some(branch) => self.resolve(writer, branch, path),
                None => Err(mismatch(path, writer, reader, "no branch of the reader's union reads it")),
            },
            (Schema::Decimal(w), Schema::Decimal(r)) => {
                if (w.precision, w.scale) == (r.precision, r.scale) {
                    Ok(())
                } else {
                    Err(mismatch(path, writer, reader, "a decimal keeps its precision and scale"))
                }
            }
            (Schema::Uuid(_), Schema::Uuid(_)) => Ok(()),
            (Schema::Record(w), Schema::Record(r)) => self.fields(&w.fields, &r.fields, path),
            (Schema::Enum(w), Schema::Enum(r)) => {
                if r.default.is_some() {
                    return Ok(());
                }
                self.step(w.symbols.len() + r.symbols.len())?;
                let known: HashSet<&str> = r.symbols.iter().map(String::as_str).collect();
                let missing: Vec<&str> =
                    w.symbols.iter().map(String::as_str).filter(|symbol| !known.contains(symbol)).collect();
                if missing.is_empty() {
                    return Ok(());
                }
                let mut shown = missing.iter().take(5).copied().collect::<Vec<_>>().join(", ");
                if missing.len() > 5 {
                    shown.push_str(&format!(" and {} more", missing.len() - 5));
                }
                let reason = format!("the reader lacks the enum symbols {shown} and has no default");
                Err(mismatch_reason(path, reason))
            }
            (Schema::Array(w), Schema::Array(r)) => self.resolve(&w.items, &r.items, path),
            (Schema::Map(w), Schema::Map(r)) => self.resolve(&w.types, &r.types, path),
            _ if kind(writer) == Kind::Fixed && kind(reader) == Kind::Fixed => {
                if fixed_size(writer) == fixed_size(reader) {
                    Ok(())
                } else {
                    Err(mismatch(path, writer, reader, "a fixed type keeps its size"))
                }
            }
            _ if !matches!(kind(writer), Kind::Fixed | Kind::Enum | Kind::Record | Kind::Array | Kind::Map)
                && promotes(kind(writer), kind(reader)) =>
            {
                Ok(())
            }
            _ => {
                let reason = format!("a {} cannot be read from data written as {}", spelled(reader), spelled(writer));
                Err(mismatch(path, writer, reader, &reason))
            }
        }
    }

    /// Every reader field is filled: from the writer's field of its name (or one of its
    /// aliases), else from its default.
    fn fields(
        &mut self,
        written: &'a [RecordField],
        read: &'a [RecordField],
        path: &mut Vec<String>,
    ) -> Result<(), Stop> {
        self.step(written.len() + read.len())?;
        let by_name: HashMap<&str, &'a RecordField> = written.iter().map(|f| (f.name.as_str(), f)).collect();
        for field in read {
            let source = std::iter::once(&field.name)
                .chain(field.aliases.iter())
                .find_map(|name| by_name.get(name.as_str()).copied());
            match source {
                Some(source) => {
                    path.push(field.name.clone());
                    self.resolve(&source.schema, &field.schema, path)?;
                    path.pop();
                }
                None if field.default.is_none() => {
                    let mut at = path.clone();
                    at.push(field.name.clone());
                    return Err(Stop::Mismatch(Mismatch {
                        path: at,
                        writer: None,
                        reader: None,
                        kind: MismatchKind::MissingDefault,
                    }));
                }
                None => {}
            }
        }
        Ok(())
    }

    /// The branch of the reader's `union` that reads `writer`: the first of the same full
    /// name, else the first of the same kind and name, else the first of the same kind, else
    /// the first it promotes to.
    fn select(&mut self, union: &'a UnionSchema, writer: &'a Schema) -> Result<Option<&'a Schema>, Stop> {
        let key = std::ptr::from_ref(union) as usize;
        if !self.unions.contains_key(&key) {
            self.step(union.variants().len())?;
            let index = self.index(union);
            self.unions.insert(key, index);
        }
        let Some(index) = self.unions.get(&key) else {
            return Ok(None);
        };
        let variants = union.variants();
        let writer_kind = kind(writer);
        let found = match named(writer) {
            Some(name) => index
                .by_full_name
                .get(&name.fullname(None))
                .or_else(|| index.by_name.get(&(writer_kind, name.name().to_owned())))
                .or_else(|| index.by_kind.get(&writer_kind)),
            None => index.by_kind.get(&writer_kind),
        };
        let found = found.copied().or_else(|| {
            index.by_kind.iter().filter(|(kind, _)| promotes(writer_kind, **kind)).map(|(_, at)| *at).min()
        });
        Ok(found.and_then(|at| variants.get(at)))
    }

    fn index(&self, union: &'a UnionSchema) -> BranchIndex {
        let mut index = BranchIndex::default();
        for (at, branch) in union.variants().iter().enumerate() {
            let branch = follow(branch, &self.reader_names);
            let branch_kind = kind(branch);
            index.by_kind.entry(branch_kind).or_insert(at);
            if let Some(name) = named(branch) {
                index.by_full_name.entry(name.fullname(None)).or_insert(at);
                index.by_name.entry((branch_kind, name.name().to_owned())).or_insert(at);
            }
        }
        index
    }
}

/// The named type a reference stands for (itself when it is not a reference, or dangles).
fn follow<'a>(schema: &'a Schema, names: &HashMap<String, &'a Schema>) -> &'a Schema {
    match schema {
        Schema::Ref { name } => names.get(&name.fullname(None)).copied().unwrap_or(schema),
        other => other,
    }
}

/// The name of a named type (record, enum, fixed and the logical types on a fixed).
fn named(schema: &Schema) -> Option<&Name> {
    match schema {
        Schema::Record(record) => Some(&record.name),
        Schema::Enum(schema) => Some(&schema.name),
        Schema::Fixed(fixed) | Schema::Duration(fixed) | Schema::Uuid(UuidSchema::Fixed(fixed)) => Some(&fixed.name),
        Schema::Decimal(DecimalSchema { inner: InnerDecimalSchema::Fixed(fixed), .. }) => Some(&fixed.name),
        _ => None,
    }
}

fn fixed_size(schema: &Schema) -> Option<usize> {
    match schema {
        Schema::Fixed(fixed) | Schema::Duration(fixed) | Schema::Uuid(UuidSchema::Fixed(fixed)) => Some(fixed.size),
        Schema::Decimal(DecimalSchema { inner: InnerDecimalSchema::Fixed(fixed), .. }) => Some(fixed.size),
        _ => None,
    }
}

/// Every named type defined in `schema`, by full name.
fn definitions<'a>(schema: &'a Schema, names: &mut HashMap<String, &'a Schema>) {
    if let Some(name) = named(schema) {
        names.entry(name.fullname(None)).or_insert(schema);
    }
    match schema {
        Schema::Record(record) => record.fields.iter().for_each(|field| definitions(&field.schema, names)),
        Schema::Array(array) => definitions(&array.items, names),
        Schema::Map(map) => definitions(&map.types, names),
        Schema::Union(union) => union.variants().iter().for_each(|branch| definitions(branch, names)),
        _ => {}
    }
}

fn mismatch(path: &[String], writer: &Schema, reader: &Schema, reason: &str) -> Stop {
    Stop::Mismatch(Mismatch {
        path: path.to_vec(),
        writer: Some(spelled(writer)),
        reader: Some(spelled(reader)),
        kind: MismatchKind::Other(reason.to_owned()),
    })
}

fn mismatch_reason(path: &[String], reason: String) -> Stop {
    Stop::Mismatch(Mismatch { path: path.to_vec(), writer: None, reader: None, kind: MismatchKind::Other(reason) })
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

    fn incompatibilities(
        mode: CompatibilityMode,
        earlier: &[(i64, &AvroSchema)],
        new: &AvroSchema,
    ) -> Vec<Incompatibility> {
        check(mode, earlier, new).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn invalid_schemas_are_refused_with_the_parsers_reason() {
        let err = AvroSchema::parse(r#"{"type": "record", "name": "X"}"#).err().map(|e| e.reason).unwrap_or_default();
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
        assert!(incompatibilities(CompatibilityMode::Backward, &[(1, &v1)], &with_default).is_empty());
        let without = record(&format!(r#"{ID}, {{"name": "amount", "type": "long"}}"#));
        let problems = incompatibilities(CompatibilityMode::Backward, &[(1, &v1)], &without);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].version, 1);
        assert_eq!(problems[0].direction, Direction::Backward);
        assert_eq!(problems[0].path, "amount");
        assert!(problems[0].reason.contains("without a default"), "{}", problems[0].reason);
        // Removing a field is forward-incompatible only when the old readers have no default.
        assert!(
            incompatibilities(CompatibilityMode::Forward, &[(1, &without)], &v1)[0]
                .reason
                .contains("removes this field")
        );
        assert!(incompatibilities(CompatibilityMode::Forward, &[(1, &with_default)], &v1).is_empty());
    }

    #[test]
    fn a_changed_type_names_the_nested_field_and_both_types() {
        let address = |zip: &str| {
            record(&format!(
                r#"{ID}, {{"name": "address", "type": {{"type": "record", "name": "Address",
                    "fields": [{{"name": "zip", "type": "{zip}"}}]}}}}"#
            ))
        };
        let problems = incompatibilities(CompatibilityMode::Backward, &[(3, &address("int"))], &address("string"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        let problem = &problems[0];
        assert_eq!((problem.path.as_str(), problem.version), ("address.zip", 3));
        assert_eq!(problem.old_type.as_deref(), Some("int"));
        assert_eq!(problem.new_type.as_deref(), Some("string"));
        // Promotions follow Avro: int data reads as long, not the other way round.
        assert!(incompatibilities(CompatibilityMode::Backward, &[(1, &address("int"))], &address("long")).is_empty());
        let narrowed = incompatibilities(CompatibilityMode::Forward, &[(1, &address("int"))], &address("long"));
        assert_eq!(narrowed.len(), 1);
        assert_eq!(narrowed[0].direction, Direction::Forward);
        assert_eq!((narrowed[0].old_type.as_deref(), narrowed[0].new_type.as_deref()), (Some("int"), Some("long")));
        assert_eq!(incompatibilities(CompatibilityMode::Full, &[(1, &address("int"))], &address("long")).len(), 1);
        assert!(incompatibilities(CompatibilityMode::None, &[(1, &address("int"))], &address("boolean")).is_empty());
    }

    #[test]
    fn transitive_modes_check_every_earlier_version_and_the_others_only_the_latest() {
        let v1 = record(ID);
        let v2 = record(&format!(r#"{ID}, {{"name": "amount", "type": "long", "default": 0}}"#));
        // v3 makes the field required: it reads v2's data (which has it) but not v1's.
        let v3 = record(&format!(r#"{ID}, {{"name": "amount", "type": "long"}}"#));
        let history = [(1, &v1), (2, &v2)];
        assert!(incompatibilities(CompatibilityMode::Backward, &history, &v3).is_empty());
        let transitive = incompatibilities(CompatibilityMode::BackwardTransitive, &history, &v3);
        assert_eq!(transitive.len(), 1, "{transitive:?}");
        assert_eq!((transitive[0].version, transitive[0].path.as_str()), (1, "amount"));
        assert!(
            incompatibilities(CompatibilityMode::FullTransitive, &[], &v3).is_empty(),
            "a first version has nothing to meet"
        );
    }

    #[test]
    fn removed_enum_symbols_are_incompatible_for_readers_that_lack_them() {
        let status =
            |symbols: &str| schema(&format!(r#"{{"type": "enum", "name": "Status", "symbols": [{symbols}]}}"#));
        let (two, three) = (status(r#""OPEN", "CLOSED""#), status(r#""OPEN", "CLOSED", "HELD""#));
        assert!(
            incompatibilities(CompatibilityMode::Backward, &[(1, &two)], &three).is_empty(),
            "a reader with more symbols"
        );
        let problems = incompatibilities(CompatibilityMode::Forward, &[(1, &two)], &three);
        assert_eq!(problems.len(), 1, "old readers do not know HELD: {problems:?}");
        assert_eq!(problems[0].direction, Direction::Forward);
        assert!(!problems[0].reason.is_empty());
    }
}
