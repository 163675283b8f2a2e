//! `/environments`: the tenant's functional stages, owned by a group and deployed on an
//! instance. Private ones are visible to their owners and environment admins only.

use super::instances::{InstanceSummary, Instances, instance_summary};
use super::shapes::{EmbeddedOwner, embedded_owner, templated_self};
use super::{Groups, invalid};
use crate::error::CatalogError;
use crate::model::{Environment, EnvironmentFilter, EnvironmentInput, EnvironmentView};
use crate::service::EnvironmentService;
use actix_web::web::Data;
use actix_web::{HttpResponse, get, post};
use portico_core::hal::{Collection, HalItem, Link, Links, LocalTime, Resource};
use portico_core::http::axual::{
    AuditFields, Listing, Search, delete_link, edit_link, entity_url, ok, projection_link, search_create_link,
    self_link, titles,
};
use portico_core::http::collection::{AxualBody, AxualContaining, AxualCrud, AxualList};
use portico_core::http::params::Relation;
use portico_core::http::respond::Versioned;
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl, Failure, PathUid};
use portico_core::page::{Page, PageRequest};
use portico_core::properties::PropertyPatch;
use portico_core::{ErrorKind, RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

portico_core::relation_target!(
    /// `/environments/{uid}` URIs.
    pub Environments => "environments"
);

/// Who authorizes access to an environment's streams, as responses show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum AuthorizationIssuer {
    /// The stream's owner approves each request.
    #[serde(rename = "Stream owner")]
    StreamOwner,
    /// Requests are approved automatically.
    #[serde(rename = "Auto")]
    Auto,
}

/// `public` or `private`, as responses show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Every user of the realm sees it.
    Public,
    /// Its owners (and environment admins) see it.
    Private,
}

/// `"Stream owner"` (also `STREAM_OWNER`) or `"Auto"` (also `Automatic`), ignoring case.
fn parse_issuer(value: &str) -> Result<bool, ApiError> {
    match value.trim().to_ascii_lowercase().replace(['_', ' '], "").as_str() {
        "streamowner" => Ok(false),
        "auto" | "automatic" => Ok(true),
        _ => Err(invalid(
            "authorizationIssuer",
            format!("'authorizationIssuer' must be \"Stream owner\" or \"Auto\", not '{}'", value.escape_debug()),
        )),
    }
}

/// `public` or `private`, ignoring case.
fn parse_visibility(value: &str) -> Result<bool, ApiError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "public" => Ok(false),
        "private" => Ok(true),
        _ => Err(invalid(
            "visibility",
            format!("'visibility' must be \"public\" or \"private\", not '{}'", value.escape_debug()),
        )),
    }
}

/// `POST` and `PATCH` body of an environment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentBody {
    /// 3–50 letters, digits, `.`, `-`, `_` and spaces. Required on `POST`.
    pub name: Option<String>,
    /// 3–20 lower-case letters and digits, unique. Required on `POST`.
    pub short_name: Option<String>,
    /// At most 200 characters (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub description: Option<Option<String>>,
    /// At most 12 characters (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub color: Option<Option<String>>,
    /// `Stream owner` (default) or `Auto` (`Automatic`); private environments are always `Auto`.
    pub authorization_issuer: Option<String>,
    /// `public` (default) or `private`, ignoring case.
    pub visibility: Option<String>,
    /// The instance's URI (platform admins only; `null` unlinks it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub instance: Option<Option<Relation<Instances>>>,
    /// The owning group's URI. Required on `POST`.
    #[schema(value_type = Option<String>)]
    pub owners: Option<Relation<Groups>>,
    /// Default retention of its streams, ms (1000–160704000000; default 604800000).
    pub retention_time: Option<i64>,
    /// Default partitions of its streams (1–120000; default 12).
    pub partitions: Option<i64>,
    /// Properties (text values; numbers and booleans are kept as sent). Merged key by key on
    /// `PATCH` (RFC 7396): the keys given are set, `null` removes one, the others stay.
    #[schema(value_type = Option<Object>)]
    pub properties: Option<PropertyPatch>,
}

impl EnvironmentBody {
    fn into_input(self) -> Result<EnvironmentInput, ApiError> {
        let properties = self.properties;
        Ok(EnvironmentInput {
            name: self.name,
            short_name: self.short_name,
            description: self.description,
            color: self.color,
            auto_approved: self.authorization_issuer.as_deref().map(parse_issuer).transpose()?,
            private: self.visibility.as_deref().map(parse_visibility).transpose()?,
            instance: self.instance.map(|instance| instance.map(Relation::id)),
            owner: self.owners.map(Relation::id),
            retention_time: self.retention_time,
            partitions: self.partitions,
            properties,
        })
    }
}

