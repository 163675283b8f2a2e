//! `/{ownerId}/management/registry/resources`: documents flows refer to as
//! `<type>:<resourceId>:<revision>`, with (beyond the document) a resource's list of revisions.

use super::{param, positive_revision};
use crate::error::FlowsError;
use crate::resources::{
    MAX_PAGE, ResourceQuery, ResourceRevision, ResourceSummary, ResourceType, ResourceWrite, RevisionSummary,
};
use crate::service::FlowsService;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, delete, get, post};
use portico_core::http::respond::{Versioned, versioned, with_location};
use portico_core::http::{ApiError, Failure, IfMatchHeader, Json, NumericId, QueryPairs};
use portico_core::page::Window;
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A resource: its latest revision's metadata, without the document.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceBody {
    /// `ArrowSchema`, `AvroSchema`, `JsonSchema2019-09`, `OpenAPIv3`, `WSDLv1` or `XSD`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The resource's id.
    pub resource_id: String,
    /// The latest revision's number.
    pub latest_revision: i64,
    /// `<type>:<resourceId>:latest`, as a flow refers to it.
    pub reference: String,
    /// The document's title (OpenAPI `info.title`, a schema's title or name, ...).
    pub title: Option<String>,
    /// The latest revision's description.
    pub description: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
    /// RFC 3339: when the latest revision was written.
    pub updated_at: String,
    /// Who wrote it.
    pub updated_by: String,
}

impl From<ResourceSummary> for ResourceBody {
    fn from(summary: ResourceSummary) -> Self {
        ResourceBody {
            kind: summary.kind.as_str(),
            reference: format!("{}:{}:latest", summary.kind.as_str(), summary.resource_id),
            resource_id: summary.resource_id,
            latest_revision: summary.latest_revision,
            title: summary.title,
            description: summary.description,
            created_at: summary.created_at.rfc3339(),
            created_by: summary.created_by,
            updated_at: summary.updated_at.rfc3339(),
            updated_by: summary.updated_by,
        }
    }
}

/// One revision of a resource, with its document.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevisionBody {
    /// The resource's type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The resource's id.
    pub resource_id: String,
    /// The revision's number.
    pub revision: i64,
    /// `<type>:<resourceId>:<revision>`.
    pub reference: String,
    /// The document's title.
    pub title: Option<String>,
    /// What the revision is about.
    pub description: Option<String>,
    /// SHA-256 of the document (hex).
    pub sha256: String,
    /// The document, as sent.
    pub content: String,
    /// RFC 3339.
    pub created_at: String,
    /// Who wrote it.
    pub created_by: String,
}

impl From<ResourceRevision> for RevisionBody {
    fn from(revision: ResourceRevision) -> Self {
        RevisionBody {
            kind: revision.kind.as_str(),
            reference: revision.reference(),
            resource_id: revision.resource_id,
            revision: revision.revision,
            title: revision.title,
            description: revision.description,
            sha256: revision.sha256,
            content: revision.content,
            created_at: revision.created_at.rfc3339(),
            created_by: revision.created_by,
        }
    }
}

/// A revision in a resource's list (without the document).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevisionSummaryBody {
    /// Its number.
    pub revision: i64,
    /// The document's title.
    pub title: Option<String>,
    /// What the revision is about.
    pub description: Option<String>,
    /// SHA-256 of the document (hex).
    pub sha256: String,
    /// RFC 3339.
    pub created_at: String,
    /// Who wrote it.
    pub created_by: String,
}

impl From<RevisionSummary> for RevisionSummaryBody {
    fn from(revision: RevisionSummary) -> Self {
        RevisionSummaryBody {
            revision: revision.revision,
            title: revision.title,
            description: revision.description,
            sha256: revision.sha256,
            created_at: revision.created_at.rfc3339(),
            created_by: revision.created_by,
        }
    }
}

/// A resource with every revision.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceWithRevisionsBody {
    /// The resource.
    #[serde(flatten)]
    pub resource: ResourceBody,
    /// Its revisions, oldest first.
    pub revisions: Vec<RevisionSummaryBody>,
}

/// The body of `POST /resources/{type}/{resourceId}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceRequest {
    /// The document as text (JSON, YAML or XML, as the type wants); for every type but `WSDLv1`
    /// and `XSD` also the JSON value itself.
    #[schema(value_type = Object)]
    pub content: Option<Value>,
    /// What this revision is about (at most 4096 characters).
    pub description: Option<String>,
}

