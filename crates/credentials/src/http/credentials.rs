//! `.../security/credential`: GET by id, GET by query, POST, PUT, PATCH.

use super::wire::{CredentialBody, CredentialRequest, input_values, required, same_id};
use super::{BASE, flex, number_param, versioned_json};
use crate::error::CredentialsError;
use crate::model::{CredentialDraft, CredentialPatch, CredentialQuery, CredentialScope};
use crate::service::CredentialService;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::Data;
use actix_web::{HttpResponse, get, patch, post, put};
use portico_core::http::respond::no_store;
use portico_core::http::{ApiError, IfMatchHeader, Json, NumericId, QueryPairs};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};

fn draft(body: CredentialRequest) -> Result<CredentialDraft, CredentialsError> {
    Ok(CredentialDraft {
        name: required(body.credential_name, "credentialName")?,
        active: body.is_active.unwrap_or(true),
        scope: CredentialScope::parse("credentialScope", &required(body.credential_scope, "credentialScope")?)?,
        store_id: required(body.credential_store_id, "credentialStoreId")?,
        inputs: input_values(required(body.credential_inputs, "credentialInputs")?)?,
    })
}

/// FlexDeploy "GET by Query Parameters": every given parameter must match; none returns all.
#[utoipa::path(tag = "flexdeploy",
    params(("credentialId" = Option<i64>, Query, description = "equals"), ("credentialName" = Option<String>, Query, description = "contains, ignoring case"),
        ("credentialScope" = Option<String>, Query, description = "equals, ignoring case"), ("credentialStoreId" = Option<i64>, Query, description = "equals")),
    responses((status = 200, description = "Search successful and results returned", body = Vec<CredentialBody>), (status = 400, description = "Bad request"),
        (status = 401, description = "Authentication failure"), (status = 403, description = "Authorization failure (no access to resource)"), (status = 500, description = "Unexpected internal server error")))]
#[get("/flexdeploy/rest/v2/administration/security/credential")]
pub async fn find_credentials(
    ctx: RequestContext,
    query: QueryPairs,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    // "The query parameters are not case sensitive"; unknown ones are refused, not ignored.
    let query = query
        .canonical(&["credentialId", "credentialName", "credentialScope", "credentialStoreId"])
        .map_err(ApiError::new)?;
    let scope = query.get("credentialScope").map(|s| CredentialScope::parse("credentialScope", s)).transpose()?;
    let criteria = CredentialQuery {
        id: number_param(&query, "credentialId")?,
        name: query.get("credentialName").map(str::to_owned),
        scope,
        store_id: number_param(&query, "credentialStoreId")?,
    };
    let found = run_blocking(move || svc.credentials(&ctx, &criteria)).await.map_err(flex)?;
    Ok(no_store(HttpResponse::Ok()).json(found.into_iter().map(CredentialBody::from).collect::<Vec<_>>()))
}

/// FlexDeploy "GET by ID".
#[utoipa::path(tag = "flexdeploy", params(("Id" = i64, Path, description = "the credential id")),
    responses((status = 200, description = "Credential was found and returned", body = CredentialBody), (status = 400, description = "Bad request"),
        (status = 401, description = "Authentication failure"), (status = 403, description = "Authorization failure (no access to resource)"),
        (status = 404, description = "Credential not found"), (status = 500, description = "Unexpected internal server error")))]
#[get("/flexdeploy/rest/v2/administration/security/credential/{Id}")]
pub async fn get_credential(
    ctx: RequestContext,
    NumericId(id): NumericId,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    let credential = run_blocking(move || svc.credential(&ctx, id)).await.map_err(flex)?;
    Ok(versioned_json(StatusCode::OK, credential.version, &CredentialBody::from(credential)))
}

/// FlexDeploy "POST": creates a credential and returns it with its id.
#[utoipa::path(tag = "flexdeploy", request_body = CredentialRequest,
    responses((status = 201, description = "Credential was created successfully", body = CredentialBody), (status = 400, description = "Bad request"),
        (status = 401, description = "Authentication failure"), (status = 403, description = "Authorization failure (no access to resource)"), (status = 500, description = "Unexpected internal server error")))]
#[post("/flexdeploy/rest/v2/administration/security/credential")]
pub async fn create_credential(
    ctx: RequestContext,
    body: Json<CredentialRequest>,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    let draft = draft(body.0)?;
    let credential = run_blocking(move || svc.create_credential(&ctx, draft)).await.map_err(flex)?;
    let mut response =
        versioned_json(StatusCode::CREATED, credential.version, &CredentialBody::from(credential.clone()));
    if let Ok(location) = format!("{BASE}/credential/{}", credential.id).parse() {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

/// FlexDeploy "PUT": replaces every attribute; inputs left out are unassigned.
#[utoipa::path(tag = "flexdeploy", params(("credentialId" = i64, Path, description = "the credential id")), request_body = CredentialRequest,
    responses((status = 200, description = "Credential was found and updated", body = CredentialBody), (status = 400, description = "Bad request"),
        (status = 401, description = "Authentication failure"), (status = 403, description = "Authorization failure (no access to resource)"),
        (status = 404, description = "Credential not found"), (status = 409, description = "versionNumber is not the current one"),
        (status = 412, description = "If-Match failed"), (status = 500, description = "Unexpected internal server error")))]
#[put("/flexdeploy/rest/v2/administration/security/credential/{credentialId}")]
pub async fn replace_credential(
    ctx: RequestContext,
    NumericId(id): NumericId,
    body: Json<CredentialRequest>,
    precondition: IfMatchHeader,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    same_id(body.0.credential_id, id, "credentialId")?;
    let precondition = Precondition::if_match(precondition.0).with_version(body.0.version_number);
    let draft = draft(body.0)?;
    let credential =
        run_blocking(move || svc.replace_credential(&ctx, id, draft, &precondition)).await.map_err(flex)?;
    Ok(versioned_json(StatusCode::OK, credential.version, &CredentialBody::from(credential)))
}

/// FlexDeploy "PATCH": changes the non-null attributes; inputs are added or updated, never
/// removed; scope and store are locked.
#[utoipa::path(tag = "flexdeploy", params(("credentialId" = i64, Path, description = "the credential id")), request_body = CredentialRequest,
    responses((status = 200, description = "Credential was found and patched", body = CredentialBody), (status = 400, description = "Bad request"),
        (status = 401, description = "Authentication failure"), (status = 403, description = "Authorization failure (no access to resource)"),
        (status = 404, description = "Credential not found"), (status = 409, description = "versionNumber is not the current one"),
        (status = 412, description = "If-Match failed"), (status = 500, description = "Unexpected internal server error")))]
#[patch("/flexdeploy/rest/v2/administration/security/credential/{credentialId}")]
pub async fn patch_credential(
    ctx: RequestContext,
    NumericId(id): NumericId,
    body: Json<CredentialRequest>,
    precondition: IfMatchHeader,
    svc: Data<dyn CredentialService>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let precondition = Precondition::if_match(precondition.0).with_version(body.version_number);
    same_id(body.credential_id, id, "credentialId")?;
    let patch = CredentialPatch {
        name: body.credential_name,
        active: body.is_active,
        scope: body.credential_scope.map(|s| CredentialScope::parse("credentialScope", &s)).transpose()?,
        store_id: body.credential_store_id,
        inputs: body.credential_inputs.map(input_values).transpose()?,
    };
    let credential = run_blocking(move || svc.patch_credential(&ctx, id, patch, &precondition)).await.map_err(flex)?;
    Ok(versioned_json(StatusCode::OK, credential.version, &CredentialBody::from(credential)))
}
