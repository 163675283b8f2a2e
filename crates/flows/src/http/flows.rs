//! `/{ownerId}/management/flows`: the seed's flow endpoints, plus (beyond it) revisions and
//! the disable/enable history.

use super::param;
use crate::model::{Flow, FlowDefinition, FlowRevision, StatusChange, StatusRequest};
use crate::service::FlowsService;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put};
use portico_core::http::respond::{Versioned, versioned, with_location};
use portico_core::http::{ApiError, IfMatchHeader, Json, NumericId};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A flow as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowBody {
    /// The flow id.
    pub flow_id: String,
    /// The definition's `version` label.
    pub version: String,
    /// 1 for the first definition, one more per update.
    pub revision: i64,
    /// Whether it takes work.
    pub enabled: bool,
    /// The source's type (`rest`, `scheduled`, `messaging`, `file`).
    pub source_type: &'static str,
    /// Whether the source allows disabling.
    pub can_disable: bool,
    /// The latest disable or enable, or `null`.
    pub status_change: Option<StatusChangeBody>,
    /// The current definition, as deployed.
    #[schema(value_type = Object)]
    pub definition: Value,
    /// RFC 3339.
    pub created_at: String,
    /// Who deployed it.
    pub created_by: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
}

impl From<Flow> for FlowBody {
    fn from(flow: Flow) -> Self {
        FlowBody {
            flow_id: flow.id,
            version: flow.definition.version,
            revision: flow.revision,
            enabled: flow.enabled,
            source_type: flow.definition.source.as_str(),
            can_disable: flow.definition.source.can_disable(),
            status_change: flow.last_change.map(Into::into),
            definition: flow.definition.json,
            created_at: flow.created_at.rfc3339(),
            created_by: flow.created_by,
            updated_at: flow.updated_at.rfc3339(),
            updated_by: flow.updated_by,
        }
    }
}

/// A disable or enable.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusChangeBody {
    /// `DISABLED` or `ENABLED`.
    pub action: &'static str,
    /// The principal the request named.
    pub principal_id: String,
    /// Why.
    pub reason: Option<String>,
    /// RFC 3339.
    pub at: String,
    /// The authenticated caller.
    pub by: String,
}

impl From<StatusChange> for StatusChangeBody {
    fn from(change: StatusChange) -> Self {
        StatusChangeBody {
            action: change.action.as_str(),
            principal_id: change.principal_id,
            reason: change.reason,
            at: change.at.rfc3339(),
            by: change.by,
        }
    }
}

/// One revision of a flow's definition.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevisionBody {
    /// Its number.
    pub revision: i64,
    /// The definition's `version` label.
    pub version: String,
    /// The definition.
    #[schema(value_type = Object)]
    pub definition: Value,
    /// RFC 3339.
    pub created_at: String,
    /// Who saved it.
    pub created_by: String,
}

impl From<FlowRevision> for RevisionBody {
    fn from(revision: FlowRevision) -> Self {
        RevisionBody {
            revision: revision.revision,
            version: revision.definition.version,
            definition: revision.definition.json,
            created_at: revision.created_at.rfc3339(),
            created_by: revision.created_by,
        }
    }
}

/// The body of `disable` (`principalId` and `reason`) and `enable` (`principalId`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusBody {
    /// Who asks (e.g. the operator on call).
    pub principal_id: Option<String>,
    /// Why (required to disable).
    pub reason: Option<String>,
}

impl From<StatusBody> for StatusRequest {
    fn from(body: StatusBody) -> Self {
        StatusRequest { principal_id: body.principal_id.unwrap_or_default(), reason: body.reason }
    }
}

fn flow_id(req: &HttpRequest) -> Result<String, ApiError> {
    param(req, "flowId")
}

fn flow_response(status: StatusCode, flow: Flow) -> HttpResponse {
    let meta = Versioned { version: flow.version, modified_at: None };
    versioned(status, meta).json(FlowBody::from(flow))
}

