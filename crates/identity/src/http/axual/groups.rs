//! `/groups`: list, create, read, PATCH, DELETE (two-step with deletion constraints), members
//! (`text/uri-list`), searches.

use super::wire::{
    EmailInput, GroupDetail, GroupMembers, GroupSummary, Users, group_detail, group_summary, meta, user_summary,
};
use crate::error::IdentityError;
use crate::model::{Group, User};
use crate::service::{Allowed, GroupFilter, GroupInput, GroupService, UserFilter, UserService};
use actix_web::web::Data;
use actix_web::{HttpResponse, delete, get, post, put};
use portico_core::hal::NoEmbedded;
use portico_core::hal::{Collection, Resource};
use portico_core::http::axual::{Listing, Search, ok};
use portico_core::http::collection::{AxualBody, AxualContaining, AxualCreate, AxualCrud, AxualList, AxualUpdate};
use portico_core::http::params::Relation;
use portico_core::http::respond::Versioned;
use portico_core::http::{ApiError, BaseUrl, PathUid, UriList};
use portico_core::page::{Page, PageRequest};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use serde::Deserialize;
use serde_with::{OneOrMany, serde_as};
use utoipa::ToSchema;
use uuid::Uuid;

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

/// A group as one is shown alone: its members, and what the caller may do with it.
pub struct GroupView {
    group: Group,
    members: Vec<User>,
    allowed: Allowed,
}

impl GroupView {
    fn of(service: &dyn GroupService, ctx: &RequestContext, (group, members): (Group, Vec<User>)) -> GroupView {
        let allowed = service.group_allowed(ctx, &members);
        GroupView { group, members, allowed }
    }
}

/// Axual groups, served by the kit's standard handlers. A group's links depend on whether
/// the caller is one of its members, so each view carries what the caller may do with it.
pub struct GroupCollection;

impl AxualCrud for GroupCollection {
    type Service = dyn GroupService;
    type Item = GroupView;
    type Detail = GroupDetail;
    type Embedded = GroupMembers;
    /// Whether the caller may create groups.
    type Abilities = bool;
    type Error = IdentityError;
    const REL: &'static str = "groups";
    const SEARCHES: &'static [Search] = SEARCHES;

    fn abilities(service: &Self::Service, ctx: &RequestContext) -> Result<bool, IdentityError> {
        Ok(service.may_create_groups(ctx))
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<GroupView, IdentityError> {
        Ok(GroupView::of(service, ctx, service.group(ctx, id)?))
    }

    fn id(view: &GroupView) -> Uuid {
        view.group.id
    }

    fn meta(view: &GroupView) -> Versioned {
        meta(view.group.version, view.group.audit.modified_at)
    }

    fn detail(base: &BaseUrl, view: &GroupView, _: &bool) -> Detail {
        group_detail(base, &view.group, &view.members, view.allowed)
    }
}

impl AxualList for GroupCollection {
    type Listed = Group;
    type Summary = GroupSummary;
    type SummaryEmbedded = NoEmbedded;

    fn may_create(may_create: &bool) -> bool {
        *may_create
    }

    fn page(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Page<Group>, IdentityError> {
        service.groups(ctx, &GroupFilter::All, request)
    }

    fn summary(base: &BaseUrl, group: &Group, _: &bool) -> Resource<GroupSummary> {
        group_summary(base, group)
    }
}

impl AxualBody for GroupCollection {
    type Body = GroupBody;
    type Input = GroupInput;

    fn input(body: GroupBody) -> Result<GroupInput, ApiError> {
        Ok(body.into_input())
    }
}

impl AxualCreate for GroupCollection {
    fn create(service: &Self::Service, ctx: &RequestContext, input: GroupInput) -> Result<GroupView, IdentityError> {
        Ok(GroupView::of(service, ctx, service.create_group(ctx, input)?))
    }
}

impl AxualUpdate for GroupCollection {
    fn update(
        service: &Self::Service,
        ctx: &RequestContext,
        id: Uuid,
        input: GroupInput,
        precondition: &Precondition,
    ) -> Result<GroupView, IdentityError> {
        Ok(GroupView::of(service, ctx, service.update_group(ctx, id, input, precondition)?))
    }
}

/// Names containing the text, ignoring case (paged).
impl AxualContaining for GroupCollection {
    fn containing(
        service: &Self::Service,
        ctx: &RequestContext,
        text: &str,
        request: &PageRequest,
    ) -> Result<Page<Group>, IdentityError> {
        service.groups(ctx, &GroupFilter::NameContains(text.to_owned()), request)
    }
}

portico_core::axual_calls!(GroupCollection { delete: delete_group, constraints: group_usage });

portico_core::axual_routes! {
    GroupCollection, what: "group", summary: GroupSummary, detail: GroupDetail, embedded: GroupMembers,
    body: GroupBody;
    list: list_groups => "/groups",
    create: create_group => "/groups",
    searches: group_searches => "/groups/search",
    find_by_name_containing: find_groups_by_name_containing => "/groups/search/findByNameContaining",
    get: get_group => "/groups/{uid}",
    patch: patch_group => "/groups/{uid}",
    delete: delete_group => "/groups/{uid}",
    deletion_constraints: deletion_constraints => "/groups/{uid}/deletion-constraints",
}
