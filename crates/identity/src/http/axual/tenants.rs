//! `/tenants` (platform admins) and the tenant's contact.

use super::wire::{TenantContact, TenantFields, UserDetail, Users, meta, tenant, user_detail};
use crate::error::IdentityError;
use crate::service::{Allowed, RealmFilter, RealmService, TenantInput};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get, patch, post};
use portico_core::hal::{Collection, HAL_JSON, LinksOnly, Resource};
use portico_core::http::axual::{Listing, Search, collection_links, created, entity_url, ok, patched, search_index};
use portico_core::http::params::Relation;
use portico_core::http::respond::entity;
use portico_core::http::{ApiError, BaseUrl, IfMatchHeader, Json, PathUid};
use portico_core::page::{Page, PageRequest};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /tenants` and `PATCH /tenants/{uid}` body. A body read from `GET` can be sent back:
/// an unchanged `shortName` is accepted, read-only fields are ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantBody {
    /// 3–50 characters of letters, digits, `.`, `-`, `_` and spaces.
    pub name: Option<String>,
    /// 3–12 letters and digits; the `realm` header value. Set on create; never changes.
    pub short_name: Option<String>,
    /// The tenant's supported domain (stored, not shown).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub domain: Option<Option<String>>,
    /// Tenant-specific variables (text values, kept as sent); a PATCH merges them key by key
    /// (`null` removes a key).
    #[schema(value_type = Option<Object>)]
    pub properties: Option<portico_core::properties::PropertyPatch>,
    /// Milliseconds, 1000..160704000000.
    pub retention_time: Option<i64>,
    /// 1..120000.
    pub partitions: Option<i64>,
    /// Logo.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub logo: Option<Option<String>>,
    /// Issuer URL.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub issuer_url: Option<Option<String>>,
    /// Data classification.
    pub data_classification_enabled: Option<bool>,
    /// A JSON document inside a string.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub feature_config: Option<Option<String>>,
    /// URI of a user of the tenant (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact: Option<Option<Relation<Users>>>,
}

impl TenantBody {
    fn into_input(self) -> TenantInput {
        TenantInput {
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
            contact: self.contact.map(|contact| contact.map(Relation::id)),
        }
    }
}

/// The searches of `/tenants`.
pub const SEARCHES: &[Search] =
    &[("findByName", "name"), ("findByNameContaining", "name,page,size,sort"), ("findByShortName", "shortName")];

type Tenant = Resource<TenantFields, TenantContact>;
type Tenants = Collection<TenantFields, TenantContact>;

/// A page of tenants matching `filter`; `edit` links follow `allowed`.
pub(super) async fn tenant_page(
    ctx: RequestContext,
    base: &BaseUrl,
    svc: Data<dyn RealmService>,
    filter: RealmFilter,
    request: PageRequest,
    allowed: Allowed,
) -> Result<Page<Tenant>, ApiError> {
    let page = run_blocking(move || svc.realms(&ctx, &filter, &request)).await?;
    Ok(page.map(|view| tenant(base, &view.realm, view.contact.as_ref(), allowed)))
}

/// Axual "list tenants" (GET /tenants): platform admins.
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.tenants`", body = Tenants, content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin")))]
#[get("/tenants")]
pub async fn list_axual_tenants(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError> {
    let allowed = svc.tenant_allowed(&ctx);
    let (self_link, extra) = collection_links(listing.base(), "tenants", false);
    let page = tenant_page(ctx, listing.base(), svc, RealmFilter::All, listing.request().clone(), allowed).await?;
    Ok(ok(&listing.paged(page, self_link, extra)))
}

/// Axual "create tenant" (POST /tenants): platform admins.
#[utoipa::path(tag = "axual", request_body = TenantBody,
    responses((status = 201, description = "created; body only when an Accept header is sent", body = Tenant, content_type = "application/hal+json"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin"), (status = 409, description = "shortName in use")))]
#[post("/tenants")]
pub async fn create_axual_tenant(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<TenantBody>,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0.into_input();
    let allowed = svc.tenant_allowed(&ctx);
    let view = run_blocking(move || svc.create_realm(&ctx, input)).await?;
    let body = tenant(&base, &view.realm, view.contact.as_ref(), allowed);
    let location = entity_url(&base, "tenants", view.realm.id);
    Ok(created(&req, &location, meta(view.realm.version, view.realm.audit.modified_at), &body))
}

/// Axual "get tenant" (GET /tenants/{uid}): platform admins, or the tenant's own users.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the tenant", body = Tenant, content_type = "application/hal+json"), (status = 304, description = "If-None-Match matched"), (status = 401, description = "no credentials"), (status = 403, description = "another tenant"), (status = 404, description = "no such tenant")))]
#[get("/tenants/{uid}")]
pub async fn get_axual_tenant(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError> {
    let allowed = svc.tenant_allowed(&ctx);
    let view = run_blocking(move || svc.realm(&ctx, id)).await?;
    let body = tenant(&base, &view.realm, view.contact.as_ref(), allowed);
    Ok(entity(&req, meta(view.realm.version, view.realm.audit.modified_at), HAL_JSON, &body))
}

/// Axual "update tenant" (PATCH /tenants/{uid}): platform admins.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = TenantBody,
    responses((status = 200, description = "patched, with Accept", body = Tenant, content_type = "application/hal+json"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin"), (status = 404, description = "no such tenant"), (status = 412, description = "If-Match failed")))]
#[patch("/tenants/{uid}")]
pub async fn patch_tenant(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    body: Json<TenantBody>,
    precondition: IfMatchHeader,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0.into_input();
    let allowed = svc.tenant_allowed(&ctx);
    let view = run_blocking(move || svc.update_realm(&ctx, id, input, &Precondition::if_match(precondition.0))).await?;
    let body = tenant(&base, &view.realm, view.contact.as_ref(), allowed);
    Ok(patched(&req, meta(view.realm.version, view.realm.audit.modified_at), &body))
}

/// The tenant's business contact (404 when none is set).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the contact user", body = Resource<UserDetail>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 403, description = "another tenant"), (status = 404, description = "no tenant or no contact")))]
#[get("/tenants/{uid}/contact")]
pub async fn get_contact(
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError> {
    let view = run_blocking(move || svc.realm(&ctx, id)).await?;
    let contact = view.contact.ok_or_else(|| IdentityError::not_found("contact of tenant", id.simple()))?;
    Ok(ok(&user_detail(&base, &contact, Allowed::default())))
}

/// The search endpoints of tenants.
#[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/tenants/search")]
pub async fn tenant_searches(_ctx: RequestContext, base: BaseUrl) -> HttpResponse {
    ok(&search_index(&base, "tenants", SEARCHES))
}

async fn search_list(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn RealmService>,
    filter: RealmFilter,
) -> Result<HttpResponse, ApiError> {
    let allowed = svc.tenant_allowed(&ctx);
    let matches = tenant_page(ctx, listing.base(), svc, filter, listing.all_matches(), allowed).await?;
    Ok(ok(&listing.search_list(matches)?))
}

/// Axual `findByName`: the exact full name (unpaged list).
#[utoipa::path(tag = "axual", params(("name" = String, Query)),
    responses((status = 200, description = "`_embedded.tenants`", body = Tenants, content_type = "application/hal+json"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin")))]
#[get("/tenants/search/findByName")]
pub async fn find_tenants_by_name(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError> {
    let filter = RealmFilter::DisplayName(listing.require("name")?.to_owned());
    search_list(ctx, listing, svc, filter).await
}

/// Axual `findByShortName`: the short name, ignoring case (unpaged list).
#[utoipa::path(tag = "axual", params(("shortName" = String, Query)),
    responses((status = 200, description = "`_embedded.tenants`", body = Tenants, content_type = "application/hal+json"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin")))]
#[get("/tenants/search/findByShortName")]
pub async fn find_tenants_by_short_name(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError> {
    let filter = RealmFilter::Name(listing.require("shortName")?.to_ascii_lowercase());
    search_list(ctx, listing, svc, filter).await
}

/// Axual `findByNameContaining`: full name contains the text, ignoring case (paged).
#[utoipa::path(tag = "axual", params(("name" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.tenants`", body = Tenants, content_type = "application/hal+json"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials"), (status = 403, description = "not a platform admin")))]
#[get("/tenants/search/findByNameContaining")]
pub async fn find_tenants_by_name_containing(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError> {
    let filter = RealmFilter::DisplayNameContains(listing.require("name")?.to_owned());
    let allowed = svc.tenant_allowed(&ctx);
    let page = tenant_page(ctx, listing.base(), svc, filter, listing.request().clone(), allowed).await?;
    Ok(ok(&listing.search_page(page, Default::default())))
}
