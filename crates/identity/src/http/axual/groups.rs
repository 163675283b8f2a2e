//! `/groups`: list, create, read, PATCH, DELETE (two-step with deletion constraints), members
//! (`text/uri-list`), searches.

use super::wire::{group_detail, group_summary, group_url, meta, user_summary};
use super::{PageContext, SELF_TITLE, created, page_request, paged, patched, search_self, uid, uri_uid};
use crate::model::{Group, User};
use crate::service::{GroupInput, GroupService};
use crate::store::groups::{GroupFilter, SORTABLE};
use crate::store::users::{self as user_store, UserFilter};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::{Bytes, Data, Path};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put};
use portico_core::context::Requirement;
use portico_core::hal::{Link, Links};
use portico_core::http::extract::nullable;
use portico_core::http::respond::{entity, hal};
use portico_core::http::{ApiError, Axual, BaseUrl, Failure, IfMatchHeader, Json, QueryPairs};
use portico_core::page::PageRequest;
use portico_core::{ErrorKind, RequestContext, run_blocking};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

const ADMINS: Requirement<'static> = Requirement::AnyRole(&["GROUP_ADMIN", "TENANT_ADMIN"]);

/// `POST /groups` and `PATCH /groups/{uid}` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupBody {
    /// 3–80 characters of letters, digits, `.`, `-`, `_` and spaces.
    pub name: Option<String>,
    /// Contact e-mail (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    pub email_address: Option<Option<String>>,
    /// Contact phone (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    pub phone_number: Option<Option<String>>,
    /// User URIs (`http://host/users/<uid>`); on PATCH they replace the members.
    pub members: Option<Vec<String>>,
}

impl GroupBody {
    fn into_input(self) -> Result<GroupInput, ApiError<Axual>> {
        let members = match self.members {
            Some(uris) => {
                Some(uris.iter().map(|uri| uri_uid(uri, "users", "members")).collect::<Result<Vec<Uuid>, _>>()?)
            }
            None => None,
        };
        Ok(GroupInput { name: self.name, email: self.email_address, phone_number: self.phone_number, members })
    }
}

fn detail(ctx: &RequestContext, base: &BaseUrl, group: &Group, members: &[User]) -> serde_json::Value {
    let manager = ctx.require(ADMINS).is_ok() || members.iter().any(|m| m.id.to_string() == ctx.principal.id);
    group_detail(base, group, members, manager, manager)
}

