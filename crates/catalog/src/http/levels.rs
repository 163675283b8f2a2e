//! `/confidentialities` and `/integrities`: the same resource twice (a classification level
//! of the tenant), so one set of handler bodies serves both, and a macro stamps out each
//! collection's routes.

use crate::model::{Level, LevelInput, LevelKind};
use crate::service::LevelService;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post};
use portico_core::dependents::DeletionConstraints;
use portico_core::hal::{Collection, HAL_JSON, HalItem, Links, LinksOnly, Resource};
use portico_core::http::axual::{
    AuditFields, Listing, collection_links, created, delete_link, edit_link, entity_url, ok, patched, projection_link,
    search_index, self_link,
};
use portico_core::http::respond::{Versioned, entity};
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl, IfMatchHeader, Json, PathUid};
use portico_core::write::Precondition;
use portico_core::{RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST` and `PATCH` body of a level. A body read from `GET` can be sent back.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LevelBody {
    /// The level's name (1–50 characters; stored lower case). Required on `POST`.
    pub level: Option<String>,
    /// Description (at most 200 characters; `null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub description: Option<Option<String>>,
    /// Colour (at most 12 characters; `null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub color: Option<Option<String>>,
}

impl LevelBody {
    fn into_input(self) -> LevelInput {
        LevelInput { level: self.level, description: self.description, color: self.color }
    }
}

/// A level: GET item, POST and PATCH responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LevelDetail {
    /// The level's name (lower case).
    pub level: String,
    /// Description.
    pub description: Option<String>,
    /// Colour.
    pub color: Option<String>,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

/// `GET /profile/confidentialities`.
pub fn confidentialities_profile() -> serde_json::Value {
    spring_profile::<LevelDetail>("Confidentiality", &[])
}

/// `GET /profile/integrities`.
pub fn integrities_profile() -> serde_json::Value {
    spring_profile::<LevelDetail>("Integrity", &[])
}

/// A level in a collection page (keys in the seed's order).
pub trait LevelSummary: HalItem + Serialize + Sized {
    /// The summary of `level`.
    fn of(level: &Level) -> Self;
}

macro_rules! level_summary {
    ($(#[$doc:meta])* $name:ident, $rel:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
        pub struct $name {
            /// The level's name.
            pub level: String,
            /// Colour.
            pub color: Option<String>,
            /// Description.
            pub description: Option<String>,
            /// The uid.
            pub uid: String,
        }

        impl HalItem for $name {
            const REL: &'static str = $rel;
        }

        impl LevelSummary for $name {
            fn of(level: &Level) -> Self {
                $name {
                    level: level.level.clone(),
                    color: level.color.clone(),
                    description: level.description.clone(),
                    uid: level.id.simple().to_string(),
                }
            }
        }
    };
}

level_summary!(
    /// A confidentiality in `_embedded.confidentialities`.
    ConfidentialitySummary,
    "confidentialities"
);
level_summary!(
    /// An integrity in `_embedded.integrities`.
    IntegritySummary,
    "integrities"
);

/// The title of a level's own relation (`confidentiality`, `integrity`).
fn title(kind: LevelKind) -> &'static str {
    match kind {
        LevelKind::Confidentiality => "The confidentiality configured for the object",
        LevelKind::Integrity => "The integrity configured for the object",
    }
}

/// `self`, the kind's relation, and `edit` and `delete` for those who may.
fn links(base: &BaseUrl, level: &Level, manage: bool) -> Links {
    let url = entity_url(base, level.kind.rel(), level.id);
    Links::new()
        .add("self", self_link(&url))
        .add(level.kind.as_str(), projection_link(&url, title(level.kind)))
        .add_if(manage, "edit", || edit_link(&url))
        .add_if(manage, "delete", || delete_link(&url))
}

fn detail(base: &BaseUrl, level: &Level, manage: bool) -> Resource<LevelDetail> {
    let fields = LevelDetail {
        level: level.level.clone(),
        description: level.description.clone(),
        color: level.color.clone(),
        uid: level.id.simple().to_string(),
        audit: AuditFields::from(&level.stamp),
    };
    Resource::new(fields, links(base, level, manage))
}

