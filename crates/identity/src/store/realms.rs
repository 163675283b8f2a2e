//! Realms (tenants).

use super::schema::realms;
use crate::error::IdentityError;
use crate::model::{AuditStamp, Realm};
use crate::service::RealmFilter;
use diesel::prelude::*;
use portico_core::DbConnection;
use portico_core::RealmId;
use portico_core::context::MASTER_REALM;
use portico_core::cursor::{CursorPage, CursorRequest, Keyset};
use portico_core::db::UniqueDsl;
use portico_core::db::text::contains;
use portico_core::db::{DbBackend, counters};
use portico_core::page::{Page, PageRequest};
use time::PrimitiveDateTime;
use uuid::Uuid;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = realms, treat_none_as_null = true)]
pub(crate) struct RealmRow {
    id: RealmId,
    name: String,
    display_name: String,
    environment_id: String,
    domain: Option<String>,
    logo: Option<String>,
    issuer_url: Option<String>,
    data_classification_enabled: bool,
    feature_config: Option<String>,
    retention_time: i64,
    partitions: i64,
    properties: String,
    contact_user_id: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

impl TryFrom<RealmRow> for Realm {
    type Error = diesel::result::Error;

    fn try_from(row: RealmRow) -> QueryResult<Self> {
        Ok(Realm {
            id: row.id,
            name: row.name,
            display_name: row.display_name,
            environment_id: super::uuid(&row.environment_id)?,
            domain: row.domain,
            logo: row.logo,
            issuer_url: row.issuer_url,
            data_classification_enabled: row.data_classification_enabled,
            feature_config: row.feature_config,
            retention_time: row.retention_time,
            partitions: row.partitions,
            properties: serde_json::from_str(&row.properties).map_err(|e| {
                diesel::result::Error::DeserializationError(format!("realm properties are not JSON: {e}").into())
            })?,
            contact_user_id: row.contact_user_id.as_deref().map(super::uuid).transpose()?,
            audit: AuditStamp {
                created_at: row.created_at.into(),
                created_by: row.created_by,
                modified_at: Some(row.modified_at.into()),
                modified_by: row.modified_by,
            },
            version: row.version,
        })
    }
}

impl From<&Realm> for RealmRow {
    fn from(realm: &Realm) -> Self {
        RealmRow {
            id: realm.id,
            name: realm.name.clone(),
            display_name: realm.display_name.clone(),
            environment_id: realm.environment_id.to_string(),
            domain: realm.domain.clone(),
            logo: realm.logo.clone(),
            issuer_url: realm.issuer_url.clone(),
            data_classification_enabled: realm.data_classification_enabled,
            feature_config: realm.feature_config.clone(),
            retention_time: realm.retention_time,
            partitions: realm.partitions,
            properties: serde_json::to_string(&realm.properties).unwrap_or_else(|_| "{}".into()),
            contact_user_id: realm.contact_user_id.map(|id| id.to_string()),
            created_at: realm.audit.created_at.as_primitive(),
            created_by: realm.audit.created_by.clone(),
            modified_at: realm.audit.modified_at.unwrap_or(realm.audit.created_at).as_primitive(),
            modified_by: realm.audit.modified_by.clone(),
            version: realm.version,
        }
    }
}

/// Creates a realm (and counts it, unless it is `master`).
pub fn insert(conn: &mut DbConnection, realm: &Realm) -> QueryResult<()> {
    diesel::insert_into(realms::table).values(RealmRow::from(realm)).execute(conn)?;
    if realm.name != MASTER_REALM {
        counters::adjust(conn, PLATFORM, COUNTER, 1)?;
    }
    Ok(())
}

/// The realm `id`.
pub fn get(conn: &mut DbConnection, id: RealmId) -> QueryResult<Option<Realm>> {
    realms::table.find(id).select(RealmRow::as_select()).unique(conn)?.map(TryInto::try_into).transpose()
}

/// The realm named `name`.
pub fn by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Realm>> {
    realms::table
        .filter(realms::name.eq(name))
        .select(RealmRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// Whether any realm exists (an empty database means first start).
pub fn any(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(realms::table.select(realms::id))).get_result(conn)
}

portico_core::sort_map! {
    /// How tenants sort (Axual property names → columns).
    pub static REALM_SORT: realms::table {
        "name" => realms::display_name,
        "shortName" => realms::name,
        "retentionTime" => realms::retention_time,
        "partitions" => realms::partitions,
        "uid" => realms::id,
        "created_at" => realms::created_at,
        "modified_at" => realms::modified_at,
    }
    default realms::created_at, key realms::id
}

/// Counter of tenant realms (every realm but `master`), kept under the platform's own key.
pub const COUNTER: &str = "tenants";
/// The counters key of platform-wide totals.
pub const PLATFORM: RealmId = RealmId::new(Uuid::nil());

fn filtered<'a>(filter: &'a RealmFilter) -> realms::BoxedQuery<'a, DbBackend> {
    let query = realms::table.into_boxed();
    match filter {
        RealmFilter::All => query.filter(realms::name.ne(MASTER_REALM)),
        RealmFilter::DisplayName(name) => {
            query.filter(realms::name.ne(MASTER_REALM)).filter(realms::display_name.eq(name))
        }
        RealmFilter::DisplayNameContains(text) => {
            query.filter(realms::name.ne(MASTER_REALM)).filter(contains(realms::display_name, text))
        }
        RealmFilter::Name(name) => query.filter(realms::name.ne(MASTER_REALM)).filter(realms::name.eq(name)),
        RealmFilter::Id(id) => query.filter(realms::id.eq(id.to_string())),
    }
}

