//! Dynamic-table queries. Every one filters on the realm (the owner) and the table; lookups by
//! column and value walk `flow_table_cells_lookup`.

use super::schema::{flow_table_cells as cells, flow_tables as tables};
use crate::tables::{Row, RowQuery, TableSummary};
use diesel::prelude::*;
use portico_core::db::{DbError, UniqueDsl};
use portico_core::{DbConnection, RealmId, Timestamp};
use std::collections::BTreeMap;

/// The realm's tables, by name.
pub fn list(conn: &mut DbConnection, realm: RealmId) -> QueryResult<Vec<TableSummary>> {
    let rows: Vec<(String, i64)> = tables::table
        .filter(tables::realm_id.eq(realm))
        .order(tables::table_name.asc())
        .select((tables::table_name, tables::row_count))
        .load(conn)?;
    Ok(rows.into_iter().map(|(name, row_count)| TableSummary { name, row_count }).collect())
}

/// Whether the table exists.
pub fn exists(conn: &mut DbConnection, realm: RealmId, table: &str) -> QueryResult<bool> {
    let found: Option<String> = tables::table
        .filter(tables::realm_id.eq(realm))
        .filter(tables::table_name.eq(table))
        .select(tables::table_name)
        .unique(conn)?;
    Ok(found.is_some())
}

/// Creates the table (its first row is added by the caller).
pub fn create(conn: &mut DbConnection, realm: RealmId, table: &str, actor: &str, now: Timestamp) -> QueryResult<()> {
    diesel::insert_into(tables::table)
        .values((
            tables::realm_id.eq(realm),
            tables::table_name.eq(table),
            tables::next_row.eq(1_i64),
            tables::row_count.eq(0_i64),
            tables::created_at.eq(now.as_primitive()),
            tables::created_by.eq(actor),
        ))
        .execute(conn)?;
    Ok(())
}

/// Locks table `table` of `realm` until the transaction ends, whether it exists yet or not, so
/// that get-or-add requests of one table queue, its creation included (core's key lock).
pub fn lock(conn: &mut DbConnection, realm: RealmId, table: &str) -> Result<(), DbError> {
    portico_core::db::lock_key(conn, realm, "flows.table", table)
}

/// The ids of the rows whose `column` holds `value`, in id order (at most `limit`).
pub fn matching(
    conn: &mut DbConnection,
    realm: RealmId,
    table: &str,
    column: &str,
    value: &str,
    limit: Option<i64>,
) -> QueryResult<Vec<i64>> {
    let mut query = cells::table
        .filter(cells::realm_id.eq(realm))
        .filter(cells::table_name.eq(table))
        .filter(cells::column_name.eq(column))
        .filter(cells::value.eq(value))
        .order(cells::row_id.asc())
        .select(cells::row_id)
        .into_boxed();
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    query.load(conn)
}

/// The rows `ids` with their cells.
pub fn rows(conn: &mut DbConnection, realm: RealmId, table: &str, ids: &[i64]) -> QueryResult<Vec<Row>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<(i64, String, String)> = cells::table
        .filter(cells::realm_id.eq(realm))
        .filter(cells::table_name.eq(table))
        .filter(cells::row_id.eq_any(ids))
        .order((cells::row_id.asc(), cells::column_name.asc()))
        .select((cells::row_id, cells::column_name, cells::value))
        .load(conn)?;
    let mut rows: BTreeMap<i64, BTreeMap<String, String>> = BTreeMap::new();
    for (id, column, value) in found {
        rows.entry(id).or_default().insert(column, value);
    }
    Ok(rows.into_iter().map(|(id, cells)| Row { id, cells }).collect())
}

/// A page of row ids: every row, or those matching the query's filter.
pub fn page(conn: &mut DbConnection, realm: RealmId, table: &str, query: &RowQuery) -> QueryResult<Vec<i64>> {
    match &query.filter {
        Some((column, value)) => cells::table
            .filter(cells::realm_id.eq(realm))
            .filter(cells::table_name.eq(table))
            .filter(cells::column_name.eq(column))
            .filter(cells::value.eq(value))
            .order(cells::row_id.asc())
            .select(cells::row_id)
            .offset(query.offset)
            .limit(query.limit)
            .load(conn),
        None => cells::table
            .filter(cells::realm_id.eq(realm))
            .filter(cells::table_name.eq(table))
            .select(cells::row_id)
            .distinct()
            .order(cells::row_id.asc())
            .offset(query.offset)
            .limit(query.limit)
            .load(conn),
    }
}

