//! `/schema_versions`: the versions of the Avro schema registry's schemas (list, create,
//! `findAllBySchema`, a version and its schema), and their HAL shapes, which stream configs
//! embed too.

use super::schemas::{EmbeddedSchema, SchemaDetail, Schemas, listing_links, meta, projection, schema_detail};
use crate::model::{SchemaEntry, SchemaVersion};
use crate::service::SchemaService;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get, post};
use portico_core::hal::{Collection, HAL_JSON, HalItem, Link, Links, LinksOnly, LocalTime, Resource};
use portico_core::http::axual::{
    AuditFields, Listing, Search, created, entity_url, ok, projection_link, search_index, self_link, titles,
    untitled_projection_link,
};
use portico_core::http::params::Relation;
use portico_core::http::respond::entity;
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl, Json, PathUid};
use portico_core::{RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

portico_core::relation_target!(
    /// `/schema_versions/{uid}` URIs.
    pub SchemaVersions => "schema_versions", aliases "schemaVersions"
);

/// A schema version: GET item, POST response, collection items (without `projection`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaVersionDetail {
    /// The label.
    pub version: String,
    /// The body as given.
    pub schema_body: String,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

/// `projection=versions`: label, uid and `modifiedAt` (camelCase, as the seed shows).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaVersionItem {
    /// The label.
    pub version: String,
    /// The uid.
    pub uid: String,
    /// Last change.
    #[schema(value_type = String)]
    pub modified_at: LocalTime,
}

/// A schema version item: full, or the `versions` projection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SchemaVersionEntry {
    /// Without `projection`.
    Full(SchemaVersionDetail),
    /// `projection=versions`.
    Versions(SchemaVersionItem),
}

impl HalItem for SchemaVersionEntry {
    const REL: &'static str = "schema_versions";
}

/// A version's `_embedded`: its schema.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionEmbedded {
    /// The schema.
    pub schema: Resource<EmbeddedSchema>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SchemaVersionProfile {
    #[schema(format = "uri")]
    schema: String,
    #[schema(read_only)]
    uid: String,
    schema_body: String,
    #[serde(rename = "modified_by")]
    modified_by: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "created_at")]
    created_at: LocalTime,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "modified_at")]
    modified_at: LocalTime,
    version: String,
    #[serde(rename = "created_by")]
    created_by: Option<String>,
}

/// The JSON Schema profile of schema versions.
pub fn schema_versions_profile() -> serde_json::Value {
    spring_profile::<SchemaVersionProfile>("Schema version", &[])
}

/// The searches of `/schema_versions`.
pub const VERSION_SEARCHES: &[Search] = &[("findAllBySchema", "schema")];

fn version_links(base: &BaseUrl, version: &SchemaVersion) -> Links {
    let url = entity_url(base, "schema_versions", version.id);
    let relation = untitled_projection_link(&url);
    Links::new()
        .add("self", self_link(&url))
        .add("schemaVersion", relation)
        .add("schema", projection_link(&format!("{url}/schema"), "A schema"))
}

pub(crate) fn version_detail(
    base: &BaseUrl,
    version: &SchemaVersion,
    schema: &SchemaEntry,
) -> Resource<SchemaVersionDetail, VersionEmbedded> {
    let body = SchemaVersionDetail {
        version: version.label.clone(),
        schema_body: version.body.clone(),
        uid: version.id.simple().to_string(),
        audit: AuditFields::from(&version.stamp),
    };
    let schema_url = entity_url(base, "schemas", schema.id);
    let embedded = EmbeddedSchema {
        name: schema.name.clone(),
        description: schema.description.clone(),
        uid: schema.id.simple().to_string(),
    };
    let embedded = Resource::new(
        embedded,
        Links::new().add("self", Link::templated(format!("{schema_url}{{?projection}}")).titled(titles::SELF)),
    );
    Resource::with_embedded(body, Some(VersionEmbedded { schema: embedded }), version_links(base, version))
}

/// A version in lists: in full with its schema embedded, or (`projection=versions`) label,
/// uid and `modifiedAt` only.
fn version_entry(
    base: &BaseUrl,
    version: &SchemaVersion,
    schema: &SchemaEntry,
    projection: bool,
) -> Resource<SchemaVersionEntry, VersionEmbedded> {
    if projection {
        let body = SchemaVersionEntry::Versions(SchemaVersionItem {
            version: version.label.clone(),
            uid: version.id.simple().to_string(),
            modified_at: LocalTime(version.stamp.modified_at),
        });
        return Resource::with_embedded(body, None, version_links(base, version));
    }
    let full = version_detail(base, version, schema);
    Resource::with_embedded(SchemaVersionEntry::Full(full.body), full.embedded, full.links)
}

