//! `/groups`: list, create, read, PATCH, DELETE (two-step with deletion constraints), members
//! (`text/uri-list`), searches.

use super::wire::{
    EmailInput, GroupDetail, GroupMembers, GroupSummary, Users, group_detail, group_summary, meta, user_summary,
};
use crate::model::{Group, User};
use crate::service::{GroupFilter, GroupInput, GroupService, UserFilter, UserService};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put};
use portico_core::dependents::DeletionConstraints;
use portico_core::hal::{Collection, HAL_JSON, LinksOnly, Resource};
use portico_core::http::axual::{Listing, Search, collection_links, created, entity_url, ok, patched, search_index};
use portico_core::http::params::Relation;
use portico_core::http::respond::entity;
use portico_core::http::{ApiError, BaseUrl, IfMatchHeader, Json, PathUid, UriList};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use serde::Deserialize;
use serde_with::{OneOrMany, serde_as};
use utoipa::ToSchema;

/// `POST /groups` and `PATCH /groups/{uid}` body. A body read from `GET` can be sent back.
#[serde_as]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupBody {
    /// 3–80 characters of letters, digits, `.`, `-`, `_` and spaces.
    pub name: Option<String>,
    /// Contact e-mail, as a string or `{"email": ...}` (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub email_address: Option<Option<EmailInput>>,
    /// Contact phone (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub phone_number: Option<Option<String>>,
    /// User URIs (`http://host/users/<uid>`), one string or a list; on PATCH they replace the
    /// members.
    #[serde_as(as = "Option<OneOrMany<_>>")]
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub members: Option<Vec<Relation<Users>>>,
}

impl GroupBody {
    fn into_input(self) -> GroupInput {
        GroupInput {
            name: self.name,
            email: self.email_address.map(|email| email.map(EmailInput::into_string)),
            phone_number: self.phone_number,
            members: self.members.map(|members| members.into_iter().map(Relation::id).collect()),
        }
    }
}

/// The searches of `/groups`.
pub const SEARCHES: &[Search] = &[
    ("findByName", "name,page,size,sort"),
    ("findByNameContaining", "name,page,size,sort"),
    ("findByMembersContains", "user,page,size,sort"),
];

type Groups = Collection<GroupSummary>;
type Detail = Resource<GroupDetail, GroupMembers>;

fn detail(svc: &dyn GroupService, ctx: &RequestContext, base: &BaseUrl, group: &Group, members: &[User]) -> Detail {
    group_detail(base, group, members, svc.group_allowed(ctx, members))
}

/// A page of groups matching `filter`, rendered at `listing`.
pub(super) async fn groups_page(
    ctx: RequestContext,
    listing: &Listing,
    svc: Data<dyn GroupService>,
    filter: GroupFilter,
) -> Result<portico_core::page::Page<Resource<GroupSummary>>, ApiError> {
    let request = listing.request().clone();
    let page = run_blocking(move || svc.groups(&ctx, &filter, &request)).await?;
    Ok(page.map(|g| group_summary(listing.base(), &g)))
}

/// Axual "list groups" (GET /groups).
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`", body = Groups, content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials")))]
#[get("/groups")]
pub async fn list_groups(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    let (self_link, extra) = collection_links(listing.base(), "groups", svc.may_create_groups(&ctx));
    let page = groups_page(ctx, &listing, svc, GroupFilter::All).await?;
    Ok(ok(&listing.paged(page, self_link, extra)))
}

/// Axual "create group" (POST /groups): GROUP_ADMIN or TENANT_ADMIN.
#[utoipa::path(tag = "axual", request_body = GroupBody,
    responses((status = 201, description = "created; body only when an Accept header is sent", body = Detail, content_type = "application/hal+json"), (status = 400, description = "validation failed or unknown member"), (status = 401, description = "no credentials"), (status = 403, description = "not GROUP_ADMIN"), (status = 409, description = "name in use")))]
#[post("/groups")]
pub async fn create_group(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<GroupBody>,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0.into_input();
    let (caller, service) = (ctx.clone(), svc.clone());
    let (group, members) = run_blocking(move || service.create_group(&ctx, input)).await?;
    let body = detail(svc.as_ref(), &caller, &base, &group, &members);
    Ok(created(&req, &entity_url(&base, "groups", group.id), meta(group.version, group.audit.modified_at), &body))
}

/// Axual "get group" (GET /groups/{uid}).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the group with `_embedded.members`", body = Detail, content_type = "application/hal+json"), (status = 304, description = "If-None-Match matched"), (status = 401, description = "no credentials"), (status = 404, description = "no such group")))]
#[get("/groups/{uid}")]
pub async fn get_group(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    let (caller, service) = (ctx.clone(), svc.clone());
    let (group, members) = run_blocking(move || service.group(&ctx, id)).await?;
    let body = detail(svc.as_ref(), &caller, &base, &group, &members);
    Ok(entity(&req, meta(group.version, group.audit.modified_at), HAL_JSON, &body))
}

/// Axual "update group" (PATCH /groups/{uid}).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = GroupBody,
    responses((status = 200, description = "patched, with Accept", body = Detail, content_type = "application/hal+json"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group"), (status = 409, description = "name in use"), (status = 412, description = "If-Match failed")))]
#[patch("/groups/{uid}")]
pub async fn patch_group(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    body: Json<GroupBody>,
    precondition: IfMatchHeader,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0.into_input();
    let (caller, service) = (ctx.clone(), svc.clone());
    let (group, members) =
        run_blocking(move || service.update_group(&ctx, id, input, &Precondition::if_match(precondition.0))).await?;
    let body = detail(svc.as_ref(), &caller, &base, &group, &members);
    Ok(patched(&req, meta(group.version, group.audit.modified_at), &body))
}

/// Axual "group deletion constraints": what the group still owns.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "`{canDelete, environmentsCount, applicationsCount, streamsCount}`", body = DeletionConstraints, content_type = "application/json"), (status = 401, description = "no credentials"), (status = 404, description = "no such group")))]
#[get("/groups/{uid}/deletion-constraints")]
pub async fn deletion_constraints(
    ctx: RequestContext,
    PathUid(id): PathUid,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    let constraints = run_blocking(move || svc.group_usage(&ctx, id)).await?;
    Ok(HttpResponse::Ok().content_type("application/json;charset=UTF-8").json(constraints))
}

/// Axual "delete group": 409 while it owns environments, applications or streams.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group"), (status = 409, description = "the group still owns resources"), (status = 412, description = "If-Match does not match the current version")))]
#[delete("/groups/{uid}")]
pub async fn delete_group(
    ctx: RequestContext,
    PathUid(id): PathUid,
    precondition: Precondition,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.delete_group(&ctx, id, &precondition)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members of a group (paged `_embedded.users`).
#[utoipa::path(tag = "axual", params(("uid" = String, Path), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`", body = Collection<super::wire::UserSummary>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such group")))]
#[get("/groups/{uid}/members")]
pub async fn list_members(
    ctx: RequestContext,
    PathUid(id): PathUid,
    listing: Listing,
    groups: Data<dyn GroupService>,
    users: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let request = listing.request().clone();
    let page = run_blocking(move || {
        groups.group(&ctx, id)?;
        users.users(&ctx, &UserFilter::MemberOf(id), &request)
    })
    .await?;
    let page = page.map(|u| user_summary(listing.base(), &u));
    Ok(ok(&listing.search_page(page, Default::default())))
}

