//! Writes without lost updates, the same everywhere (DESIGN.md, "concurrent writes"):
//!
//! - no precondition sent: the write is computed from the row as read inside its transaction
//!   and applied only if the row still has that version; if it lost a race, the whole
//!   transaction runs again ([`crate::audit::audited_write`] retries, bounded) and succeeds,
//!   never dropping another writer's change to other fields;
//! - a body version sent (FlexDeploy `versionNumber`) that is stale: 409;
//! - `If-Match` sent that does not match: 412 (this wins over a body version);
//! - a write that changes nothing keeps the version.
//!
//! ```text
//! let current = store::get(conn, realm, id)?;
//! let Some(next) = revise(&precondition, "user", id, &current, current.version, |u| apply(u, &patch))? else {
//!     return Ok(current); // unchanged: same version
//! };
//! let written = store::update(conn, &next, current.version)?; // UPDATE ... WHERE version = ?
//! committed(&precondition, "user", id, current.version, written)?;
//! ```

use crate::error::CoreError;
use crate::etag::IfMatch;

/// What a write was computed against: an `If-Match` header and/or a version in the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Precondition {
    /// The `If-Match` header.
    pub if_match: IfMatch,
    /// The version the body names (FlexDeploy `versionNumber`).
    pub version: Option<i64>,
}

impl Precondition {
    /// No precondition: the write applies to the current row.
    pub fn none() -> Precondition {
        Precondition::default()
    }

    /// From an `If-Match` header.
    pub fn if_match(if_match: IfMatch) -> Precondition {
        Precondition { if_match, version: None }
    }

    /// The same, also naming the version the body was based on.
    pub fn with_version(mut self, version: Option<i64>) -> Precondition {
        self.version = version;
        self
    }

    /// Whether the caller asked for a specific version (a lost race is then reported to it).
    pub fn is_conditional(&self) -> bool {
        matches!(self.if_match, IfMatch::Versions(_)) || self.version.is_some()
    }

    /// Checks the current version: `If-Match` mismatch → 412 (first), body version → 409.
    pub fn check(&self, what: &'static str, id: impl std::fmt::Display, current: i64) -> Result<(), CoreError> {
        self.if_match.check(current)?;
        match self.version {
            Some(sent) if sent != current => {
                Err(CoreError::VersionConflict { what, id: id.to_string(), current, sent })
            }
            _ => Ok(()),
        }
    }

    /// The row was changed by someone else after it was read at version `seen`: a conditional
    /// write reports it (412 or 409, the client's version is stale); an unconditional one is
    /// run again.
    pub fn lost(&self, what: &'static str, id: impl std::fmt::Display, seen: i64) -> CoreError {
        let current = seen + 1;
        if matches!(self.if_match, IfMatch::Versions(_)) {
            CoreError::Precondition(crate::etag::PreconditionFailed { current })
        } else if let Some(sent) = self.version {
            CoreError::VersionConflict { what, id: id.to_string(), current, sent }
        } else {
            CoreError::LostRace
        }
    }
}

/// Checks `precondition` against `current` (at `version`) and applies `change` to a copy.
/// `Ok(None)`: the change changes nothing, so nothing is written and the version stays.
pub fn revise<M, E>(
    precondition: &Precondition,
    what: &'static str,
    id: impl std::fmt::Display,
    current: &M,
    version: i64,
    change: impl FnOnce(&mut M) -> Result<(), E>,
) -> Result<Option<M>, E>
where
    M: Clone + PartialEq,
    E: From<CoreError>,
{
    precondition.check(what, id, version)?;
    let mut next = current.clone();
    change(&mut next)?;
    Ok((next != *current).then_some(next))
}

/// After `UPDATE ... WHERE version = seen`: `written` is whether a row was updated.
pub fn committed(
    precondition: &Precondition,
    what: &'static str,
    id: impl std::fmt::Display,
    seen: i64,
    written: bool,
) -> Result<(), CoreError> {
    if written { Ok(()) } else { Err(precondition.lost(what, id, seen)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{DomainError, ErrorKind};

    #[test]
    fn if_match_wins_over_the_body_version() {
        let both = Precondition::if_match(IfMatch::parse(Some("\"2\""))).with_version(Some(1));
        assert_eq!(both.check("x", 1, 3).map_err(|e| e.kind()), Err(ErrorKind::PreconditionFailed));
        let body = Precondition::none().with_version(Some(2));
        assert_eq!(body.check("x", 1, 3).map_err(|e| e.kind()), Err(ErrorKind::Conflict));
        assert!(body.check("x", 1, 2).is_ok());
        assert!(Precondition::none().check("x", 1, 9).is_ok());
        assert!(Precondition::if_match(IfMatch::Any).check("x", 1, 9).is_ok());
    }

    #[test]
    fn a_lost_race_is_retried_only_when_nothing_was_asserted() {
        assert!(Precondition::none().lost("x", 1, 4).is_retryable());
        assert!(!Precondition::if_match(IfMatch::Any).is_conditional());
        let conditional = Precondition::if_match(IfMatch::parse(Some("\"4\"")));
        assert_eq!(conditional.lost("x", 1, 4).kind(), ErrorKind::PreconditionFailed);
        let body = Precondition::none().with_version(Some(4));
        assert_eq!(body.lost("x", 1, 4).kind(), ErrorKind::Conflict);
        assert!(!body.lost("x", 1, 4).is_retryable());
    }

    #[test]
    fn a_change_that_changes_nothing_is_not_written() {
        let current = (String::from("a"), 1);
        let same: Result<_, CoreError> = revise(&Precondition::none(), "x", 1, &current, 0, |v| {
            v.0 = "a".into();
            Ok(())
        });
        assert_eq!(same.unwrap(), None);
        let changed: Result<_, CoreError> = revise(&Precondition::none(), "x", 1, &current, 0, |v| {
            v.1 = 2;
            Ok(())
        });
        assert_eq!(changed.unwrap(), Some((String::from("a"), 2)));
    }
}
