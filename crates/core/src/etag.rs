//! Entity tags from resource versions, and `If-Match` / `If-None-Match` evaluation.
//!
//! Every mutable resource has an integer version that grows by one on each write. Its strong
//! ETag is the quoted decimal version (`"0"` for a fresh Axual entity, as in the seed). The same
//! counter is FlexDeploy's `versionNumber`.

use crate::error::{DomainError, ErrorKind};

/// The ETag header value of `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A precondition from `If-Match`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IfMatch {
    /// No header: unconditional.
    #[default]
    Absent,
    /// `If-Match: *`: the resource must exist.
    Any,
    /// One or more versions; the write proceeds if the current version is among them.
    Versions(Vec<i64>),
}

/// The precondition did not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the resource has changed (current version {current}); fetch it again and retry")]
pub struct PreconditionFailed {
    /// The version the resource has now.
    pub current: i64,
}

impl DomainError for PreconditionFailed {
    fn kind(&self) -> ErrorKind {
        ErrorKind::PreconditionFailed
    }
    fn code(&self) -> &'static str {
        "precondition_failed"
    }
}

impl IfMatch {
    /// Parses the header value. Weak tags (`W/"3"`) never match a strong comparison, and
    /// tags that are not versions of ours can never match: both yield an empty version list.
    pub fn parse(header: Option<&str>) -> IfMatch {
        match header.map(str::trim) {
            None | Some("") => IfMatch::Absent,
            Some("*") => IfMatch::Any,
            Some(list) => IfMatch::Versions(
                list.split(',')
                    .filter_map(|tag| {
                        let tag = tag.trim();
                        tag.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
                    })
                    .collect(),
            ),
        }
    }

    /// Checks the precondition against the resource's current version.
    pub fn check(&self, current: i64) -> Result<(), PreconditionFailed> {
        match self {
            IfMatch::Absent | IfMatch::Any => Ok(()),
            IfMatch::Versions(versions) if versions.contains(&current) => Ok(()),
            IfMatch::Versions(_) => Err(PreconditionFailed { current }),
        }
    }

    /// The single version a conditional write expects, for `UPDATE ... WHERE version = ?`.
    pub fn expected(&self) -> Option<i64> {
        match self {
            IfMatch::Versions(versions) if versions.len() == 1 => versions.first().copied(),
            _ => None,
        }
    }
}

/// Whether `If-None-Match` (a GET) matches the current version, so the answer is 304.
pub fn if_none_match_hits(header: Option<&str>, current: i64) -> bool {
    match header.map(str::trim) {
        None | Some("") => false,
        Some("*") => true,
        Some(list) => list.split(',').any(|tag| {
            let tag = tag.trim();
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            tag == etag(current)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_compares_versions_strongly() {
        assert_eq!(etag(0), "\"0\"");
        assert!(IfMatch::parse(None).check(3).is_ok());
        assert!(IfMatch::parse(Some("*")).check(3).is_ok());
        assert!(IfMatch::parse(Some("\"3\"")).check(3).is_ok());
        assert!(IfMatch::parse(Some("\"2\", \"3\"")).check(3).is_ok());
        assert_eq!(IfMatch::parse(Some("\"2\"")).check(3), Err(PreconditionFailed { current: 3 }));
        assert!(IfMatch::parse(Some("W/\"3\"")).check(3).is_err());
        assert!(IfMatch::parse(Some("garbage")).check(3).is_err());
        assert_eq!(IfMatch::parse(Some("\"7\"")).expected(), Some(7));
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        assert!(if_none_match_hits(Some("W/\"4\""), 4));
        assert!(if_none_match_hits(Some("\"1\", \"4\""), 4));
        assert!(!if_none_match_hits(Some("\"1\""), 4));
        assert!(!if_none_match_hits(None, 4));
    }
}