impl ResourceRequest {
    fn into_write(self, kind: ResourceType) -> Result<ResourceWrite, FlowsError> {
        let content = match self.content {
            Some(Value::String(text)) => text,
            Some(Value::Null) | None => return Err(FlowsError::invalid("content", "'content' is required")),
            Some(value) if kind.takes_json() => value.to_string(),
            Some(_) => {
                return Err(FlowsError::invalid(
                    "content",
                    format!("a {} resource's 'content' is the document as a string", kind.as_str()),
                ));
            }
        };
        Ok(ResourceWrite { content, description: self.description })
    }
}

/// A 400 about a path or query parameter.
fn located(err: &FlowsError, location: &'static str) -> ApiError {
    ApiError::new(Failure::from_domain(err).in_location(location))
}

/// The `{type}` and `{resourceId}` of the path.
fn resource_path(req: &HttpRequest) -> Result<(ResourceType, String), ApiError> {
    let kind = ResourceType::parse_field("type", &param(req, "type")?).map_err(|err| located(&err, "path"))?;
    Ok((kind, param(req, "resourceId")?))
}

/// A revision's response: `ETag` is the resource's version.
fn revision_response(status: StatusCode, location: Option<&str>, revision: ResourceRevision) -> HttpResponse {
    let mut builder = versioned(status, Versioned { version: revision.resource_version, modified_at: None });
    if let Some(location) = location {
        builder = with_location(builder, location);
    }
    builder.json(RevisionBody::from(revision))
}

/// Get all resource types the owner has deployed resources of.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_resource_types",
    params(("ownerId" = String, Path, description = "The owner")),
    responses((status = 200, description = "The types, sorted", body = Vec<String>)))]
#[get("/{ownerId}/management/registry/resource-types")]
pub async fn resource_types(ctx: RequestContext, svc: Data<dyn FlowsService>) -> Result<HttpResponse, ApiError> {
    let types = run_blocking(move || svc.resource_types(&ctx)).await?;
    Ok(HttpResponse::Ok().json(types.into_iter().map(ResourceType::as_str).collect::<Vec<_>>()))
}

/// Get all resources of the owner; `textQuery` keeps those whose id, title or description
/// contain it (ignoring case), `resourceTypes` (repeated or comma-separated) those of the types.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_list_resources",
    params(("ownerId" = String, Path, description = "The owner"),
        ("textQuery" = Option<String>, Query, description = "Text the id, title or description contains"),
        ("resourceTypes" = Option<String>, Query, description = "Resource types, comma-separated or repeated"),
        ("offset" = Option<i64>, Query, description = "Matches to skip (beyond the document)"),
        ("limit" = Option<i64>, Query, description = "At most this many, 1..1000 (beyond the document; default: all)")),
    responses((status = 200, description = "The resources, by type and id", body = Vec<ResourceBody>),
        (status = 400, description = "An unknown resource type or parameter")))]
#[get("/{ownerId}/management/registry/resources")]
pub async fn list_resources(
    ctx: RequestContext,
    query: QueryPairs,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let query = query.canonical(&["textQuery", "resourceTypes", "offset", "limit"]).map_err(ApiError::new)?;
    let types = query.0.iter().filter(|(name, _)| name == "resourceTypes").map(|(_, value)| value.as_str());
    let filter = ResourceQuery::parse(query.get("textQuery"), types)
        .map_err(|err| located(&err, "query"))?
        .page(Window::from_query(&query.0, None, MAX_PAGE)?);
    let found = run_blocking(move || svc.resources(&ctx, &filter)).await?;
    Ok(HttpResponse::Ok().json(found.into_iter().map(ResourceBody::from).collect::<Vec<_>>()))
}

/// Create a new resource, or a new revision when the resource exists and the document or
/// description changed (the same document again changes nothing: 200 with the latest revision).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_put_resource", request_body = ResourceRequest,
    params(("ownerId" = String, Path, description = "The owner"), ("type" = String, Path, description = "The resource type"),
        ("resourceId" = String, Path, description = "The resource's id")),
    responses((status = 201, description = "A new resource or revision", body = RevisionBody),
        (status = 200, description = "The same document as the latest revision: nothing changed", body = RevisionBody),
        (status = 400, description = "An unknown type, an invalid id, or content that is not a valid document of the type"),
        (status = 412, description = "If-Match does not match")))]
