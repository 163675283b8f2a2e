//! `/users`: list, create (deprecated in the seed, kept), read, PATCH, DELETE, searches, and
//! `PUT /users/{uid}/roles` (the target of the `assign_roles` link).

use super::wire::{UserActions, meta, user_detail, user_summary, user_url};
use super::{PageContext, SELF_TITLE, created, page_request, paged, patched, search_self, uid};
use crate::model::User;
use crate::service::{NewUser, UserPatch, UserService};
use crate::store::users::{SORTABLE, UserFilter};
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put};
use portico_core::context::{PrincipalKind, Requirement};
use portico_core::hal::{Link, Links, collection};
use portico_core::http::extract::nullable;
use portico_core::http::respond::{entity, hal};
use portico_core::http::{ApiError, Axual, BaseUrl, IfMatchHeader, Json, QueryPairs};
use portico_core::page::{Page, PageRequest};
use portico_core::{RequestContext, run_blocking};
use serde::Deserialize;
use std::collections::BTreeSet;
use utoipa::ToSchema;

const ADMINS: Requirement<'static> = Requirement::AnyRole(&["TENANT_ADMIN"]);

/// An e-mail address as a string (requests) or `{ "email": ... }` (as responses show it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EmailInput {
    /// `"a@b.nl"`.
    Plain(String),
    /// `{"email": "a@b.nl"}`.
    Object {
        /// The address.
        email: String,
    },
}

impl EmailInput {
    fn into_string(self) -> String {
        match self {
            EmailInput::Plain(email) | EmailInput::Object { email } => email,
        }
    }
}

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

/// `PATCH /users/{uid}` body: any subset; `null` clears optional fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatchUserBody {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Middle name.
    #[serde(default, deserialize_with = "nullable")]
    pub middle_name: Option<Option<String>>,
    /// Phone number.
    #[serde(default, deserialize_with = "nullable")]
    pub phone_number: Option<Option<String>>,
    /// New password.
    pub password: Option<String>,
}

/// A role as responses show it.
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

fn actions(ctx: &RequestContext, user: &User) -> UserActions {
    let admin = ctx.require(ADMINS).is_ok();
    let own = ctx.principal.kind == PrincipalKind::User && ctx.principal.id == user.id.to_string();
    UserActions { edit: admin || own, delete: admin && !own, assign_roles: admin }
}

fn users_page(
    req: &HttpRequest,
    base: &BaseUrl,
    query: &QueryPairs,
    request: &PageRequest,
    page: Page<User>,
    self_link: Link,
    extra: Links,
) -> HttpResponse {
    let page = page.map(|u| user_summary(base, &u));
    hal(&paged(&PageContext { base, path: req.path(), query, request }, "users", page, self_link, extra))
}

