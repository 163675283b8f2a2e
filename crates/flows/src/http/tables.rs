//! `/{ownerId}/management/registry/tables`: dynamic tables, rows, lookups and deletes.

use super::param;
use crate::service::FlowsService;
use crate::tables::{MAX_LIMIT, Row, RowQuery, SentCells, TableSummary, Upsert, cells_from};
use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post};
use portico_core::http::{ApiError, Json, QueryPairs};
use portico_core::page::Window;
use portico_core::{RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A table.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TableBody {
    /// Its name.
    pub name: String,
    /// How many rows it holds.
    pub row_count: i64,
}

impl From<TableSummary> for TableBody {
    fn from(table: TableSummary) -> Self {
        TableBody { name: table.name, row_count: table.row_count }
    }
}

/// A row.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RowBody {
    /// Its id in the table.
    pub row_id: i64,
    /// Column → value.
    pub cells: BTreeMap<String, String>,
}

impl From<Row> for RowBody {
    fn from(row: Row) -> Self {
        RowBody { row_id: row.id, cells: row.cells }
    }
}

/// Rows a listing returns when no `limit` is given.
const DEFAULT_LIMIT: i64 = 100;

/// `POST .../rows`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRowRequest {
    /// Column → value (string, number or boolean; stored as text, numbers with the digits
    /// they were sent with).
    #[schema(value_type = Object)]
    pub cells: Option<SentCells>,
}

/// The lookup of a get-or-add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    /// The column.
    pub column: String,
    /// Its value.
    pub value: String,
}

/// `PATCH .../rows`: get the row matching `lookup`, update `cells` on it, add it (and the
/// table) when asked to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpsertRequest {
    /// How to find the row.
    pub lookup: Option<Lookup>,
    /// Cells to set on the row found or added.
    #[schema(value_type = Object)]
    pub cells: Option<SentCells>,
    /// Create the table when it does not exist (with `createRow`).
    #[serde(default)]
    pub create_table: bool,
    /// Add the row (lookup cell and `cells`) when none matches.
    #[serde(default)]
    pub create_row: bool,
}

/// How many rows or cells a delete removed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeletedBody {
    /// The count.
    pub deleted: i64,
}

/// A single cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellBody {
    /// The column.
    pub column: String,
    /// Its value.
    pub value: String,
}

/// Get all tables of the owner.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_list_tables",
    params(("ownerId" = String, Path, description = "The owner")),
    responses((status = 200, description = "The tables, by name", body = Vec<TableBody>)))]
#[get("/{ownerId}/management/registry/tables")]
pub async fn list_tables(ctx: RequestContext, svc: Data<dyn FlowsService>) -> Result<HttpResponse, ApiError> {
    let tables = run_blocking(move || svc.tables(&ctx)).await?;
    Ok(HttpResponse::Ok().json(tables.into_iter().map(TableBody::from).collect::<Vec<_>>()))
}

/// Get the rows of a table: `offset` (default 0), `limit` (1..1000, default 100), and
/// optionally `column` with `value` to keep the rows that match.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_table_rows",
    params(("ownerId" = String, Path, description = "The owner"), ("table" = String, Path, description = "The table"),
        ("offset" = Option<i64>, Query, description = "Rows to skip"), ("limit" = Option<i64>, Query, description = "At most this many (1..1000, default 100)"),
        ("column" = Option<String>, Query, description = "Filter: the column"), ("value" = Option<String>, Query, description = "Filter: its value")),
    responses((status = 200, description = "The rows, by id", body = Vec<RowBody>), (status = 404, description = "No such table")))]
