//! `/tenants` (platform admins) and the tenant's contact.

use super::wire::{TenantContact, TenantFields, UserDetail, Users, meta, tenant, user_detail};
use crate::error::IdentityError;
use crate::service::{Allowed, RealmFilter, RealmService, TenantInput, TenantView};
use actix_web::web::Data;
use actix_web::{HttpResponse, get};
use portico_core::hal::{Collection, Resource};
use portico_core::http::axual::{Listing, Search, ok};
use portico_core::http::collection::{AxualBody, AxualContaining, AxualCrud, AxualList};
use portico_core::http::params::Relation;
use portico_core::http::respond::Versioned;
use portico_core::http::{ApiError, BaseUrl, PathUid};
use portico_core::page::{Page, PageRequest};
use portico_core::{RequestContext, run_blocking};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

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

/// Axual tenants (realms), served by the kit's standard handlers: platform admins list,
/// create and change them; a tenant's own users read it.
pub struct TenantCollection;

impl AxualCrud for TenantCollection {
    type Service = dyn RealmService;
    type Item = TenantView;
    type Detail = TenantFields;
    type Embedded = TenantContact;
    type Abilities = Allowed;
    type Error = IdentityError;
    const REL: &'static str = "tenants";
    const SEARCHES: &'static [Search] = SEARCHES;

    fn abilities(service: &Self::Service, ctx: &RequestContext) -> Result<Allowed, IdentityError> {
        Ok(service.tenant_allowed(ctx))
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<TenantView, IdentityError> {
        service.realm(ctx, id)
    }

    fn id(view: &TenantView) -> Uuid {
        view.realm.id.into()
    }

    fn meta(view: &TenantView) -> Versioned {
        meta(view.realm.version, view.realm.audit.modified_at)
    }

    fn detail(base: &BaseUrl, view: &TenantView, allowed: &Allowed) -> Tenant {
        tenant(base, &view.realm, view.contact.as_ref(), *allowed)
    }
}

impl AxualList for TenantCollection {
    type Listed = TenantView;
    type Summary = TenantFields;
    type SummaryEmbedded = TenantContact;

    /// Listings show no `create` (the seed prints none).
    fn may_create(_: &Allowed) -> bool {
        false
    }

    fn page(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Page<TenantView>, IdentityError> {
        service.realms(ctx, &RealmFilter::All, request)
    }

    fn summary(base: &BaseUrl, view: &TenantView, allowed: &Allowed) -> Tenant {
        tenant(base, &view.realm, view.contact.as_ref(), *allowed)
    }
}

impl AxualBody for TenantCollection {
    type Body = TenantBody;
    type Input = TenantInput;

    fn input(body: TenantBody) -> Result<TenantInput, ApiError> {
        Ok(body.into_input())
    }
}

/// Full names containing the text, ignoring case (paged).
impl AxualContaining for TenantCollection {
    fn containing(
        service: &Self::Service,
        ctx: &RequestContext,
        text: &str,
        request: &PageRequest,
    ) -> Result<Page<TenantView>, IdentityError> {
        service.realms(ctx, &RealmFilter::DisplayNameContains(text.to_owned()), request)
    }
}

portico_core::axual_calls!(TenantCollection { create: create_realm, update: update_realm });

portico_core::axual_routes! {
    TenantCollection, what: "tenant", summary: TenantFields, summary_embedded: TenantContact, detail: TenantFields,
    embedded: TenantContact, body: TenantBody;
    list: list_axual_tenants => "/tenants",
    create: create_axual_tenant => "/tenants",
    searches: tenant_searches => "/tenants/search",
    find_by_name_containing: find_tenants_by_name_containing => "/tenants/search/findByNameContaining",
    get: get_axual_tenant => "/tenants/{uid}",
    patch: patch_tenant => "/tenants/{uid}",
}
