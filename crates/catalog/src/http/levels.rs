//! `/confidentialities` and `/integrities`: the same resource twice (a classification level
//! of the tenant), one `AxualCrud` generic over the kind, served by the kit's handlers.

use crate::error::CatalogError;
use crate::model::{Level, LevelInput, LevelKind};
use crate::service::LevelService;
use portico_core::RequestContext;
use portico_core::dependents::DeletionConstraints;
use portico_core::hal::{HalItem, Links, NoEmbedded, Resource};
use portico_core::http::axual::{AuditFields, delete_link, edit_link, entity_url, projection_link, self_link};
use portico_core::http::collection::{
    AxualBody, AxualConstrained, AxualCreate, AxualCrud, AxualDelete, AxualList, AxualUpdate,
};
use portico_core::http::respond::Versioned;
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl};
use portico_core::page::{Page, PageRequest};
use portico_core::write::Precondition;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

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

/// One of the two level collections: its kind and the wire form of its pages.
pub trait LevelCollection: 'static {
    /// The kind.
    const KIND: LevelKind;
    /// A level in its pages.
    type Summary: LevelSummary;
}

/// `/confidentialities`.
pub struct Confidentialities;

impl LevelCollection for Confidentialities {
    const KIND: LevelKind = LevelKind::Confidentiality;
    type Summary = ConfidentialitySummary;
}

/// `/integrities`.
pub struct Integrities;

impl LevelCollection for Integrities {
    const KIND: LevelKind = LevelKind::Integrity;
    type Summary = IntegritySummary;
}

/// Either level collection, served by the kit's standard handlers.
pub struct Levels<K>(std::marker::PhantomData<K>);

impl<K: LevelCollection> AxualCrud for Levels<K> {
    type Service = dyn LevelService;
    type Item = Level;
    type Detail = LevelDetail;
    type Embedded = NoEmbedded;
    type Abilities = bool;
    type Error = CatalogError;
    const REL: &'static str = K::KIND.rel_const();

    /// Whether the caller may create, change and delete levels.
    fn abilities(service: &Self::Service, ctx: &RequestContext) -> Result<bool, CatalogError> {
        Ok(service.may_manage_levels(ctx))
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<Level, CatalogError> {
        service.level(ctx, K::KIND, id)
    }

    fn id(level: &Level) -> Uuid {
        level.id
    }

    fn meta(level: &Level) -> Versioned {
        meta(level)
    }

    fn detail(base: &BaseUrl, level: &Level, manage: &bool) -> Resource<LevelDetail> {
        detail(base, level, *manage)
    }
}

impl<K: LevelCollection> AxualList for Levels<K> {
    type Listed = Level;
    type Summary = K::Summary;
    type SummaryEmbedded = NoEmbedded;

    fn may_create(manage: &bool) -> bool {
        *manage
    }

    fn page(service: &Self::Service, ctx: &RequestContext, request: &PageRequest) -> Result<Page<Level>, CatalogError> {
        service.levels(ctx, K::KIND, request)
    }

    fn summary(base: &BaseUrl, level: &Level, manage: &bool) -> Resource<K::Summary> {
        Resource::new(K::Summary::of(level), links(base, level, *manage))
    }
}

impl<K: LevelCollection> AxualBody for Levels<K> {
    type Body = LevelBody;
    type Input = LevelInput;

    fn input(body: LevelBody) -> Result<LevelInput, ApiError> {
        Ok(body.into_input())
    }
}

impl<K: LevelCollection> AxualCreate for Levels<K> {
    fn create(service: &Self::Service, ctx: &RequestContext, input: LevelInput) -> Result<Level, CatalogError> {
        service.create_level(ctx, K::KIND, input)
    }
}

impl<K: LevelCollection> AxualUpdate for Levels<K> {
    fn update(
        service: &Self::Service,
        ctx: &RequestContext,
        id: Uuid,
        input: LevelInput,
        precondition: &Precondition,
    ) -> Result<Level, CatalogError> {
        service.update_level(ctx, K::KIND, id, input, precondition)
    }
}

impl<K: LevelCollection> AxualDelete for Levels<K> {
    fn delete(
        service: &Self::Service,
        ctx: &RequestContext,
        id: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CatalogError> {
        service.delete_level(ctx, K::KIND, id, precondition)
    }
}

impl<K: LevelCollection> AxualConstrained for Levels<K> {
    fn constraints(
        service: &Self::Service,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<DeletionConstraints, CatalogError> {
        service.level_usage(ctx, K::KIND, id)
    }
}

/// The handlers of `/confidentialities`.
pub mod confidentialities {
    use super::*;

    portico_core::axual_routes! {
        Levels<Confidentialities>, what: "confidentiality", summary: ConfidentialitySummary, detail: LevelDetail,
        body: LevelBody;
        list: list_confidentialities => "/confidentialities",
        create: create_confidentiality => "/confidentialities",
        searches: confidentiality_searches => "/confidentialities/search",
        get: get_confidentiality => "/confidentialities/{uid}",
        patch: patch_confidentiality => "/confidentialities/{uid}",
        delete: delete_confidentiality => "/confidentialities/{uid}",
        deletion_constraints: confidentiality_constraints => "/confidentialities/{uid}/deletion-constraints",
    }
}

/// The handlers of `/integrities`.
pub mod integrities {
    use super::*;

    portico_core::axual_routes! {
        Levels<Integrities>, what: "integrity", summary: IntegritySummary, detail: LevelDetail, body: LevelBody;
        list: list_integrities => "/integrities",
        create: create_integrity => "/integrities",
        searches: integrity_searches => "/integrities/search",
        get: get_integrity => "/integrities/{uid}",
        patch: patch_integrity => "/integrities/{uid}",
        delete: delete_integrity => "/integrities/{uid}",
        deletion_constraints: integrity_constraints => "/integrities/{uid}/deletion-constraints",
    }
}
