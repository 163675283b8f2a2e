//! The realm-scoped table helper: the queries every versioned collection of a realm repeats,
//! generated from the table's declaration, its row and its fields.

/// Generates the realm-scoped row functions of a versioned collection table, in the calling
/// module:
///
/// - `scoped(realm)`: the table's rows of `realm`, boxed (every read of the module starts here,
///   so no query reaches another realm);
/// - `get(conn, realm, id)`: the entity `id` of `realm`;
/// - `insert(conn, realm, &item, actor, now)`: the item at its first version, counted;
/// - `update(conn, realm, &item, expected, actor, now)`: writes the fields when the stored
///   version is `expected`; returns whether it did (see `core::write::committed`);
/// - `delete(conn, realm, id)`: returns whether the row existed, uncounting it.
///
/// The table has `id` (the item's `Uuid` as text), `realm_id`, `version` and the audit columns
/// (`created_columns!`); `$row` is `Selectable` and converts with `TryFrom` into `$item`, which
/// has `id: Uuid`; `$fields::of(&item)` is its `Insertable + AsChangeset` columns. `counter`
/// names the row count kept in `core::db::counters` (`None`: not counted). `on_write` runs
/// after an insert and after an update that changed the row (secondary tables, indexes);
/// `on_delete` after a delete that removed it. Only the functions listed are generated. The
/// caller has `diesel::prelude::*` in scope.
///
/// ```ignore
/// portico_core::realm_table! {
///     table: clusters, row: ClusterRow, fields: ClusterFields, item: Cluster,
///     first_version: 0, counter: Some(COUNTER), fns: [get, insert, update],
/// }
/// ```
#[macro_export]
macro_rules! realm_table {
    (
        table: $table:ident, row: $row:ty, fields: $fields:ident, item: $item:ty,
        first_version: $first:expr, counter: $counter:expr,
        $(on_write: $on_write:expr,)?
        $(on_delete: $on_delete:expr,)?
        fns: [$($fn:ident),* $(,)?] $(,)?
    ) => {
        $crate::realm_table!(@all [$table, $row, $fields, $item, $first, $counter, [$($on_write)?], [$($on_delete)?]] $($fn)*);
    };
    (@all $args:tt $($fn:ident)*) => {
        $crate::realm_table!(@scoped $args);
        $( $crate::realm_table!(@$fn $args); )*
    };
    (@scoped [$table:ident, $($rest:tt)*]) => {
        /// The rows of this table in `realm`: every query of the module starts here.
        fn scoped<'a>(realm: $crate::RealmId) -> $table::BoxedQuery<'a, $crate::db::DbBackend> {
            $table::table.filter($table::realm_id.eq(realm)).into_boxed()
        }
    };
    (@get [$table:ident, $row:ty, $fields:ident, $item:ty, $first:expr, $counter:expr, [$($on_write:expr)?], [$($on_delete:expr)?]]) => {
        /// The entity `id` of `realm`.
        pub fn get(
            conn: &mut $crate::DbConnection,
            realm: $crate::RealmId,
            id: ::uuid::Uuid,
        ) -> ::diesel::QueryResult<Option<$item>> {
            let row: Option<$row> = $crate::db::UniqueDsl::unique(
                scoped(realm).filter($table::id.eq(id.to_string())).select(<$row>::as_select()),
                conn,
            )?;
            row.map(<$item>::try_from).transpose()
        }
    };
    (@insert [$table:ident, $row:ty, $fields:ident, $item:ty, $first:expr, $counter:expr, [$($on_write:expr)?], [$($on_delete:expr)?]]) => {
        /// Creates `item` at its first version (and counts it).
        pub fn insert(
            conn: &mut $crate::DbConnection,
            realm: $crate::RealmId,
            item: &$item,
            actor: &str,
            now: $crate::Timestamp,
        ) -> ::diesel::QueryResult<()> {
            ::diesel::insert_into($table::table)
                .values((
                    $fields::of(item),
                    $table::id.eq(item.id.to_string()),
                    $table::realm_id.eq(realm),
                    $crate::created_columns!($table, actor, now, $first),
                ))
                .execute(conn)?;
            $( ($on_write)(conn, realm, item)?; )?
            match $counter {
                Some(counter) => $crate::db::counters::adjust(conn, realm, counter, 1),
                None => Ok(()),
            }
        }
    };
    (@update [$table:ident, $row:ty, $fields:ident, $item:ty, $first:expr, $counter:expr, [$($on_write:expr)?], [$($on_delete:expr)?]]) => {
        /// Writes `item` when its stored version is `expected`; returns whether it changed.
        pub fn update(
            conn: &mut $crate::DbConnection,
            realm: $crate::RealmId,
            item: &$item,
            expected: i64,
            actor: &str,
            now: $crate::Timestamp,
        ) -> ::diesel::QueryResult<bool> {
            let changed = ::diesel::update(
                $table::table
                    .filter($table::realm_id.eq(realm))
                    .filter($table::id.eq(item.id.to_string()))
                    .filter($table::version.eq(expected)),
            )
            .set(($fields::of(item), $crate::modified_columns!($table, actor, now, expected)))
            .execute(conn)?;
            $( if changed == 1 { ($on_write)(conn, realm, item)?; } )?
            Ok(changed == 1)
        }
    };
    (@delete [$table:ident, $row:ty, $fields:ident, $item:ty, $first:expr, $counter:expr, [$($on_write:expr)?], [$($on_delete:expr)?]]) => {
        /// Deletes the entity `id` of `realm`; returns whether it existed.
        pub fn delete(
            conn: &mut $crate::DbConnection,
            realm: $crate::RealmId,
            id: ::uuid::Uuid,
        ) -> ::diesel::QueryResult<bool> {
            let deleted = ::diesel::delete(
                $table::table.filter($table::realm_id.eq(realm)).filter($table::id.eq(id.to_string())),
            )
            .execute(conn)?;
            if deleted == 1 {
                $( ($on_delete)(conn, realm, id)?; )?
                if let Some(counter) = $counter {
                    $crate::db::counters::adjust(conn, realm, counter, -1)?;
                }
            }
            Ok(deleted == 1)
        }
    };
}
