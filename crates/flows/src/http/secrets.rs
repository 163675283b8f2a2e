//! `/{ownerId}/management/registry/secrets`: generic and typed secrets, plus (beyond the
//! document) their versions. Values are shown in clear to `Admin`s only.

use super::param;
use crate::secrets::{Secret, SecretSummary, SecretType, SecretVersion, SecretWrite};
use crate::service::FlowsService;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, delete, get, put};
use portico_core::http::respond::{Versioned, no_store, versioned};
use portico_core::http::{ApiError, Failure, Json};
use portico_core::write::Precondition;
use portico_core::{ErrorKind, RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A secret without its value.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretSummaryBody {
    /// The key.
    pub key: String,
    /// `generic`, `api-key`, `basic-auth`, `oauth2-client-credentials` or `certificate`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// What it is for.
    pub description: Option<String>,
    /// 1 when created, one more per change.
    pub version: i64,
    /// Certificates: when the first one expires (RFC 3339).
    pub expires_at: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
}

impl From<SecretSummary> for SecretSummaryBody {
    fn from(summary: SecretSummary) -> Self {
        SecretSummaryBody {
            key: summary.key,
            kind: summary.kind.as_str(),
            description: summary.description,
            version: summary.version,
            expires_at: summary.expires_at.map(|at| at.rfc3339()),
            created_at: summary.created_at.rfc3339(),
            created_by: summary.created_by,
            updated_at: summary.updated_at.rfc3339(),
            updated_by: summary.updated_by,
        }
    }
}

/// A secret with its value (`null` unless the caller is an `Admin`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretBody {
    /// The metadata.
    #[serde(flatten)]
    pub summary: SecretSummaryBody,
    /// The clear value, for `Admin`s.
    #[schema(value_type = Object)]
    pub value: Option<Value>,
}

impl From<Secret> for SecretBody {
    fn from(secret: Secret) -> Self {
        SecretBody { summary: secret.summary.into(), value: secret.value }
    }
}

/// The body of a `PUT`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRequest {
    /// The value: any JSON for generic secrets, the type's object for typed ones.
    #[schema(value_type = Object)]
    pub value: Option<Value>,
    /// What it is for.
    pub description: Option<String>,
}

/// One version of a secret.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretVersionBody {
    /// Its number.
    pub version: i64,
    /// RFC 3339.
    pub created_at: String,
    /// Who wrote it.
    pub created_by: String,
}

impl From<SecretVersion> for SecretVersionBody {
    fn from(version: SecretVersion) -> Self {
        SecretVersionBody {
            version: version.version,
            created_at: version.created_at.rfc3339(),
            created_by: version.created_by,
        }
    }
}

fn key_of(req: &HttpRequest) -> Result<String, ApiError> {
    param(req, "key")
}

async fn put_secret(
    ctx: RequestContext,
    key: String,
    kind: SecretType,
    body: SecretRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let write = SecretWrite { kind, value: body.value.unwrap_or(Value::Null), description: body.description };
    let (secret, created) = run_blocking(move || svc.put_secret(&ctx, &key, write)).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    let meta = Versioned { version: secret.summary.version, modified_at: None };
    Ok(no_store(versioned(status, meta)).json(SecretBody::from(secret)))
}

/// Get summaries of all secrets (never values).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_list_secrets",
    params(("ownerId" = String, Path, description = "The owner")),
    responses((status = 200, description = "Every secret, by key", body = Vec<SecretSummaryBody>)))]
#[get("/{ownerId}/management/registry/secrets/generic")]
pub async fn list_secrets(ctx: RequestContext, svc: Data<dyn FlowsService>) -> Result<HttpResponse, ApiError> {
    let secrets = run_blocking(move || svc.secrets(&ctx)).await?;
    Ok(HttpResponse::Ok().json(secrets.into_iter().map(SecretSummaryBody::from).collect::<Vec<_>>()))
}

/// Get an individual secret (its value in clear for `Admin`s, `null` for `Deployer`s).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_get_secret",
    params(("ownerId" = String, Path, description = "The owner"), ("key" = String, Path, description = "The secret's key")),
    responses((status = 200, description = "The secret", body = SecretBody), (status = 404, description = "No such secret")))]
