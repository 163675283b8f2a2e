//! `/instances`: installations of the event bus. Read by every user of the realm, created and
//! changed by platform admins.

use super::clusters::ClusterDetail;
use super::support_tiers::{SupportTierBody, support_tier};
use crate::error::CatalogError;
use crate::model::{CaCert, InstanceCluster, InstanceFilter, InstanceInput, InstanceView};
use crate::service::InstanceService;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get, post};
use portico_core::hal::{HAL_JSON, HalItem, Link, Links, LocalTime, Resource};
use portico_core::http::axual::{
    AuditFields, Listing, Search, collection_links, create_link, edit_link, entity_url, ok, projection_link, self_link,
    untitled_projection_link,
};
use portico_core::http::collection::{AxualBody, AxualContaining, AxualCrud, AxualList};
use portico_core::http::params::Relation;
use portico_core::http::respond::{Versioned, entity};
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl, Failure, PathUid};
use portico_core::page::{Page, PageRequest};
use portico_core::properties::PropertyPatch;
use portico_core::{ErrorKind, RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

portico_core::relation_target!(
    /// `/clusters/{uid}` URIs.
    pub Clusters => "clusters"
);
portico_core::relation_target!(
    /// `/instances/{uid}` URIs.
    pub Instances => "instances"
);
portico_core::relation_target!(
    /// `/support_tiers/{uid}` URIs (the seed's own example writes `/supportTiers/`).
    pub SupportTiers => "support_tiers", aliases "supportTiers"
);

/// One cluster of an instance, on input: `{cluster, schemaRegistryUrls}`, or as GET shows it,
/// `{schemaRegistryUrls, _links: {cluster: {href}}}` (a GET body written back is accepted).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", try_from = "SentInstanceCluster")]
pub struct InstanceClusterInput {
    /// The cluster's URI.
    #[schema(value_type = String, format = "uri")]
    pub cluster: Relation<Clusters>,
    /// Comma-separated schema registry URLs.
    pub schema_registry_urls: Option<String>,
}

/// An instance cluster as sent, in either spelling.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SentInstanceCluster {
    cluster: Option<Relation<Clusters>>,
    schema_registry_urls: Option<String>,
    #[serde(rename = "_links")]
    links: Option<SentClusterLinks>,
}

#[derive(Deserialize)]
struct SentClusterLinks {
    cluster: Option<SentHref>,
}

#[derive(Deserialize)]
struct SentHref {
    href: Relation<Clusters>,
}

impl TryFrom<SentInstanceCluster> for InstanceClusterInput {
    type Error = &'static str;

    fn try_from(sent: SentInstanceCluster) -> Result<Self, Self::Error> {
        let linked = sent.links.and_then(|links| links.cluster).map(|link| link.href);
        let cluster = sent.cluster.or(linked).ok_or("missing field `cluster`")?;
        Ok(InstanceClusterInput { cluster, schema_registry_urls: sent.schema_registry_urls })
    }
}

/// A CA certificate on input (an `expiresOn` sent back is ignored: it is read from the PEM).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CaCertInput {
    /// The PEM text.
    pub pem: String,
}

/// `POST` and `PATCH` body of an instance.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceBody {
    /// 3–50 letters, digits, `.`, `-`, `_` and spaces. Required on `POST`.
    pub name: Option<String>,
    /// 2–12 letters and digits, unique. Required on `POST`.
    pub short_name: Option<String>,
    /// At most 200 characters (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub description: Option<Option<String>>,
    /// The instance API's URL. Required on `POST`.
    pub api_url: Option<String>,
    /// Its clusters (at least one; a `PATCH` replaces them). Required on `POST`.
    pub instance_clusters: Option<Vec<InstanceClusterInput>>,
    /// A support tier's URI (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub support_tier: Option<Option<Relation<SupportTiers>>>,
    /// Kafka Connect on or off (on needs `connectUrls`).
    pub connect_enabled: Option<bool>,
    /// Comma-separated Connect URLs (`null` clears them).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub connect_urls: Option<Option<String>>,
    /// CA certificates (at least one; a `PATCH` replaces them). Required on `POST`.
    pub ca_certs: Option<Vec<CaCertInput>>,
    /// Kafka defaults for its streams (text values; numbers and booleans are kept as sent). Merged key by key on
    /// `PATCH` (RFC 7396): the keys given are set, `null` removes one, the others stay.
    #[schema(value_type = Option<Object>)]
    pub properties: Option<PropertyPatch>,
}

