//! Instances and the clusters powering them.

use super::schema::{catalog_instance_clusters as links, catalog_instances as instances};
use crate::model::{CaCert, Instance, InstanceCluster, InstanceFilter};
use diesel::prelude::*;
use portico_core::audit::Stamp;
use portico_core::db::text::contains;
use portico_core::db::{UniqueDsl, counters};
use portico_core::page::{Page, PageRequest};
use portico_core::{CoreError, DbConnection, RealmId, Timestamp};
use serde::{Deserialize, Serialize};
use time::PrimitiveDateTime;
use uuid::Uuid;

/// Counter name of instances per realm.
pub const COUNTER: &str = "instances";

portico_core::sort_map! {
    /// How instances sort (Axual property names → columns).
    pub static INSTANCE_SORT: instances::table {
        "name" => instances::name,
        "shortName" => instances::short_name,
        "description" => instances::description,
        "apiUrl" => instances::api_url,
        "uid" => instances::id,
        "created_at" => instances::created_at,
        "modified_at" => instances::modified_at,
    }
    default instances::created_at, key instances::id
}

/// A CA certificate as stored: expiry in microseconds since the epoch.
#[derive(Serialize, Deserialize)]
struct StoredCert {
    pem: String,
    expires_on: Option<i64>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = instances)]
struct InstanceRow {
    id: String,
    name: String,
    short_name: String,
    description: Option<String>,
    api_url: String,
    support_tier_id: Option<String>,
    connect_enabled: bool,
    connect_urls: Option<String>,
    ca_certs: String,
    properties: String,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

fn corrupt(what: String) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(what.into())
}

/// The CA certificates of an instance as its column stores them.
fn stored_certs(column: &str) -> QueryResult<Vec<StoredCert>> {
    serde_json::from_str(column).map_err(|e| corrupt(format!("instance CA certs: {e}")))
}

impl InstanceRow {
    fn into_instance(self, clusters: Vec<InstanceCluster>) -> QueryResult<Instance> {
        let certs = stored_certs(&self.ca_certs)?;
        Ok(Instance {
            id: super::uuid(&self.id)?,
            name: self.name,
            short_name: self.short_name,
            description: self.description,
            api_url: self.api_url,
            clusters,
            support_tier: self.support_tier_id.as_deref().map(super::uuid).transpose()?,
            connect_enabled: self.connect_enabled,
            connect_urls: self.connect_urls,
            ca_certs: certs
                .into_iter()
                .map(|c| CaCert { pem: c.pem, expires_on: c.expires_on.and_then(Timestamp::from_unix_micros) })
                .collect(),
            properties: super::properties::from_column(&self.properties)?,
            stamp: Stamp::from_columns(self.created_at, self.created_by, self.modified_at, self.modified_by),
            version: self.version,
        })
    }
}

/// The columns an instance write sets (insert and update alike).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = instances, treat_none_as_null = true)]
struct InstanceFields<'a> {
    name: &'a str,
    short_name: &'a str,
    description: Option<&'a str>,
    api_url: &'a str,
    support_tier_id: Option<String>,
    connect_enabled: bool,
    connect_urls: Option<&'a str>,
    ca_certs: String,
    properties: String,
}