#[get("/{ownerId}/management/registry/secrets/generic/{key}")]
pub async fn get_secret(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let key = key_of(&req)?;
    let secret = run_blocking(move || svc.secret(&ctx, &key)).await?;
    let meta = Versioned { version: secret.summary.version, modified_at: None };
    Ok(no_store(versioned(StatusCode::OK, meta)).json(SecretBody::from(secret)))
}

/// Create or update a generic secret (any JSON value).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_put_generic_secret", request_body = SecretRequest,
    params(("ownerId" = String, Path, description = "The owner"), ("key" = String, Path, description = "The secret's key")),
    responses((status = 201, description = "Created", body = SecretBody), (status = 200, description = "Updated (a new version unless nothing changed)", body = SecretBody),
        (status = 400, description = "Invalid key or value"), (status = 409, description = "The secret has another type")))]
#[put("/{ownerId}/management/registry/secrets/generic/{key}")]
pub async fn put_generic_secret(
    ctx: RequestContext,
    req: HttpRequest,
    body: Json<SecretRequest>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    put_secret(ctx, key_of(&req)?, SecretType::Generic, body.0, svc).await
}

/// Delete a secret with every version.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_delete_secret",
    params(("ownerId" = String, Path, description = "The owner"), ("key" = String, Path, description = "The secret's key")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such secret"),
        (status = 412, description = "If-Match does not match the secret's version")))]
#[delete("/{ownerId}/management/registry/secrets/generic/{key}")]
pub async fn delete_secret(
    ctx: RequestContext,
    req: HttpRequest,
    precondition: Precondition,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let key = key_of(&req)?;
    run_blocking(move || svc.delete_secret(&ctx, &key, &precondition)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The versions of a secret, oldest first (values stay sealed).
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_secret_versions",
    params(("ownerId" = String, Path, description = "The owner"), ("key" = String, Path, description = "The secret's key")),
    responses((status = 200, description = "The versions", body = Vec<SecretVersionBody>), (status = 404, description = "No such secret")))]
#[get("/{ownerId}/management/registry/secrets/generic/{key}/versions")]
pub async fn secret_versions(
    ctx: RequestContext,
    req: HttpRequest,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let key = key_of(&req)?;
    let versions = run_blocking(move || svc.secret_versions(&ctx, &key)).await?;
    Ok(HttpResponse::Ok().json(versions.into_iter().map(SecretVersionBody::from).collect::<Vec<_>>()))
}

/// Create or update a typed secret; `{type}` is kebab-case (`api-key`, `basic-auth`,
/// `oauth2-client-credentials`, `certificate`) and the value is checked against it.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_put_typed_secret", request_body = SecretRequest,
    params(("ownerId" = String, Path, description = "The owner"), ("type" = String, Path, description = "The secret type, kebab-case"),
        ("key" = String, Path, description = "The secret's key")),
    responses((status = 201, description = "Created", body = SecretBody), (status = 200, description = "Updated", body = SecretBody),
        (status = 400, description = "An unknown type, or a value that is not of the type (the problem names the field)"),
        (status = 409, description = "The secret has another type")))]
#[put("/{ownerId}/management/registry/secrets/{type}/{key}")]
pub async fn put_typed_secret(
    ctx: RequestContext,
    req: HttpRequest,
    body: Json<SecretRequest>,
    svc: Data<dyn FlowsService>,
) -> Result<HttpResponse, ApiError> {
    let name = param(&req, "type")?;
    let kind = SecretType::parse(&name).ok_or_else(|| {
        let known: Vec<&str> = SecretType::ALL.iter().map(|kind| kind.as_str()).collect();
        ApiError::new(
            Failure::new(
                ErrorKind::Invalid,
                "invalid_parameter",
                format!(
                    "'{}' is not a secret type; one of {}",
                    name.chars().take(60).collect::<String>(),
                    known.join(", ")
                ),
            )
            .with_field("type")
            .in_location("path"),
        )
    })?;
    put_secret(ctx, key_of(&req)?, kind, body.0, svc).await
}