impl InstanceBody {
    fn into_input(self) -> Result<InstanceInput, ApiError> {
        let properties = self.properties;
        Ok(InstanceInput {
            name: self.name,
            short_name: self.short_name,
            description: self.description,
            api_url: self.api_url,
            clusters: self.instance_clusters.map(|clusters| {
                clusters
                    .into_iter()
                    .map(|c| InstanceCluster { cluster: c.cluster.id(), schema_registry_urls: c.schema_registry_urls })
                    .collect()
            }),
            support_tier: self.support_tier.map(|tier| tier.map(Relation::id)),
            connect_enabled: self.connect_enabled,
            connect_urls: self.connect_urls,
            ca_certs: self.ca_certs.map(|certs| certs.into_iter().map(|c| c.pem).collect()),
            properties,
        })
    }
}

/// A cluster inline in an instance summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InlineInstanceCluster {
    /// Comma-separated schema registry URLs.
    pub schema_registry_urls: Option<String>,
    /// The cluster (no links).
    pub cluster: ClusterDetail,
}

/// An instance in collections and searches.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceSummary {
    /// Name.
    pub name: String,
    /// Its clusters, inline.
    pub instance_clusters: Vec<InlineInstanceCluster>,
    /// Description.
    pub description: Option<String>,
    /// The uid.
    pub uid: String,
}

impl HalItem for InstanceSummary {
    const REL: &'static str = "instances";
}

/// A cluster of an instance detail: its URLs and a `cluster` link.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkedInstanceCluster {
    /// Comma-separated schema registry URLs.
    pub schema_registry_urls: Option<String>,
    /// `cluster`, titled "A cluster".
    #[serde(rename = "_links")]
    #[schema(value_type = Object)]
    pub links: Links,
}

/// A CA certificate with its expiry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaCertBody {
    /// The PEM text.
    pub pem: String,
    /// When the first certificate in it expires.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_on: Option<LocalTime>,
}

/// An instance: GET item, POST and PATCH responses (the seed's key order).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceDetail {
    /// Kafka defaults for its streams.
    #[schema(value_type = Object)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// API URL.
    pub api_url: String,
    /// Its clusters.
    pub instance_clusters: Vec<LinkedInstanceCluster>,
    /// CA certificates.
    pub ca_certs: Vec<CaCertBody>,
    /// Short name.
    pub short_name: String,
    /// Connect on or off.
    pub connect_enabled: bool,
    /// Connect URLs.
    pub connect_urls: Option<String>,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

/// An instance detail's `_embedded`: its support tier.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceEmbedded {
    /// The support tier (its `self` templated).
    pub support_tier: Resource<SupportTierBody>,
}

/// `GET /profile/instances`, in the seed's property order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct InstanceProfile {
    description: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "created_at")]
    created_at: LocalTime,
    connect_urls: Option<String>,
    #[serde(rename = "created_by")]
    created_by: Option<String>,
    #[schema(read_only)]
    uid: String,
    api_url: String,
    instance_clusters: BTreeSet<InstanceClusters>,
    #[schema(format = "uri")]
    support_tier: Option<String>,
    name: String,
    connect_enabled: bool,
    #[serde(rename = "modified_by")]
    modified_by: Option<String>,
    short_name: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "modified_at")]
    modified_at: LocalTime,
    #[schema(value_type = Object)]
    properties: serde_json::Map<String, serde_json::Value>,
    ca_certs: Vec<CACert>,
}

/// The profile's `instanceClusters` definition.
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
struct InstanceClusters {
    #[schema(format = "uri")]
    cluster: String,
    schema_registry_urls: String,
}

/// The profile's `cACert` definition (the type name makes the definition name).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CACert {
    pem: String,
    #[schema(value_type = String, format = DateTime)]
    expires_on: LocalTime,
}

/// The JSON Schema profile of instances.
pub fn instances_profile() -> serde_json::Value {
    spring_profile::<InstanceProfile>("Instance", &[])
}

/// The searches of `/instances`.
pub const SEARCHES: &[Search] = &[("findByName", "name"), ("findByNameContaining", "name,page,size,sort")];

