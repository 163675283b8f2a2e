//! MATTR Management API 1.7.0: `/v1/environments`, `/v1/tenants`, `/v1/tenants/{tenantId}/clients`.
//! Cursor pagination (`limit`, `cursor` → `{data, nextCursor}`), errors `{code, type, message, details}`.

use crate::error::IdentityError;
use crate::model::{Client, Environment};
use crate::service::{ClientSettings, Tenant, TenantService};
use actix_web::web::Data;
use actix_web::{HttpResponse, delete, get, post, put};
use portico_core::cursor::{CursorCodec, CursorPage};
use portico_core::http::PathText;
use portico_core::http::UuidId;
use portico_core::http::respond::no_store;
use portico_core::http::{ApiError, Failure, Json, QueryPairs};
use portico_core::{ErrorKind, RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// MATTR error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct MattrError {
    /// e.g. `BadRequest`.
    pub code: String,
    /// e.g. `BadRequestError`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Message.
    pub message: String,
    /// `[{param, msg, location}]` for validation errors.
    pub details: Vec<serde_json::Value>,
}

/// An environment.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnvironmentBody {
    /// Identifier.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// DNS domain of its tenants.
    pub domain: String,
}

impl From<Environment> for EnvironmentBody {
    fn from(env: Environment) -> Self {
        EnvironmentBody { id: env.id, name: env.name, domain: env.domain }
    }
}

/// A tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantBody {
    /// Identifier.
    pub id: Uuid,
    /// Friendly name.
    pub name: String,
    /// Full host name: `<subdomain>.<environment domain>`.
    pub subdomain: String,
    /// The environment hosting it.
    pub environment: EnvironmentBody,
    /// Permissions (not modelled; always empty).
    pub permissions: Vec<String>,
    /// The tenant's first client (creation only; its secret is shown this once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientBody>,
}

impl From<Tenant> for TenantBody {
    fn from(tenant: Tenant) -> Self {
        TenantBody {
            id: tenant.realm.id.uuid(),
            name: tenant.realm.display_name,
            subdomain: format!("{}.{}", tenant.realm.name, tenant.environment.domain),
            environment: tenant.environment.into(),
            permissions: Vec::new(),
            client: None,
        }
    }
}

/// A client.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientBody {
    /// The 32-character client id.
    pub client_id: String,
    /// The secret (creation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Name.
    pub name: String,
    /// Permissions (not modelled; always empty).
    pub permissions: Vec<String>,
    /// Roles.
    pub roles: Vec<String>,
    /// Portico: exact redirect URIs for browser logins (authorization code + PKCE); shown when set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirect_uris: Vec<String>,
    /// Portico: exact URIs a logout may return to; shown when set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub post_logout_redirect_uris: Vec<String>,
    /// Portico: a public client (no secret, PKCE only); shown when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
}

impl ClientBody {
    fn new(client: Client, secret: Option<String>) -> ClientBody {
        ClientBody {
            client_id: client.client_id,
            client_secret: secret,
            name: client.name,
            permissions: Vec::new(),
            roles: client.roles,
            redirect_uris: client.redirect_uris,
            post_logout_redirect_uris: client.post_logout_redirect_uris,
            public: client.public,
        }
    }
}

/// A cursor page: `{data, nextCursor}`; a page after the end is `{"data": []}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListBody<T> {
    /// Entries.
    pub data: Vec<T>,
    /// Cursor of the last entry: pass it as `cursor` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /v1/tenants` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTenantBody {
    /// Friendly name.
    pub name: Option<String>,
    /// Lower case a-z, 0-9 and hyphens.
    pub subdomain: String,
    /// The environment to create the tenant in.
    pub environment_id: Uuid,
}

