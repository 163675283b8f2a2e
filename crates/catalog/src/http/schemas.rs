//! `/schemas`: the Avro schema registry (check, upload) and Portico's compatibility check with
//! reasons (`/schemas/{uid}/compatibility`); its versions are `schema_versions.rs`.

use super::invalid;
use crate::avro::CompatibilityMode;
use crate::model::SchemaEntry;
use crate::service::{SchemaService, VersionIncompatibility};
use crate::store::schemas::SchemaFilter;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get, patch, post};
use portico_core::hal::{Collection, HAL_JSON, HalItem, Link, Links, LinksOnly, LocalTime, Resource};
use portico_core::http::axual::{
    AuditFields, Listing, Search, created, entity_url, ok, patched, projection_link, search_index, self_link, titles,
};
use portico_core::http::respond::{Versioned, entity};
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl, IfMatchHeader, Json, PathUid};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

portico_core::relation_target!(
    /// `/schemas/{uid}` URIs.
    pub Schemas => "schemas"
);
/// An Avro schema as a request carries it: a JSON string (as Axual sends it), or the schema's
/// JSON itself.
fn schema_text(value: Option<serde_json::Value>) -> Result<String, ApiError> {
    match value {
        Some(serde_json::Value::String(text)) => Ok(text),
        Some(value @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => Ok(value.to_string()),
        Some(_) => Err(invalid("schema", "'schema' must be an Avro schema (a JSON string)".into())),
        None => Err(invalid("schema", "'schema' is required".into())),
    }
}

fn mode(value: Option<&str>) -> Result<Option<CompatibilityMode>, ApiError> {
    value
        .map(|text| {
            CompatibilityMode::parse(text).ok_or_else(|| {
                let known: Vec<&str> = CompatibilityMode::ALL.iter().map(|m| m.as_str()).collect();
                invalid("compatibility", format!("'compatibility' must be one of {}", known.join(", ")))
            })
        })
        .transpose()
}

/// `POST /schemas` and `PATCH /schemas/{uid}` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SchemaBody {
    /// The Avro full name (3–255 characters). Required on `POST`; fixed afterwards.
    pub name: Option<String>,
    /// At most 500 characters (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub description: Option<Option<String>>,
    /// Portico: how new versions must relate to earlier ones (`NONE` by default; `BACKWARD`,
    /// `FORWARD`, `FULL` and their `_TRANSITIVE` forms, as Confluent means them).
    pub compatibility: Option<String>,
}

/// `POST /schemas/check` and `/schemas/{uid}/compatibility` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckBody {
    /// The Avro schema, as a JSON string.
    #[schema(value_type = String)]
    pub schema: Option<serde_json::Value>,
    /// `/schemas/{uid}/compatibility` only: the mode to check (default: the schema's).
    pub compatibility: Option<String>,
}

/// `POST /schemas/upload` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UploadBody {
    /// The Avro schema, as a JSON string.
    #[schema(value_type = String)]
    pub schema: Option<serde_json::Value>,
    /// The version label (1–50 characters).
    pub version: Option<String>,
    /// The schema's description, when the upload creates it.
    pub description: Option<String>,
}

/// `POST /schemas/check` answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckAnswer {
    /// The labels of the stored versions of the schema of that name.
    pub versions: Vec<String>,
    /// `namespace.name` of the schema's type.
    pub full_name: String,
}

/// `POST /schemas/upload` answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadAnswer {
    /// The version that holds the schema.
    pub version: String,
    /// `namespace.name` of the schema's type.
    pub full_name: String,
}

/// `/schemas/{uid}/compatibility` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompatibilityAnswer {
    /// Whether the schema may be the next version.
    pub compatible: bool,
    /// The mode checked.
    pub compatibility: String,
    /// Why not: per stored version, the direction, field path, old and new types and reason.
    #[schema(value_type = Vec<Object>)]
    pub incompatibilities: Vec<VersionIncompatibility>,
}

