//! `/tenants` (platform admins) and the tenant's contact.

use super::wire::{UserActions, meta, tenant, tenant_url, user_detail};
use super::{PageContext, SELF_TITLE, created, page_request, paged, patched, search_self, uid, uri_uid};
use crate::error::IdentityError;
use crate::service::{RealmService, TenantInput};
use crate::store::realms::{RealmFilter, SORTABLE};
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse, get, patch, post};
use portico_core::hal::{Link, Links, collection};
use portico_core::http::extract::nullable;
use portico_core::http::respond::{entity, hal};
use portico_core::http::{ApiError, Axual, BaseUrl, IfMatchHeader, Json, QueryPairs};
use portico_core::page::{Page, PageRequest};
use portico_core::{RequestContext, run_blocking};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// `POST /tenants` and `PATCH /tenants/{uid}` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantBody {
    /// 3–50 characters of letters, digits, `.`, `-`, `_` and spaces.
    pub name: Option<String>,
    /// 3–12 letters and digits; the `realm` header value (create only).
    pub short_name: Option<String>,
    /// The tenant's supported domain (stored, not shown).
    #[serde(default, deserialize_with = "nullable")]
    pub domain: Option<Option<String>>,
    /// Tenant-specific variables.
    pub properties: Option<BTreeMap<String, String>>,
    /// Milliseconds, 1000..160704000000.
    pub retention_time: Option<i64>,
    /// 1..120000.
    pub partitions: Option<i64>,
    /// Logo.
    #[serde(default, deserialize_with = "nullable")]
    pub logo: Option<Option<String>>,
    /// Issuer URL.
    #[serde(default, deserialize_with = "nullable")]
    pub issuer_url: Option<Option<String>>,
    /// Data classification.
    pub data_classification_enabled: Option<bool>,
    /// A JSON document inside a string.
    #[serde(default, deserialize_with = "nullable")]
    pub feature_config: Option<Option<String>>,
    /// URI of a user of the tenant (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    pub contact: Option<Option<String>>,
}

impl TenantBody {
    fn into_input(self) -> Result<TenantInput, ApiError<Axual>> {
        let contact = match self.contact {
            Some(Some(uri)) => Some(Some(uri_uid(&uri, "users", "contact")?)),
            Some(None) => Some(None),
            None => None,
        };
        Ok(TenantInput {
            name: self.name,
            short_name: self.short_name,
            domain: self.domain,
            properties: self.properties,
            retention_time: self.retention_time,
            partitions: self.partitions,
            logo: self.logo,
            issuer_url: self.issuer_url,
            data_classification_enabled: self.data_classification_enabled,
            feature_config: self.feature_config,
            contact,
        })
    }
}

/// A page of tenants matching `filter` (`None`: everything, for the unpaged searches).
async fn tenant_page(
    ctx: RequestContext,
    base: &BaseUrl,
    svc: Data<dyn RealmService>,
    filter: RealmFilter,
    request: Option<PageRequest>,
) -> Result<Page<serde_json::Value>, ApiError<Axual>> {
    let edit = ctx.principal.is_platform_admin() && !matches!(filter, RealmFilter::Id(_));
    let page_req =
        request.unwrap_or(PageRequest { page: 0, size: portico_core::page::MAX_PAGE_SIZE, sort: Vec::new() });
    let page = run_blocking(move || svc.realms(&ctx, &filter, &page_req)).await?;
    Ok(page.map(|view| tenant(base, &view.realm, view.contact.as_ref(), edit)))
}

fn collection_links(base: &BaseUrl) -> (Link, Links) {
    let url = base.join("/tenants");
    let self_link = Link::templated(format!("{url}{{?page,size,sort}}")).titled(SELF_TITLE);
    let extra = Links::new()
        .add(
            "profile",
            Link::new(base.join("/profile/tenants")).titled("Endpoints for schema metadata in ALPS/JSON Schema format"),
        )
        .add("search", Link::new(base.join("/tenants/search")).titled("Search endpoints for this entity"));
    (self_link, extra)
}

