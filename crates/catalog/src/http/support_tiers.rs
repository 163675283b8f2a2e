//! `/support_tiers`: read-only reference data (every realm has `GOLD` and `SILVER`).

use crate::error::CatalogError;
use crate::model::SupportTier;
use crate::service::SupportTierService;
use portico_core::RequestContext;
use portico_core::hal::{HalItem, Link, Links, NoEmbedded, Resource};
use portico_core::http::BaseUrl;
use portico_core::http::axual::{entity_url, self_link, titles, untitled_projection_link};
use portico_core::http::collection::{AxualCrud, AxualList};
use portico_core::http::respond::Versioned;
use portico_core::page::{Page, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

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

/// The support tiers, served by the kit's standard handlers (read only).
pub struct SupportTiers;

impl AxualCrud for SupportTiers {
    type Service = dyn SupportTierService;
    type Item = SupportTier;
    type Detail = SupportTierBody;
    type Embedded = NoEmbedded;
    type Abilities = ();
    type Error = CatalogError;
    const REL: &'static str = "support_tiers";

    fn abilities(_: &Self::Service, _: &RequestContext) -> Result<(), CatalogError> {
        Ok(())
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<SupportTier, CatalogError> {
        service.support_tier(ctx, id)
    }

    fn id(tier: &SupportTier) -> Uuid {
        tier.id
    }

    /// Tiers never change: every one is at version 0.
    fn meta(_: &SupportTier) -> Versioned {
        Versioned { version: 0, modified_at: None }
    }

    fn detail(base: &BaseUrl, tier: &SupportTier, _: &()) -> Resource<SupportTierBody> {
        support_tier(base, tier)
    }
}

impl AxualList for SupportTiers {
    type Listed = SupportTier;
    type Summary = SupportTierBody;
    type SummaryEmbedded = NoEmbedded;

    fn may_create(_: &()) -> bool {
        false
    }

    fn page(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Page<SupportTier>, CatalogError> {
        service.support_tiers(ctx, request)
    }

    fn summary(base: &BaseUrl, tier: &SupportTier, _: &()) -> Resource<SupportTierBody> {
        support_tier(base, tier)
    }

    /// `self` (templated) and `profile`: the seed shows no searches.
    fn collection_links(base: &BaseUrl, _: &()) -> (Link, Links) {
        let self_link = Link::templated(base.join("/support_tiers{?page,size,sort}")).titled(titles::SELF);
        let profile = Link::new(base.join("/profile/support_tiers")).titled(titles::PROFILE);
        (self_link, Links::new().add("profile", profile))
    }
}

portico_core::axual_routes! {
    SupportTiers, what: "support tier", summary: SupportTierBody, detail: SupportTierBody, body: ();
    list: list_support_tiers => "/support_tiers",
    get: get_support_tier => "/support_tiers/{uid}",
}
