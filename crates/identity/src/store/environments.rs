//! MATTR environments.

use super::schema::environments;
use crate::model::Environment;
use diesel::prelude::*;
use portico_core::DbConnection;
use portico_core::cursor::{CursorPage, CursorRequest, Keyset};
use portico_core::db::UniqueDsl;
use uuid::Uuid;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = environments)]
pub(crate) struct EnvironmentRow {
    id: String,
    name: String,
    domain: String,
    created_at: time::PrimitiveDateTime,
}

impl TryFrom<EnvironmentRow> for Environment {
    type Error = diesel::result::Error;

    fn try_from(row: EnvironmentRow) -> QueryResult<Self> {
        Ok(Environment {
            id: super::uuid(&row.id)?,
            name: row.name,
            domain: row.domain,
            created_at: row.created_at.into(),
        })
    }
}

/// Creates an environment.
pub fn insert(conn: &mut DbConnection, env: &Environment) -> QueryResult<()> {
    diesel::insert_into(environments::table)
        .values(EnvironmentRow {
            id: env.id.to_string(),
            name: env.name.clone(),
            domain: env.domain.clone(),
            created_at: env.created_at.as_primitive(),
        })
        .execute(conn)?;
    Ok(())
}

/// The environment `id`.
pub fn get(conn: &mut DbConnection, id: Uuid) -> QueryResult<Option<Environment>> {
    environments::table
        .find(id.to_string())
        .select(EnvironmentRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// The environment named `name`.
pub fn by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Environment>> {
    environments::table
        .filter(environments::name.eq(name))
        .select(EnvironmentRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// One cursor slice of environments, oldest first.
pub fn list(conn: &mut DbConnection, request: &CursorRequest) -> QueryResult<CursorPage<Environment>> {
    let query = portico_core::keyset_after!(
        environments::table.into_boxed(),
        environments::created_at,
        environments::id,
        request.after
    );
    let rows: Vec<EnvironmentRow> = query
        .order((environments::created_at.asc(), environments::id.asc()))
        .limit(i64::from(request.limit))
        .select(EnvironmentRow::as_select())
        .load(conn)?;
    let items: Vec<Environment> = rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?;
    let last = items.last().map(|e| Keyset::of(e.created_at, e.id));
    Ok(CursorPage { items, last })
}
