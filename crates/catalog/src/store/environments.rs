//! Environments.

use super::schema::catalog_environments as environments;
use crate::model::{Environment, EnvironmentFilter};
use diesel::prelude::*;
use portico_core::audit::Stamp;
use portico_core::db::text::contains;

use portico_core::page::{Page, PageRequest};
use portico_core::{CoreError, DbConnection, RealmId};
use time::PrimitiveDateTime;
use uuid::Uuid;

portico_core::sort_map! {
    /// How environments sort (Axual property names → columns).
    pub static ENVIRONMENT_SORT: environments::table {
        "name" => environments::name,
        "shortName" => environments::short_name,
        "description" => environments::description,
        "color" => environments::color,
        "retentionTime" => environments::retention_time,
        "partitions" => environments::partitions,
        "uid" => environments::id,
        "created_at" => environments::created_at,
        "modified_at" => environments::modified_at,
    }
    default environments::created_at, key environments::id
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = environments)]
struct EnvironmentRow {
    id: String,
    name: String,
    short_name: String,
    description: Option<String>,
    color: Option<String>,
    auto_approved: bool,
    private: bool,
    instance_id: Option<String>,
    owner_id: String,
    retention_time: i64,
    partitions: i64,
    properties: String,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

impl TryFrom<EnvironmentRow> for Environment {
    type Error = diesel::result::Error;

    fn try_from(row: EnvironmentRow) -> QueryResult<Environment> {
        Ok(Environment {
            id: super::uuid(&row.id)?,
            name: row.name,
            short_name: row.short_name,
            description: row.description,
            color: row.color,
            auto_approved: row.auto_approved,
            private: row.private,
            instance: row.instance_id.as_deref().map(super::uuid).transpose()?,
            owner: super::uuid(&row.owner_id)?,
            retention_time: row.retention_time,
            partitions: row.partitions,
            properties: super::properties::from_column(&row.properties)?,
            stamp: Stamp::from_columns(row.created_at, row.created_by, row.modified_at, row.modified_by),
            version: row.version,
        })
    }
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = environments, treat_none_as_null = true)]
struct EnvironmentFields<'a> {
    name: &'a str,
    short_name: &'a str,
    description: Option<&'a str>,
    color: Option<&'a str>,
    auto_approved: bool,
    private: bool,
    instance_id: Option<String>,
    owner_id: String,
    retention_time: i64,
    partitions: i64,
    properties: String,
}

impl<'a> EnvironmentFields<'a> {
    fn of(environment: &'a Environment) -> EnvironmentFields<'a> {
        EnvironmentFields {
            name: &environment.name,
            short_name: &environment.short_name,
            description: environment.description.as_deref(),
            color: environment.color.as_deref(),
            auto_approved: environment.auto_approved,
            private: environment.private,
            instance_id: environment.instance.map(|i| i.to_string()),
            owner_id: environment.owner.to_string(),
            retention_time: environment.retention_time,
            partitions: environment.partitions,
            properties: super::properties::to_column(&environment.properties),
        }
    }
}

portico_core::realm_table! {
    table: environments, row: EnvironmentRow, fields: EnvironmentFields, item: Environment,
    first_version: 0_i64, counter: None::<&str>, fns: [get, insert, update, delete],
}

/// Whether another environment of `realm` has the short name `short_name`.
pub fn short_name_taken(conn: &mut DbConnection, realm: RealmId, short_name: &str, except: Uuid) -> QueryResult<bool> {
    let ids: Vec<String> =
        scoped(realm).filter(environments::short_name.eq(short_name)).select(environments::id).load(conn)?;
    Ok(ids.iter().any(|id| *id != except.to_string()))
}

/// One page of the environments of `realm` matching `filter` that are public or owned by one
/// of `groups` (`None`: every environment, for those who see all).
pub fn page(
    conn: &mut DbConnection,
    realm: RealmId,
    filter: &EnvironmentFilter,
    groups: Option<&[Uuid]>,
    request: &PageRequest,
) -> Result<Page<Environment>, CoreError> {
    let owners: Option<Vec<String>> = groups.map(|g| g.iter().map(Uuid::to_string).collect());
    let filtered = || {
        let query = match filter {
            EnvironmentFilter::All => scoped(realm),
            EnvironmentFilter::Name(name) => scoped(realm).filter(environments::name.eq(name.clone())),
            EnvironmentFilter::NameContains(text) => scoped(realm).filter(contains(environments::name, text)),
            EnvironmentFilter::ShortName(name) => scoped(realm).filter(environments::short_name.eq(name.clone())),
            EnvironmentFilter::Instance(id) => scoped(realm).filter(environments::instance_id.eq(id.to_string())),
        };
        match &owners {
            Some(owners) => {
                query.filter(environments::private.eq(false).or(environments::owner_id.eq_any(owners.clone())))
            }
            None => query,
        }
    };
    let total = filtered().count().get_result::<i64>(conn)?.max(0) as u64;
    let rows: Vec<EnvironmentRow> = ENVIRONMENT_SORT.page(filtered(), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(EnvironmentRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}

/// How many environments of `realm` the group `owner` owns.
pub fn count_owned_by(conn: &mut DbConnection, realm: RealmId, owner: Uuid) -> QueryResult<u64> {
    let count: i64 = scoped(realm).filter(environments::owner_id.eq(owner.to_string())).count().get_result(conn)?;
    Ok(count.max(0) as u64)
}

/// The ids of the environments of `realm` on `instance`.
pub fn of_instance(conn: &mut DbConnection, realm: RealmId, instance: Uuid) -> QueryResult<Vec<Uuid>> {
    let ids: Vec<String> =
        scoped(realm).filter(environments::instance_id.eq(instance.to_string())).select(environments::id).load(conn)?;
    ids.iter().map(|id| super::uuid(id)).collect()
}