/// A schema: GET item, POST response.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchemaDetail {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

/// A schema in collections and searches.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchemaSummary {
    /// Name.
    pub name: String,
    /// Description (absent with `projection=names`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    /// The uid.
    pub uid: String,
}

impl HalItem for SchemaSummary {
    const REL: &'static str = "schemas";
}

/// A schema as a version embeds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmbeddedSchema {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The uid.
    pub uid: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SchemaProfile {
    #[schema(read_only)]
    uid: String,
    name: String,
    #[serde(rename = "modified_by")]
    modified_by: Option<String>,
    description: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "created_at")]
    created_at: LocalTime,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "modified_at")]
    modified_at: LocalTime,
    #[serde(rename = "created_by")]
    created_by: Option<String>,
}

/// The JSON Schema profile of schemas.
pub fn schemas_profile() -> serde_json::Value {
    spring_profile::<SchemaProfile>("Schema", &[])
}

/// The searches of `/schemas` and `/schema_versions`.
pub const SCHEMA_SEARCHES: &[Search] =
    &[("findByName", "name,page,size,sort"), ("findByNameContaining", "name,page,size,sort")];

fn schema_links(base: &BaseUrl, schema: &SchemaEntry) -> Links {
    let url = entity_url(base, "schemas", schema.id);
    Links::new().add("self", self_link(&url)).add("schema", projection_link(&url, "A schema"))
}

pub(super) fn schema_detail(base: &BaseUrl, schema: &SchemaEntry) -> Resource<SchemaDetail> {
    let body = SchemaDetail {
        name: schema.name.clone(),
        description: schema.description.clone(),
        uid: schema.id.simple().to_string(),
        audit: AuditFields::from(&schema.stamp),
    };
    Resource::new(body, schema_links(base, schema))
}

fn schema_summary(base: &BaseUrl, schema: &SchemaEntry, names: bool) -> Resource<SchemaSummary> {
    let body = SchemaSummary {
        name: schema.name.clone(),
        description: (!names).then(|| schema.description.clone()),
        uid: schema.id.simple().to_string(),
    };
    Resource::new(body, schema_links(base, schema))
}

pub(super) fn meta(version: i64, stamp: &portico_core::audit::Stamp) -> Versioned {
    Versioned { version, modified_at: Some(stamp.modified_at) }
}

/// `projection=names` (schemas) or `projection=versions` (versions); another value is a 400.
pub(super) fn projection(listing: &Listing, allowed: &str) -> Result<bool, ApiError> {
    match listing.param("projection") {
        None => Ok(false),
        Some(value) if value == allowed => Ok(true),
        Some(value) => {
            Err(invalid("projection", format!("'projection' may only be '{allowed}', not '{}'", value.escape_debug())))
        }
    }
}

pub(super) fn listing_links(base: &BaseUrl, rel: &str) -> (Link, Links) {
    let url = base.join(&format!("/{rel}"));
    let self_link = Link::templated(format!("{url}{{?page,size,sort,projection}}")).titled(titles::SELF);
    let extra = Links::new()
        .add("profile", Link::new(base.join(&format!("/profile/{rel}"))).titled(titles::PROFILE))
        .add("search", Link::new(format!("{url}/search")).titled(titles::SEARCH));
    (self_link, extra)
}

async fn schema_page(
    ctx: RequestContext,
    listing: &Listing,
    svc: Data<dyn SchemaService>,
    filter: SchemaFilter,
) -> Result<HttpResponse, ApiError> {
    let names = projection(listing, "names")?;
    let request = listing.request().clone();
    let searching = filter != SchemaFilter::All;
    let page = run_blocking(move || svc.schemas(&ctx, &filter, &request)).await?;
    let page = page.map(|schema| schema_summary(listing.base(), &schema, names));
    if searching {
        return Ok(ok(&listing.search_page(page, Links::new())));
    }
    let (self_link, extra) = listing_links(listing.base(), "schemas");
    Ok(ok(&listing.paged(page, self_link, extra)))
}