/// `POST /schema_versions` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaVersionBody {
    /// The label (1–50 characters), unique per schema.
    pub version: Option<String>,
    /// The body (a JSON string; Avro is checked for compatibility when it is Avro).
    pub schema_body: Option<String>,
    /// The schema's URI.
    #[schema(value_type = Option<String>)]
    pub schema: Option<Relation<Schemas>>,
}

/// Axual "list schema versions" (`projection=versions`: label, uid and `modifiedAt`).
#[utoipa::path(tag = "axual", params(("projection" = Option<String>, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.schema_versions`", body = Collection<SchemaVersionEntry, VersionEmbedded>, content_type = "application/hal+json"), (status = 400, description = "bad paging or projection"), (status = 401, description = "no credentials")))]
#[get("/schema_versions")]
pub async fn list_schema_versions(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let versions = projection(&listing, "versions")?;
    let request = listing.request().clone();
    let page = run_blocking(move || svc.schema_versions(&ctx, &request)).await?;
    let page = page.map(|(version, schema)| version_entry(listing.base(), &version, &schema, versions));
    let (self_link, extra) = listing_links(listing.base(), "schema_versions");
    Ok(ok(&listing.paged(page, self_link, extra)))
}

/// Axual "create schema version".
#[utoipa::path(tag = "axual", request_body = SchemaVersionBody,
    responses((status = 201, description = "created", body = Resource<SchemaVersionDetail, VersionEmbedded>, content_type = "application/hal+json"), (status = 400, description = "validation failed or unknown schema"), (status = 401, description = "no credentials"), (status = 409, description = "label in use, or not compatible")))]
#[post("/schema_versions")]
pub async fn create_schema_version(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<SchemaVersionBody>,
    base: BaseUrl,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let SchemaVersionBody { version, schema_body, schema } = body.0;
    let (version, schema) =
        run_blocking(move || svc.create_schema_version(&ctx, schema.map(Relation::id), version, schema_body)).await?;
    let location = entity_url(&base, "schema_versions", version.id);
    Ok(created(&req, &location, meta(0, &version.stamp), &version_detail(&base, &version, &schema)))
}

/// The search index of `/schema_versions`.
#[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/schema_versions/search")]
pub async fn schema_version_searches(_caller: RequestContext, base: BaseUrl) -> HttpResponse {
    ok(&search_index(&base, "schema_versions", VERSION_SEARCHES))
}

/// Axual `findAllBySchema`: every version of a schema (its URI), oldest first, unpaged.
#[utoipa::path(tag = "axual", params(("schema" = String, Query, description = "a schema URI")),
    responses((status = 200, description = "`_embedded.schema_versions`", body = Collection<SchemaVersionEntry, VersionEmbedded>, content_type = "application/hal+json"), (status = 400, description = "no or malformed schema URI"), (status = 401, description = "no credentials"), (status = 404, description = "no such schema")))]
#[get("/schema_versions/search/findAllBySchema")]
pub async fn find_versions_by_schema(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let versions = projection(&listing, "versions")?;
    let schema = listing.relation::<Schemas>("schema")?;
    let found = run_blocking(move || svc.versions_of_schema(&ctx, schema)).await?;
    let items =
        found.iter().map(|(version, schema)| version_entry(listing.base(), version, schema, versions)).collect();
    Ok(ok(&Collection::list(items, Links::new().add("self", listing.search_self()))))
}

/// One schema version (the target of its `self` and `schemaVersion` links).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the version", body = Resource<SchemaVersionDetail, VersionEmbedded>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such version")))]
#[get("/schema_versions/{uid}")]
pub async fn get_schema_version(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let (version, schema) = run_blocking(move || svc.schema_version(&ctx, id)).await?;
    Ok(entity(&req, meta(0, &version.stamp), HAL_JSON, &version_detail(&base, &version, &schema)))
}

/// A version's schema (its `schema` association).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the schema", body = Resource<SchemaDetail>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such version")))]
#[get("/schema_versions/{uid}/schema")]
pub async fn schema_of_version(
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let (_, schema) = run_blocking(move || svc.schema_version(&ctx, id)).await?;
    Ok(ok(&schema_detail(&base, &schema)))
}