/// An environment in collections and searches.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentSummary {
    /// Name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// `public` or `private`.
    pub visibility: Visibility,
    /// Colour.
    pub color: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The uid.
    pub uid: String,
}

impl HalItem for EnvironmentSummary {
    const REL: &'static str = "environments";
}

/// An environment: GET item, POST and PATCH responses (the seed's key order).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentDetail {
    /// Properties.
    #[schema(value_type = Object)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// Description.
    pub description: Option<String>,
    /// Colour.
    pub color: Option<String>,
    /// Who authorizes access.
    pub authorization_issuer: AuthorizationIssuer,
    /// `public` or `private`.
    pub visibility: Visibility,
    /// Default retention, ms.
    pub retention_time: i64,
    /// Default partitions.
    pub partitions: i64,
    /// Whether it is private.
    pub private: bool,
    /// Whether access is approved automatically.
    pub auto_approved: bool,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

/// An environment detail's `_embedded`: its instance and owners.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnvironmentEmbedded {
    /// The instance it is deployed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<Resource<InstanceSummary>>,
    /// The owning group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners: Option<Resource<EmbeddedOwner>>,
}

/// `GET /profile/environments`, in the seed's property order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct EnvironmentProfile {
    partitions: i64,
    authorization_issuer: AuthorizationIssuer,
    #[schema(read_only)]
    private: bool,
    #[schema(format = "uri")]
    instance: Option<String>,
    color: Option<String>,
    visibility: Visibility,
    description: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "created_at")]
    created_at: LocalTime,
    #[schema(format = "uri")]
    owners: String,
    retention_time: i64,
    #[serde(rename = "created_by")]
    created_by: Option<String>,
    #[schema(read_only)]
    auto_approved: bool,
    #[schema(read_only)]
    uid: String,
    name: String,
    #[serde(rename = "modified_by")]
    modified_by: Option<String>,
    short_name: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "modified_at")]
    modified_at: LocalTime,
    #[schema(value_type = Object)]
    properties: serde_json::Map<String, serde_json::Value>,
}

/// The JSON Schema profile of environments.
pub fn environments_profile() -> serde_json::Value {
    spring_profile::<EnvironmentProfile>("Environment", &[])
}

/// The searches of `/environments`.
pub const SEARCHES: &[Search] = &[
    ("findByName", "name"),
    ("findByNameContaining", "name,page,size,sort"),
    ("findByShortName", "shortName"),
    ("findByInstance", "instance"),
];

fn visibility(environment: &Environment) -> Visibility {
    if environment.private { Visibility::Private } else { Visibility::Public }
}

/// `self`, `environment`, (`edit`, `synchronize`, `delete`), `instance` and `owners` (associations).
fn links(base: &BaseUrl, environment: &Environment, view: Option<&EnvironmentView>) -> Links {
    let url = entity_url(base, "environments", environment.id);
    let manage = view.is_some_and(|view| view.manage);
    let synchronize = view.is_some_and(|view| view.synchronize);
    Links::new()
        .add("self", self_link(&url))
        .add("environment", projection_link(&url, "An environment"))
        .add_if(manage, "edit", || edit_link(&url))
        .add_if(synchronize, "synchronize", || Link::new(format!("{url}/synchronize")))
        .add_if(manage && environment.private, "delete", || delete_link(&url))
        .add("instance", projection_link(&format!("{url}/instance"), "An instance"))
        .add("owners", projection_link(&format!("{url}/owners"), "The group responsible for this object"))
}

fn summary(base: &BaseUrl, environment: &Environment) -> Resource<EnvironmentSummary> {
    Resource::new(summary_body(environment), links(base, environment, None))
}

/// An environment as others embed it (Axual `EnvironmentSummary`): templated `self`,
/// `instance` and `owners`.
pub fn embedded_environment(base: &BaseUrl, environment: &Environment) -> Resource<EnvironmentSummary> {
    let url = entity_url(base, "environments", environment.id);
    let links = templated_self(&url)
        .add("instance", projection_link(&format!("{url}/instance"), "An instance"))
        .add("owners", projection_link(&format!("{url}/owners"), "The group responsible for this object"));
    Resource::new(summary_body(environment), links)
}

fn summary_body(environment: &Environment) -> EnvironmentSummary {
    EnvironmentSummary {
        name: environment.name.clone(),
        short_name: environment.short_name.clone(),
        visibility: visibility(environment),
        color: environment.color.clone(),
        description: environment.description.clone(),
        uid: environment.id.simple().to_string(),
    }
}

