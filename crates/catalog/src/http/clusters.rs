//! `/clusters`: sets of Kafka brokers. Read by every user of the realm, written by platform
//! admins; no audit fields and no `Last-Modified` (as the seed shows them).

use crate::model::{Cluster, ClusterFilter, ClusterInput};
use crate::service::ClusterService;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get, patch, post};
use portico_core::hal::{Collection, HAL_JSON, HalItem, Link, Links, LinksOnly, Resource};
use portico_core::http::axual::{
    Listing, Search, collection_links, created, entity_url, ok, patched, search_index, self_link,
};
use portico_core::http::respond::{Versioned, entity};
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl, IfMatchHeader, Json, PathUid};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;

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

/// The searches of `/clusters`.
pub const SEARCHES: &[Search] = &[("findByName", "name"), ("findByNameContaining", "name,page,size,sort")];

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

fn meta(cluster: &Cluster) -> Versioned {
    Versioned { version: cluster.version, modified_at: None }
}

/// Axual "list clusters".
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.clusters`", body = Collection<ClusterDetail>, content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials")))]
#[get("/clusters")]
pub async fn list_clusters(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn ClusterService>,
) -> Result<HttpResponse, ApiError> {
    let (self_link, extra) = collection_links(listing.base(), "clusters", svc.may_manage_clusters(&ctx));
    let request = listing.request().clone();
    let page = run_blocking(move || svc.clusters(&ctx, &ClusterFilter::All, &request)).await?;
    let page = page.map(|c| cluster_resource(listing.base(), &c));
    Ok(ok(&listing.paged(page, self_link, extra)))
}

/// Axual "create cluster" (platform admins).
#[utoipa::path(tag = "axual", request_body = ClusterBody,
    responses((status = 201, description = "created (`ETag: \"0\"`); body only when an Accept header is sent", body = Resource<ClusterDetail>, content_type = "application/hal+json"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin"), (status = 409, description = "name in use")))]
#[post("/clusters")]
pub async fn create_cluster(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<ClusterBody>,
    base: BaseUrl,
    svc: Data<dyn ClusterService>,
) -> Result<HttpResponse, ApiError> {
    let cluster = run_blocking(move || svc.create_cluster(&ctx, body.0.into_input())).await?;
    let location = entity_url(&base, "clusters", cluster.id);
    Ok(created(&req, &location, meta(&cluster), &cluster_resource(&base, &cluster)))
}

/// The search index of `/clusters`.
#[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/clusters/search")]
pub async fn cluster_searches(_caller: RequestContext, base: BaseUrl) -> HttpResponse {
    ok(&search_index(&base, "clusters", SEARCHES))
}

/// Axual `findByName`: the one cluster with exactly this name (404 when none has it).
#[utoipa::path(tag = "axual", params(("name" = String, Query)),
    responses((status = 200, description = "the cluster", body = Resource<ClusterDetail>, content_type = "application/hal+json"), (status = 400, description = "no name"), (status = 401, description = "no credentials"), (status = 404, description = "no such cluster")))]
#[get("/clusters/search/findByName")]
pub async fn find_cluster_by_name(
    req: HttpRequest,
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn ClusterService>,
) -> Result<HttpResponse, ApiError> {
    let name = listing.require("name")?.to_owned();
    let cluster = run_blocking(move || svc.cluster_named(&ctx, &name)).await?;
    Ok(entity(&req, meta(&cluster), HAL_JSON, &cluster_resource(listing.base(), &cluster)))
}

/// Axual `findByNameContaining`: a page of clusters whose name contains the text, ignoring case.
#[utoipa::path(tag = "axual", params(("name" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.clusters`", body = Collection<ClusterDetail>, content_type = "application/hal+json"), (status = 400, description = "no name or bad paging"), (status = 401, description = "no credentials")))]
#[get("/clusters/search/findByNameContaining")]
pub async fn find_clusters_by_name_containing(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn ClusterService>,
) -> Result<HttpResponse, ApiError> {
    let filter = ClusterFilter::NameContains(listing.require("name")?.to_owned());
    let request = listing.request().clone();
    let page = run_blocking(move || svc.clusters(&ctx, &filter, &request)).await?;
    let page = page.map(|c| cluster_resource(listing.base(), &c));
    Ok(ok(&listing.search_page(page, Links::new())))
}

/// Axual "get cluster".
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the cluster", body = Resource<ClusterDetail>, content_type = "application/hal+json"), (status = 304, description = "If-None-Match matched"), (status = 401, description = "no credentials"), (status = 404, description = "no such cluster")))]
#[get("/clusters/{uid}")]
pub async fn get_cluster(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn ClusterService>,
) -> Result<HttpResponse, ApiError> {
    let cluster = run_blocking(move || svc.cluster(&ctx, id)).await?;
    Ok(entity(&req, meta(&cluster), HAL_JSON, &cluster_resource(&base, &cluster)))
}

/// Axual "update cluster" (platform admins): any subset of the fields.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = ClusterBody,
    responses((status = 200, description = "patched, with Accept", body = Resource<ClusterDetail>, content_type = "application/hal+json"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin"), (status = 404, description = "no such cluster"), (status = 409, description = "name in use"), (status = 412, description = "If-Match failed")))]
#[patch("/clusters/{uid}")]
pub async fn patch_cluster(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    body: Json<ClusterBody>,
    precondition: IfMatchHeader,
    base: BaseUrl,
    svc: Data<dyn ClusterService>,
) -> Result<HttpResponse, ApiError> {
    let precondition = Precondition::if_match(precondition.0);
    let cluster = run_blocking(move || svc.update_cluster(&ctx, id, body.0.into_input(), &precondition)).await?;
    Ok(patched(&req, meta(&cluster), &cluster_resource(&base, &cluster)))
}