/// Get flow details for all deployed flows.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_list_flows",
    params(("ownerId" = String, Path, description = "The owner")),
    responses((status = 200, description = "Every flow", body = Vec<FlowBody>), (status = 401, description = "No token"),
        (status = 403, description = "Not Admin or Deployer, no scope management, or another owner")))]
#[get("/{ownerId}/management/flows")]
pub async fn list_flows(ctx: RequestContext, svc: Data<dyn FlowsService>) -> Result<HttpResponse, ApiError> {
    let flows = run_blocking(move || svc.flows(&ctx)).await?;
    Ok(HttpResponse::Ok().json(flows.into_iter().map(FlowBody::from).collect::<Vec<_>>()))
}

/// Create a new flow from its definition (see docs/flows.md).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_create_flow", request_body(content = Object, description = "A flow definition"),
    params(("ownerId" = String, Path, description = "The owner")),
    responses((status = 201, description = "Deployed", body = FlowBody), (status = 400, description = "An invalid definition (the problem names the field)"),
        (status = 409, description = "The flow id is taken")))]
#[post("/{ownerId}/management/flows")]
pub async fn create_flow(
    ctx: RequestContext,
    req: HttpRequest,
    body: Json<Value>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let definition = FlowDefinition::parse(body.0)?;
    let flow = run_blocking(move || svc.create_flow(&ctx, definition)).await?;
    let location = format!("/{}/management/flows/{}", param(&req, "ownerId")?, flow.id);
    let meta = Versioned { version: flow.version, modified_at: None };
    Ok(with_location(versioned(StatusCode::CREATED, meta), &location).json(FlowBody::from(flow)))
}

/// Get only the flow ids.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_flow_ids",
    params(("ownerId" = String, Path, description = "The owner")),
    responses((status = 200, description = "The ids, sorted", body = Vec<String>)))]
#[get("/{ownerId}/management/flows/flowIds")]
pub async fn flow_ids(ctx: RequestContext, svc: Data<dyn FlowsService>) -> Result<HttpResponse, ApiError> {
    let ids = run_blocking(move || svc.flow_ids(&ctx)).await?;
    Ok(HttpResponse::Ok().json(ids))
}

/// Get the details for a single flow.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_get_flow",
    params(("ownerId" = String, Path, description = "The owner"), ("flowId" = String, Path, description = "The flow")),
    responses((status = 200, description = "The flow", body = FlowBody), (status = 404, description = "No such flow")))]
#[get("/{ownerId}/management/flows/{flowId}")]
pub async fn get_flow(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let id = flow_id(&req)?;
    let flow = run_blocking(move || svc.flow(&ctx, &id)).await?;
    Ok(flow_response(StatusCode::OK, flow))
}

/// Update a flow: the definition becomes a new revision; `If-Match` makes it conditional.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_update_flow", request_body(content = Object, description = "A flow definition"),
    params(("ownerId" = String, Path, description = "The owner"), ("flowId" = String, Path, description = "The flow")),
    responses((status = 200, description = "Updated", body = FlowBody), (status = 400, description = "An invalid definition"),
        (status = 404, description = "No such flow"), (status = 412, description = "If-Match does not match")))]
#[put("/{ownerId}/management/flows/{flowId}")]
pub async fn update_flow(
    ctx: RequestContext,
    req: HttpRequest,
    if_match: IfMatchHeader,
    body: Json<Value>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let id = flow_id(&req)?;
    let definition = FlowDefinition::parse(body.0)?;
    let precondition = Precondition::if_match(if_match.0);
    let flow = run_blocking(move || svc.update_flow(&ctx, &id, definition, &precondition)).await?;
    Ok(flow_response(StatusCode::OK, flow))
}

/// Delete a flow with its revisions and history.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_delete_flow",
    params(("ownerId" = String, Path, description = "The owner"), ("flowId" = String, Path, description = "The flow")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such flow"),
        (status = 412, description = "If-Match does not match the flow's version")))]
