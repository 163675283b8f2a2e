//! `.../security/credentialstoreprovider`: GET by id, GET by query, POST, PUT, PATCH.

use super::wire::{ProviderBody, ProviderRequest, input_defs, required, same_id};
use super::{BASE, flex, number_param, versioned_json};
use crate::model::{ProviderDraft, ProviderPatch, ProviderQuery};
use crate::service::CredentialService;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::Data;
use actix_web::{HttpResponse, get, patch, post, put};
use portico_core::http::{ApiError, IfMatchHeader, Json, NumericId, QueryPairs};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};

fn draft(body: ProviderRequest) -> Result<ProviderDraft, crate::CredentialsError> {
    Ok(ProviderDraft {
        name: required(body.credential_store_provider_name, "credentialStoreProviderName")?,
        description: body.description,
        active: body.is_active.unwrap_or(true),
        input_defs: input_defs(body.credential_store_input_defs.unwrap_or_default())?,
    })
}

/// Credential store providers matching every given parameter.
#[utoipa::path(tag = "flexdeploy",
    params(("credentialStoreProviderId" = Option<i64>, Query, description = "equals"), ("credentialStoreProviderName" = Option<String>, Query, description = "contains, ignoring case")),
    responses((status = 200, description = "Search successful", body = Vec<ProviderBody>), (status = 400, description = "Bad request"),
        (status = 401, description = "Authentication failure"), (status = 403, description = "Authorization failure"), (status = 500, description = "Unexpected internal server error")))]
#[get("/flexdeploy/rest/v2/administration/security/credentialstoreprovider")]
pub async fn find_providers(
    ctx: RequestContext,
    query: QueryPairs,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    // "The query parameters are not case sensitive"; unknown ones are refused, not ignored.
    let query =
        query.canonical(&["credentialStoreProviderId", "credentialStoreProviderName"]).map_err(ApiError::new)?;
    let criteria = ProviderQuery {
        id: number_param(&query, "credentialStoreProviderId")?,
        name: query.get("credentialStoreProviderName").map(str::to_owned),
    };
    let found = run_blocking(move || svc.providers(&ctx, &criteria)).await.map_err(flex)?;
    Ok(HttpResponse::Ok().json(found.into_iter().map(ProviderBody::from).collect::<Vec<_>>()))
}

/// One credential store provider with its input definitions.
#[utoipa::path(tag = "flexdeploy", params(("Id" = i64, Path, description = "the provider id")),
    responses((status = 200, description = "found", body = ProviderBody), (status = 400, description = "Bad request"), (status = 401, description = "Authentication failure"),
        (status = 403, description = "Authorization failure"), (status = 404, description = "Credential store provider not found"), (status = 500, description = "Unexpected internal server error")))]
#[get("/flexdeploy/rest/v2/administration/security/credentialstoreprovider/{Id}")]
pub async fn get_provider(
    ctx: RequestContext,
    NumericId(id): NumericId,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    let provider = run_blocking(move || svc.provider(&ctx, id)).await.map_err(flex)?;
    Ok(versioned_json(StatusCode::OK, provider.version, &ProviderBody::from(provider)))
}

/// Creates a credential store provider with its input definitions.
#[utoipa::path(tag = "flexdeploy", request_body = ProviderRequest,
    responses((status = 201, description = "created", body = ProviderBody), (status = 400, description = "Bad request"), (status = 401, description = "Authentication failure"),
        (status = 403, description = "Authorization failure"), (status = 500, description = "Unexpected internal server error")))]
#[post("/flexdeploy/rest/v2/administration/security/credentialstoreprovider")]
pub async fn create_provider(
    ctx: RequestContext,
    body: Json<ProviderRequest>,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    let draft = draft(body.0)?;
    let provider = run_blocking(move || svc.create_provider(&ctx, draft)).await.map_err(flex)?;
    let mut response = versioned_json(StatusCode::CREATED, provider.version, &ProviderBody::from(provider.clone()));
    if let Ok(location) = format!("{BASE}/credentialstoreprovider/{}", provider.id).parse() {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

/// Replaces a provider; definitions left out are removed unless credentials use them.
#[utoipa::path(tag = "flexdeploy", params(("credentialStoreProviderId" = i64, Path, description = "the provider id")), request_body = ProviderRequest,
    responses((status = 200, description = "updated", body = ProviderBody), (status = 400, description = "Bad request"), (status = 401, description = "Authentication failure"),
        (status = 403, description = "Authorization failure"), (status = 404, description = "Credential store provider not found"), (status = 409, description = "versionNumber is not the current one"),
        (status = 412, description = "If-Match failed"), (status = 500, description = "Unexpected internal server error")))]
#[put("/flexdeploy/rest/v2/administration/security/credentialstoreprovider/{credentialStoreProviderId}")]
pub async fn replace_provider(
    ctx: RequestContext,
    NumericId(id): NumericId,
    body: Json<ProviderRequest>,
    precondition: IfMatchHeader,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    same_id(body.0.credential_store_provider_id, id, "credentialStoreProviderId")?;
    let precondition = Precondition::if_match(precondition.0).with_version(body.0.version_number);
    let draft = draft(body.0)?;
    let provider = run_blocking(move || svc.replace_provider(&ctx, id, draft, &precondition)).await.map_err(flex)?;
    Ok(versioned_json(StatusCode::OK, provider.version, &ProviderBody::from(provider)))
}

/// Patches a provider; definitions are added or updated, never removed.
#[utoipa::path(tag = "flexdeploy", params(("credentialStoreProviderId" = i64, Path, description = "the provider id")), request_body = ProviderRequest,
    responses((status = 200, description = "patched", body = ProviderBody), (status = 400, description = "Bad request"), (status = 401, description = "Authentication failure"),
        (status = 403, description = "Authorization failure"), (status = 404, description = "Credential store provider not found"), (status = 409, description = "versionNumber is not the current one"),
        (status = 412, description = "If-Match failed"), (status = 500, description = "Unexpected internal server error")))]
#[patch("/flexdeploy/rest/v2/administration/security/credentialstoreprovider/{credentialStoreProviderId}")]
pub async fn patch_provider(
    ctx: RequestContext,
    NumericId(id): NumericId,
    body: Json<ProviderRequest>,
    precondition: IfMatchHeader,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let precondition = Precondition::if_match(precondition.0).with_version(body.version_number);
    same_id(body.credential_store_provider_id, id, "credentialStoreProviderId")?;
    let patch = ProviderPatch {
        name: body.credential_store_provider_name,
        description: body.description,
        active: body.is_active,
        input_defs: body.credential_store_input_defs.map(input_defs).transpose()?,
    };
    let provider = run_blocking(move || svc.patch_provider(&ctx, id, patch, &precondition)).await.map_err(flex)?;
    Ok(versioned_json(StatusCode::OK, provider.version, &ProviderBody::from(provider)))
}
