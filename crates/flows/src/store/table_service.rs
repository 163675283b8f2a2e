//! Dynamic tables: reads, adds, get-or-add (serialised per table) and deletes.

use super::{FlowsStore, tables};
use crate::error::FlowsError;
use crate::error::not_found;
use crate::tables::{MAX_LIMIT, Row, RowQuery, Upsert, check_name, check_value};
use portico_core::audit::audited_write;
use portico_core::{CoreError, DbConnection, RealmId, RequestContext};
use std::collections::BTreeMap;

fn no_table(table: &str) -> FlowsError {
    not_found("Table", "table_not_found", table)
}

fn no_row(table: &str, column: &str, value: &str) -> FlowsError {
    not_found("Row", "row_not_found", format!("{table}/{column}={value}"))
}

fn check_lookup(table: &str, column: &str, value: &str) -> Result<(), FlowsError> {
    check_name("table", table)?;
    check_name("column", column)?;
    check_value("value", value)
}

impl FlowsStore {
    fn existing_table(&self, conn: &mut DbConnection, realm: RealmId, table: &str) -> Result<(), FlowsError> {
        if tables::exists(conn, realm, table)? { Ok(()) } else { Err(no_table(table)) }
    }

    /// Creates the table unless it exists; two creators at once: the loser runs again.
    fn ensure_table(&self, conn: &mut DbConnection, ctx: &RequestContext, table: &str) -> Result<(), FlowsError> {
        if tables::exists(conn, ctx.realm.id, table)? {
            return Ok(());
        }
        tables::create(conn, ctx.realm.id, table, ctx.actor(), self.clock.now())
            .map_err(|err| CoreError::on_unique(err, || CoreError::LostRace))
    }

    pub(super) fn rows_of(&self, ctx: &RequestContext, table: &str, query: &RowQuery) -> Result<Vec<Row>, FlowsError> {
        check_name("table", table)?;
        if let Some((column, value)) = &query.filter {
            check_lookup(table, column, value)?;
        }
        let mut query = query.clone();
        query.limit = query.limit.clamp(1, MAX_LIMIT);
        query.offset = query.offset.max(0);
        let realm = ctx.realm.id;
        self.db.read(|conn| {
            self.existing_table(conn, realm, table)?;
            let ids = tables::page(conn, realm, table, &query)?;
            Ok(tables::rows(conn, realm, table, &ids)?)
        })
    }

    pub(super) fn row_by(
        &self,
        ctx: &RequestContext,
        table: &str,
        column: &str,
        value: &str,
    ) -> Result<Row, FlowsError> {
        check_lookup(table, column, value)?;
        let realm = ctx.realm.id;
        self.db.read(|conn| {
            self.existing_table(conn, realm, table)?;
            let ids = tables::matching(conn, realm, table, column, value, Some(1))?;
            tables::rows(conn, realm, table, &ids)?.into_iter().next().ok_or_else(|| no_row(table, column, value))
        })
    }

    pub(super) fn insert_row(
        &self,
        ctx: &RequestContext,
        table: &str,
        cells: BTreeMap<String, String>,
    ) -> Result<Row, FlowsError> {
        check_name("table", table)?;
        if cells.is_empty() {
            return Err(FlowsError::invalid("cells", "a row needs at least one cell"));
        }
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "table.add_row", "table", |conn| {
            tables::lock(conn, realm, table)?;
            self.ensure_table(conn, ctx, table)?;
            let id = tables::insert_row(conn, realm, table, &cells)?;
            Ok((Row { id, cells: cells.clone() }, table.to_owned()))
        })
    }

    pub(super) fn get_or_add(
        &self,
        ctx: &RequestContext,
        table: &str,
        upsert: Upsert,
    ) -> Result<(Row, bool), FlowsError> {
        check_lookup(table, &upsert.column, &upsert.value)?;
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "table.upsert_row", "table", |conn| {
            // One get-or-add of a table at a time, its creation included: a second one for the
            // same key finds the row.
            tables::lock(conn, realm, table)?;
            if upsert.create_table && upsert.create_row {
                self.ensure_table(conn, ctx, table)?;
            } else {
                self.existing_table(conn, realm, table)?;
            }
            let found = tables::matching(conn, realm, table, &upsert.column, &upsert.value, Some(1))?;
            match found.first() {
                Some(id) => {
                    tables::set_cells(conn, realm, table, *id, &upsert.cells)?;
                    let row = tables::rows(conn, realm, table, &[*id])?.into_iter().next();
                    Ok(((row.unwrap_or(Row { id: *id, cells: BTreeMap::new() }), false), table.to_owned()))
                }
                None if upsert.create_row => {
                    let mut cells = upsert.cells.clone();
                    cells.insert(upsert.column.clone(), upsert.value.clone());
                    let id = tables::insert_row(conn, realm, table, &cells)?;
                    Ok(((Row { id, cells }, true), table.to_owned()))
                }
                None => Err(no_row(table, &upsert.column, &upsert.value)),
            }
        })
    }

    pub(super) fn remove_table(&self, ctx: &RequestContext, table: &str) -> Result<(), FlowsError> {
        check_name("table", table)?;
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "table.delete", "table", |conn| {
            if !tables::delete_table(conn, realm, table)? {
                return Err(no_table(table));
            }
            Ok(((), table.to_owned()))
        })
    }

    pub(super) fn remove_rows(
        &self,
        ctx: &RequestContext,
        table: &str,
        column: &str,
        value: &str,
    ) -> Result<i64, FlowsError> {
        check_lookup(table, column, value)?;
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "table.delete_rows", "table", |conn| {
            self.existing_table(conn, realm, table)?;
            tables::lock(conn, realm, table)?;
            let ids = tables::matching(conn, realm, table, column, value, None)?;
            Ok((tables::delete_rows(conn, realm, table, &ids)?, table.to_owned()))
        })
    }

    /// Removes the `target` cells of every row, or of the rows matching `lookup`.
    pub(super) fn remove_cells(
        &self,
        ctx: &RequestContext,
        table: &str,
        target: &str,
        lookup: Option<(&str, &str)>,
    ) -> Result<i64, FlowsError> {
        check_name("table", table)?;
        check_name("column", target)?;
        if let Some((column, value)) = lookup {
            check_lookup(table, column, value)?;
        }
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "table.delete_cells", "table", |conn| {
            self.existing_table(conn, realm, table)?;
            tables::lock(conn, realm, table)?;
            let removed = match lookup {
                Some((column, value)) => {
                    let ids = tables::matching(conn, realm, table, column, value, None)?;
                    tables::delete_cells(conn, realm, table, target, Some(&ids))?
                }
                None => tables::delete_cells(conn, realm, table, target, None)?,
            };
            Ok((removed, table.to_owned()))
        })
    }
}
