//! Domain types of the catalog domain.

use portico_core::audit::Stamp;
use uuid::Uuid;

/// The two kinds of classification level a tenant defines and tags streams with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LevelKind {
    /// `/confidentialities`, e.g. C=0 Public ... C=3 Secret.
    Confidentiality,
    /// `/integrities`.
    Integrity,
}

impl LevelKind {
    /// Both kinds.
    pub const ALL: [LevelKind; 2] = [LevelKind::Confidentiality, LevelKind::Integrity];

    /// The stored `kind` value, and the name errors and audit events use.
    pub fn as_str(self) -> &'static str {
        match self {
            LevelKind::Confidentiality => "confidentiality",
            LevelKind::Integrity => "integrity",
        }
    }

    /// The Axual collection (relation and path).
    pub fn rel(self) -> &'static str {
        self.rel_const()
    }

    /// [`rel`](Self::rel) in constant contexts.
    pub const fn rel_const(self) -> &'static str {
        match self {
            LevelKind::Confidentiality => "confidentialities",
            LevelKind::Integrity => "integrities",
        }
    }

    /// The kind a stored `kind` value names.
    pub fn from_stored(value: &str) -> Option<LevelKind> {
        LevelKind::ALL.into_iter().find(|kind| kind.as_str() == value)
    }
}

/// A confidentiality or integrity level of a realm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// Id (`uid`).
    pub id: Uuid,
    /// Which kind.
    pub kind: LevelKind,
    /// The level's name, lower case (1–50 characters), unique per realm and kind.
    pub level: String,
    /// Description (at most 200 characters).
    pub description: Option<String>,
    /// Display colour (at most 12 characters), e.g. `blue`.
    pub color: Option<String>,
    /// Who created and last changed it.
    pub stamp: Stamp,
    /// Optimistic-concurrency version (the ETag; 0 when created).
    pub version: i64,
}

/// A new level, or a PATCH (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelInput {
    /// The level's name (required on create; lower-cased).
    pub level: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Colour.
    pub color: Option<Option<String>>,
}