#[delete("/{ownerId}/management/flows/{flowId}")]
pub async fn delete_flow(
    ctx: RequestContext,
    req: HttpRequest,
    precondition: Precondition,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let id = flow_id(&req)?;
    run_blocking(move || svc.delete_flow(&ctx, &id, &precondition)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Disable a flow with a compatible source (rest, messaging); `principalId` and `reason` required.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_disable_flow", request_body = StatusBody,
    params(("ownerId" = String, Path, description = "The owner"), ("flowId" = String, Path, description = "The flow")),
    responses((status = 200, description = "Disabled", body = FlowBody), (status = 400, description = "A missing field, or a source that cannot be disabled"),
        (status = 404, description = "No such flow"), (status = 409, description = "Already disabled")))]
#[post("/{ownerId}/management/flows/{flowId}/disable")]
pub async fn disable_flow(
    ctx: RequestContext,
    req: HttpRequest,
    body: Json<StatusBody>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let id = flow_id(&req)?;
    let flow = run_blocking(move || svc.disable_flow(&ctx, &id, body.0.into())).await?;
    Ok(flow_response(StatusCode::OK, flow))
}

/// Enable a disabled flow; `principalId` required.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_enable_flow", request_body = StatusBody,
    params(("ownerId" = String, Path, description = "The owner"), ("flowId" = String, Path, description = "The flow")),
    responses((status = 200, description = "Enabled", body = FlowBody), (status = 400, description = "principalId missing"),
        (status = 404, description = "No such flow"), (status = 409, description = "Not disabled")))]
#[post("/{ownerId}/management/flows/{flowId}/enable")]
pub async fn enable_flow(
    ctx: RequestContext,
    req: HttpRequest,
    body: Json<StatusBody>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let id = flow_id(&req)?;
    let flow = run_blocking(move || svc.enable_flow(&ctx, &id, body.0.into())).await?;
    Ok(flow_response(StatusCode::OK, flow))
}

/// Every revision of a flow's definition, oldest first.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_flow_revisions",
    params(("ownerId" = String, Path, description = "The owner"), ("flowId" = String, Path, description = "The flow")),
    responses((status = 200, description = "The revisions", body = Vec<RevisionBody>), (status = 404, description = "No such flow")))]
#[get("/{ownerId}/management/flows/{flowId}/revisions")]
pub async fn flow_revisions(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let id = flow_id(&req)?;
    let revisions = run_blocking(move || svc.flow_revisions(&ctx, &id)).await?;
    Ok(HttpResponse::Ok().json(revisions.into_iter().map(RevisionBody::from).collect::<Vec<_>>()))
}

/// One revision of a flow's definition.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_flow_revision",
    params(("ownerId" = String, Path, description = "The owner"), ("flowId" = String, Path, description = "The flow"),
        ("revision" = i64, Path, description = "The revision")),
    responses((status = 200, description = "The revision", body = RevisionBody), (status = 404, description = "No such flow or revision")))]
#[get("/{ownerId}/management/flows/{flowId}/revisions/{revision}")]
pub async fn flow_revision(
    ctx: RequestContext,
    req: HttpRequest,
    NumericId(revision): NumericId<2>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let id = flow_id(&req)?;
    let revision = super::positive_revision(revision)?;
    let found = run_blocking(move || svc.flow_revision(&ctx, &id, revision)).await?;
    Ok(HttpResponse::Ok().json(RevisionBody::from(found)))
}

/// Every disable and enable of a flow, oldest first: who, when, why.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_flow_history",
    params(("ownerId" = String, Path, description = "The owner"), ("flowId" = String, Path, description = "The flow")),
    responses((status = 200, description = "The history", body = Vec<StatusChangeBody>), (status = 404, description = "No such flow")))]
#[get("/{ownerId}/management/flows/{flowId}/history")]
pub async fn flow_history(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let id = flow_id(&req)?;
    let history = run_blocking(move || svc.flow_history(&ctx, &id)).await?;
    Ok(HttpResponse::Ok().json(history.into_iter().map(StatusChangeBody::from).collect::<Vec<_>>()))
}
