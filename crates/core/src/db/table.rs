//! Table declarations and what follows from them: a schema's declared tables and realm purge
//! (`schema_tables!`), the audit columns of versioned rows (`created_columns!`,
//! `modified_columns!`), and the realm-scoped queries every versioned collection repeats
//! (`realm_table!`).

use super::DbConnection;
use diesel::RunQueryDsl;

/// Used once at the end of a domain's `schema` module, after its `table!` declarations: lets the
/// tables appear in one query (`allow_tables_to_appear_in_same_query!`) and generates
/// `pub fn declared_tables()`, every table as its declaration has it (its name and the SQL of a
/// `SELECT` of its every column), which `testing::assert_schema_matches` compares with a migrated
/// database of either backend.
#[macro_export]
macro_rules! schema_tables {
    ($first:ident $(, $table:ident)+ $(,)?) => {
        diesel::allow_tables_to_appear_in_same_query!($first, $($table),+);
        $crate::schema_tables!(@declared $first $(, $table)+);
    };
    ($only:ident $(,)?) => {
        $crate::schema_tables!(@declared $only);
    };
    (@declared $($table:ident),+) => {

        /// Every table of this schema as its `table!` declaration has it (name, `SELECT` of
        /// every column), for `portico_core::testing::assert_schema_matches`.
        pub fn declared_tables() -> Vec<(&'static str, String)> {
            use diesel::QueryDsl as _;
            vec![$((
                stringify!($table),
                diesel::debug_query::<diesel::sqlite::Sqlite, _>(&$table::table.select($table::all_columns)).to_string(),
            )),+]
        }

        /// Deletes every row of `realm` from this schema's realm-scoped tables, derived from
        /// the declarations above (see `portico_core::db::purge_declared`).
        pub fn purge_realm(
            conn: &mut $crate::db::DbConnection,
            realm: $crate::RealmId,
        ) -> diesel::QueryResult<()> {
            $crate::db::purge_declared(conn, realm, &declared_tables())
        }
    };
}

/// Deletes every row of `realm` from the `declared` tables (a schema's `declared_tables()`)
/// that have a `realm_id` column, the last declared first: a schema declares a table after the
/// tables it refers to, so rows go before the rows they refer to. A realm's purge follows from
/// its tables' declarations, with no hand-kept list to forget a new table in.
pub fn purge_declared(
    conn: &mut DbConnection,
    realm: crate::RealmId,
    declared: &[(&'static str, String)],
) -> diesel::QueryResult<()> {
    for (table, select) in declared.iter().rev() {
        if realm_scoped(table, select) {
            diesel::sql_query(format!("DELETE FROM {table} WHERE realm_id = $1"))
                .bind::<diesel::sql_types::Text, _>(realm)
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Whether the declared `table` (its name and `SELECT` of every column, as `declared_tables()`
/// gives them) has a `realm_id` column: its rows belong to a realm.
pub fn realm_scoped(table: &str, select: &str) -> bool {
    select.contains(&format!("`{table}`.`realm_id`"))
}

/// The audit columns of a new row of `$table` (a `table!` module in scope), for an insert's
/// `values((fields, ..., created_columns!(table, actor, now)))`: `created_at`/`modified_at` now,
/// `created_by`/`modified_by` the actor, `version` 1. Every versioned table has these five.
#[macro_export]
macro_rules! created_columns {
    ($table:ident, $actor:expr, $now:expr $(,)?) => {
        $crate::created_columns!($table, $actor, $now, 1_i64)
    };
    // A first version other than 1 (Axual's entities start at ETag "0").
    ($table:ident, $actor:expr, $now:expr, $version:expr $(,)?) => {
        (
            $table::created_at.eq($now.as_primitive()),
            $table::created_by.eq($actor),
            $table::modified_at.eq($now.as_primitive()),
            $table::modified_by.eq($actor),
            $table::version.eq($version),
        )
    };
}

/// The audit columns of a change to a row of `$table` read at version `$expected`, for an
/// update's `set((fields, modified_columns!(table, actor, now, expected)))`; the update filters on
/// `version = expected`, so a concurrent change makes it write nothing (see `write::committed`).
#[macro_export]
macro_rules! modified_columns {
    ($table:ident, $actor:expr, $now:expr, $expected:expr $(,)?) => {
        (
            $table::modified_at.eq($now.as_primitive()),
            $table::modified_by.eq($actor),
            $table::version.eq($expected + 1_i64),
        )
    };
}

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