/// `POST`/`PUT` client body. Beyond MATTR, a client may register exact redirect URIs for
/// browser logins and be public (no secret; it must use PKCE); on `PUT`, URIs left out stay
/// as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientInput {
    /// Name.
    pub name: Option<String>,
    /// Roles.
    pub roles: Option<Vec<String>>,
    /// Portico: redirect URIs (https, or http to a loopback host; at most 20).
    pub redirect_uris: Option<Vec<String>>,
    /// Portico: post-logout redirect URIs.
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// Portico: create a public client (creation only).
    pub public: Option<bool>,
}

impl ClientInput {
    fn settings(self) -> ClientSettings {
        ClientSettings {
            name: self.name,
            roles: self.roles,
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            public: self.public.unwrap_or(false),
        }
    }
}

/// MATTR lists duplicates among 400s, not 409.
fn mattr(err: IdentityError) -> ApiError {
    let mut failure = Failure::from_domain(&err);
    if failure.kind == ErrorKind::AlreadyExists {
        failure.kind = ErrorKind::Invalid;
    }
    ApiError::new(failure)
}

fn client_id_param(value: &str) -> Result<String, ApiError> {
    let valid = !value.is_empty()
        && value.len() <= 128
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ApiError::new(
            Failure::new(ErrorKind::Invalid, "invalid_parameter", "clientId is not a client id").with_field("clientId"),
        ))
    }
}

fn list<T, U: Serialize>(
    slice: CursorPage<T>,
    codec: &CursorCodec,
    scope: &str,
    f: impl FnMut(T) -> U,
) -> HttpResponse {
    let next_cursor = slice.last.map(|k| codec.encode(scope, &k));
    HttpResponse::Ok().json(ListBody { data: slice.items.into_iter().map(f).collect(), next_cursor })
}

fn cursor(
    codec: &CursorCodec,
    scope: &str,
    query: &QueryPairs,
) -> Result<portico_core::cursor::CursorRequest, ApiError> {
    codec.request(scope, query.get("limit"), query.get("cursor")).map_err(|e| ApiError::new(Failure::from_domain(&e)))
}

/// MATTR "Retrieve environments".
#[utoipa::path(
    tag = "mattr",
    params(("limit" = Option<u32>, Query, description = "1..1000, default 100"), ("cursor" = Option<String>, Query, description = "starting point")),
    responses(
        (status = 200, description = "A list of environments", body = ListBody<EnvironmentBody>),
        (status = 400, description = "Bad Request", body = MattrError),
        (status = 401, description = "Unauthorized", body = MattrError),
        (status = 403, description = "Forbidden", body = MattrError),
    )
)]
#[get("/v1/environments")]
pub async fn list_environments(
    ctx: RequestContext,
    query: QueryPairs,
    codec: Data<CursorCodec>,
    svc: Data<dyn TenantService>,
) -> Result<HttpResponse, ApiError> {
    let page = cursor(&codec, "environments", &query)?;
    let slice = run_blocking(move || svc.environments(&ctx, &page).map_err(mattr)).await?;
    Ok(list(slice, &codec, "environments", EnvironmentBody::from))
}

/// MATTR "Retrieve tenants".
#[utoipa::path(
    tag = "mattr",
    params(("limit" = Option<u32>, Query, description = "1..1000, default 100"), ("cursor" = Option<String>, Query, description = "starting point")),
    responses(
        (status = 200, description = "A list of tenants", body = ListBody<TenantBody>),
        (status = 400, description = "Bad Request", body = MattrError),
        (status = 401, description = "Unauthorized", body = MattrError),
        (status = 403, description = "Forbidden", body = MattrError),
    )
)]
#[get("/v1/tenants")]
pub async fn list_tenants(
    ctx: RequestContext,
    query: QueryPairs,
    codec: Data<CursorCodec>,
    svc: Data<dyn TenantService>,
) -> Result<HttpResponse, ApiError> {
    let page = cursor(&codec, "tenants", &query)?;
    let slice = run_blocking(move || svc.tenants(&ctx, &page).map_err(mattr)).await?;
    Ok(list(slice, &codec, "tenants", TenantBody::from))
}