#[get("/{ownerId}/management/registry/tables/{table}/rows")]
pub async fn table_rows(
    ctx: RequestContext,
    req: HttpRequest,
    query: QueryPairs,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let query = query.canonical(&["offset", "limit", "column", "value"]).map_err(ApiError::new)?;
    let window = Window::from_query(&query.0, Some(DEFAULT_LIMIT), MAX_LIMIT)?;
    let filter = match (query.get("column"), query.get("value")) {
        (Some(column), Some(value)) => Some((column.to_owned(), value.to_owned())),
        (None, None) => None,
        _ => {
            return Err(ApiError::new(
                portico_core::http::Failure::new(
                    portico_core::ErrorKind::Invalid,
                    "invalid_parameter",
                    "'column' and 'value' filter together",
                )
                .with_field("column")
                .in_location("query"),
            ));
        }
    };
    let rows = RowQuery { filter, offset: window.offset, limit: window.limit.unwrap_or(DEFAULT_LIMIT) };
    let table = param(&req, "table")?;
    let found = run_blocking(move || svc.table_rows(&ctx, &table, &rows)).await?;
    Ok(HttpResponse::Ok().json(found.into_iter().map(RowBody::from).collect::<Vec<_>>()))
}

/// Get the full row whose `column` holds `value` (the first by id).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_lookup_row",
    params(("ownerId" = String, Path, description = "The owner"), ("table" = String, Path, description = "The table"),
        ("column" = String, Path, description = "The column"), ("value" = String, Path, description = "Its value")),
    responses((status = 200, description = "The row", body = RowBody), (status = 404, description = "No such table or row")))]
#[get("/{ownerId}/management/registry/tables/{table}/rows/{column}/{value}")]
pub async fn lookup_row(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (table, column, value) = (param(&req, "table")?, param(&req, "column")?, param(&req, "value")?);
    let row = run_blocking(move || svc.lookup_row(&ctx, &table, &column, &value)).await?;
    Ok(HttpResponse::Ok().json(RowBody::from(row)))
}

/// Get one cell (`targetColumn`) of the row whose `column` holds `value`.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_lookup_cell",
    params(("ownerId" = String, Path, description = "The owner"), ("table" = String, Path, description = "The table"),
        ("column" = String, Path, description = "The column"), ("value" = String, Path, description = "Its value"),
        ("targetColumn" = String, Path, description = "The cell's column")),
    responses((status = 200, description = "The cell", body = CellBody), (status = 404, description = "No such table, row or cell")))]
#[get("/{ownerId}/management/registry/tables/{table}/rows/{column}/{value}/{targetColumn}")]
pub async fn lookup_cell(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (table, column, value) = (param(&req, "table")?, param(&req, "column")?, param(&req, "value")?);
    let target = param(&req, "targetColumn")?;
    let wanted = target.clone();
    let row = run_blocking(move || svc.lookup_row(&ctx, &table, &column, &value)).await?;
    let value = row.cells.get(&wanted).cloned().ok_or_else(|| {
        ApiError::new(portico_core::http::Failure::new(
            portico_core::ErrorKind::NotFound,
            "cell_not_found",
            format!("The row has no '{wanted}' cell"),
        ))
    })?;
    Ok(HttpResponse::Ok().json(CellBody { column: target, value }))
}

/// Add a row (creating the table when it does not exist).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_add_row", request_body = AddRowRequest,
    params(("ownerId" = String, Path, description = "The owner"), ("table" = String, Path, description = "The table")),
    responses((status = 201, description = "Added", body = RowBody), (status = 400, description = "Invalid cells (the problem names the field)")))]
#[post("/{ownerId}/management/registry/tables/{table}/rows")]
pub async fn add_row(
    ctx: RequestContext,
    req: HttpRequest,
    body: Json<AddRowRequest>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let cells = cells_from("cells", body.0.cells.as_ref())?;
    let table = param(&req, "table")?;
    let row = run_blocking(move || svc.add_row(&ctx, &table, cells)).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(RowBody::from(row)))
}

