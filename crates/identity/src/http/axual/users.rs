//! `/users`: list, create (deprecated in the seed, kept), read, PATCH, DELETE, searches, and
//! `PUT /users/{uid}/roles` (the target of the `assign_roles` link).

use super::wire::{EmailInput, UserDetail, UserSummary, meta, user_detail, user_summary};
use crate::service::{NewUser, UserFilter, UserPatch, UserService};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put};
use portico_core::hal::{Collection, HAL_JSON, Links, LinksOnly, Resource};
use portico_core::http::axual::{
    Listing, Search, collection_links, created, entity_url, ok, patched, search_create_link, search_index,
};
use portico_core::http::respond::entity;
use portico_core::http::{ApiError, BaseUrl, IfMatchHeader, Json, PathUid};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use serde::Deserialize;
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// `POST /users` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserBody {
    /// 2–50 characters.
    pub first_name: String,
    /// 2–50 characters.
    pub last_name: String,
    /// 0–16 characters.
    pub middle_name: Option<String>,
    /// A complete e-mail address; identifies the user in the tenant.
    pub email_address: EmailInput,
    /// 0–72 characters; never returned.
    pub password: Option<String>,
    /// `+31612345678` or `0612345678`.
    pub phone_number: Option<String>,
}

/// `PATCH /users/{uid}` body: any subset; `null` clears optional fields. Fields a GET returns
/// but a PATCH cannot change (`uid`, `roles`, audit fields) are accepted and ignored, so a
/// client can send back what it read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatchUserBody {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Middle name.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub middle_name: Option<Option<String>>,
    /// Phone number.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub phone_number: Option<Option<String>>,
    /// New password.
    pub password: Option<String>,
}

/// A role as responses show it, or its bare name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RoleInput {
    /// `"TENANT_ADMIN"`.
    Name(String),
    /// `{"name": "TENANT_ADMIN"}`.
    Object {
        /// The role.
        name: String,
    },
}

/// The searches of `/users`.
pub const SEARCHES: &[Search] = &[
    ("findByFirstName", "firstName,page,size,sort"),
    ("findByLastName", "lastName,page,size,sort"),
    ("searchUser", "query"),
    ("findByRole", "role,page,size,sort"),
    ("findByEmailAddress", "email"),
];

type Users = Collection<UserSummary>;

async fn page_of(
    ctx: RequestContext,
    svc: Data<dyn UserService>,
    filter: UserFilter,
    request: portico_core::page::PageRequest,
    base: &BaseUrl,
) -> Result<portico_core::page::Page<Resource<UserSummary>>, ApiError> {
    let page = run_blocking(move || svc.users(&ctx, &filter, &request)).await?;
    Ok(page.map(|u| user_summary(base, &u)))
}