/// One page of realms matching `filter`.
pub fn page(
    conn: &mut DbConnection,
    filter: &RealmFilter,
    request: &PageRequest,
) -> Result<Page<Realm>, IdentityError> {
    let total = match filter {
        RealmFilter::All => counters::get(conn, PLATFORM, COUNTER)?,
        _ => filtered(filter).count().get_result::<i64>(conn)?.max(0) as u64,
    };
    let rows: Vec<RealmRow> = REALM_SORT.page(filtered(filter), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(RealmRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}

/// One cursor slice of tenant realms (not `master`), oldest first.
pub fn list(conn: &mut DbConnection, request: &CursorRequest) -> QueryResult<CursorPage<Realm>> {
    let query = realms::table.filter(realms::name.ne(MASTER_REALM)).into_boxed();
    let query = portico_core::keyset_after!(query, realms::created_at, realms::id, request.after);
    let rows: Vec<RealmRow> = query
        .order((realms::created_at.asc(), realms::id.asc()))
        .limit(i64::from(request.limit))
        .select(RealmRow::as_select())
        .load(conn)?;
    let items: Vec<Realm> = rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?;
    let last = items.last().map(|r| Keyset::of(r.audit.created_at, r.id));
    Ok(CursorPage { items, last })
}

/// Writes every field of `realm` when its stored version is `expected` (the caller bumps
/// `realm.version`); returns whether it was written.
pub fn update(conn: &mut DbConnection, realm: &Realm, expected: i64) -> QueryResult<bool> {
    let updated = diesel::update(realms::table.find(realm.id).filter(realms::version.eq(expected)))
        .set(RealmRow::from(realm))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Deletes the realm row (identity rows cascade) and uncounts it; returns whether it existed.
pub fn delete(conn: &mut DbConnection, id: RealmId) -> QueryResult<bool> {
    let deleted = diesel::delete(realms::table.find(id).filter(realms::name.ne(MASTER_REALM))).execute(conn)?;
    if deleted == 1 {
        counters::adjust(conn, PLATFORM, COUNTER, -1)?;
    }
    Ok(deleted == 1)
}

/// Removes `user` as the business contact of `realm` (the user is being deleted).
pub fn clear_contact(conn: &mut DbConnection, realm: RealmId, user: Uuid) -> QueryResult<()> {
    diesel::update(realms::table.find(realm).filter(realms::contact_user_id.eq(user.to_string())))
        .set(realms::contact_user_id.eq(None::<String>))
        .execute(conn)?;
    Ok(())
}