fn detail(base: &BaseUrl, view: &EnvironmentView) -> Resource<EnvironmentDetail, EnvironmentEmbedded> {
    let environment = &view.environment;
    let body = EnvironmentDetail {
        properties: environment
            .properties
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
        name: environment.name.clone(),
        short_name: environment.short_name.clone(),
        description: environment.description.clone(),
        color: environment.color.clone(),
        authorization_issuer: if environment.auto_approved {
            AuthorizationIssuer::Auto
        } else {
            AuthorizationIssuer::StreamOwner
        },
        visibility: visibility(environment),
        retention_time: environment.retention_time,
        partitions: environment.partitions,
        private: environment.private,
        auto_approved: environment.auto_approved,
        uid: environment.id.simple().to_string(),
        audit: AuditFields::from(&environment.stamp),
    };
    let embedded = EnvironmentEmbedded {
        instance: view.instance.as_ref().map(|instance| {
            let mut resource = instance_summary(base, instance);
            let url = entity_url(base, "instances", instance.instance.id);
            let tier = resource.links.get("supportTier").cloned();
            resource.links =
                Links::new().add("self", Link::templated(format!("{url}{{?projection}}")).titled(titles::SELF));
            if let Some(tier) = tier {
                resource.links.push("supportTier", tier);
            }
            resource
        }),
        owners: view.owner.as_ref().map(|group| embedded_owner(base, group)),
    };
    let embedded = (embedded.instance.is_some() || embedded.owners.is_some()).then_some(embedded);
    Resource::with_embedded(body, embedded, links(base, environment, Some(view)))
}

fn meta(view: &EnvironmentView) -> Versioned {
    Versioned { version: view.environment.version, modified_at: Some(view.environment.stamp.modified_at) }
}

async fn matching(
    ctx: RequestContext,
    listing: &Listing,
    svc: Data<dyn EnvironmentService>,
    filter: EnvironmentFilter,
    request: portico_core::page::PageRequest,
) -> Result<portico_core::page::Page<Resource<EnvironmentSummary>>, ApiError> {
    let page = run_blocking(move || svc.environments(&ctx, &filter, &request)).await?;
    Ok(page.map(|environment| summary(listing.base(), &environment)))
}

/// Axual `findByName`: every visible environment with exactly this name (a list, no paging).
#[utoipa::path(tag = "axual", params(("name" = String, Query)),
    responses((status = 200, description = "`_embedded.environments`, unpaged", body = Collection<EnvironmentSummary>, content_type = "application/hal+json"), (status = 400, description = "no name"), (status = 401, description = "no credentials")))]
#[get("/environments/search/findByName")]
pub async fn find_environments_by_name(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn EnvironmentService>,
) -> Result<HttpResponse, ApiError> {
    let filter = EnvironmentFilter::Name(listing.require("name")?.to_owned());
    let page = matching(ctx, &listing, svc, filter, listing.all_matches()).await?;
    Ok(ok(&listing.search_list(page)?))
}

/// Axual `findByShortName`: every visible environment with exactly this short name (a list).
#[utoipa::path(tag = "axual", params(("shortName" = String, Query)),
    responses((status = 200, description = "`_embedded.environments`, unpaged", body = Collection<EnvironmentSummary>, content_type = "application/hal+json"), (status = 400, description = "no shortName"), (status = 401, description = "no credentials")))]
#[get("/environments/search/findByShortName")]
pub async fn find_environments_by_short_name(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn EnvironmentService>,
) -> Result<HttpResponse, ApiError> {
    let filter = EnvironmentFilter::ShortName(listing.require("shortName")?.to_owned());
    let page = matching(ctx, &listing, svc, filter, listing.all_matches()).await?;
    Ok(ok(&listing.search_list(page)?))
}

/// Axual `findByInstance`: the visible environments deployed on an instance (its URI; a list).
#[utoipa::path(tag = "axual", params(("instance" = String, Query, description = "an instance URI")),
    responses((status = 200, description = "`_embedded.environments`, unpaged", body = Collection<EnvironmentSummary>, content_type = "application/hal+json"), (status = 400, description = "no or malformed instance URI"), (status = 401, description = "no credentials")))]
#[get("/environments/search/findByInstance")]
pub async fn find_environments_by_instance(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn EnvironmentService>,
) -> Result<HttpResponse, ApiError> {
    let filter = EnvironmentFilter::Instance(listing.relation::<Instances>("instance")?);
    let page = matching(ctx, &listing, svc, filter, listing.all_matches()).await?;
    Ok(ok(&listing.search_list(page)?))
}

