//! `/api/v1/config/{instance_id}` (create, update, read, delete, synchronize, history, files)
//! and `/api/v1/reference/{instance_id}`. Bearer or Basic; `X-Onegini-Instance` must repeat
//! the path's instance id.

use super::OneginiInstance;
use super::wire::{
    ConfigBody, CreateRequest, CreatedBody, FileBody, FilesBody, ReferencesBody, SynchronizationBody,
    SynchronizationsBody, SynchronizeRequest, UpdateRequest,
};
use crate::service::GitsyncService;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, ETAG};
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post};
use portico_core::http::respond::{Versioned, no_store, versioned, with_location};
use portico_core::http::{ApiError, IfMatchHeader, Json, QueryPairs};
use portico_core::page::Window;
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use uuid::Uuid;

/// Create Configuration: lists the remote's references with it, then saves it (creating the
/// instance on its first configuration).
#[utoipa::path(tag = "onegini", operation_id = "onegini_create_config", request_body = CreateRequest,
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy")),
    responses((status = 201, description = "Configuration saved", body = CreatedBody),
        (status = 400, description = "One or more of the parameters are missing or invalid"),
        (status = 403, description = "The instance id in the path does not match the X-Onegini-Instance header"),
        (status = 500, description = "Could not fetch available references by Git API")))]
#[post("/api/v1/config/{instance_id}")]
pub async fn create_config(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    body: Json<CreateRequest>,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    let draft = body.0.into_draft()?;
    let created = run_blocking(move || svc.create_config(&ctx, id, draft)).await?;
    let config = created.config;
    let body = CreatedBody {
        remote_url: config.remote_url,
        authentication_type: config.authentication_type.as_str(),
        username: config.username,
        selected_reference: config.selected_reference,
        reference_type: config.reference_type.as_str(),
        synchronization_type: config.synchronization_type.as_str(),
        available_references: created.available_references,
    };
    let response = versioned(StatusCode::CREATED, Versioned { version: config.version, modified_at: None });
    Ok(no_store(with_location(response, &format!("/api/v1/config/{id}"))).json(body))
}

/// Update Configuration: saves the selected reference (and any other change); the reference
/// must exist on the remote. Honours `If-Match` with the `ETag` of `GET`.
#[utoipa::path(tag = "onegini", operation_id = "onegini_update_config", request_body = UpdateRequest,
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy")),
    responses((status = 204, description = "Configuration updated"),
        (status = 400, description = "One or more of the parameters are missing or invalid"),
        (status = 403, description = "The instance id in the path does not match the X-Onegini-Instance header"),
        (status = 412, description = "If-Match does not match"),
        (status = 500, description = "Could not fetch available references by Git API")))]
#[patch("/api/v1/config/{instance_id}")]
pub async fn update_config(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    if_match: IfMatchHeader,
    body: Json<UpdateRequest>,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.0.into_patch()?;
    let precondition = Precondition::if_match(if_match.0);
    let config = run_blocking(move || svc.update_config(&ctx, id, patch, &precondition)).await?;
    Ok(no_store(versioned(StatusCode::NO_CONTENT, Versioned { version: config.version, modified_at: None })).finish())
}

/// Read Configuration (never the password), with the latest synchronisation.
#[utoipa::path(tag = "onegini", operation_id = "onegini_get_config",
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy")),
    responses((status = 200, description = "The configuration", body = ConfigBody),
        (status = 403, description = "The instance id in the path does not match the X-Onegini-Instance header"),
        (status = 404, description = "Could not find Configuration linked to requested Instance")))]
#[get("/api/v1/config/{instance_id}")]
pub async fn get_config(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    let config = run_blocking(move || svc.config(&ctx, id)).await?;
    let response = versioned(StatusCode::OK, Versioned { version: config.version, modified_at: None });
    Ok(no_store(response)
        .insert_header((CONTENT_TYPE, "application/json;charset=UTF-8"))
        .json(ConfigBody::from(config)))
}

/// Delete Configuration (the instance and its synchronised files stay).
#[utoipa::path(tag = "onegini", operation_id = "onegini_delete_config",
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy")),
    responses((status = 204, description = "Configuration deleted"),
        (status = 403, description = "The instance id in the path does not match the X-Onegini-Instance header"),
        (status = 404, description = "Could not find Configuration linked to requested Instance"),
        (status = 412, description = "If-Match does not match the configuration's ETag")))]
#[delete("/api/v1/config/{instance_id}")]
pub async fn delete_config(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    precondition: Precondition,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.delete_config(&ctx, id, &precondition)).await?;
    Ok(no_store(HttpResponse::NoContent()).finish())
}

/// The optional body of a synchronisation: none, or JSON with `commit_id`.
fn commit_of(req: &HttpRequest, body: &Bytes) -> Result<Option<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    portico_core::http::extract::check_json_media(req).map_err(ApiError::new)?;
    let request: SynchronizeRequest = portico_core::http::extract::parse_json(body).map_err(ApiError::new)?;
    Ok(request.commit_id.filter(|commit| !commit.trim().is_empty()).map(|commit| commit.trim().to_owned()))
}