fn meta(level: &Level) -> Versioned {
    Versioned { version: level.version, modified_at: Some(level.stamp.modified_at) }
}

async fn list_levels<S: LevelSummary>(
    kind: LevelKind,
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn LevelService>,
) -> Result<HttpResponse, ApiError> {
    let manage = svc.may_manage_levels(&ctx);
    let (self_link, extra) = collection_links(listing.base(), kind.rel(), manage);
    let request = listing.request().clone();
    let page = run_blocking(move || svc.levels(&ctx, kind, &request)).await?;
    let page = page.map(|level| Resource::new(S::of(&level), links(listing.base(), &level, manage)));
    Ok(ok(&listing.paged(page, self_link, extra)))
}

async fn create_level(
    kind: LevelKind,
    req: HttpRequest,
    ctx: RequestContext,
    body: LevelBody,
    base: BaseUrl,
    svc: Data<dyn LevelService>,
) -> Result<HttpResponse, ApiError> {
    let level = run_blocking(move || svc.create_level(&ctx, kind, body.into_input())).await?;
    let location = entity_url(&base, kind.rel(), level.id);
    Ok(created(&req, &location, meta(&level), &detail(&base, &level, true)))
}

async fn get_level(
    kind: LevelKind,
    req: HttpRequest,
    ctx: RequestContext,
    id: uuid::Uuid,
    base: BaseUrl,
    svc: Data<dyn LevelService>,
) -> Result<HttpResponse, ApiError> {
    let manage = svc.may_manage_levels(&ctx);
    let level = run_blocking(move || svc.level(&ctx, kind, id)).await?;
    Ok(entity(&req, meta(&level), HAL_JSON, &detail(&base, &level, manage)))
}

#[expect(clippy::too_many_arguments, reason = "an actix handler's extractors, passed on")]
async fn patch_level(
    kind: LevelKind,
    req: HttpRequest,
    ctx: RequestContext,
    id: uuid::Uuid,
    body: LevelBody,
    precondition: IfMatchHeader,
    base: BaseUrl,
    svc: Data<dyn LevelService>,
) -> Result<HttpResponse, ApiError> {
    let precondition = Precondition::if_match(precondition.0);
    let level = run_blocking(move || svc.update_level(&ctx, kind, id, body.into_input(), &precondition)).await?;
    Ok(patched(&req, meta(&level), &detail(&base, &level, true)))
}

async fn level_constraints(
    kind: LevelKind,
    ctx: RequestContext,
    id: uuid::Uuid,
    svc: Data<dyn LevelService>,
) -> Result<HttpResponse, ApiError> {
    let constraints = run_blocking(move || svc.level_usage(&ctx, kind, id)).await?;
    Ok(HttpResponse::Ok().content_type("application/json;charset=UTF-8").json(constraints))
}

async fn delete_level(
    kind: LevelKind,
    ctx: RequestContext,
    id: uuid::Uuid,
    precondition: Precondition,
    svc: Data<dyn LevelService>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || svc.delete_level(&ctx, kind, id, &precondition)).await?;
    Ok(HttpResponse::NoContent().finish())
}