/// Axual "list groups" (GET /groups).
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`", content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials")))]
#[get("/groups")]
pub async fn list_groups(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let request = page_request(&query, SORTABLE)?;
    let can_create = ctx.require(ADMINS).is_ok();
    let page_req = request.clone();
    let page = run_blocking(move || svc.groups(&ctx, &GroupFilter::All, &page_req)).await?;
    let url = base.join("/groups");
    let extra = Links::new()
        .add(
            "profile",
            Link::new(base.join("/profile/groups")).titled("Endpoints for schema metadata in ALPS/JSON Schema format"),
        )
        .add("search", Link::new(base.join("/groups/search")).titled("Search endpoints for this entity"))
        .add_if(can_create, "create", || {
            Link::templated(format!("{url}{{?projection}}")).titled("Indication that an entity can be created")
        });
    let self_link = Link::templated(format!("{url}{{?page,size,sort}}")).titled(SELF_TITLE);
    let page = page.map(|g| group_summary(&base, &g));
    Ok(hal(&paged(
        &PageContext { base: &base, path: req.path(), query: &query, request: &request },
        "groups",
        page,
        self_link,
        extra,
    )))
}

/// Axual "create group" (POST /groups): GROUP_ADMIN or TENANT_ADMIN.
#[utoipa::path(tag = "axual", request_body = GroupBody,
    responses((status = 201, description = "created; body only when an Accept header is sent"), (status = 400, description = "validation failed or unknown member"), (status = 401, description = "no credentials"), (status = 403, description = "not GROUP_ADMIN"), (status = 409, description = "name in use")))]
#[post("/groups")]
pub async fn create_group(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<GroupBody>,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let input = body.0.into_input()?;
    let caller = ctx.clone();
    let (group, members) = run_blocking(move || svc.create_group(&ctx, input)).await?;
    let body = detail(&caller, &base, &group, &members);
    Ok(created(&req, &group_url(&base, &group), meta(group.version, group.audit.modified_at), &body))
}

/// Axual "get group" (GET /groups/{uid}).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the group with `_embedded.members`"), (status = 401, description = "no credentials"), (status = 404, description = "no such group")))]
#[get("/groups/{uid}")]
pub async fn get_group(
    req: HttpRequest,
    ctx: RequestContext,
    path: Path<String>,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "group")?;
    let caller = ctx.clone();
    let (group, members) = run_blocking(move || svc.group(&ctx, id)).await?;
    let body = detail(&caller, &base, &group, &members);
    Ok(entity(&req, meta(group.version, group.audit.modified_at), portico_core::hal::HAL_JSON, &body))
}

/// Axual "update group" (PATCH /groups/{uid}).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = GroupBody,
    responses((status = 200, description = "patched, with Accept"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group"), (status = 409, description = "name in use"), (status = 412, description = "If-Match failed")))]
#[patch("/groups/{uid}")]
pub async fn patch_group(
    req: HttpRequest,
    ctx: RequestContext,
    path: Path<String>,
    body: Json<GroupBody>,
    precondition: IfMatchHeader,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "group")?;
    let input = body.0.into_input()?;
    let caller = ctx.clone();
    let (group, members) = run_blocking(move || svc.update_group(&ctx, id, input, &precondition.0)).await?;
    let body = detail(&caller, &base, &group, &members);
    Ok(patched(&req, meta(group.version, group.audit.modified_at), &body))
}

/// Axual "group deletion constraints".
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "`{canDelete, environmentsCount, applicationsCount, streamsCount}`", content_type = "application/json"), (status = 401, description = "no credentials"), (status = 404, description = "no such group")))]
#[get("/groups/{uid}/deletion-constraints")]
pub async fn deletion_constraints(
    ctx: RequestContext,
    path: Path<String>,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "group")?;
    let usage = run_blocking(move || svc.group_usage(&ctx, id)).await?;
    Ok(HttpResponse::Ok().content_type("application/json;charset=UTF-8").json(serde_json::json!({
        "canDelete": usage.can_delete(),
        "environmentsCount": usage.environments,
        "applicationsCount": usage.applications,
        "streamsCount": usage.streams,
    })))
}

/// Axual "delete group": 409 while it owns environments, applications or streams.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group"), (status = 409, description = "the group still owns resources")))]
#[delete("/groups/{uid}")]
pub async fn delete_group(
    ctx: RequestContext,
    path: Path<String>,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "group")?;
    run_blocking(move || svc.delete_group(&ctx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members of a group (paged `_embedded.users`).
#[utoipa::path(tag = "axual", params(("uid" = String, Path), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`"), (status = 401, description = "no credentials"), (status = 404, description = "no such group")))]
#[get("/groups/{uid}/members")]
pub async fn list_members(
    req: HttpRequest,
    ctx: RequestContext,
    path: Path<String>,
    query: QueryPairs,
    base: BaseUrl,
    groups: Data<dyn GroupService>,
    users: Data<dyn crate::service::UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "group")?;
    let request = page_request(&query, user_store::SORTABLE)?;
    let page_req = request.clone();
    let page = run_blocking(move || {
        groups.group(&ctx, id)?;
        users.users(&ctx, &UserFilter::MemberOf(id), &page_req)
    })
    .await?;
    let self_link = search_self(&req, &base);
    let page = page.map(|u| user_summary(&base, &u));
    Ok(hal(&paged(
        &PageContext { base: &base, path: req.path(), query: &query, request: &request },
        "users",
        page,
        self_link,
        Links::new(),
    )))
}

fn uri_list(req: &HttpRequest, body: &Bytes) -> Result<Vec<Uuid>, ApiError<Axual>> {
    let media = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != "text/uri-list" {
        return Err(ApiError::new(Failure::new(
            ErrorKind::UnsupportedMediaType,
            "unsupported_media_type",
            "Send the members as text/uri-list",
        )));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(Failure::new(ErrorKind::Invalid, "invalid_body", "The URI list is not UTF-8")))?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|uri| uri_uid(uri, "users", "members"))
        .collect()
}