/// Axual "list users" (GET /users): the users of the caller's tenant.
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`", body = Users, content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials")))]
#[get("/users")]
pub async fn list_users(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let (self_link, extra) = collection_links(listing.base(), "users", svc.may_create_users(&ctx));
    let page = page_of(ctx, svc, UserFilter::All, listing.request().clone(), listing.base()).await?;
    Ok(ok(&listing.paged(page, self_link, extra)))
}

/// Axual "create user" (POST /users): TENANT_ADMIN only (deprecated by Axual, kept working).
#[utoipa::path(tag = "axual", request_body = CreateUserBody,
    responses((status = 201, description = "created; body only when an Accept header is sent", body = Resource<UserDetail>, content_type = "application/hal+json"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 409, description = "e-mail address in use")))]
#[post("/users")]
pub async fn create_user(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<CreateUserBody>,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let input = NewUser {
        first_name: body.first_name,
        last_name: body.last_name,
        middle_name: body.middle_name,
        email: body.email_address.into_string(),
        password: body.password,
        phone_number: body.phone_number,
    };
    let (caller, service) = (ctx.clone(), svc.clone());
    let user = run_blocking(move || service.create_user(&ctx, input)).await?;
    let body = user_detail(&base, &user, svc.user_allowed(&caller, &user));
    Ok(created(&req, &entity_url(&base, "users", user.id), meta(user.version, user.audit.modified_at), &body))
}

/// Axual "get user" (GET /users/{uid}).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the user", body = Resource<UserDetail>, content_type = "application/hal+json"), (status = 304, description = "If-None-Match matched"), (status = 401, description = "no credentials"), (status = 404, description = "no such user")))]
#[get("/users/{uid}")]
pub async fn get_user(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let (caller, service) = (ctx.clone(), svc.clone());
    let user = run_blocking(move || service.user(&ctx, id)).await?;
    let body = user_detail(&base, &user, svc.user_allowed(&caller, &user));
    Ok(entity(&req, meta(user.version, user.audit.modified_at), HAL_JSON, &body))
}

/// Axual "update user" (PATCH /users/{uid}): TENANT_ADMIN, or the user themself.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = PatchUserBody,
    responses((status = 200, description = "patched, with Accept", body = Resource<UserDetail>, content_type = "application/hal+json"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such user"), (status = 412, description = "If-Match failed")))]
#[patch("/users/{uid}")]
pub async fn patch_user(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    body: Json<PatchUserBody>,
    precondition: IfMatchHeader,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let patch = UserPatch {
        first_name: body.first_name,
        last_name: body.last_name,
        middle_name: body.middle_name,
        phone_number: body.phone_number,
        password: body.password,
    };
    let (caller, service) = (ctx.clone(), svc.clone());
    let user =
        run_blocking(move || service.update_user(&ctx, id, patch, &Precondition::if_match(precondition.0))).await?;
    let body = user_detail(&base, &user, svc.user_allowed(&caller, &user));
    Ok(patched(&req, meta(user.version, user.audit.modified_at), &body))
}

/// Axual "delete user" (DELETE /users/{uid}): TENANT_ADMIN.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 404, description = "no such user"), (status = 409, description = "cannot delete yourself"), (status = 412, description = "If-Match does not match the current version")))]
#[delete("/users/{uid}")]
pub async fn delete_user(
    ctx: RequestContext,
    PathUid(id): PathUid,
    precondition: Precondition,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.delete_user(&ctx, id, &precondition)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Assigns roles (the `assign_roles` link): the body is a list of role names or `{name}` objects.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = Vec<RoleInput>,
    responses((status = 200, description = "the user with its new roles", body = Resource<UserDetail>, content_type = "application/hal+json"), (status = 400, description = "invalid role"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 404, description = "no such user")))]
#[put("/users/{uid}/roles")]
pub async fn assign_roles(
    ctx: RequestContext,
    PathUid(id): PathUid,
    body: Json<Vec<RoleInput>>,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let roles: BTreeSet<String> = body
        .0
        .into_iter()
        .map(|r| match r {
            RoleInput::Name(name) | RoleInput::Object { name } => name,
        })
        .collect();
    let (caller, service) = (ctx.clone(), svc.clone());
    let user = run_blocking(move || service.assign_roles(&ctx, id, roles)).await?;
    Ok(ok(&user_detail(&base, &user, svc.user_allowed(&caller, &user))))
}

/// The search endpoints of users.
#[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/users/search")]
pub async fn user_searches(_ctx: RequestContext, base: BaseUrl) -> HttpResponse {
    ok(&search_index(&base, "users", SEARCHES))
}

/// A paged search: `create` (not templated) when the caller may create users.
async fn search_paged(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn UserService>,
    filter: UserFilter,
) -> Result<HttpResponse, ApiError> {
    let extra =
        Links::new().add_if(svc.may_create_users(&ctx), "create", || search_create_link(listing.base(), "users"));
    let page = page_of(ctx, svc, filter, listing.request().clone(), listing.base()).await?;
    Ok(ok(&listing.search_page(page, extra)))
}

/// An unpaged search: every match.
async fn search_list(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn UserService>,
    filter: UserFilter,
) -> Result<HttpResponse, ApiError> {
    let matches = page_of(ctx, svc, filter, listing.all_matches(), listing.base()).await?;
    Ok(ok(&listing.search_list(matches)?))
}

/// Axual `findByFirstName`: first name contains the text (paged).
#[utoipa::path(tag = "axual", params(("firstName" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`", body = Users, content_type = "application/hal+json"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/users/search/findByFirstName")]
pub async fn find_by_first_name(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let filter = UserFilter::FirstNameContains(listing.require("firstName")?.to_owned());
    search_paged(ctx, listing, svc, filter).await
}

/// Axual `findByLastName`: last name contains the text (paged).
#[utoipa::path(tag = "axual", params(("lastName" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`", body = Users, content_type = "application/hal+json"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/users/search/findByLastName")]
pub async fn find_by_last_name(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let filter = UserFilter::LastNameContains(listing.require("lastName")?.to_owned());
    search_paged(ctx, listing, svc, filter).await
}

/// Axual `findByRole`: holders of the exact role (paged).
#[utoipa::path(tag = "axual", params(("role" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`", body = Users, content_type = "application/hal+json"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/users/search/findByRole")]
pub async fn find_by_role(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let filter = UserFilter::Role(listing.require("role")?.to_owned());
    search_paged(ctx, listing, svc, filter).await
}

/// Axual `searchUser`: names or e-mail contain the text (unpaged list).
#[utoipa::path(tag = "axual", params(("query" = String, Query)),
    responses((status = 200, description = "`_embedded.users`, no page", body = Users, content_type = "application/hal+json"), (status = 400, description = "missing parameter, or too many matches"), (status = 401, description = "no credentials")))]
#[get("/users/search/searchUser")]
pub async fn search_user(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let filter = UserFilter::Search(listing.require("query")?.to_owned());
    search_list(ctx, listing, svc, filter).await
}

/// Axual `findByEmailAddress`: the address, ignoring case (unpaged list of 0 or 1).
#[utoipa::path(tag = "axual", params(("email" = String, Query)),
    responses((status = 200, description = "`_embedded.users`, no page", body = Users, content_type = "application/hal+json"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/users/search/findByEmailAddress")]
pub async fn find_by_email(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError> {
    let filter = UserFilter::Email(listing.require("email")?.to_owned());
    search_list(ctx, listing, svc, filter).await
}
