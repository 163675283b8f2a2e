//! `/clusters`: sets of Kafka brokers. Read by every user of the realm, written by platform
//! admins; no audit fields and no `Last-Modified` (as the seed shows them).

use crate::error::CatalogError;
use crate::model::{Cluster, ClusterFilter, ClusterInput};
use crate::service::ClusterService;
use portico_core::RequestContext;
use portico_core::hal::{HalItem, Link, Links, NoEmbedded, Resource};
use portico_core::http::axual::{Search, entity_url, self_link};
use portico_core::http::collection::{AxualBody, AxualContaining, AxualCrud, AxualList};
use portico_core::http::respond::Versioned;
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl};
use portico_core::page::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// One bootstrap server: `{"bootstrapServer": "host:port"}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapServer {
    /// `host:port`.
    pub bootstrap_server: String,
}

/// `POST` and `PATCH` body of a cluster.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterBody {
    /// 3–50 letters, digits, `.`, `-`, `_` and spaces; unique. Required on `POST`.
    pub name: Option<String>,
    /// At most 200 characters (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub description: Option<Option<String>>,
    /// At most 50 characters.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub location: Option<Option<String>>,
    /// A well-formed URL.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub api_url: Option<Option<String>>,
    /// A well-formed URL.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub cluster_browse_url: Option<Option<String>>,
    /// At least one; a set (duplicates are dropped). Required on `POST`; a `PATCH` replaces it.
    pub bootstrap_servers: Option<Vec<BootstrapServer>>,
    /// Cloud billing.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub billing_cloud_enabled: Option<Option<bool>>,
}

impl ClusterBody {
    fn into_input(self) -> ClusterInput {
        ClusterInput {
            name: self.name,
            description: self.description,
            location: self.location,
            api_url: self.api_url,
            cluster_browse_url: self.cluster_browse_url,
            bootstrap_servers: self.bootstrap_servers.map(|s| s.into_iter().map(|b| b.bootstrap_server).collect()),
            billing_cloud_enabled: self.billing_cloud_enabled,
        }
    }
}

/// A cluster, in collections and alone (the seed's key order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterDetail {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Cloud billing.
    pub billing_cloud_enabled: Option<bool>,
    /// API URL.
    pub api_url: Option<String>,
    /// Browse URL.
    pub cluster_browse_url: Option<String>,
    /// Bootstrap servers.
    pub bootstrap_servers: Vec<BootstrapServer>,
    /// The uid.
    pub uid: String,
}

impl HalItem for ClusterDetail {
    const REL: &'static str = "clusters";
}

/// `GET /profile/clusters`: the seed's property order, which differs from the responses'.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ClusterProfile {
    #[schema(read_only)]
    uid: String,
    api_url: Option<String>,
    bootstrap_servers: BTreeSet<BootstrapServer>,
    name: String,
    cluster_browse_url: Option<String>,
    description: Option<String>,
    location: Option<String>,
    billing_cloud_enabled: Option<bool>,
}

/// The JSON Schema profile of clusters.
pub fn clusters_profile() -> serde_json::Value {
    spring_profile::<ClusterProfile>("Cluster", &[])
}

/// A cluster with `self` and `cluster` (neither templated; `cluster` titled "A cluster").
pub fn cluster_resource(base: &BaseUrl, cluster: &Cluster) -> Resource<ClusterDetail> {
    let url = entity_url(base, "clusters", cluster.id);
    let links = Links::new().add("self", self_link(&url)).add("cluster", Link::new(url.clone()).titled("A cluster"));
    let body = ClusterDetail {
        name: cluster.name.clone(),
        description: cluster.description.clone(),
        location: cluster.location.clone(),
        billing_cloud_enabled: cluster.billing_cloud_enabled,
        api_url: cluster.api_url.clone(),
        cluster_browse_url: cluster.cluster_browse_url.clone(),
        bootstrap_servers: cluster
            .bootstrap_servers
            .iter()
            .map(|s| BootstrapServer { bootstrap_server: s.clone() })
            .collect(),
        uid: cluster.id.simple().to_string(),
    };
    Resource::new(body, links)
}

/// The clusters collection, served by the kit's standard handlers.
pub struct Clusters;

impl AxualCrud for Clusters {
    type Service = dyn ClusterService;
    type Item = Cluster;
    type Detail = ClusterDetail;
    type Embedded = NoEmbedded;
    type Abilities = bool;
    type Error = CatalogError;
    const REL: &'static str = "clusters";
    const SEARCHES: &'static [Search] = &[("findByName", "name"), ("findByNameContaining", "name,page,size,sort")];

    /// Whether the caller may create and change clusters (a cluster's own links do not show it).
    fn abilities(service: &Self::Service, ctx: &RequestContext) -> Result<bool, CatalogError> {
        Ok(service.may_manage_clusters(ctx))
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<Cluster, CatalogError> {
        service.cluster(ctx, id)
    }

    fn id(cluster: &Cluster) -> Uuid {
        cluster.id
    }

    fn meta(cluster: &Cluster) -> Versioned {
        Versioned { version: cluster.version, modified_at: None }
    }

    fn detail(base: &BaseUrl, cluster: &Cluster, _: &bool) -> Resource<ClusterDetail> {
        cluster_resource(base, cluster)
    }
}

impl AxualList for Clusters {
    type Listed = Cluster;
    type Summary = ClusterDetail;
    type SummaryEmbedded = NoEmbedded;

    fn may_create(manage: &bool) -> bool {
        *manage
    }

    fn page(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Page<Cluster>, CatalogError> {
        service.clusters(ctx, &ClusterFilter::All, request)
    }

    fn summary(base: &BaseUrl, cluster: &Cluster, _: &bool) -> Resource<ClusterDetail> {
        cluster_resource(base, cluster)
    }
}

impl AxualBody for Clusters {
    type Body = ClusterBody;
    type Input = ClusterInput;

    fn input(body: ClusterBody) -> Result<ClusterInput, ApiError> {
        Ok(body.into_input())
    }
}

impl AxualContaining for Clusters {
    fn containing(
        service: &Self::Service,
        ctx: &RequestContext,
        text: &str,
        request: &PageRequest,
    ) -> Result<Page<Cluster>, CatalogError> {
        service.clusters(ctx, &ClusterFilter::NameContains(text.to_owned()), request)
    }
}

portico_core::axual_calls!(Clusters { create: create_cluster, update: update_cluster, named: cluster_named });

portico_core::axual_routes! {
    Clusters, what: "cluster", summary: ClusterDetail, detail: ClusterDetail, body: ClusterBody;
    list: list_clusters => "/clusters",
    create: create_cluster => "/clusters",
    searches: cluster_searches => "/clusters/search",
    find_by_name: find_cluster_by_name => "/clusters/search/findByName",
    find_by_name_containing: find_clusters_by_name_containing => "/clusters/search/findByNameContaining",
    get: get_cluster => "/clusters/{uid}",
    patch: patch_cluster => "/clusters/{uid}",
}