/// MATTR "Create tenant".
#[utoipa::path(
    tag = "mattr",
    request_body = CreateTenantBody,
    responses(
        (status = 201, description = "Tenant created", body = TenantBody),
        (status = 400, description = "Bad Request (invalid or duplicate subdomain, unknown environment)", body = MattrError),
        (status = 401, description = "Unauthorized", body = MattrError),
        (status = 403, description = "Forbidden", body = MattrError),
    )
)]
#[post("/v1/tenants")]
pub async fn create_tenant(
    ctx: RequestContext,
    body: Json<CreateTenantBody>,
    svc: Data<dyn TenantService>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let environment = body.environment_id;
    let created =
        run_blocking(move || svc.create_tenant(&ctx, body.name, &body.subdomain, environment).map_err(mattr)).await?;
    let client = ClientBody::new(created.client.client, created.client.secret);
    let mut tenant = TenantBody::from(created.tenant);
    tenant.client = Some(client);
    Ok(no_store(HttpResponse::Created()).json(tenant))
}

/// MATTR "Retrieve tenant".
#[utoipa::path(
    tag = "mattr",
    params(("tenantId" = String, Path, description = "tenant UUID")),
    responses(
        (status = 200, description = "Tenant retrieved", body = TenantBody),
        (status = 400, description = "Bad Request", body = MattrError),
        (status = 401, description = "Unauthorized", body = MattrError),
        (status = 403, description = "Forbidden", body = MattrError),
        (status = 404, description = "Not Found", body = MattrError),
    )
)]
#[get("/v1/tenants/{tenantId}")]
pub async fn get_tenant(
    ctx: RequestContext,
    UuidId(id): UuidId,
    svc: Data<dyn TenantService>,
) -> Result<HttpResponse, ApiError> {
    let tenant = run_blocking(move || svc.tenant(&ctx, id).map_err(mattr)).await?;
    Ok(HttpResponse::Ok().json(TenantBody::from(tenant)))
}

/// MATTR "Delete tenant": removes the tenant and its data in every domain.
#[utoipa::path(
    tag = "mattr",
    params(("tenantId" = String, Path, description = "tenant UUID")),
    responses(
        (status = 204, description = "Tenant deleted"),
        (status = 400, description = "Bad Request", body = MattrError),
        (status = 401, description = "Unauthorized", body = MattrError),
        (status = 403, description = "Forbidden", body = MattrError),
        (status = 404, description = "Not Found", body = MattrError),
    )
)]
#[delete("/v1/tenants/{tenantId}")]
pub async fn delete_tenant(
    ctx: RequestContext,
    UuidId(id): UuidId,
    svc: Data<dyn TenantService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.delete_tenant(&ctx, id).map_err(mattr)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// MATTR "Retrieve clients".
#[utoipa::path(
    tag = "mattr",
    params(("tenantId" = String, Path, description = "tenant UUID"), ("limit" = Option<u32>, Query, description = "1..1000, default 100"), ("cursor" = Option<String>, Query, description = "starting point")),
    responses(
        (status = 200, description = "Clients retrieved", body = ListBody<ClientBody>),
        (status = 400, description = "Bad Request", body = MattrError),
        (status = 401, description = "Unauthorized", body = MattrError),
        (status = 403, description = "Forbidden", body = MattrError),
        (status = 404, description = "Not Found", body = MattrError),
    )
)]
#[get("/v1/tenants/{tenantId}/clients")]
pub async fn list_clients(
    ctx: RequestContext,
    UuidId(tenant): UuidId,
    query: QueryPairs,
    codec: Data<CursorCodec>,
    svc: Data<dyn TenantService>,
) -> Result<HttpResponse, ApiError> {
    let scope = format!("clients:{tenant}");
    let page = cursor(&codec, &scope, &query)?;
    let slice = run_blocking(move || svc.clients(&ctx, tenant, &page).map_err(mattr)).await?;
    Ok(list(slice, &codec, &scope, |c| ClientBody::new(c, None)))
}

