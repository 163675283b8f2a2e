//! The caller's own resources: `GET /user`, `GET /group`, `GET /tenant`.

use super::wire::{current_user, group_summary, meta, tenant};
use super::{SELF_TITLE, page_request};
use crate::service::{GroupService, RealmService, UserService};
use crate::store::groups::{GroupFilter, SORTABLE};
use crate::store::realms::RealmFilter;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use portico_core::context::PrincipalKind;
use portico_core::hal::{HAL_JSON, Link, Links, PageMetadata, collection};
use portico_core::http::respond::{entity, hal};
use portico_core::http::{ApiError, Axual, BaseUrl, QueryPairs};
use portico_core::page::PageRequest;
use portico_core::{RequestContext, run_blocking};

/// Axual "get the authenticated user" (GET /user). A client token answers as its service account.
#[utoipa::path(tag = "axual", responses((status = 200, description = "the caller's user detail with roles"), (status = 401, description = "no credentials")))]
#[get("/user")]
pub async fn get_current_user(
    req: HttpRequest,
    ctx: RequestContext,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let user = run_blocking(move || svc.current_user(&ctx)).await?;
    Ok(entity(&req, meta(user.version, user.audit.modified_at), HAL_JSON, &current_user(&base, &user)))
}

/// Axual "groups of the authenticated user" (GET /group): paged `_embedded.groups`.
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`"), (status = 401, description = "no credentials")))]
#[get("/group")]
pub async fn get_current_groups(
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let request = page_request(&query, SORTABLE)?;
    let page = match (ctx.principal.kind, uuid::Uuid::try_parse(&ctx.principal.id)) {
        (PrincipalKind::User, Ok(user)) if ctx.principal.realm.id == ctx.realm.id => {
            let page_req = request.clone();
            run_blocking(move || svc.groups(&ctx, &GroupFilter::HasMember(user), &page_req)).await?
        }
        // Clients, and platform admins visiting another realm, belong to no group there.
        _ => portico_core::page::Page::new(&request, Vec::new(), 0),
    };
    let metadata = PageMetadata::from(&page);
    let items = page.items.iter().map(|g| group_summary(&base, g)).collect();
    let links = Links::new()
        .add("self", Link::templated(format!("{}{{?page,size,sort}}", base.join("/group"))).titled(SELF_TITLE));
    Ok(hal(&collection("groups", items, &links, Some(metadata))))
}

/// Axual "tenant of the authenticated user" (GET /tenant): a collection holding just it.
#[utoipa::path(tag = "axual", responses((status = 200, description = "paged `_embedded.tenants` with the caller's tenant"), (status = 401, description = "no credentials")))]
#[get("/tenant")]
pub async fn get_current_tenant(
    _req: HttpRequest,
    ctx: RequestContext,
    base: BaseUrl,
    svc: Data<dyn RealmService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let request = PageRequest::default();
    let filter = RealmFilter::Id(ctx.realm.id);
    let page_req = request.clone();
    let page = run_blocking(move || svc.realms(&ctx, &filter, &page_req)).await?;
    let metadata = PageMetadata::from(&page);
    let items = page.items.iter().map(|view| tenant(&base, &view.realm, view.contact.as_ref(), false)).collect();
    let links = Links::new()
        .add("self", Link::templated(format!("{}{{?page,size,sort}}", base.join("/tenant"))).titled(SELF_TITLE))
        .add(
            "profile",
            Link::new(base.join("/profile/tenants")).titled("Endpoints for schema metadata in ALPS/JSON Schema format"),
        )
        .add("search", Link::new(base.join("/tenants/search")).titled("Search endpoints for this entity"));
    Ok(hal(&collection("tenants", items, &links, Some(metadata))))
}