/// Get, and optionally add or update, the row matching `lookup` (see the body's fields).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_upsert_row", request_body = UpsertRequest,
    params(("ownerId" = String, Path, description = "The owner"), ("table" = String, Path, description = "The table")),
    responses((status = 200, description = "The row found (and updated)", body = RowBody), (status = 201, description = "The row added", body = RowBody),
        (status = 400, description = "Invalid lookup or cells"), (status = 404, description = "No such table, or no row and createRow not set")))]
#[patch("/{ownerId}/management/registry/tables/{table}/rows")]
pub async fn upsert_row(
    ctx: RequestContext,
    req: HttpRequest,
    body: Json<UpsertRequest>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let lookup = body
        .lookup
        .ok_or_else(|| crate::error::FlowsError::invalid("lookup", "'lookup' ({\"column\", \"value\"}) is required"))?;
    let upsert = Upsert {
        column: lookup.column,
        value: lookup.value,
        cells: cells_from("cells", body.cells.as_ref())?,
        create_table: body.create_table,
        create_row: body.create_row,
    };
    let table = param(&req, "table")?;
    let (row, added) = run_blocking(move || svc.upsert_row(&ctx, &table, upsert)).await?;
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok(HttpResponse::build(status).json(RowBody::from(row)))
}

/// Delete a table with every row.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_delete_table",
    params(("ownerId" = String, Path, description = "The owner"), ("table" = String, Path, description = "The table")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such table")))]
#[delete("/{ownerId}/management/registry/tables/{table}")]
pub async fn delete_table(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let table = param(&req, "table")?;
    run_blocking(move || svc.delete_table(&ctx, &table)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Delete a column from every row (rows left without a cell are gone).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_delete_column",
    params(("ownerId" = String, Path, description = "The owner"), ("table" = String, Path, description = "The table"), ("column" = String, Path, description = "The column")),
    responses((status = 200, description = "How many cells were removed", body = DeletedBody), (status = 404, description = "No such table")))]
#[delete("/{ownerId}/management/registry/tables/{table}/columns/{column}")]
pub async fn delete_column(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (table, column) = (param(&req, "table")?, param(&req, "column")?);
    let deleted = run_blocking(move || svc.delete_column(&ctx, &table, &column)).await?;
    Ok(HttpResponse::Ok().json(DeletedBody { deleted }))
}

/// Delete the rows whose `column` holds `value`.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_delete_rows",
    params(("ownerId" = String, Path, description = "The owner"), ("table" = String, Path, description = "The table"),
        ("column" = String, Path, description = "The column"), ("value" = String, Path, description = "Its value")),
    responses((status = 200, description = "How many rows were removed", body = DeletedBody), (status = 404, description = "No such table")))]
#[delete("/{ownerId}/management/registry/tables/{table}/rows/{column}/{value}")]
pub async fn delete_rows(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (table, column, value) = (param(&req, "table")?, param(&req, "column")?, param(&req, "value")?);
    let deleted = run_blocking(move || svc.delete_rows(&ctx, &table, &column, &value)).await?;
    Ok(HttpResponse::Ok().json(DeletedBody { deleted }))
}

/// Delete the `targetColumn` cells of the rows whose `column` holds `value`.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_delete_cells",
    params(("ownerId" = String, Path, description = "The owner"), ("table" = String, Path, description = "The table"),
        ("column" = String, Path, description = "The column"), ("value" = String, Path, description = "Its value"),
        ("targetColumn" = String, Path, description = "The cells' column")),
    responses((status = 200, description = "How many cells were removed", body = DeletedBody), (status = 404, description = "No such table")))]
#[delete("/{ownerId}/management/registry/tables/{table}/rows/{column}/{value}/{targetColumn}")]
pub async fn delete_cells(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (table, column, value) = (param(&req, "table")?, param(&req, "column")?, param(&req, "value")?);
    let target = param(&req, "targetColumn")?;
    let deleted = run_blocking(move || svc.delete_cells(&ctx, &table, &column, &value, &target)).await?;
    Ok(HttpResponse::Ok().json(DeletedBody { deleted }))
}