/// `self`, `instance` (templated, titled "An instance"), `edit` and `synchronize` for those who
/// may, `supportTier`.
fn links(base: &BaseUrl, view: &InstanceView, manage: bool, synchronize: bool) -> Links {
    let url = entity_url(base, "instances", view.instance.id);
    let tier = untitled_projection_link(&format!("{url}/supportTier"));
    Links::new()
        .add("self", self_link(&url))
        .add("instance", projection_link(&url, "An instance"))
        .add_if(manage, "edit", || edit_link(&url))
        .add_if(synchronize, "synchronize", || Link::new(format!("{url}/synchronize")))
        .add("supportTier", tier)
}

/// An instance in collections, searches and embedded in environments.
pub fn instance_summary(base: &BaseUrl, view: &InstanceView) -> Resource<InstanceSummary> {
    let clusters = view
        .instance
        .clusters
        .iter()
        .zip(&view.clusters)
        .map(|(link, cluster)| InlineInstanceCluster {
            schema_registry_urls: link.schema_registry_urls.clone(),
            cluster: super::clusters::cluster_resource(base, cluster).body,
        })
        .collect();
    let body = InstanceSummary {
        name: view.instance.name.clone(),
        instance_clusters: clusters,
        description: view.instance.description.clone(),
        uid: view.instance.id.simple().to_string(),
    };
    Resource::new(body, links(base, view, false, false))
}

fn cert(cert: &CaCert) -> CaCertBody {
    CaCertBody { pem: cert.pem.clone(), expires_on: cert.expires_on.map(LocalTime) }
}

fn detail(
    base: &BaseUrl,
    view: &InstanceView,
    (manage, synchronize): (bool, bool),
) -> Resource<InstanceDetail, InstanceEmbedded> {
    let instance = &view.instance;
    let body = InstanceDetail {
        properties: instance
            .properties
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
        name: instance.name.clone(),
        description: instance.description.clone(),
        api_url: instance.api_url.clone(),
        instance_clusters: instance
            .clusters
            .iter()
            .map(|c| LinkedInstanceCluster {
                schema_registry_urls: c.schema_registry_urls.clone(),
                links: Links::new()
                    .add("cluster", Link::new(entity_url(base, "clusters", c.cluster)).titled("A cluster")),
            })
            .collect(),
        ca_certs: instance.ca_certs.iter().map(cert).collect(),
        short_name: instance.short_name.clone(),
        connect_enabled: instance.connect_enabled,
        connect_urls: instance.connect_urls.clone(),
        uid: instance.id.simple().to_string(),
        audit: AuditFields::from(&instance.stamp),
    };
    let embedded = view.support_tier.as_ref().map(|tier| {
        let mut resource = support_tier(base, tier);
        let url = entity_url(base, "support_tiers", tier.id);
        resource.links = super::shapes::templated_self(&url);
        InstanceEmbedded { support_tier: resource }
    });
    Resource::with_embedded(body, embedded, links(base, view, manage, synchronize))
}

fn meta(view: &InstanceView) -> Versioned {
    Versioned { version: view.instance.version, modified_at: Some(view.instance.stamp.modified_at) }
}

/// Axual `findByName`: the instance with exactly this name, as an entity whose links are only
/// `self`, `instance` and `supportTier` (404 when none has it).
#[utoipa::path(tag = "axual", params(("name" = String, Query)),
    responses((status = 200, description = "the instance", body = Resource<InstanceDetail, InstanceEmbedded>, content_type = "application/hal+json"), (status = 400, description = "no name"), (status = 401, description = "no credentials"), (status = 404, description = "no such instance")))]
#[get("/instances/search/findByName")]
pub async fn find_instance_by_name(
    req: HttpRequest,
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn InstanceService>,
) -> Result<HttpResponse, ApiError> {
    let name = listing.require("name")?.to_owned();
    let view = run_blocking(move || svc.instance_named(&ctx, &name)).await?;
    Ok(entity(&req, meta(&view), HAL_JSON, &detail(listing.base(), &view, (false, false))))
}

/// The instance's support tier (its `supportTier` association); 404 when it has none.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the support tier", body = Resource<SupportTierBody>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such instance, or no tier")))]
#[get("/instances/{uid}/supportTier")]
pub async fn instance_support_tier(
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn InstanceService>,
) -> Result<HttpResponse, ApiError> {
    let view = run_blocking(move || svc.instance(&ctx, id)).await?;
    match &view.support_tier {
        Some(tier) => Ok(ok(&support_tier(&base, tier))),
        None => Err(ApiError::new(Failure::new(ErrorKind::NotFound, "not_found", "The instance has no support tier"))),
    }
}

