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

/// Where `canDelete` goes among the names given to [`DeletionConstraints::of`] when it is not
/// first (Axual's stream configs answer `{"activeGrantsCount": 0, "canDelete": true}`).
pub const CAN_DELETE: &str = "canDelete";

/// The deletion constraints of one entity: named counts, in the seed's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionConstraints {
    counts: Vec<(&'static str, u64)>,
    /// How many counts come before `canDelete` on the wire.
    can_delete_at: usize,
}

impl DeletionConstraints {
    /// Counts every registered domain's references to `target`. `names` are the counts the API
    /// always shows (0 when no domain reports them), in its order, with [`CAN_DELETE`] where the
    /// flag goes if not first; other counts a domain reports are added.
    pub fn of(
        conn: &mut DbConnection,
        dependents: &[Arc<dyn Dependents>],
        target: &Target,
        names: &[&'static str],
    ) -> Result<DeletionConstraints, DbError> {
        let mut constraints = DeletionConstraints::of_names(names);
        for domain in dependents {
            for (name, count) in domain.count(conn, target)? {
                constraints.add(name, count);
            }
        }
        Ok(constraints)
    }

    /// Every count of `names` at 0.
    fn of_names(names: &[&'static str]) -> DeletionConstraints {
        let can_delete_at = names.iter().position(|name| *name == CAN_DELETE).unwrap_or(0);
        let counts = names.iter().filter(|name| **name != CAN_DELETE).map(|name| (*name, 0)).collect();
        DeletionConstraints { counts, can_delete_at }
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
        for (at, (name, count)) in self.counts.iter().enumerate() {
            if at == self.can_delete_at {
                map.serialize_entry(CAN_DELETE, &self.can_delete())?;
            }
            map.serialize_entry(name, count)?;
        }
        if self.can_delete_at >= self.counts.len() {
            map.serialize_entry(CAN_DELETE, &self.can_delete())?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_list_every_named_count_and_block_deletion_while_any_is_positive() {
        let mut constraints =
            DeletionConstraints { counts: vec![("environmentsCount", 0), ("streamsCount", 0)], can_delete_at: 0 };
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

    #[test]
    fn can_delete_goes_where_the_names_put_it() {
        let last = DeletionConstraints::of_names(&["activeGrantsCount", CAN_DELETE]);
        assert_eq!(serde_json::to_string(&last).unwrap(), r#"{"activeGrantsCount":0,"canDelete":true}"#);
        let first = DeletionConstraints::of_names(&["streamConfigsCount", "activeGrantsCount"]);
        assert_eq!(
            serde_json::to_string(&first).unwrap(),
            r#"{"canDelete":true,"streamConfigsCount":0,"activeGrantsCount":0}"#
        );
    }
}