/// Axual "list users" (GET /users): the users of the caller's tenant.
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`", content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials")))]
#[get("/users")]
pub async fn list_users(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let request = page_request(&query, SORTABLE)?;
    let can_create = ctx.require(ADMINS).is_ok();
    let page_req = request.clone();
    let page = run_blocking(move || svc.users(&ctx, &UserFilter::All, &page_req)).await?;
    let url = base.join("/users");
    let extra = Links::new()
        .add(
            "profile",
            Link::new(base.join("/profile/users")).titled("Endpoints for schema metadata in ALPS/JSON Schema format"),
        )
        .add("search", Link::new(base.join("/users/search")).titled("Search endpoints for this entity"))
        .add_if(can_create, "create", || {
            Link::templated(format!("{url}{{?projection}}")).titled("Indication that an entity can be created")
        });
    let self_link = Link::templated(format!("{url}{{?page,size,sort}}")).titled(SELF_TITLE);
    Ok(users_page(&req, &base, &query, &request, page, self_link, extra))
}

/// Axual "create user" (POST /users): TENANT_ADMIN only (deprecated by Axual, kept working).
#[utoipa::path(tag = "axual", request_body = CreateUserBody,
    responses((status = 201, description = "created; body only when an Accept header is sent", content_type = "application/hal+json"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 409, description = "e-mail address in use")))]
#[post("/users")]
pub async fn create_user(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<CreateUserBody>,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let body = body.0;
    let input = NewUser {
        first_name: body.first_name,
        last_name: body.last_name,
        middle_name: body.middle_name,
        email: body.email_address.into_string(),
        password: body.password,
        phone_number: body.phone_number,
    };
    let caller = ctx.clone();
    let user = run_blocking(move || svc.create_user(&ctx, input)).await?;
    let body = user_detail(&base, &user, actions(&caller, &user));
    Ok(created(&req, &user_url(&base, &user), meta(user.version, user.audit.modified_at), &body))
}

/// Axual "get user" (GET /users/{uid}).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the user", content_type = "application/hal+json"), (status = 304, description = "If-None-Match matched"), (status = 401, description = "no credentials"), (status = 404, description = "no such user")))]
#[get("/users/{uid}")]
pub async fn get_user(
    req: HttpRequest,
    ctx: RequestContext,
    path: Path<String>,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "user")?;
    let caller = ctx.clone();
    let user = run_blocking(move || svc.user(&ctx, id)).await?;
    let body = user_detail(&base, &user, actions(&caller, &user));
    Ok(entity(&req, meta(user.version, user.audit.modified_at), portico_core::hal::HAL_JSON, &body))
}

/// Axual "update user" (PATCH /users/{uid}): TENANT_ADMIN, or the user themself.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = PatchUserBody,
    responses((status = 200, description = "patched, with Accept"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such user"), (status = 412, description = "If-Match failed")))]
#[patch("/users/{uid}")]
pub async fn patch_user(
    req: HttpRequest,
    ctx: RequestContext,
    path: Path<String>,
    body: Json<PatchUserBody>,
    precondition: IfMatchHeader,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "user")?;
    let body = body.0;
    let patch = UserPatch {
        first_name: body.first_name,
        last_name: body.last_name,
        middle_name: body.middle_name,
        phone_number: body.phone_number,
        password: body.password,
    };
    let caller = ctx.clone();
    let user = run_blocking(move || svc.update_user(&ctx, id, patch, &precondition.0)).await?;
    let body = user_detail(&base, &user, actions(&caller, &user));
    Ok(patched(&req, meta(user.version, user.audit.modified_at), &body))
}

/// Axual "delete user" (DELETE /users/{uid}): TENANT_ADMIN.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 404, description = "no such user"), (status = 409, description = "cannot delete yourself")))]
#[delete("/users/{uid}")]
pub async fn delete_user(
    ctx: RequestContext,
    path: Path<String>,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "user")?;
    run_blocking(move || svc.delete_user(&ctx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Assigns roles (the `assign_roles` link): the body is a list of role names or `{name}` objects.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = Vec<RoleInput>,
    responses((status = 200, description = "the user with its new roles"), (status = 400, description = "invalid role"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 404, description = "no such user")))]
#[put("/users/{uid}/roles")]
pub async fn assign_roles(
    ctx: RequestContext,
    path: Path<String>,
    body: Json<Vec<RoleInput>>,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let id = uid(&path, "user")?;
    let roles: BTreeSet<String> = body
        .0
        .into_iter()
        .map(|r| match r {
            RoleInput::Name(name) | RoleInput::Object { name } => name,
        })
        .collect();
    let caller = ctx.clone();
    let user = run_blocking(move || svc.assign_roles(&ctx, id, roles)).await?;
    Ok(hal(&user_detail(&base, &user, actions(&caller, &user))))
}

/// The search endpoints of users.
#[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches"), (status = 401, description = "no credentials")))]
#[get("/users/search")]
pub async fn user_searches(_ctx: RequestContext, base: BaseUrl) -> HttpResponse {
    let search = |name: &str, params: &str| Link::templated(base.join(&format!("/users/search/{name}{{?{params}}}")));
    let links = Links::new()
        .add("findByFirstName", search("findByFirstName", "firstName,page,size,sort"))
        .add("findByLastName", search("findByLastName", "lastName,page,size,sort"))
        .add("searchUser", search("searchUser", "query"))
        .add("findByRole", search("findByRole", "role,page,size,sort"))
        .add("findByEmailAddress", search("findByEmailAddress", "email"))
        .add("self", Link::new(base.join("/users/search")).titled(SELF_TITLE));
    hal(&serde_json::json!({ "_links": links }))
}

async fn search_paged(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn UserService>,
    filter: UserFilter,
) -> Result<HttpResponse, ApiError<Axual>> {
    let request = page_request(&query, SORTABLE)?;
    let can_create = ctx.require(ADMINS).is_ok();
    let page_req = request.clone();
    let page = run_blocking(move || svc.users(&ctx, &filter, &page_req)).await?;
    let extra = Links::new().add_if(can_create, "create", || {
        Link::new(base.join("/users")).titled("Indication that an entity can be created")
    });
    let self_link = search_self(&req, &base);
    Ok(users_page(&req, &base, &query, &request, page, self_link, extra))
}

async fn search_list(
    req: HttpRequest,
    ctx: RequestContext,
    base: BaseUrl,
    svc: Data<dyn UserService>,
    filter: UserFilter,
) -> Result<HttpResponse, ApiError<Axual>> {
    let all = PageRequest { page: 0, size: portico_core::page::MAX_PAGE_SIZE, sort: Vec::new() };
    let page = run_blocking(move || svc.users(&ctx, &filter, &all)).await?;
    let items = page.items.iter().map(|u| user_summary(&base, u)).collect();
    let links = Links::new().add("self", search_self(&req, &base));
    Ok(hal(&collection("users", items, &links, None)))
}

/// Axual `findByFirstName`: first name contains the text (paged).
#[utoipa::path(tag = "axual", params(("firstName" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/users/search/findByFirstName")]
pub async fn find_by_first_name(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let text = query.require("firstName").map_err(ApiError::new)?.to_owned();
    search_paged(req, ctx, query, base, svc, UserFilter::FirstNameContains(text)).await
}

/// Axual `findByLastName`: last name contains the text (paged).
#[utoipa::path(tag = "axual", params(("lastName" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/users/search/findByLastName")]
pub async fn find_by_last_name(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let text = query.require("lastName").map_err(ApiError::new)?.to_owned();
    search_paged(req, ctx, query, base, svc, UserFilter::LastNameContains(text)).await
}

/// Axual `findByRole`: holders of the exact role (paged).
#[utoipa::path(tag = "axual", params(("role" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.users`"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/users/search/findByRole")]
pub async fn find_by_role(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let role = query.require("role").map_err(ApiError::new)?.to_owned();
    search_paged(req, ctx, query, base, svc, UserFilter::Role(role)).await
}

/// Axual `searchUser`: names or e-mail contain the text (unpaged list).
#[utoipa::path(tag = "axual", params(("query" = String, Query)),
    responses((status = 200, description = "`_embedded.users`, no page"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/users/search/searchUser")]
pub async fn search_user(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let text = query.require("query").map_err(ApiError::new)?.to_owned();
    search_list(req, ctx, base, svc, UserFilter::Search(text)).await
}

/// Axual `findByEmailAddress`: the exact address (unpaged list of 0 or 1).
#[utoipa::path(tag = "axual", params(("email" = String, Query)),
    responses((status = 200, description = "`_embedded.users`, no page"), (status = 400, description = "missing parameter"), (status = 401, description = "no credentials")))]
#[get("/users/search/findByEmailAddress")]
pub async fn find_by_email(
    req: HttpRequest,
    ctx: RequestContext,
    query: QueryPairs,
    base: BaseUrl,
    svc: Data<dyn UserService>,
) -> Result<HttpResponse, ApiError<Axual>> {
    let email = query.require("email").map_err(ApiError::new)?.to_owned();
    search_list(req, ctx, base, svc, UserFilter::Email(email)).await
}
