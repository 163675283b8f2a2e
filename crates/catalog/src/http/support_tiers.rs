//! `/support_tiers`: read-only reference data (every realm has `GOLD` and `SILVER`).

use crate::model::SupportTier;
use crate::service::SupportTierService;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use portico_core::hal::{Collection, HAL_JSON, HalItem, Link, Links, Resource};
use portico_core::http::axual::{Listing, entity_url, ok, self_link, titles, untitled_projection_link};
use portico_core::http::respond::{Versioned, entity};
use portico_core::http::{ApiError, BaseUrl, PathUid};
use portico_core::{RequestContext, run_blocking};
use serde::Serialize;
use utoipa::ToSchema;

/// A support tier, in collections and alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SupportTierBody {
    /// Name, e.g. `GOLD`.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The uid.
    pub uid: String,
}

impl HalItem for SupportTierBody {
    const REL: &'static str = "support_tiers";
}

/// `GET /profile/support_tiers`.
pub fn support_tiers_profile() -> serde_json::Value {
    portico_core::http::schema::spring_profile::<SupportTierBody>("Support tier", &[])
}

/// A tier with `self` and the templated, untitled `supportTier`.
pub fn support_tier(base: &BaseUrl, tier: &SupportTier) -> Resource<SupportTierBody> {
    let url = entity_url(base, "support_tiers", tier.id);
    let links = Links::new().add("self", self_link(&url)).add("supportTier", untitled_projection_link(&url));
    let body = SupportTierBody {
        name: tier.name.clone(),
        description: tier.description.clone(),
        uid: tier.id.simple().to_string(),
    };
    Resource::new(body, links)
}

/// Axual "list support tiers": `_links` are `self` (templated) and `profile`.
#[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, description = "paged `_embedded.support_tiers`", body = Collection<SupportTierBody>, content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials")))]
#[get("/support_tiers")]
pub async fn list_support_tiers(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn SupportTierService>,
) -> Result<HttpResponse, ApiError> {
    let request = listing.request().clone();
    let page = run_blocking(move || svc.support_tiers(&ctx, &request)).await?;
    let page = page.map(|tier| support_tier(listing.base(), &tier));
    let base = listing.base();
    let self_link = Link::templated(base.join("/support_tiers{?page,size,sort}")).titled(titles::SELF);
    let extra = Links::new().add("profile", Link::new(base.join("/profile/support_tiers")).titled(titles::PROFILE));
    Ok(ok(&listing.paged(page, self_link, extra)))
}

/// One support tier.
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the tier", body = Resource<SupportTierBody>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such tier")))]
#[get("/support_tiers/{uid}")]
pub async fn get_support_tier(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn SupportTierService>,
) -> Result<HttpResponse, ApiError> {
    let tier = run_blocking(move || svc.support_tier(&ctx, id)).await?;
    Ok(entity(&req, Versioned { version: 0, modified_at: None }, HAL_JSON, &support_tier(&base, &tier)))
}