/// Axual "list schemas" (`projection=names`: names and uids only).
#[utoipa::path(tag = "axual", params(("projection" = Option<String>, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.schemas`", body = Collection<SchemaSummary>, content_type = "application/hal+json"), (status = 400, description = "bad paging or projection"), (status = 401, description = "no credentials")))]
#[get("/schemas")]
pub async fn list_schemas(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    schema_page(ctx, &listing, svc, SchemaFilter::All).await
}

/// Axual "create schema" (a name and description; versions come by upload).
#[utoipa::path(tag = "axual", request_body = SchemaBody,
    responses((status = 201, description = "created", body = Resource<SchemaDetail>, content_type = "application/hal+json"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 409, description = "name in use")))]
#[post("/schemas")]
pub async fn create_schema(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<SchemaBody>,
    base: BaseUrl,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let SchemaBody { name, description, compatibility } = body.0;
    let compatibility = mode(compatibility.as_deref())?;
    let schema = run_blocking(move || svc.create_schema(&ctx, name, description.flatten(), compatibility)).await?;
    let location = entity_url(&base, "schemas", schema.id);
    Ok(created(&req, &location, meta(schema.version, &schema.stamp), &schema_detail(&base, &schema)))
}

/// The search index of `/schemas`.
#[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/schemas/search")]
pub async fn schema_searches(_caller: RequestContext, base: BaseUrl) -> HttpResponse {
    ok(&search_index(&base, "schemas", SCHEMA_SEARCHES))
}

/// Axual `findByName`: schemas with exactly this name (paged).
#[utoipa::path(tag = "axual", params(("name" = String, Query)),
    responses((status = 200, description = "paged `_embedded.schemas`", body = Collection<SchemaSummary>, content_type = "application/hal+json"), (status = 400, description = "no name"), (status = 401, description = "no credentials")))]
#[get("/schemas/search/findByName")]
pub async fn find_schemas_by_name(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let filter = SchemaFilter::Name(listing.require("name")?.to_owned());
    schema_page(ctx, &listing, svc, filter).await
}

/// Axual `findByNameContaining`: schemas whose name contains the text, ignoring case (paged).
#[utoipa::path(tag = "axual", params(("name" = String, Query)),
    responses((status = 200, description = "paged `_embedded.schemas`", body = Collection<SchemaSummary>, content_type = "application/hal+json"), (status = 400, description = "no name"), (status = 401, description = "no credentials")))]
#[get("/schemas/search/findByNameContaining")]
pub async fn find_schemas_by_name_containing(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let filter = SchemaFilter::NameContains(listing.require("name")?.to_owned());
    schema_page(ctx, &listing, svc, filter).await
}

/// Axual "check schema": parses an Avro schema (400 with the parser's reason) and tells its full
/// name and the versions already stored under it.
#[utoipa::path(tag = "axual", request_body = CheckBody,
    responses((status = 200, description = "`{versions, fullName}`", body = CheckAnswer, content_type = "application/json"), (status = 400, description = "not a valid named Avro schema"), (status = 401, description = "no credentials")))]
#[post("/schemas/check")]
pub async fn check_schema(
    ctx: RequestContext,
    body: Json<CheckBody>,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let text = schema_text(body.0.schema)?;
    let check = run_blocking(move || svc.check_schema(&ctx, &text)).await?;
    Ok(HttpResponse::Ok().json(CheckAnswer { versions: check.versions, full_name: check.full_name }))
}

