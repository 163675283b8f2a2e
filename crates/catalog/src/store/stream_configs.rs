//! Stream configs.

use super::schema::catalog_stream_configs as configs;
use crate::model::StreamConfig;
use diesel::prelude::*;
use portico_core::audit::Stamp;
use portico_core::db::{DbBackend, UniqueDsl};
use portico_core::{DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;
use uuid::Uuid;

#[derive(Queryable, Selectable)]
#[diesel(table_name = configs)]
struct StreamConfigRow {
    id: String,
    stream_id: String,
    environment_id: String,
    retention_time: i64,
    partitions: i64,
    properties: String,
    key_schema_version_id: Option<String>,
    value_schema_version_id: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

impl TryFrom<StreamConfigRow> for StreamConfig {
    type Error = diesel::result::Error;

    fn try_from(row: StreamConfigRow) -> QueryResult<StreamConfig> {
        let optional = |id: Option<&str>| id.map(super::uuid).transpose();
        Ok(StreamConfig {
            id: super::uuid(&row.id)?,
            stream: super::uuid(&row.stream_id)?,
            environment: super::uuid(&row.environment_id)?,
            retention_time: row.retention_time,
            partitions: row.partitions,
            properties: super::properties::from_column(&row.properties)?,
            key_schema_version: optional(row.key_schema_version_id.as_deref())?,
            value_schema_version: optional(row.value_schema_version_id.as_deref())?,
            stamp: Stamp::from_columns(row.created_at, row.created_by, row.modified_at, row.modified_by),
            version: row.version,
        })
    }
}

/// The columns a write sets (stream and environment never change).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = configs, treat_none_as_null = true)]
struct StreamConfigFields {
    retention_time: i64,
    partitions: i64,
    properties: String,
    key_schema_version_id: Option<String>,
    value_schema_version_id: Option<String>,
}

impl StreamConfigFields {
    fn of(config: &StreamConfig) -> StreamConfigFields {
        let text = |id: Option<Uuid>| id.map(|id| id.to_string());
        StreamConfigFields {
            retention_time: config.retention_time,
            partitions: config.partitions,
            properties: super::properties::to_column(&config.properties),
            key_schema_version_id: text(config.key_schema_version),
            value_schema_version_id: text(config.value_schema_version),
        }
    }
}

/// Creates a stream config at version 0.
pub fn insert(
    conn: &mut DbConnection,
    realm: RealmId,
    config: &StreamConfig,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    diesel::insert_into(configs::table)
        .values((
            StreamConfigFields::of(config),
            configs::id.eq(config.id.to_string()),
            configs::realm_id.eq(realm),
            configs::stream_id.eq(config.stream.to_string()),
            configs::environment_id.eq(config.environment.to_string()),
            portico_core::created_columns!(configs, actor, now, 0_i64),
        ))
        .execute(conn)?;
    Ok(())
}

portico_core::realm_table! {
    table: configs, row: StreamConfigRow, fields: StreamConfigFields, item: StreamConfig,
    first_version: 0_i64, counter: None::<&str>, fns: [update, delete],
}

fn load(query: configs::BoxedQuery<'_, DbBackend>, conn: &mut DbConnection) -> QueryResult<Vec<StreamConfig>> {
    let rows: Vec<StreamConfigRow> =
        query.order(configs::created_at).then_order_by(configs::id).select(StreamConfigRow::as_select()).load(conn)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The config `id` of `realm`.
pub fn get(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<StreamConfig>> {
    scoped(realm)
        .filter(configs::id.eq(id.to_string()))
        .select(StreamConfigRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// Which configs a search wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamConfigFilter {
    /// The configs of a stream.
    Stream(Uuid),
    /// The configs on an environment.
    Environment(Uuid),
    /// The config of a stream on an environment (0 or 1).
    Pair(Uuid, Uuid),
}

/// The configs of `realm` matching `filter`, oldest first.
pub fn matching(conn: &mut DbConnection, realm: RealmId, filter: StreamConfigFilter) -> QueryResult<Vec<StreamConfig>> {
    let query = match filter {
        StreamConfigFilter::Stream(stream) => scoped(realm).filter(configs::stream_id.eq(stream.to_string())),
        StreamConfigFilter::Environment(environment) => {
            scoped(realm).filter(configs::environment_id.eq(environment.to_string()))
        }
        StreamConfigFilter::Pair(stream, environment) => scoped(realm)
            .filter(configs::stream_id.eq(stream.to_string()))
            .filter(configs::environment_id.eq(environment.to_string())),
    };
    load(query, conn)
}

/// How many configs of `realm` use the stream or environment `id` (`None`: configs never
/// refer to `collection`).
pub fn count_referring(
    conn: &mut DbConnection,
    realm: RealmId,
    collection: &str,
    id: Uuid,
) -> QueryResult<Option<u64>> {
    let id = id.to_string();
    let query = match collection {
        "streams" => scoped(realm).filter(configs::stream_id.eq(id)),
        "environments" => scoped(realm).filter(configs::environment_id.eq(id)),
        _ => return Ok(None),
    };
    let count: i64 = query.count().get_result(conn)?;
    Ok(Some(count.max(0) as u64))
}

/// Whether a config of the stream pins a key (`key`) or value schema version.
pub fn pins_versions(conn: &mut DbConnection, realm: RealmId, stream: Uuid, key: bool) -> QueryResult<bool> {
    let query = scoped(realm).filter(configs::stream_id.eq(stream.to_string()));
    let query = if key {
        query.filter(configs::key_schema_version_id.is_not_null())
    } else {
        query.filter(configs::value_schema_version_id.is_not_null())
    };
    let count: i64 = query.count().get_result(conn)?;
    Ok(count > 0)
}