/// Axual "list tenants" (GET /tenants): platform admins.
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.tenants`"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin")))]
#[get("/tenants")]
pub async fn list_axual_tenants(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let request = page_request(&query, SORTABLE)?;
    let page = tenant_page(ctx, &base, svc, RealmFilter::All, Some(request.clone())).await?;
    let (self_link, extra) = collection_links(&base);
    let at = PageContext { base: &base, path: req.path(), query: &query, request: &request };
    Ok(hal(&paged(&at, "tenants", page, self_link, extra)))
}

/// Axual "create tenant" (POST /tenants): platform admins.
#[utoipa::path(tag = "axual", request_body = TenantBody,
    responses((status = 201, description = "created; body only when an Accept header is sent"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin"), (status = 409, description = "shortName in use")))]
#[post("/tenants")]
pub async fn create_axual_tenant(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<TenantBody>,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let input = body.0.into_input()?;
    let realm = run_blocking(move || svc.create_realm(&ctx, input)).await?;
    let body = tenant(&base, &realm, None, true);
    Ok(created(&req, &tenant_url(&base, &realm), meta(realm.version, realm.audit.modified_at), &body))
}

/// Axual "get tenant" (GET /tenants/{uid}): platform admins, or the tenant's own users.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the tenant"), (status = 401, description = "no credentials"), (status = 403, description = "another tenant"), (status = 404, description = "no such tenant")))]
#[get("/tenants/{uid}")]
pub async fn get_axual_tenant(
    req: HttpRequest,
    ctx: RequestContext,
    path: Path<String>,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "tenant")?;
    let edit = ctx.principal.is_platform_admin();
    let view = run_blocking(move || svc.realm(&ctx, id)).await?;
    let body = tenant(&base, &view.realm, view.contact.as_ref(), edit);
    Ok(entity(&req, meta(view.realm.version, view.realm.audit.modified_at), portico_core::hal::HAL_JSON, &body))
}

/// Axual "update tenant" (PATCH /tenants/{uid}): platform admins.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = TenantBody,
    responses((status = 200, description = "patched, with Accept"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin"), (status = 404, description = "no such tenant"), (status = 412, description = "If-Match failed")))]
#[patch("/tenants/{uid}")]
pub async fn patch_tenant(
    req: HttpRequest,
    ctx: RequestContext,
    path: Path<String>,
    body: Json<TenantBody>,
    precondition: IfMatchHeader,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "tenant")?;
    let input = body.0.into_input()?;
    let view = run_blocking(move || svc.update_realm(&ctx, id, input, &precondition.0)).await?;
    let body = tenant(&base, &view.realm, view.contact.as_ref(), true);
    Ok(patched(&req, meta(view.realm.version, view.realm.audit.modified_at), &body))
}

/// The tenant's business contact (404 when none is set).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the contact user"), (status = 401, description = "no credentials"), (status = 403, description = "another tenant"), (status = 404, description = "no tenant or no contact")))]
#[get("/tenants/{uid}/contact")]
pub async fn get_contact(
    ctx: RequestContext,
    path: Path<String>,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "tenant")?;
    let view = run_blocking(move || svc.realm(&ctx, id)).await?;
    let contact = view.contact.ok_or_else(|| IdentityError::not_found("contact of tenant", id.simple()))?;
    Ok(hal(&user_detail(&base, &contact, UserActions::default())))
}

/// The search endpoints of tenants.
#[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches"), (status = 401, description = "no credentials")))]
#[get("/tenants/search")]
pub async fn tenant_searches(_ctx: RequestContext, base: BaseUrl) -> HttpResponse {
    let search = |name: &str, params: &str| Link::templated(base.join(&format!("/tenants/search/{name}{{?{params}}}")));
    let links = Links::new()
        .add("findByName", search("findByName", "name"))
        .add("findByNameContaining", search("findByNameContaining", "name,page,size,sort"))
        .add("findByShortName", search("findByShortName", "shortName"))
        .add("self", Link::new(base.join("/tenants/search")).titled(SELF_TITLE));
    hal(&serde_json::json!({ "_links": links }))
}

async fn search_list(
    req: HttpRequest,
    ctx: RequestContext,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
    filter: RealmFilter,
) -> Result<HttpResponse, ApiError<Axual>> {
    let page = tenant_page(ctx, &base, svc, filter, None).await?;
    Ok(hal(&collection("tenants", page.items, &Links::new().add("self", search_self(&req, &base)), None)))
}

/// Axual `findByName`: the exact full name (unpaged list).
#[utoipa::path(tag = "axual", params(("name" = String, Query)),
    responses((status = 200, description = "`_embedded.tenants`"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin")))]
#[get("/tenants/search/findByName")]
pub async fn find_tenants_by_name(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let name = query.require("name").map_err(ApiError::new)?.to_owned();
    search_list(req, ctx, base, svc, RealmFilter::DisplayName(name)).await
}

/// Axual `findByShortName`: the exact short name (unpaged list).
#[utoipa::path(tag = "axual", params(("shortName" = String, Query)),
    responses((status = 200, description = "`_embedded.tenants`"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin")))]
#[get("/tenants/search/findByShortName")]
pub async fn find_tenants_by_short_name(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let name = query.require("shortName").map_err(ApiError::new)?.to_ascii_lowercase();
    search_list(req, ctx, base, svc, RealmFilter::Name(name)).await
}

/// Axual `findByNameContaining`: full name contains the text, ignoring case (paged).
#[utoipa::path(tag = "axual", params(("name" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.tenants`"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin")))]
#[get("/tenants/search/findByNameContaining")]
pub async fn find_tenants_by_name_containing(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let name = query.require("name").map_err(ApiError::new)?.to_owned();
    let request = page_request(&query, SORTABLE)?;
    let page = tenant_page(ctx, &base, svc, RealmFilter::DisplayNameContains(name), Some(request.clone())).await?;
    let at = PageContext { base: &base, path: req.path(), query: &query, request: &request };
    Ok(hal(&paged(&at, "tenants", page, search_self(&req, &base), Links::new())))
}
