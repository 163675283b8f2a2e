//! Clusters.

use super::schema::catalog_clusters as clusters;
use crate::model::{Cluster, ClusterFilter};
use diesel::prelude::*;
use portico_core::db::text::contains;
use portico_core::db::{UniqueDsl, counters};
use portico_core::page::{Page, PageRequest};
use portico_core::{CoreError, DbConnection, RealmId};

/// Counter name of clusters per realm.
pub const COUNTER: &str = "clusters";

portico_core::sort_map! {
    /// How clusters sort (Axual property names → columns).
    pub static CLUSTER_SORT: clusters::table {
        "name" => clusters::name,
        "description" => clusters::description,
        "location" => clusters::location,
        "apiUrl" => clusters::api_url,
        "clusterBrowseUrl" => clusters::cluster_browse_url,
        "uid" => clusters::id,
    }
    default clusters::created_at, key clusters::id
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = clusters)]
struct ClusterRow {
    id: String,
    name: String,
    description: Option<String>,
    location: Option<String>,
    api_url: Option<String>,
    cluster_browse_url: Option<String>,
    bootstrap_servers: String,
    billing_cloud_enabled: Option<bool>,
    version: i64,
}

impl TryFrom<ClusterRow> for Cluster {
    type Error = diesel::result::Error;

    fn try_from(row: ClusterRow) -> QueryResult<Cluster> {
        let bootstrap_servers = serde_json::from_str(&row.bootstrap_servers).map_err(|e| {
            diesel::result::Error::DeserializationError(format!("bootstrap servers are not JSON: {e}").into())
        })?;
        Ok(Cluster {
            id: super::uuid(&row.id)?,
            name: row.name,
            description: row.description,
            location: row.location,
            api_url: row.api_url,
            cluster_browse_url: row.cluster_browse_url,
            bootstrap_servers,
            billing_cloud_enabled: row.billing_cloud_enabled,
            version: row.version,
        })
    }
}

/// The columns a cluster write sets (insert and update alike).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = clusters, treat_none_as_null = true)]
pub struct ClusterFields<'a> {
    /// Name.
    pub name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Location.
    pub location: Option<&'a str>,
    /// API URL.
    pub api_url: Option<&'a str>,
    /// Browse URL.
    pub cluster_browse_url: Option<&'a str>,
    /// JSON array of `host:port`.
    pub bootstrap_servers: String,
    /// Cloud billing.
    pub billing_cloud_enabled: Option<bool>,
}

impl<'a> ClusterFields<'a> {
    /// The fields of `cluster`.
    pub fn of(cluster: &'a Cluster) -> ClusterFields<'a> {
        ClusterFields {
            name: &cluster.name,
            description: cluster.description.as_deref(),
            location: cluster.location.as_deref(),
            api_url: cluster.api_url.as_deref(),
            cluster_browse_url: cluster.cluster_browse_url.as_deref(),
            bootstrap_servers: serde_json::to_string(&cluster.bootstrap_servers).unwrap_or_else(|_| "[]".into()),
            billing_cloud_enabled: cluster.billing_cloud_enabled,
        }
    }
}

portico_core::realm_table! {
    table: clusters, row: ClusterRow, fields: ClusterFields, item: Cluster,
    first_version: 0_i64, counter: Some(COUNTER), fns: [get, insert, update],
}

/// The cluster of `realm` named exactly `name`.
pub fn by_name(conn: &mut DbConnection, realm: RealmId, name: &str) -> QueryResult<Option<Cluster>> {
    scoped(realm)
        .filter(clusters::name.eq(name))
        .select(ClusterRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// One page of the clusters of `realm` matching `filter`.
pub fn page(
    conn: &mut DbConnection,
    realm: RealmId,
    filter: &ClusterFilter,
    request: &PageRequest,
) -> Result<Page<Cluster>, CoreError> {
    let filtered = || match filter {
        ClusterFilter::All => scoped(realm),
        ClusterFilter::NameContains(text) => scoped(realm).filter(contains(clusters::name, text)),
    };
    let total = match filter {
        ClusterFilter::All => counters::get(conn, realm, COUNTER)?,
        _ => filtered().count().get_result::<i64>(conn)?.max(0) as u64,
    };
    let rows: Vec<ClusterRow> = CLUSTER_SORT.page(filtered(), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(ClusterRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}
