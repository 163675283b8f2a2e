//! Streams.

use super::schema::catalog_streams as streams;
use crate::model::{DataType, Stream};
use diesel::prelude::*;
use portico_core::audit::Stamp;
use portico_core::db::counters;
use portico_core::db::text::{TrigramIndex, contains};
use portico_core::page::{Page, PageRequest};
use portico_core::{CoreError, DbConnection, RealmId};
use time::PrimitiveDateTime;
use uuid::Uuid;

/// The trigram index of stream names (migration `catalog_stream_name_search`).
pub(super) const NAME_INDEX: TrigramIndex = TrigramIndex {
    table: "catalog_stream_trigrams",
    counts: "catalog_stream_trigram_counts",
    realm: "catalog_streams.realm_id",
    id: "catalog_streams.id",
};

/// Counter name of streams per realm.
pub const COUNTER: &str = "streams";

portico_core::sort_map! {
    /// How streams sort (Axual property names → columns).
    pub static STREAM_SORT: streams::table {
        "name" => streams::name,
        "description" => streams::description,
        "retentionPolicy" => streams::retention_policy,
        "uid" => streams::id,
        "created_at" => streams::created_at,
        "modified_at" => streams::modified_at,
    }
    default streams::created_at, key streams::id
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = streams)]
struct StreamRow {
    id: String,
    name: String,
    description: Option<String>,
    properties: String,
    owner_id: String,
    retention_policy: String,
    key_type: String,
    value_type: String,
    key_schema_id: Option<String>,
    value_schema_id: Option<String>,
    integrity_id: Option<String>,
    confidentiality_id: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

fn corrupt(what: String) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(what.into())
}

fn data_type(text: &str) -> QueryResult<DataType> {
    DataType::parse(text).ok_or_else(|| corrupt(format!("'{text}' is not a data type")))
}

fn optional(id: Option<&str>) -> QueryResult<Option<Uuid>> {
    id.map(super::uuid).transpose()
}

impl TryFrom<StreamRow> for Stream {
    type Error = diesel::result::Error;

    fn try_from(row: StreamRow) -> QueryResult<Stream> {
        Ok(Stream {
            id: super::uuid(&row.id)?,
            name: row.name,
            description: row.description,
            properties: super::properties::from_column(&row.properties)?,
            owner: super::uuid(&row.owner_id)?,
            compacted: row.retention_policy == "compact",
            key_type: data_type(&row.key_type)?,
            value_type: data_type(&row.value_type)?,
            key_schema: optional(row.key_schema_id.as_deref())?,
            value_schema: optional(row.value_schema_id.as_deref())?,
            integrity: optional(row.integrity_id.as_deref())?,
            confidentiality: optional(row.confidentiality_id.as_deref())?,
            stamp: Stamp::from_columns(row.created_at, row.created_by, row.modified_at, row.modified_by),
            version: row.version,
        })
    }
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = streams, treat_none_as_null = true)]
struct StreamFields<'a> {
    name: &'a str,
    description: Option<&'a str>,
    properties: String,
    owner_id: String,
    retention_policy: &'static str,
    key_type: &'static str,
    value_type: &'static str,
    key_schema_id: Option<String>,
    value_schema_id: Option<String>,
    integrity_id: Option<String>,
    confidentiality_id: Option<String>,
}

impl<'a> StreamFields<'a> {
    fn of(stream: &'a Stream) -> StreamFields<'a> {
        let text = |id: Option<Uuid>| id.map(|id| id.to_string());
        StreamFields {
            name: &stream.name,
            description: stream.description.as_deref(),
            properties: super::properties::to_column(&stream.properties),
            owner_id: stream.owner.to_string(),
            retention_policy: if stream.compacted { "compact" } else { "delete" },
            key_type: stream.key_type.as_str(),
            value_type: stream.value_type.as_str(),
            key_schema_id: text(stream.key_schema),
            value_schema_id: text(stream.value_schema),
            integrity_id: text(stream.integrity),
            confidentiality_id: text(stream.confidentiality),
        }
    }
}

portico_core::realm_table! {
    table: streams, row: StreamRow, fields: StreamFields, item: Stream,
    first_version: 0_i64, counter: Some(COUNTER),
    on_write: |conn: &mut DbConnection, realm, stream: &Stream| NAME_INDEX.set(conn, realm, stream.id, &stream.name),
    on_delete: |conn: &mut DbConnection, _, id| NAME_INDEX.remove(conn, id),
    fns: [get, insert, update, delete],
}

/// Whether another stream of `realm` is named `name`.
pub fn name_taken(conn: &mut DbConnection, realm: RealmId, name: &str, except: Uuid) -> QueryResult<bool> {
    let ids: Vec<String> = scoped(realm).filter(streams::name.eq(name)).select(streams::id).load(conn)?;
    Ok(ids.iter().any(|id| *id != except.to_string()))
}

/// Which streams a listing wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamFilter {
    /// All of the realm's.
    All,
    /// Exactly this name.
    Name(String),
    /// Names containing the text, ignoring case.
    NameContains(String),
}

/// One page of the streams of `realm` matching `filter`.
pub fn page(
    conn: &mut DbConnection,
    realm: RealmId,
    filter: &StreamFilter,
    request: &PageRequest,
) -> Result<Page<Stream>, CoreError> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    let narrowing = match filter {
        StreamFilter::NameContains(text) => NAME_INDEX.narrowing(conn, realm, text)?,
        _ => None,
    };
    let filtered = || match filter {
        StreamFilter::All => scoped(realm),
        StreamFilter::Name(name) => scoped(realm).filter(streams::name.eq(name.clone())),
        StreamFilter::NameContains(text) => {
            let query = match &narrowing {
                // The realm's streams holding the text's rarest trigrams.
                Some(narrowing) => streams::table.into_boxed().filter(NAME_INDEX.candidates(sqlite, realm, narrowing)),
                None => scoped(realm),
            };
            query.filter(contains(streams::name, text))
        }
    };
    let total = match filter {
        StreamFilter::All => counters::get(conn, realm, COUNTER)?,
        _ => filtered().count().get_result::<i64>(conn)?.max(0) as u64,
    };
    let rows: Vec<StreamRow> = STREAM_SORT.page(filtered(), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(StreamRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}

/// How many streams of `realm` the group owns, or use a level.
pub fn count_referring(
    conn: &mut DbConnection,
    realm: RealmId,
    collection: &str,
    id: Uuid,
) -> QueryResult<Option<u64>> {
    let id = id.to_string();
    let query = scoped(realm);
    let query = match collection {
        "groups" => query.filter(streams::owner_id.eq(id)),
        "integrities" => query.filter(streams::integrity_id.eq(id)),
        "confidentialities" => query.filter(streams::confidentiality_id.eq(id)),
        _ => return Ok(None),
    };
    let count: i64 = query.count().get_result(conn)?;
    Ok(Some(count.max(0) as u64))
}