macro_rules! level_routes {
    (
        $kind:expr, $summary:ty, $what:literal,
        list: $list:ident => $list_path:literal,
        search: $search:ident => $search_path:literal,
        item: $get:ident, $patch:ident, $delete:ident, $create:ident => $item_path:literal,
        constraints: $constraints:ident => $constraints_path:literal $(,)?
    ) => {
        #[doc = concat!("Axual \"list ", $what, "\": a page of the tenant's levels.")]
        #[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
            responses((status = 200, description = "a paged collection", body = Collection<$summary>, content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed")))]
        #[get($list_path)]
        pub async fn $list(ctx: RequestContext, listing: Listing, svc: Data<dyn LevelService>) -> Result<HttpResponse, ApiError> {
            list_levels::<$summary>($kind, ctx, listing, svc).await
        }

        #[doc = concat!("Axual \"create ", $what, "\" (TENANT_ADMIN): the level is stored lower case.")]
        #[utoipa::path(tag = "axual", request_body = LevelBody,
            responses((status = 201, description = "created; body only when an Accept header is sent", body = Resource<LevelDetail>, content_type = "application/hal+json"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 409, description = "a level of that name exists")))]
        #[post($list_path)]
        pub async fn $create(req: HttpRequest, ctx: RequestContext, body: Json<LevelBody>, base: BaseUrl, svc: Data<dyn LevelService>) -> Result<HttpResponse, ApiError> {
            create_level($kind, req, ctx, body.0, base, svc).await
        }

        #[doc = concat!("The search index of ", $what, " (no searches are documented).")]
        #[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
        #[get($search_path)]
        pub async fn $search(_caller: RequestContext, base: BaseUrl) -> HttpResponse {
            ok(&search_index(&base, $kind.rel(), &[]))
        }

        #[doc = concat!("Axual \"get ", $what, "\".")]
        #[utoipa::path(tag = "axual", params(("uid" = String, Path)),
            responses((status = 200, description = "the level", body = Resource<LevelDetail>, content_type = "application/hal+json"), (status = 304, description = "If-None-Match matched"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such level")))]
        #[get($item_path)]
        pub async fn $get(req: HttpRequest, ctx: RequestContext, PathUid(id): PathUid, base: BaseUrl, svc: Data<dyn LevelService>) -> Result<HttpResponse, ApiError> {
            get_level($kind, req, ctx, id, base, svc).await
        }

        #[doc = concat!("Axual \"update ", $what, "\" (TENANT_ADMIN): any subset of the fields.")]
        #[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = LevelBody,
            responses((status = 200, description = "patched, with Accept", body = Resource<LevelDetail>, content_type = "application/hal+json"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 404, description = "no such level"), (status = 409, description = "a level of that name exists"), (status = 412, description = "If-Match failed")))]
        #[patch($item_path)]
        pub async fn $patch(req: HttpRequest, ctx: RequestContext, PathUid(id): PathUid, body: Json<LevelBody>, precondition: IfMatchHeader, base: BaseUrl, svc: Data<dyn LevelService>) -> Result<HttpResponse, ApiError> {
            patch_level($kind, req, ctx, id, body.0, precondition, base, svc).await
        }

        #[doc = concat!("Axual ", $what, " deletion constraints: `{canDelete, streamsCount}`.")]
        #[utoipa::path(tag = "axual", params(("uid" = String, Path)),
            responses((status = 200, description = "`{canDelete, streamsCount}`", body = DeletionConstraints, content_type = "application/json"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 404, description = "no such level")))]
        #[get($constraints_path)]
        pub async fn $constraints(ctx: RequestContext, PathUid(id): PathUid, svc: Data<dyn LevelService>) -> Result<HttpResponse, ApiError> {
            level_constraints($kind, ctx, id, svc).await
        }

        #[doc = concat!("Axual \"delete ", $what, "\" (TENANT_ADMIN): 409 while streams use it.")]
        #[utoipa::path(tag = "axual", params(("uid" = String, Path)),
            responses((status = 204, description = "deleted"), (status = 401, description = "no credentials"), (status = 403, description = "not TENANT_ADMIN"), (status = 404, description = "no such level"), (status = 409, description = "streams use it"), (status = 412, description = "If-Match does not match the current version")))]
        #[delete($item_path)]
        pub async fn $delete(ctx: RequestContext, PathUid(id): PathUid, precondition: Precondition, svc: Data<dyn LevelService>) -> Result<HttpResponse, ApiError> {
            delete_level($kind, ctx, id, precondition, svc).await
        }
    };
}

level_routes!(
    LevelKind::Confidentiality, ConfidentialitySummary, "confidentiality",
    list: list_confidentialities => "/confidentialities",
    search: confidentiality_searches => "/confidentialities/search",
    item: get_confidentiality, patch_confidentiality, delete_confidentiality, create_confidentiality
        => "/confidentialities/{uid}",
    constraints: confidentiality_constraints => "/confidentialities/{uid}/deletion-constraints",
);

level_routes!(
    LevelKind::Integrity, IntegritySummary, "integrity",
    list: list_integrities => "/integrities",
    search: integrity_searches => "/integrities/search",
    item: get_integrity, patch_integrity, delete_integrity, create_integrity => "/integrities/{uid}",
    constraints: integrity_constraints => "/integrities/{uid}/deletion-constraints",
);