/// Axual "synchronize instance" (platform and tenant admins): deploys every stream config of
/// every environment on the instance to the instance's Kafka clusters now — topics created,
/// grown and reconfigured — and answers when that is done. A cluster that fails is a 500
/// naming it and its topics; what failed stays queued and is retried.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 204, description = "every topic is as its stream config says"), (status = 401, description = "no credentials"), (status = 403, description = "neither a platform nor a tenant admin"), (status = 404, description = "no such instance"), (status = 500, description = "a cluster failed (named, with the topics)")))]
#[post("/instances/{uid}/synchronize")]
pub async fn synchronize_instance(
    ctx: RequestContext,
    PathUid(id): PathUid,
    svc: Data<dyn InstanceService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.synchronize_instance(&ctx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The instances collection, served by the kit's standard handlers.
pub struct InstanceCollection;

impl AxualCrud for InstanceCollection {
    type Service = dyn InstanceService;
    type Item = InstanceView;
    type Detail = InstanceDetail;
    type Embedded = InstanceEmbedded;

    /// Whether the caller may manage instances (platform admins), and synchronize them.
    type Abilities = (bool, bool);
    type Error = CatalogError;
    const REL: &'static str = "instances";
    const SEARCHES: &'static [Search] = SEARCHES;

    fn abilities(service: &Self::Service, ctx: &RequestContext) -> Result<(bool, bool), CatalogError> {
        Ok((service.may_manage_instances(ctx), service.may_synchronize(ctx)))
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<InstanceView, CatalogError> {
        service.instance(ctx, id)
    }

    fn id(view: &InstanceView) -> Uuid {
        view.instance.id
    }

    fn meta(view: &InstanceView) -> Versioned {
        meta(view)
    }

    fn detail(
        base: &BaseUrl,
        view: &InstanceView,
        abilities: &(bool, bool),
    ) -> Resource<InstanceDetail, InstanceEmbedded> {
        detail(base, view, *abilities)
    }
}

impl AxualList for InstanceCollection {
    type Listed = InstanceView;
    type Summary = InstanceSummary;
    type SummaryEmbedded = portico_core::hal::NoEmbedded;

    fn may_create(&(manage, _): &(bool, bool)) -> bool {
        manage
    }

    fn page(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Page<InstanceView>, CatalogError> {
        service.instances(ctx, &InstanceFilter::All, request)
    }

    fn summary(base: &BaseUrl, view: &InstanceView, _: &(bool, bool)) -> Resource<InstanceSummary> {
        instance_summary(base, view)
    }

    /// `self`, `profile`, `search`, then for those who manage instances `show` (the console
    /// shows its Instances menu to them; the seed's relation table) and `create`, as the seed
    /// prints them.
    fn collection_links(base: &BaseUrl, &(manage, _): &(bool, bool)) -> (Link, Links) {
        let (self_link, extra) = collection_links(base, "instances", false);
        let url = base.join("/instances");
        let extra = extra
            .add_if(manage, "show", || {
                Link::templated(format!("{url}{{?page,size,sort}}"))
                    .titled("Indication that an entity can be shown in menu")
            })
            .add_if(manage, "create", || create_link(&url));
        (self_link, extra)
    }
}

impl AxualBody for InstanceCollection {
    type Body = InstanceBody;
    type Input = InstanceInput;

    fn input(body: InstanceBody) -> Result<InstanceInput, ApiError> {
        body.into_input()
    }
}

impl AxualContaining for InstanceCollection {
    fn containing(
        service: &Self::Service,
        ctx: &RequestContext,
        text: &str,
        request: &PageRequest,
    ) -> Result<Page<InstanceView>, CatalogError> {
        service.instances(ctx, &InstanceFilter::NameContains(text.to_owned()), request)
    }
}

portico_core::axual_calls!(InstanceCollection { create: create_instance, update: update_instance });

portico_core::axual_routes! {
    InstanceCollection, what: "instance", summary: InstanceSummary, detail: InstanceDetail, embedded: InstanceEmbedded,
    body: InstanceBody;
    list: list_instances => "/instances",
    create: create_instance => "/instances",
    searches: instance_searches => "/instances/search",
    find_by_name_containing: find_instances_by_name_containing => "/instances/search/findByNameContaining",
    get: get_instance => "/instances/{uid}",
    patch: patch_instance => "/instances/{uid}",
}