#[post("/{ownerId}/management/registry/resources/{type}/{resourceId}")]
pub async fn put_resource(
    ctx: RequestContext,
    req: HttpRequest,
    if_match: IfMatchHeader,
    body: Json<ResourceRequest>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (kind, id) = resource_path(&req)?;
    let write = body.0.into_write(kind)?;
    let precondition = Precondition::if_match(if_match.0);
    let (revision, added) = run_blocking(move || svc.put_resource(&ctx, kind, &id, write, &precondition)).await?;
    if !added {
        return Ok(revision_response(StatusCode::OK, None, revision));
    }
    let location = format!(
        "/{}/management/registry/resources/{}/{}/{}",
        param(&req, "ownerId")?,
        revision.kind.as_str(),
        revision.resource_id,
        revision.revision
    );
    Ok(revision_response(StatusCode::CREATED, Some(&location), revision))
}

/// A resource with its revisions, without documents (beyond the document).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_get_resource",
    params(("ownerId" = String, Path, description = "The owner"), ("type" = String, Path, description = "The resource type"),
        ("resourceId" = String, Path, description = "The resource's id")),
    responses((status = 200, description = "The resource", body = ResourceWithRevisionsBody), (status = 404, description = "No such resource")))]
#[get("/{ownerId}/management/registry/resources/{type}/{resourceId}")]
pub async fn get_resource(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (kind, id) = resource_path(&req)?;
    let (summary, revisions) = run_blocking(move || svc.resource(&ctx, kind, &id)).await?;
    let meta = Versioned { version: summary.version, modified_at: None };
    Ok(versioned(StatusCode::OK, meta).json(ResourceWithRevisionsBody {
        resource: summary.into(),
        revisions: revisions.into_iter().map(Into::into).collect(),
    }))
}

/// Get the latest revision of a resource.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_latest_resource",
    params(("ownerId" = String, Path, description = "The owner"), ("type" = String, Path, description = "The resource type"),
        ("resourceId" = String, Path, description = "The resource's id")),
    responses((status = 200, description = "The latest revision", body = RevisionBody), (status = 404, description = "No such resource")))]
#[get("/{ownerId}/management/registry/resources/{type}/{resourceId}/latest")]
pub async fn latest_revision(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (kind, id) = resource_path(&req)?;
    let revision = run_blocking(move || svc.resource_revision(&ctx, kind, &id, None)).await?;
    Ok(revision_response(StatusCode::OK, None, revision))
}

/// Get a specific revision of a resource.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_resource_revision",
    params(("ownerId" = String, Path, description = "The owner"), ("type" = String, Path, description = "The resource type"),
        ("resourceId" = String, Path, description = "The resource's id"), ("revision" = i64, Path, description = "The revision")),
    responses((status = 200, description = "The revision", body = RevisionBody), (status = 404, description = "No such resource or revision")))]
#[get("/{ownerId}/management/registry/resources/{type}/{resourceId}/{revision}")]
pub async fn resource_revision(
    ctx: RequestContext,
    req: HttpRequest,
    NumericId(revision): NumericId<3>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (kind, id) = resource_path(&req)?;
    let revision = positive_revision(revision)?;
    let found = run_blocking(move || svc.resource_revision(&ctx, kind, &id, Some(revision))).await?;
    Ok(revision_response(StatusCode::OK, None, found))
}

/// Delete all revisions of a resource.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_delete_resource",
    params(("ownerId" = String, Path, description = "The owner"), ("type" = String, Path, description = "The resource type"),
        ("resourceId" = String, Path, description = "The resource's id")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such resource"),
        (status = 412, description = "If-Match does not match the resource's version")))]
#[delete("/{ownerId}/management/registry/resources/{type}/{resourceId}")]
pub async fn delete_resource(
    ctx: RequestContext,
    req: HttpRequest,
    precondition: Precondition,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let (kind, id) = resource_path(&req)?;
    run_blocking(move || svc.delete_resource(&ctx, kind, &id, &precondition)).await?;
    Ok(HttpResponse::NoContent().finish())
}