/// Adds the listed users to the group (`text/uri-list`).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body(content = String, content_type = "text/uri-list"),
    responses((status = 204, description = "added"), (status = 400, description = "unknown user"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group"), (status = 415, description = "not text/uri-list")))]
#[post("/groups/{uid}/members")]
pub async fn add_members(
    req: HttpRequest,
    ctx: RequestContext,
    path: Path<String>,
    body: Bytes,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "group")?;
    let members = uri_list(&req, &body)?;
    run_blocking(move || svc.set_members(&ctx, id, &members, false)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replaces the members with the listed users (`text/uri-list`).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body(content = String, content_type = "text/uri-list"),
    responses((status = 204, description = "replaced"), (status = 400, description = "unknown user"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group"), (status = 415, description = "not text/uri-list")))]
#[put("/groups/{uid}/members")]
pub async fn replace_members(
    req: HttpRequest,
    ctx: RequestContext,
    path: Path<String>,
    body: Bytes,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "group")?;
    let members = uri_list(&req, &body)?;
    run_blocking(move || svc.set_members(&ctx, id, &members, true)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes one user from the group.
#[utoipa::path(tag = "axual", params(("uid" = String, Path), ("userUid" = String, Path)),
    responses((status = 204, description = "removed"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such group or member")))]
#[delete("/groups/{uid}/members/{userUid}")]
pub async fn remove_member(
    ctx: RequestContext,
    path: Path<(String, String)>,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let (group, user) = path.into_inner();
    let (group, user) = (uid(&group, "group")?, uid(&user, "member")?);
    run_blocking(move || svc.remove_member(&ctx, group, user)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The search endpoints of groups.
#[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches"), (status = 401, description = "no credentials")))]
#[get("/groups/search")]
pub async fn group_searches(_ctx: RequestContext, base: BaseUrl) -> HttpResponse {
    let search = |name: &str, params: &str| Link::templated(base.join(&format!("/groups/search/{name}{{?{params}}}")));
    let links = Links::new()
        .add("findByName", search("findByName", "name,page,size,sort"))
        .add("findByNameContaining", search("findByNameContaining", "name,page,size,sort"))
        .add("findByMembersContains", search("findByMembersContains", "user,page,size,sort"))
        .add("self", Link::new(base.join("/groups/search")).titled(SELF_TITLE));
    hal(&serde_json::json!({ "_links": links }))
}

async fn search(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
    filter: GroupFilter,
) -> Result<HttpResponse, ApiError<Axual>> {
    let request: PageRequest = page_request(&query, SORTABLE)?;
    let page_req = request.clone();
    let page = run_blocking(move || svc.groups(&ctx, &filter, &page_req)).await?;
    let self_link = search_self(&req, &base);
    let page = page.map(|g| group_summary(&base, &g));
    Ok(hal(&paged(
        &PageContext { base: &base, path: req.path(), query: &query, request: &request },
        "groups",
        page,
        self_link,
        Links::new(),
    )))
}

/// Axual `findByName`: the exact name (paged).
#[utoipa::path(tag = "axual", params(("name" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/groups/search/findByName")]
pub async fn find_groups_by_name(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let name = query.require("name").map_err(ApiError::new)?.to_owned();
    search(req, ctx, query, base, svc, GroupFilter::Name(name)).await
}

/// Axual `findByNameContaining`: name contains the text, ignoring case (paged).
#[utoipa::path(tag = "axual", params(("name" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/groups/search/findByNameContaining")]
pub async fn find_groups_by_name_containing(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let name = query.require("name").map_err(ApiError::new)?.to_owned();
    search(req, ctx, query, base, svc, GroupFilter::NameContains(name)).await
}

/// Axual `findByMembersContains`: groups with this user (a user URI) as member (paged).
#[utoipa::path(tag = "axual", params(("user" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.groups`"), (status = 400, description = "missing or invalid parameter"), (status = 401, description = "no credentials")))]
#[get("/groups/search/findByMembersContains")]
pub async fn find_by_members_contains(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn GroupService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let user = uri_uid(query.require("user").map_err(ApiError::new)?, "users", "user")?;
    search(req, ctx, query, base, svc, GroupFilter::HasMember(user)).await
}
