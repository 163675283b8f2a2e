//! `/api/v1/instance`: list, check and delete instances. Bearer tokens only.

use super::wire::{InstanceBody, InstanceEntry, InstancesBody};
use crate::service::GitsyncService;
use actix_web::web::Data;
use actix_web::{HttpResponse, delete, get};
use portico_core::http::failure::Failure;
use portico_core::http::respond::no_store;
use portico_core::http::{ApiError, UuidId};
use portico_core::{ErrorKind, RequestContext, run_blocking};

/// The document: "Instance endpoints require Bearer Authentication" (Basic is refused).
fn bearer_only(ctx: &RequestContext) -> Result<(), ApiError> {
    if ctx.principal.token_id.is_some() {
        return Ok(());
    }
    let failure = Failure::new(ErrorKind::Unauthenticated, "invalid_token", "Instance endpoints require a bearer token")
        .with_challenge(r#"Bearer realm="portico", error="invalid_token", error_description="Instance endpoints require a bearer token""#);
    Err(ApiError::new(failure))
}

/// Fetch all instances.
#[utoipa::path(tag = "onegini", operation_id = "onegini_list_instances", security(("bearerAuth" = [])),
    responses((status = 200, description = "Instance list fetched", body = InstancesBody),
        (status = 401, description = "No valid bearer token"), (status = 403, description = "Missing scope css_configuration")))]
#[get("/api/v1/instance")]
pub async fn list_instances(ctx: RequestContext, svc: Data<dyn GitsyncService>) -> Result<HttpResponse, ApiError> {
    bearer_only(&ctx)?;
    let instances = run_blocking(move || svc.instances(&ctx)).await?;
    Ok(no_store(HttpResponse::Ok())
        .json(InstancesBody { instances: instances.into_iter().map(InstanceEntry::from).collect() }))
}

/// Check if instance exists.
#[utoipa::path(tag = "onegini", operation_id = "onegini_get_instance", security(("bearerAuth" = [])),
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance")),
    responses((status = 200, description = "Instance exists", body = InstanceBody), (status = 404, description = "Instance not exists"),
        (status = 400, description = "instance_id is not a UUID"), (status = 401, description = "No valid bearer token")))]
#[get("/api/v1/instance/{instance_id}")]
pub async fn get_instance(
    ctx: RequestContext,
    UuidId(id): UuidId,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    bearer_only(&ctx)?;
    let instance = run_blocking(move || svc.instance(&ctx, id)).await?;
    Ok(no_store(HttpResponse::Ok()).json(InstanceBody { instance_id: instance.id.to_string() }))
}

/// Delete instance: its configuration, history and every synchronised file.
#[utoipa::path(tag = "onegini", operation_id = "onegini_delete_instance", security(("bearerAuth" = [])),
    params(("instance_id" = String, Path, description = "The unique identifier for a customer's application instance")),
    responses((status = 204, description = "Instance was deleted"), (status = 404, description = "Provided instance does not exists"),
        (status = 409, description = "A synchronization of the instance is running"), (status = 401, description = "No valid bearer token")))]
#[delete("/api/v1/instance/{instance_id}")]
pub async fn delete_instance(
    ctx: RequestContext,
    UuidId(id): UuidId,
    svc: Data<dyn GitsyncService>,
) -> Result<HttpResponse, ApiError> {
    bearer_only(&ctx)?;
    run_blocking(move || svc.delete_instance(&ctx, id)).await?;
    Ok(no_store(HttpResponse::NoContent()).finish())
}