async fn run_synchronization(
    ctx: RequestContext,
    id: Uuid,
    req: HttpRequest,
    body: Bytes,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    let commit = commit_of(&req, &body)?;
    let sync = run_blocking(move || svc.synchronize(&ctx, id, commit)).await?;
    Ok(no_store(HttpResponse::Ok()).json(SynchronizationBody::from(sync)))
}

/// Synchronize the resources of one configuration: the selected reference, or `commit_id`.
/// Answers with the synchronisation's record; 409 while another one of the instance runs.
#[utoipa::path(tag = "onegini", operation_id = "onegini_synchronize", request_body(content = Option<SynchronizeRequest>, description = "Optional"),
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy")),
    responses((status = 200, description = "Synchronized", body = SynchronizationBody),
        (status = 400, description = "No reference selected, or an invalid commit_id"),
        (status = 403, description = "The instance id in the path does not match the X-Onegini-Instance header"),
        (status = 404, description = "Could not find Configuration linked to requested Instance"),
        (status = 409, description = "A synchronization of the instance is running"),
        (status = 500, description = "The git remote failed; the previous files are kept")))]
#[post("/api/v1/config/{instance_id}/synchronize")]
pub async fn synchronize(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    req: HttpRequest,
    body: Bytes,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    run_synchronization(ctx, id, req, body, svc).await
}

/// The same as `/synchronize`, at the path the document's example uses.
#[utoipa::path(tag = "onegini", operation_id = "onegini_synchronization", request_body(content = Option<SynchronizeRequest>, description = "Optional"),
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy")),
    responses((status = 200, description = "Synchronized", body = SynchronizationBody),
        (status = 404, description = "Could not find Configuration linked to requested Instance"),
        (status = 409, description = "A synchronization of the instance is running")))]
#[post("/api/v1/config/{instance_id}/synchronization")]
pub async fn synchronization(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    req: HttpRequest,
    body: Bytes,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    run_synchronization(ctx, id, req, body, svc).await
}

/// The instance's synchronisations, newest first (`limit`, 1..1000, default 20).
#[utoipa::path(tag = "onegini", operation_id = "onegini_synchronizations",
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy"),
        ("limit" = Option<i64>, Query, description = "At most this many (1..1000, default 20)")),
    responses((status = 200, description = "The history", body = SynchronizationsBody),
        (status = 404, description = "Instance does not exist")))]
#[get("/api/v1/config/{instance_id}/synchronizations")]
pub async fn synchronizations(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    query: QueryPairs,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    let limit = Window::from_query(&query.0, Some(20), 1000)?.limit.unwrap_or(20);
    let history = run_blocking(move || svc.synchronizations(&ctx, id, limit)).await?;
    Ok(no_store(HttpResponse::Ok())
        .json(SynchronizationsBody { synchronizations: history.into_iter().map(Into::into).collect() }))
}

/// The instance's current synchronised files, by path.
#[utoipa::path(tag = "onegini", operation_id = "onegini_list_files",
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy")),
    responses((status = 200, description = "The files", body = FilesBody), (status = 404, description = "Instance does not exist")))]
#[get("/api/v1/config/{instance_id}/files")]
pub async fn list_files(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    let files = run_blocking(move || svc.files(&ctx, id)).await?;
    Ok(no_store(HttpResponse::Ok()).json(FilesBody { files: files.into_iter().map(FileBody::from).collect() }))
}

/// One synchronised file's content (`ETag`: its digest).
#[utoipa::path(tag = "onegini", operation_id = "onegini_get_file",
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("path" = String, Path, description = "The file's path in the repository"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy")),
    responses((status = 200, description = "The content", content_type = "application/octet-stream"),
        (status = 404, description = "No such file")))]
#[get("/api/v1/config/{instance_id}/files/{path:.*}")]
pub async fn get_file(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    req: HttpRequest,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    let path = portico_core::http::path_segment(&req, "path")?;
    let content = run_blocking(move || svc.file(&ctx, id, &path)).await?;
    Ok(no_store(HttpResponse::Ok())
        .insert_header((CONTENT_TYPE, "application/octet-stream"))
        .insert_header((ETAG, format!("\"{}\"", content.file.digest)))
        .body(content.bytes))
}

/// Read a list of available Git references (tags or branches, by the configuration's type).
#[utoipa::path(tag = "onegini", operation_id = "onegini_references",
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance"),
        ("X-Onegini-Instance" = String, Header, description = "The same instance id, set by a trusted proxy")),
    responses((status = 200, description = "The references", body = ReferencesBody),
        (status = 403, description = "The instance id in the path does not match the X-Onegini-Instance header"),
        (status = 404, description = "Could not find Configuration linked to requested Instance"),
        (status = 500, description = "Could not fetch available references by Git API")))]
#[get("/api/v1/reference/{instance_id}")]
pub async fn references(
    ctx: RequestContext,
    OneginiInstance(id): OneginiInstance,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    let result = run_blocking(move || svc.references(&ctx, id)).await?;
    Ok(no_store(HttpResponse::Ok())
        .insert_header((CONTENT_TYPE, "application/json;charset=UTF-8"))
        .json(ReferencesBody { result }))
}
