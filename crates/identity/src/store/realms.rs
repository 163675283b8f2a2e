//! Realms (tenants).

use super::schema::realms;
use crate::model::{AuditStamp, Realm};
use diesel::prelude::*;
use portico_core::DbConnection;
use time::PrimitiveDateTime;
use uuid::Uuid;

#[derive(Queryable, Insertable, AsChangeset)]
#[diesel(table_name = realms, treat_none_as_null = true)]
pub(crate) struct RealmRow {
    id: String,
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

impl From<RealmRow> for Realm {
    fn from(row: RealmRow) -> Self {
        Realm {
            id: super::uuid(&row.id),
            name: row.name,
            display_name: row.display_name,
            environment_id: super::uuid(&row.environment_id),
            domain: row.domain,
            logo: row.logo,
            issuer_url: row.issuer_url,
            data_classification_enabled: row.data_classification_enabled,
            feature_config: row.feature_config,
            retention_time: row.retention_time,
            partitions: row.partitions,
            properties: serde_json::from_str(&row.properties).unwrap_or_default(),
            contact_user_id: row.contact_user_id.as_deref().map(super::uuid),
            audit: AuditStamp {
                created_at: row.created_at.into(),
                created_by: row.created_by,
                modified_at: Some(row.modified_at.into()),
                modified_by: row.modified_by,
            },
            version: row.version,
        }
    }
}

impl From<&Realm> for RealmRow {
    fn from(realm: &Realm) -> Self {
        RealmRow {
            id: realm.id.to_string(),
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

/// Creates a realm.
pub fn insert(conn: &mut DbConnection, realm: &Realm) -> QueryResult<()> {
    diesel::insert_into(realms::table).values(RealmRow::from(realm)).execute(conn)?;
    Ok(())
}

/// The realm `id`.
pub fn get(conn: &mut DbConnection, id: Uuid) -> QueryResult<Option<Realm>> {
    realms::table.find(id.to_string()).first::<RealmRow>(conn).optional().map(|r| r.map(Into::into))
}

/// The realm named `name`.
pub fn by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Realm>> {
    realms::table.filter(realms::name.eq(name)).first::<RealmRow>(conn).optional().map(|r| r.map(Into::into))
}

/// Whether any realm exists (an empty database means first start).
pub fn any(conn: &mut DbConnection) -> QueryResult<bool> {
    let first: Option<String> = realms::table.select(realms::id).first(conn).optional()?;
    Ok(first.is_some())
}