fn required_client_input(body: ClientInput) -> Result<ClientSettings, ApiError> {
    let missing = |field: &str| {
        ApiError::new(
            Failure::new(ErrorKind::Invalid, "invalid_body", format!("{field} is required")).with_field(field),
        )
    };
    if body.name.is_none() {
        return Err(missing("name"));
    }
    if body.roles.is_none() {
        return Err(missing("roles"));
    }
    Ok(body.settings())
}

/// MATTR "Create a client".
#[utoipa::path(
    tag = "mattr",
    params(("tenantId" = String, Path, description = "tenant UUID")),
    request_body = ClientInput,
    responses(
        (status = 201, description = "Client created", body = ClientBody),
        (status = 400, description = "Bad Request", body = MattrError),
        (status = 401, description = "Unauthorized", body = MattrError),
        (status = 403, description = "Forbidden", body = MattrError),
        (status = 404, description = "Not Found", body = MattrError),
    )
)]
#[post("/v1/tenants/{tenantId}/clients")]
pub async fn create_client(
    ctx: RequestContext,
    UuidId(tenant): UuidId,
    body: Json<ClientInput>,
    svc: Data<dyn TenantService>,
) -> Result<HttpResponse, ApiError> {
    let settings = required_client_input(body.0)?;
    let issued = run_blocking(move || svc.create_client(&ctx, tenant, settings).map_err(mattr)).await?;
    Ok(no_store(HttpResponse::Created()).json(ClientBody::new(issued.client, issued.secret)))
}

/// MATTR "Update a client" (the secret is never shown again).
#[utoipa::path(
    tag = "mattr",
    params(("tenantId" = String, Path, description = "tenant UUID"), ("clientId" = String, Path, description = "client id")),
    request_body = ClientInput,
    responses(
        (status = 200, description = "Client updated", body = ClientBody),
        (status = 400, description = "Bad Request", body = MattrError),
        (status = 401, description = "Unauthorized", body = MattrError),
        (status = 403, description = "Forbidden", body = MattrError),
        (status = 404, description = "Not Found", body = MattrError),
    )
)]
#[put("/v1/tenants/{tenantId}/clients/{clientId}")]
pub async fn update_client(
    ctx: RequestContext,
    UuidId(tenant): UuidId,
    client_id: PathText<1>,
    body: Json<ClientInput>,
    svc: Data<dyn TenantService>,
) -> Result<HttpResponse, ApiError> {
    let client_id = client_id_param(&client_id.into_inner())?;
    // `public` is fixed at creation; on a PUT it is ignored.
    let changes = body.0.settings();
    let client = run_blocking(move || svc.update_client(&ctx, tenant, &client_id, changes).map_err(mattr)).await?;
    Ok(HttpResponse::Ok().json(ClientBody::new(client, None)))
}

/// MATTR "Delete a client".
#[utoipa::path(
    tag = "mattr",
    params(("tenantId" = String, Path, description = "tenant UUID"), ("clientId" = String, Path, description = "client id")),
    responses(
        (status = 204, description = "Client deleted"),
        (status = 400, description = "Bad Request", body = MattrError),
        (status = 401, description = "Unauthorized", body = MattrError),
        (status = 403, description = "Forbidden", body = MattrError),
        (status = 404, description = "Not Found", body = MattrError),
    )
)]
#[delete("/v1/tenants/{tenantId}/clients/{clientId}")]
pub async fn delete_client(
    ctx: RequestContext,
    UuidId(tenant): UuidId,
    client_id: PathText<1>,
    svc: Data<dyn TenantService>,
) -> Result<HttpResponse, ApiError> {
    let client_id = client_id_param(&client_id.into_inner())?;
    run_blocking(move || svc.delete_client(&ctx, tenant, &client_id).map_err(mattr)).await?;
    Ok(HttpResponse::NoContent().finish())
}