impl<'a> InstanceFields<'a> {
    fn of(instance: &'a Instance) -> InstanceFields<'a> {
        let certs: Vec<StoredCert> = instance
            .ca_certs
            .iter()
            .map(|c| StoredCert { pem: c.pem.clone(), expires_on: c.expires_on.map(Timestamp::unix_micros) })
            .collect();
        InstanceFields {
            name: &instance.name,
            short_name: &instance.short_name,
            description: instance.description.as_deref(),
            api_url: &instance.api_url,
            support_tier_id: instance.support_tier.map(|t| t.to_string()),
            connect_enabled: instance.connect_enabled,
            connect_urls: instance.connect_urls.as_deref(),
            ca_certs: serde_json::to_string(&certs).unwrap_or_else(|_| "[]".into()),
            properties: super::properties::to_column(&instance.properties),
        }
    }
}

fn write_clusters(conn: &mut DbConnection, realm: RealmId, instance: &Instance) -> QueryResult<()> {
    let id = instance.id.to_string();
    diesel::delete(links::table.filter(links::instance_id.eq(&id))).execute(conn)?;
    for (position, cluster) in (0_i64..).zip(&instance.clusters) {
        diesel::insert_into(links::table)
            .values((
                links::instance_id.eq(&id),
                links::cluster_id.eq(cluster.cluster.to_string()),
                links::realm_id.eq(realm),
                links::position.eq(position),
                links::schema_registry_urls.eq(cluster.schema_registry_urls.as_deref()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

portico_core::realm_table! {
    table: instances, row: InstanceRow, fields: InstanceFields, item: Instance,
    first_version: 0_i64, counter: Some(COUNTER), on_write: write_clusters, fns: [insert, update],
}

/// The clusters of each of `ids`, in order.
fn clusters_of(conn: &mut DbConnection, realm: RealmId, ids: &[String]) -> QueryResult<Vec<(String, InstanceCluster)>> {
    let rows: Vec<(String, String, Option<String>)> = links::table
        .filter(links::realm_id.eq(realm))
        .filter(links::instance_id.eq_any(ids))
        .order((links::instance_id.asc(), links::position.asc()))
        .select((links::instance_id, links::cluster_id, links::schema_registry_urls))
        .load(conn)?;
    rows.into_iter()
        .map(|(instance, cluster, urls)| {
            Ok((instance, InstanceCluster { cluster: super::uuid(&cluster)?, schema_registry_urls: urls }))
        })
        .collect()
}

fn complete(conn: &mut DbConnection, realm: RealmId, rows: Vec<InstanceRow>) -> QueryResult<Vec<Instance>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut clusters = clusters_of(conn, realm, &ids)?;
    rows.into_iter()
        .map(|row| {
            let own = clusters.iter().filter(|(id, _)| *id == row.id).map(|(_, c)| c.clone()).collect();
            clusters.retain(|(id, _)| *id != row.id);
            row.into_instance(own)
        })
        .collect()
}

/// The instance `id` of `realm`.
pub fn get(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<Instance>> {
    let row = scoped(realm).filter(instances::id.eq(id.to_string())).select(InstanceRow::as_select()).unique(conn)?;
    Ok(complete(conn, realm, row.into_iter().collect())?.pop())
}

/// The instance of `realm` named exactly `name` (the first created, should several share it).
pub fn by_name(conn: &mut DbConnection, realm: RealmId, name: &str) -> QueryResult<Option<Instance>> {
    let rows: Vec<InstanceRow> = scoped(realm)
        .filter(instances::name.eq(name))
        .order((instances::created_at.asc(), instances::id.asc()))
        .limit(1)
        .select(InstanceRow::as_select())
        .load(conn)?;
    Ok(complete(conn, realm, rows)?.pop())
}

/// Whether another instance of `realm` has the short name `short_name`.
pub fn short_name_taken(conn: &mut DbConnection, realm: RealmId, short_name: &str, except: Uuid) -> QueryResult<bool> {
    let ids: Vec<String> =
        scoped(realm).filter(instances::short_name.eq(short_name)).select(instances::id).load(conn)?;
    Ok(ids.iter().any(|id| *id != except.to_string()))
}

/// One page of the instances of `realm` matching `filter`.
pub fn page(
    conn: &mut DbConnection,
    realm: RealmId,
    filter: &InstanceFilter,
    request: &PageRequest,
) -> Result<Page<Instance>, CoreError> {
    let filtered = || match filter {
        InstanceFilter::All => scoped(realm),
        InstanceFilter::NameContains(text) => scoped(realm).filter(contains(instances::name, text)),
    };
    let total = match filter {
        InstanceFilter::All => counters::get(conn, realm, COUNTER)?,
        _ => filtered().count().get_result::<i64>(conn)?.max(0) as u64,
    };
    let rows: Vec<InstanceRow> = INSTANCE_SORT.page(filtered(), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(InstanceRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, complete(conn, realm, rows)?, total))
}

/// How many instances of `realm` a cluster powers.
pub fn count_using_cluster(conn: &mut DbConnection, realm: RealmId, cluster: Uuid) -> QueryResult<u64> {
    let count: i64 = links::table
        .filter(links::realm_id.eq(realm))
        .filter(links::cluster_id.eq(cluster.to_string()))
        .count()
        .get_result(conn)?;
    Ok(count.max(0) as u64)
}

/// The CA certificates (PEM) of every instance of `realm` the cluster powers: what its TLS
/// listeners are trusted by.
pub fn ca_pems_using_cluster(conn: &mut DbConnection, realm: RealmId, cluster: Uuid) -> QueryResult<Vec<String>> {
    let columns: Vec<String> = instances::table
        .inner_join(links::table.on(links::instance_id.eq(instances::id)))
        .filter(instances::realm_id.eq(realm))
        .filter(links::realm_id.eq(realm))
        .filter(links::cluster_id.eq(cluster.to_string()))
        .select(instances::ca_certs)
        .load(conn)?;
    let mut pems = Vec::new();
    for column in columns {
        pems.extend(stored_certs(&column)?.into_iter().map(|cert| cert.pem));
    }
    Ok(pems)
}
