//! `.../security/credentialstore`: GET by id, GET by query, POST, PUT, PATCH.

use super::wire::{StoreBody, StoreRequest, required, same_id};
use super::{BASE, flex, number_param, versioned_json};
use crate::model::{StoreDraft, StorePatch, StoreQuery};
use crate::service::CredentialService;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::Data;
use actix_web::{HttpResponse, get, patch, post, put};
use portico_core::http::{ApiError, IfMatchHeader, Json, NumericId, QueryPairs};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};

fn draft(body: StoreRequest) -> Result<StoreDraft, crate::CredentialsError> {
    Ok(StoreDraft {
        name: required(body.credential_store_name, "credentialStoreName")?,
        description: body.description,
        provider_id: required(body.credential_store_provider_id, "credentialStoreProviderId")?,
        active: body.is_active.unwrap_or(true),
    })
}

/// Credential stores matching every given parameter.
#[utoipa::path(tag = "flexdeploy",
    params(("credentialStoreId" = Option<i64>, Query, description = "equals"), ("credentialStoreName" = Option<String>, Query, description = "contains, ignoring case"),
        ("credentialStoreProviderId" = Option<i64>, Query, description = "equals")),
    responses((status = 200, description = "Search successful", body = Vec<StoreBody>), (status = 400, description = "Bad request"),
        (status = 401, description = "Authentication failure"), (status = 403, description = "Authorization failure"), (status = 500, description = "Unexpected internal server error")))]
#[get("/flexdeploy/rest/v2/administration/security/credentialstore")]
pub async fn find_stores(
    ctx: RequestContext,
    query: QueryPairs,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    // "The query parameters are not case sensitive"; unknown ones are refused, not ignored.
    let query = query
        .canonical(&["credentialStoreId", "credentialStoreName", "credentialStoreProviderId"])
        .map_err(ApiError::new)?;
    let criteria = StoreQuery {
        id: number_param(&query, "credentialStoreId")?,
        name: query.get("credentialStoreName").map(str::to_owned),
        provider_id: number_param(&query, "credentialStoreProviderId")?,
    };
    let found = run_blocking(move || svc.stores(&ctx, &criteria)).await.map_err(flex)?;
    Ok(HttpResponse::Ok().json(found.into_iter().map(StoreBody::from).collect::<Vec<_>>()))
}

/// One credential store.
#[utoipa::path(tag = "flexdeploy", params(("Id" = i64, Path, description = "the store id")),
    responses((status = 200, description = "found", body = StoreBody), (status = 400, description = "Bad request"), (status = 401, description = "Authentication failure"),
        (status = 403, description = "Authorization failure"), (status = 404, description = "Credential store not found"), (status = 500, description = "Unexpected internal server error")))]
#[get("/flexdeploy/rest/v2/administration/security/credentialstore/{Id}")]
pub async fn get_store(
    ctx: RequestContext,
    NumericId(id): NumericId,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    let store = run_blocking(move || svc.store(&ctx, id)).await.map_err(flex)?;
    Ok(versioned_json(StatusCode::OK, store.version, &StoreBody::from(store)))
}

/// Creates a credential store of an active provider.
#[utoipa::path(tag = "flexdeploy", request_body = StoreRequest,
    responses((status = 201, description = "created", body = StoreBody), (status = 400, description = "Bad request"), (status = 401, description = "Authentication failure"),
        (status = 403, description = "Authorization failure"), (status = 500, description = "Unexpected internal server error")))]
#[post("/flexdeploy/rest/v2/administration/security/credentialstore")]
pub async fn create_store(
    ctx: RequestContext,
    body: Json<StoreRequest>,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    let draft = draft(body.0)?;
    let store = run_blocking(move || svc.create_store(&ctx, draft)).await.map_err(flex)?;
    let mut response = versioned_json(StatusCode::CREATED, store.version, &StoreBody::from(store.clone()));
    if let Ok(location) = format!("{BASE}/credentialstore/{}", store.id).parse() {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

/// Replaces a credential store (its provider may change only while it holds no credentials).
#[utoipa::path(tag = "flexdeploy", params(("credentialStoreId" = i64, Path, description = "the store id")), request_body = StoreRequest,
    responses((status = 200, description = "updated", body = StoreBody), (status = 400, description = "Bad request"), (status = 401, description = "Authentication failure"),
        (status = 403, description = "Authorization failure"), (status = 404, description = "Credential store not found"), (status = 409, description = "versionNumber is not the current one"),
        (status = 412, description = "If-Match failed"), (status = 500, description = "Unexpected internal server error")))]
#[put("/flexdeploy/rest/v2/administration/security/credentialstore/{credentialStoreId}")]
pub async fn replace_store(
    ctx: RequestContext,
    NumericId(id): NumericId,
    body: Json<StoreRequest>,
    precondition: IfMatchHeader,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    same_id(body.0.credential_store_id, id, "credentialStoreId")?;
    let precondition = Precondition::if_match(precondition.0).with_version(body.0.version_number);
    let draft = draft(body.0)?;
    let store = run_blocking(move || svc.replace_store(&ctx, id, draft, &precondition)).await.map_err(flex)?;
    Ok(versioned_json(StatusCode::OK, store.version, &StoreBody::from(store)))
}

/// Patches a credential store (the provider is locked).
#[utoipa::path(tag = "flexdeploy", params(("credentialStoreId" = i64, Path, description = "the store id")), request_body = StoreRequest,
    responses((status = 200, description = "patched", body = StoreBody), (status = 400, description = "Bad request"), (status = 401, description = "Authentication failure"),
        (status = 403, description = "Authorization failure"), (status = 404, description = "Credential store not found"), (status = 409, description = "versionNumber is not the current one"),
        (status = 412, description = "If-Match failed"), (status = 500, description = "Unexpected internal server error")))]
#[patch("/flexdeploy/rest/v2/administration/security/credentialstore/{credentialStoreId}")]
pub async fn patch_store(
    ctx: RequestContext,
    NumericId(id): NumericId,
    body: Json<StoreRequest>,
    precondition: IfMatchHeader,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let precondition = Precondition::if_match(precondition.0).with_version(body.version_number);
    same_id(body.credential_store_id, id, "credentialStoreId")?;
    let patch = StorePatch {
        name: body.credential_store_name,
        description: body.description,
        provider_id: body.credential_store_provider_id,
        active: body.is_active,
    };
    let store = run_blocking(move || svc.patch_store(&ctx, id, patch, &precondition)).await.map_err(flex)?;
    Ok(versioned_json(StatusCode::OK, store.version, &StoreBody::from(store)))
}