/// Adds the listed users to the group (`text/uri-list`).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body(content = String, content_type = "text/uri-list"),
    responses((status = 204, description = "added"), (status = 400, description = "unknown user"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group"), (status = 415, description = "not text/uri-list")))]
#[post("/groups/{uid}/members")]
pub async fn add_members(
    ctx: RequestContext,
    PathUid(id): PathUid,
    members: UriList<Users>,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.set_members(&ctx, id, members.ids(), false)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replaces the members with the listed users (`text/uri-list`).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body(content = String, content_type = "text/uri-list"),
    responses((status = 204, description = "replaced"), (status = 400, description = "unknown user"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group"), (status = 415, description = "not text/uri-list")))]
#[put("/groups/{uid}/members")]
pub async fn replace_members(
    ctx: RequestContext,
    PathUid(id): PathUid,
    members: UriList<Users>,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.set_members(&ctx, id, members.ids(), true)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes one user from the group.
#[utoipa::path(tag = "axual", params(("uid" = String, Path), ("userUid" = String, Path)),
    responses((status = 204, description = "removed"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group or member")))]
#[delete("/groups/{uid}/members/{userUid}")]
pub async fn remove_member(
    ctx: RequestContext,
    PathUid(group): PathUid,
    PathUid(user): PathUid<1>,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.remove_member(&ctx, group, user)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The search endpoints of groups.
#[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/groups/search")]
pub async fn group_searches(_ctx: RequestContext, base: BaseUrl) -> HttpResponse {
    ok(&search_index(&base, "groups", SEARCHES))
}

async fn search(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn GroupService>,
    filter: GroupFilter,
) -> Result<HttpResponse, ApiError> {
    let page = groups_page(ctx, &listing, svc, filter).await?;
    Ok(ok(&listing.search_page(page, Default::default())))
}

/// Axual `findByName`: the exact name (paged).
#[utoipa::path(tag = "axual", params(("name" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`", body = Groups, content_type = "application/hal+json"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/groups/search/findByName")]
pub async fn find_groups_by_name(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    let filter = GroupFilter::Name(listing.require("name")?.to_owned());
    search(ctx, listing, svc, filter).await
}

/// Axual `findByNameContaining`: name contains the text, ignoring case (paged).
#[utoipa::path(tag = "axual", params(("name" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`", body = Groups, content_type = "application/hal+json"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/groups/search/findByNameContaining")]
pub async fn find_groups_by_name_containing(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    let filter = GroupFilter::NameContains(listing.require("name")?.to_owned());
    search(ctx, listing, svc, filter).await
}

/// Axual `findByMembersContains`: groups with this user (a user URI) as member (paged).
#[utoipa::path(tag = "axual", params(("user" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`", body = Groups, content_type = "application/hal+json"), (status = 400, description = "missing or invalid parameter"), (status = 401, description = "no credentials")))]
#[get("/groups/search/findByMembersContains")]
pub async fn find_by_members_contains(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError> {
    let user = listing.relation::<Users>("user")?;
    search(ctx, listing, svc, GroupFilter::HasMember(user)).await
}
