//! "What still refers to this thing": deletion constraints across domains.
//!
//! A crate whose rows point at another crate's entity (the catalog's streams owned by an
//! identity group) implements [`Dependents`]; the owner of the entity asks every registered
//! implementation before a delete, answers `GET .../deletion-constraints` with the counts
//! ([`DeletionConstraints`]: `{"canDelete": bool, "<thing>Count": n, ...}`) and refuses a
//! delete with 409 while any count is above zero.

use crate::RealmId;
use crate::db::{DbConnection, DbError};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::sync::Arc;
use uuid::Uuid;

/// The entity whose dependents are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// Its Axual collection, e.g. `groups`.
    pub collection: &'static str,
    /// Its realm.
    pub realm: RealmId,
    /// Its id.
    pub id: Uuid,
}

/// Counts rows of one domain that refer to a [`Target`] of another.
pub trait Dependents: Send + Sync + 'static {
    /// `(count name, count)` pairs, e.g. `("streamsCount", 3)`, for the targets this domain
    /// refers to; an empty list for collections it never refers to.
    fn count(&self, conn: &mut DbConnection, target: &Target) -> Result<Vec<(&'static str, u64)>, DbError>;
}

/// The deletion constraints of one entity: named counts, in the seed's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionConstraints {
    counts: Vec<(&'static str, u64)>,
}

impl DeletionConstraints {
    /// Counts every registered domain's references to `target`. `names` are the counts the API
    /// always shows (0 when no domain reports them); other counts a domain reports are added.
    pub fn of(
        conn: &mut DbConnection,
        dependents: &[Arc<dyn Dependents>],
        target: &Target,
        names: &[&'static str],
    ) -> Result<DeletionConstraints, DbError> {
        let mut constraints = DeletionConstraints { counts: names.iter().map(|name| (*name, 0)).collect() };
        for domain in dependents {
            for (name, count) in domain.count(conn, target)? {
                constraints.add(name, count);
            }
        }
        Ok(constraints)
    }

    /// Adds `count` to the count `name`.
    pub fn add(&mut self, name: &'static str, count: u64) {
        match self.counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += count,
            None => self.counts.push((name, count)),
        }
    }

    /// Whether nothing refers to the entity any more.
    pub fn can_delete(&self) -> bool {
        self.counts.iter().all(|(_, count)| *count == 0)
    }

    /// The count `name` (0 when not counted).
    pub fn get(&self, name: &str) -> u64 {
        self.counts.iter().find(|(n, _)| *n == name).map_or(0, |(_, count)| *count)
    }
}

impl Serialize for DeletionConstraints {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.counts.len() + 1))?;
        map.serialize_entry("canDelete", &self.can_delete())?;
        for (name, count) in &self.counts {
            map.serialize_entry(name, count)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_list_every_named_count_and_block_deletion_while_any_is_positive() {
        let mut constraints = DeletionConstraints { counts: vec![("environmentsCount", 0), ("streamsCount", 0)] };
        assert!(constraints.can_delete());
        assert_eq!(
            serde_json::to_string(&constraints).unwrap(),
            r#"{"canDelete":true,"environmentsCount":0,"streamsCount":0}"#
        );
        constraints.add("streamsCount", 2);
        constraints.add("schemasCount", 1);
        assert!(!constraints.can_delete());
        assert_eq!(constraints.get("streamsCount"), 2);
        assert_eq!(
            serde_json::to_string(&constraints).unwrap(),
            r#"{"canDelete":false,"environmentsCount":0,"streamsCount":2,"schemasCount":1}"#
        );
    }
}