/// Adds a row; returns its id.
pub fn insert_row(
    conn: &mut DbConnection,
    realm: RealmId,
    table: &str,
    row: &BTreeMap<String, String>,
) -> QueryResult<i64> {
    let id: i64 = diesel::update(tables::table.filter(tables::realm_id.eq(realm)).filter(tables::table_name.eq(table)))
        .set((tables::next_row.eq(tables::next_row + 1_i64), tables::row_count.eq(tables::row_count + 1_i64)))
        .returning(tables::next_row)
        .get_result::<i64>(conn)?
        - 1;
    set_cells(conn, realm, table, id, row)?;
    Ok(id)
}

/// Sets `row`'s cells (replacing values of the same columns).
pub fn set_cells(
    conn: &mut DbConnection,
    realm: RealmId,
    table: &str,
    id: i64,
    values: &BTreeMap<String, String>,
) -> QueryResult<()> {
    if values.is_empty() {
        return Ok(());
    }
    let columns: Vec<&String> = values.keys().collect();
    diesel::delete(
        cells::table
            .filter(cells::realm_id.eq(realm))
            .filter(cells::table_name.eq(table))
            .filter(cells::row_id.eq(id))
            .filter(cells::column_name.eq_any(columns)),
    )
    .execute(conn)?;
    use diesel::sql_types::{BigInt, Text};
    let sql = portico_core::db::insert_values_sql(
        "flow_table_cells",
        &["realm_id", "table_name", "row_id", "column_name", "value"],
        values.len(),
    );
    let mut statement = diesel::sql_query(sql).into_boxed::<portico_core::db::DbBackend>();
    for (column, value) in values {
        statement = statement
            .bind::<Text, _>(realm)
            .bind::<Text, _>(table.to_owned())
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(column.clone())
            .bind::<Text, _>(value.clone());
    }
    statement.execute(conn)?;
    Ok(())
}

/// Removes rows `ids`; returns how many.
pub fn delete_rows(conn: &mut DbConnection, realm: RealmId, table: &str, ids: &[i64]) -> QueryResult<i64> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(
        cells::table
            .filter(cells::realm_id.eq(realm))
            .filter(cells::table_name.eq(table))
            .filter(cells::row_id.eq_any(ids)),
    )
    .execute(conn)?;
    adjust_count(conn, realm, table, -(ids.len() as i64))?;
    Ok(ids.len() as i64)
}

fn adjust_count(conn: &mut DbConnection, realm: RealmId, table: &str, delta: i64) -> QueryResult<()> {
    diesel::update(tables::table.filter(tables::realm_id.eq(realm)).filter(tables::table_name.eq(table)))
        .set(tables::row_count.eq(tables::row_count + delta))
        .execute(conn)?;
    Ok(())
}

/// Removes the `column` cells of rows `ids` (of every row when `None`); rows left without a
/// cell are gone. Returns how many cells were removed.
pub fn delete_cells(
    conn: &mut DbConnection,
    realm: RealmId,
    table: &str,
    column: &str,
    ids: Option<&[i64]>,
) -> QueryResult<i64> {
    let touched: Vec<i64> = match ids {
        Some(ids) => ids.to_vec(),
        None => cells::table
            .filter(cells::realm_id.eq(realm))
            .filter(cells::table_name.eq(table))
            .filter(cells::column_name.eq(column))
            .select(cells::row_id)
            .load(conn)?,
    };
    let (mut removed, mut emptied) = (0_i64, 0_i64);
    for chunk in touched.chunks(1000) {
        removed += diesel::delete(
            cells::table
                .filter(cells::realm_id.eq(realm))
                .filter(cells::table_name.eq(table))
                .filter(cells::column_name.eq(column))
                .filter(cells::row_id.eq_any(chunk)),
        )
        .execute(conn)? as i64;
        // Rows that lost their last cell no longer exist.
        let still: Vec<i64> = cells::table
            .filter(cells::realm_id.eq(realm))
            .filter(cells::table_name.eq(table))
            .filter(cells::row_id.eq_any(chunk))
            .select(cells::row_id)
            .distinct()
            .load(conn)?;
        emptied += (chunk.len() - still.len()) as i64;
    }
    if emptied > 0 {
        adjust_count(conn, realm, table, -emptied)?;
    }
    Ok(removed)
}

/// Removes a table with every row; returns whether it existed.
pub fn delete_table(conn: &mut DbConnection, realm: RealmId, table: &str) -> QueryResult<bool> {
    diesel::delete(cells::table.filter(cells::realm_id.eq(realm)).filter(cells::table_name.eq(table))).execute(conn)?;
    let removed = diesel::delete(tables::table.filter(tables::realm_id.eq(realm)).filter(tables::table_name.eq(table)))
        .execute(conn)?;
    Ok(removed == 1)
}
