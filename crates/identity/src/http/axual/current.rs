//! The caller's own resources: `GET /user`, `GET /group`, `GET /tenant`.

use super::groups::groups_page;
use super::tenants::tenant_page;
use super::wire::{GroupSummary, TenantContact, TenantFields, UserDetail, current_user, meta};
use crate::service::{Allowed, GroupFilter, GroupService, RealmFilter, RealmService, UserService};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use portico_core::context::PrincipalKind;
use portico_core::hal::{Collection, HAL_JSON, Link, Resource};
use portico_core::http::axual::{Listing, ok, titles};
use portico_core::http::respond::entity;
use portico_core::http::{ApiError, BaseUrl};
use portico_core::page::Page;
use portico_core::{RequestContext, run_blocking};

/// Axual "get the authenticated user" (GET /user). A client token answers as its service account.
#[utoipa::path(tag = "axual", responses((status = 200, description = "the caller's user detail with roles", body = Resource<UserDetail>, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/user")]
pub async fn get_current_user(
    req: HttpRequest,
    ctx: RequestContext,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let user = run_blocking(move || svc.current_user(&ctx)).await?;
    Ok(entity(&req, meta(user.version, user.audit.modified_at), HAL_JSON, &current_user(&base, &user)))
}

/// The templated `self` of the current-resource collections (`/group`, `/tenant`).
fn current_self(listing: &Listing, path: &str) -> Link {
    Link::templated(format!("{}{{?page,size,sort}}", listing.base().join(path))).titled(titles::SELF)
}

/// Axual "groups of the authenticated user" (GET /group): paged `_embedded.groups` with
/// `first/prev/next/last` like every paged collection.
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`", body = Collection<GroupSummary>, content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials")))]
#[get("/group")]
pub async fn get_current_groups(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    let member = match (ctx.principal.kind, uuid::Uuid::try_parse(&ctx.principal.id)) {
        (PrincipalKind::User, Ok(user)) if ctx.principal.realm.id == ctx.realm.id => Some(user),
        // Clients, and platform admins visiting another realm, belong to no group there.
        _ => None,
    };
    let page = match member {
        Some(user) => groups_page(ctx, &listing, svc, GroupFilter::HasMember(user)).await?,
        None => Page::new(listing.request(), Vec::new(), 0),
    };
    Ok(ok(&listing.paged(page, current_self(&listing, "/group"), Default::default())))
}

/// Axual "tenant of the authenticated user" (GET /tenant): a collection holding just it.
#[utoipa::path(tag = "axual", responses((status = 200, description = "paged `_embedded.tenants` with the caller's tenant", body = Collection<TenantFields, TenantContact>, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/tenant")]
pub async fn get_current_tenant(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError> {
    let filter = RealmFilter::Id(ctx.realm.id);
    let page = tenant_page(ctx, listing.base(), svc, filter, listing.request().clone(), Allowed::default()).await?;
    let (_, extra) = portico_core::http::axual::collection_links(listing.base(), "tenants", false);
    Ok(ok(&listing.paged(page, current_self(&listing, "/tenant"), extra)))
}