/// Axual "upload schema": stores the schema as a version of the schema of its full name
/// (created when missing). The same canonical schema again answers the version that holds it;
/// a label that holds another schema is a 409, and so is a schema the compatibility mode
/// rejects (the message names each version, field and type change).
#[utoipa::path(tag = "axual", request_body = UploadBody,
    responses((status = 200, description = "`{version, fullName}`", body = UploadAnswer, content_type = "application/json"), (status = 400, description = "not a valid named Avro schema, or no version"), (status = 401, description = "no credentials"), (status = 409, description = "the version holds another schema, or the schema is not compatible")))]
#[post("/schemas/upload")]
pub async fn upload_schema(
    ctx: RequestContext,
    body: Json<UploadBody>,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let UploadBody { schema, version, description } = body.0;
    let text = schema_text(schema)?;
    let version = version.ok_or_else(|| invalid("version", "'version' is required".into()))?;
    let (full_name, version) = run_blocking(move || svc.upload_schema(&ctx, &text, &version, description)).await?;
    Ok(HttpResponse::Ok().json(UploadAnswer { version, full_name }))
}

/// Axual "get schema".
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the schema", body = Resource<SchemaDetail>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such schema")))]
#[get("/schemas/{uid}")]
pub async fn get_schema(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let schema = run_blocking(move || svc.schema(&ctx, id)).await?;
    Ok(entity(&req, meta(schema.version, &schema.stamp), HAL_JSON, &schema_detail(&base, &schema)))
}

/// Axual "update schema": description; Portico: `compatibility` (`STREAM_ADMIN`, `TENANT_ADMIN`).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = SchemaBody,
    responses((status = 200, description = "patched, with Accept", body = Resource<SchemaDetail>, content_type = "application/hal+json"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not a stream admin"), (status = 404, description = "no such schema"), (status = 412, description = "If-Match failed")))]
#[patch("/schemas/{uid}")]
pub async fn patch_schema(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    body: Json<SchemaBody>,
    precondition: IfMatchHeader,
    base: BaseUrl,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let SchemaBody { name, description, compatibility } = body.0;
    let compatibility = mode(compatibility.as_deref())?;
    let precondition = Precondition::if_match(precondition.0);
    let schema =
        run_blocking(move || svc.update_schema(&ctx, id, name, description, compatibility, &precondition)).await?;
    Ok(patched(&req, meta(schema.version, &schema.stamp), &schema_detail(&base, &schema)))
}

/// Portico: the schema's compatibility mode (`{compatibility}`).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "`{\"compatibility\": \"BACKWARD\"}`", content_type = "application/json"), (status = 401, description = "no credentials"), (status = 404, description = "no such schema")))]
#[get("/schemas/{uid}/compatibility")]
pub async fn schema_mode(
    ctx: RequestContext,
    PathUid(id): PathUid,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let schema = run_blocking(move || svc.schema(&ctx, id)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "compatibility": schema.compatibility.as_str() })))
}

/// Portico: would this Avro schema be a compatible next version (under the schema's mode, or
/// the one given)? Answers why not: per stored version, the direction, the field path, the
/// old and new types and the reason.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = CheckBody,
    responses((status = 200, description = "`{compatible, compatibility, incompatibilities}`", body = CompatibilityAnswer, content_type = "application/json"), (status = 400, description = "not a valid named Avro schema, or an unknown mode"), (status = 401, description = "no credentials"), (status = 404, description = "no such schema")))]
#[post("/schemas/{uid}/compatibility")]
pub async fn check_compatibility(
    ctx: RequestContext,
    PathUid(id): PathUid,
    body: Json<CheckBody>,
    svc: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let CheckBody { schema, compatibility } = body.0;
    let text = schema_text(schema)?;
    let compatibility = mode(compatibility.as_deref())?;
    let report = run_blocking(move || svc.compatibility(&ctx, id, &text, compatibility)).await?;
    Ok(HttpResponse::Ok().json(CompatibilityAnswer {
        compatible: report.incompatibilities.is_empty(),
        compatibility: report.mode.as_str().to_owned(),
        incompatibilities: report.incompatibilities,
    }))
}