/// Axual "synchronize environment" (platform and tenant admins): deploys every stream config
/// of the environment to its instance's Kafka clusters now, answering when that is done (an
/// environment on no instance has nothing to deploy: 204). A cluster that fails is a 500
/// naming it and its topics; what failed stays queued and is retried.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 204, description = "every topic is as its stream config says"), (status = 401, description = "no credentials"), (status = 403, description = "neither a platform nor a tenant admin"), (status = 404, description = "no such environment, or a private one the caller may not see"), (status = 500, description = "a cluster failed (named, with the topics)")))]
#[post("/environments/{uid}/synchronize")]
pub async fn synchronize_environment(
    ctx: RequestContext,
    PathUid(id): PathUid,
    svc: Data<dyn EnvironmentService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.synchronize_environment(&ctx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The environment's instance (its `instance` association); 404 when it has none.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the instance", body = Resource<InstanceSummary>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such environment, or no instance")))]
#[get("/environments/{uid}/instance")]
pub async fn environment_instance(
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn EnvironmentService>,
) -> Result<HttpResponse, ApiError> {
    let view = run_blocking(move || svc.environment(&ctx, id)).await?;
    match &view.instance {
        Some(instance) => Ok(ok(&instance_summary(&base, instance))),
        None => Err(ApiError::new(Failure::new(ErrorKind::NotFound, "not_found", "The environment has no instance"))),
    }
}

/// The environment's owning group (its `owners` association).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the owning group", body = Resource<EmbeddedOwner>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such environment")))]
#[get("/environments/{uid}/owners")]
pub async fn environment_owners(
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn EnvironmentService>,
) -> Result<HttpResponse, ApiError> {
    let view = run_blocking(move || svc.environment(&ctx, id)).await?;
    match &view.owner {
        Some(group) => Ok(ok(&embedded_owner(&base, group))),
        None => Err(ApiError::new(Failure::new(ErrorKind::NotFound, "not_found", "The owning group no longer exists"))),
    }
}

/// The environments collection, served by the kit's standard handlers: pages of what the
/// caller may see, `create` for environment admins.
pub struct EnvironmentCollection;

impl AxualCrud for EnvironmentCollection {
    type Service = dyn EnvironmentService;
    type Item = EnvironmentView;
    type Detail = EnvironmentDetail;
    type Embedded = EnvironmentEmbedded;

    /// Whether the caller may create environments (a view's own links say what it may do).
    type Abilities = bool;
    type Error = CatalogError;
    const REL: &'static str = "environments";
    const SEARCHES: &'static [Search] = SEARCHES;

    fn abilities(service: &Self::Service, ctx: &RequestContext) -> Result<bool, CatalogError> {
        Ok(service.may_create_environments(ctx))
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<EnvironmentView, CatalogError> {
        service.environment(ctx, id)
    }

    fn id(view: &EnvironmentView) -> Uuid {
        view.environment.id
    }

    fn meta(view: &EnvironmentView) -> Versioned {
        meta(view)
    }

    fn detail(base: &BaseUrl, view: &EnvironmentView, _: &bool) -> Resource<EnvironmentDetail, EnvironmentEmbedded> {
        detail(base, view)
    }
}

impl AxualList for EnvironmentCollection {
    type Listed = Environment;
    type Summary = EnvironmentSummary;
    type SummaryEmbedded = portico_core::hal::NoEmbedded;

    fn may_create(may_create: &bool) -> bool {
        *may_create
    }

    fn page(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Page<Environment>, CatalogError> {
        service.environments(ctx, &EnvironmentFilter::All, request)
    }

    fn summary(base: &BaseUrl, environment: &Environment, _: &bool) -> Resource<EnvironmentSummary> {
        summary(base, environment)
    }
}

impl AxualBody for EnvironmentCollection {
    type Body = EnvironmentBody;
    type Input = EnvironmentInput;

    fn input(body: EnvironmentBody) -> Result<EnvironmentInput, ApiError> {
        body.into_input()
    }
}

impl AxualContaining for EnvironmentCollection {
    fn containing(
        service: &Self::Service,
        ctx: &RequestContext,
        text: &str,
        request: &PageRequest,
    ) -> Result<Page<Environment>, CatalogError> {
        service.environments(ctx, &EnvironmentFilter::NameContains(text.to_owned()), request)
    }

    /// `create` (not templated) for environment admins.
    fn search_links(base: &BaseUrl, may_create: &bool) -> Links {
        Links::new().add_if(*may_create, "create", || search_create_link(base, "environments"))
    }
}

portico_core::axual_calls!(EnvironmentCollection {
    create: create_environment,
    update: update_environment,
    delete: delete_environment,
    constraints: environment_usage
});

portico_core::axual_routes! {
    EnvironmentCollection, what: "environment", summary: EnvironmentSummary, detail: EnvironmentDetail,
    embedded: EnvironmentEmbedded, body: EnvironmentBody;
    list: list_axual_environments => "/environments",
    create: create_environment => "/environments",
    searches: environment_searches => "/environments/search",
    find_by_name_containing: find_environments_by_name_containing => "/environments/search/findByNameContaining",
    get: get_environment => "/environments/{uid}",
    patch: patch_environment => "/environments/{uid}",
    delete: delete_environment => "/environments/{uid}",
    deletion_constraints: environment_constraints => "/environments/{uid}/deletion-constraints",
}
