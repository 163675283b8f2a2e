//! The declarative Axual collection: a resource says once how it lists, reads, creates,
//! changes and deletes through its service ([`AxualCrud`]), and [`axual_routes!`] generates its
//! documented handlers, whose bodies are the generic functions here. Spring Data REST's rules
//! (paged `_embedded`, `create` and `search` links for who may, `201` with a body only when an
//! `Accept` header was sent, `204` on a `PATCH` without one, `ETag` and `If-Match`) are written
//! once, here and in [`super::axual`].
//!
//! [`axual_routes!`]: crate::axual_routes

use super::axual::{
    AxualCollection, Listing, Search, collection_links, created, entity_url, ok, patched, search_index,
};
use super::extract::{BaseUrl, IfMatchHeader, Json};
use super::failure::ApiError;
use super::params::PathUid;
use super::respond::{Versioned, entity};
use crate::db::DbError;
use crate::dependents::DeletionConstraints;
use crate::hal::{HAL_JSON, Link, Links, Resource};
use crate::page::{Page, PageRequest};
use crate::write::Precondition;
use crate::{DomainError, RequestContext, run_blocking};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The entry of a collection served by the kit in its module's Axual collections (the index
/// and `/profile/{rel}`): its relation comes from the collection itself.
pub const fn indexed<C: AxualCrud>(title: Option<&'static str>, profile: super::axual::ProfileFn) -> AxualCollection {
    AxualCollection { rel: C::REL, title, profile: Some(profile) }
}

/// A page of a collection and what the caller may do.
pub type Listed<C> = (Page<<C as AxualList>::Listed>, <C as AxualCrud>::Abilities);

/// An Axual collection as the standard handlers serve it: its service, its entity, its wire
/// forms, and the calls each operation makes. Implemented once per collection (a unit type in
/// the collection's `http` module); the service methods do the authorization. What it lists
/// is [`AxualList`]; what it changes, the traits below.
pub trait AxualCrud: 'static {
    /// The service (`dyn ClusterService`), registered as `Data<Self::Service>`.
    type Service: ?Sized + Send + Sync + 'static;
    /// The domain entity.
    type Item: Send + 'static;
    /// The entity alone.
    type Detail: Serialize;
    /// What the entity alone embeds (`hal::NoEmbedded` for nothing).
    type Embedded: Serialize;
    /// What the caller may do, as the links show it (`bool`: whether it may create and change).
    type Abilities: Send + 'static;
    /// The service's error.
    type Error: DomainError + From<DbError> + Send + 'static;
    /// The collection's relation (`clusters`): its path and its `_embedded` key.
    const REL: &'static str;
    /// Its searches (`findByName`, ...), linked from `/{rel}/search`.
    const SEARCHES: &'static [Search] = &[];

    /// What the caller may do (on the blocking pool, beside the operation).
    fn abilities(service: &Self::Service, ctx: &RequestContext) -> Result<Self::Abilities, Self::Error>;
    /// One entity.
    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<Self::Item, Self::Error>;
    /// The entity's id (its `uid`).
    fn id(item: &Self::Item) -> Uuid;
    /// The entity's `ETag` and `Last-Modified`.
    fn meta(item: &Self::Item) -> Versioned;
    /// The entity with its links, alone.
    fn detail(base: &BaseUrl, item: &Self::Item, abilities: &Self::Abilities)
    -> Resource<Self::Detail, Self::Embedded>;
}

/// A collection listed in pages (`GET /{rel}`).
pub trait AxualList: AxualCrud {
    /// What a page holds (usually `Item`).
    type Listed: Send + 'static;
    /// The entity in a collection page.
    type Summary: Serialize + crate::hal::HalItem;
    /// What the entity embeds in a page (`hal::NoEmbedded` for nothing).
    type SummaryEmbedded: Serialize;

    /// Whether these abilities include creating entities: the `create` link.
    fn may_create(abilities: &Self::Abilities) -> bool;
    /// A page of the collection.
    fn page(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Page<Self::Listed>, Self::Error>;
    /// A page and what the caller may do: by default [`Self::page`] and
    /// [`AxualCrud::abilities`]; a collection whose page read also finds the abilities answers
    /// both at once.
    fn listed(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Listed<Self>, Self::Error> {
        Ok((Self::page(service, ctx, request)?, Self::abilities(service, ctx)?))
    }
    /// An entity with its links, in a page.
    fn summary(
        base: &BaseUrl,
        listed: &Self::Listed,
        abilities: &Self::Abilities,
    ) -> Resource<Self::Summary, Self::SummaryEmbedded>;
    /// The links of a page of the whole collection: `self`, `profile`, `search`, and `create`
    /// for those who may.
    fn collection_links(base: &BaseUrl, abilities: &Self::Abilities) -> (Link, Links) {
        collection_links(base, Self::REL, Self::may_create(abilities))
    }
}

/// A collection that takes a request body (`POST`, `PATCH`).
pub trait AxualBody: AxualCrud {
    /// The request body.
    type Body: DeserializeOwned + Send + 'static;
    /// What the service takes.
    type Input: Send + 'static;
    /// The body as the service takes it (a 400 for what only the wire form can tell).
    fn input(body: Self::Body) -> Result<Self::Input, ApiError>;
}

/// A collection whose entities are created with `POST /{rel}`.
pub trait AxualCreate: AxualBody {
    /// Creates an entity.
    fn create(service: &Self::Service, ctx: &RequestContext, input: Self::Input) -> Result<Self::Item, Self::Error>;
}

/// A collection whose entities change with `PATCH /{rel}/{uid}`.
pub trait AxualUpdate: AxualBody {
    /// Changes an entity when `precondition` holds.
    fn update(
        service: &Self::Service,
        ctx: &RequestContext,
        id: Uuid,
        input: Self::Input,
        precondition: &Precondition,
    ) -> Result<Self::Item, Self::Error>;
}

/// A collection whose entities are deleted with `DELETE /{rel}/{uid}`.
pub trait AxualDelete: AxualCrud {
    /// Deletes an entity when `precondition` holds.
    fn delete(
        service: &Self::Service,
        ctx: &RequestContext,
        id: Uuid,
        precondition: &Precondition,
    ) -> Result<(), Self::Error>;
}

/// A collection whose entities report what still uses them (`GET /{rel}/{uid}/deletion-constraints`).
pub trait AxualConstrained: AxualCrud {
    /// What still uses the entity, as `{canDelete, ...Count}`.
    fn constraints(service: &Self::Service, ctx: &RequestContext, id: Uuid)
    -> Result<DeletionConstraints, Self::Error>;
}

/// A collection with the search `findByName`: the one entity with exactly this name.
pub trait AxualNamed: AxualCrud {
    /// The entity named exactly `name` (404 when none is).
    fn named(service: &Self::Service, ctx: &RequestContext, name: &str) -> Result<Self::Item, Self::Error>;
}

/// A collection with the search `findByNameContaining`: a page of the entities whose name
/// contains the text, ignoring case.
pub trait AxualContaining: AxualList {
    /// The page.
    fn containing(
        service: &Self::Service,
        ctx: &RequestContext,
        text: &str,
        request: &PageRequest,
    ) -> Result<Page<Self::Listed>, Self::Error>;
    /// The page and what the caller may do (see [`AxualCrud::listed`]).
    fn containing_listed(
        service: &Self::Service,
        ctx: &RequestContext,
        text: &str,
        request: &PageRequest,
    ) -> Result<Listed<Self>, Self::Error> {
        Ok((Self::containing(service, ctx, text, request)?, Self::abilities(service, ctx)?))
    }
    /// The links of a result page (none by default; some collections add `create`).
    fn search_links(_base: &BaseUrl, _abilities: &Self::Abilities) -> Links {
        Links::new()
    }
}

/// `GET /{rel}`: a page, with `create` for those who may.
pub async fn list<C: AxualList>(
    ctx: RequestContext,
    listing: Listing,
    service: Data<C::Service>,
) -> Result<HttpResponse, ApiError> {
    let request = listing.request().clone();
    let (page, abilities) = run_blocking(move || C::listed(&service, &ctx, &request)).await?;
    let (self_link, extra) = C::collection_links(listing.base(), &abilities);
    let page = page.map(|item| C::summary(listing.base(), &item, &abilities));
    Ok(ok(&listing.paged(page, self_link, extra)))
}

/// `GET /{rel}/{uid}`.
pub async fn get<C: AxualCrud>(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    service: Data<C::Service>,
) -> Result<HttpResponse, ApiError> {
    let (item, abilities) =
        run_blocking(move || Ok::<_, C::Error>((C::get(&service, &ctx, id)?, C::abilities(&service, &ctx)?))).await?;
    Ok(entity(&req, C::meta(&item), HAL_JSON, &C::detail(&base, &item, &abilities)))
}

/// `POST /{rel}`: 201 with `Location` and `ETag` (a body only when `Accept` was sent).
pub async fn create<C: AxualCreate>(
    req: HttpRequest,
    ctx: RequestContext,
    body: Json<C::Body>,
    base: BaseUrl,
    service: Data<C::Service>,
) -> Result<HttpResponse, ApiError> {
    let input = C::input(body.0)?;
    let (item, abilities) =
        run_blocking(move || Ok::<_, C::Error>((C::create(&service, &ctx, input)?, C::abilities(&service, &ctx)?)))
            .await?;
    let location = entity_url(&base, C::REL, C::id(&item));
    Ok(created(&req, &location, C::meta(&item), &C::detail(&base, &item, &abilities)))
}

/// `PATCH /{rel}/{uid}`: any subset of the fields, under `If-Match` when sent.
pub async fn patch<C: AxualUpdate>(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    body: Json<C::Body>,
    precondition: IfMatchHeader,
    base: BaseUrl,
    service: Data<C::Service>,
) -> Result<HttpResponse, ApiError> {
    let input = C::input(body.0)?;
    let precondition = Precondition::if_match(precondition.0);
    let (item, abilities) = run_blocking(move || {
        let item = C::update(&service, &ctx, id, input, &precondition)?;
        Ok::<_, C::Error>((item, C::abilities(&service, &ctx)?))
    })
    .await?;
    Ok(patched(&req, C::meta(&item), &C::detail(&base, &item, &abilities)))
}

/// `DELETE /{rel}/{uid}`: 204.
pub async fn delete<C: AxualDelete>(
    ctx: RequestContext,
    PathUid(id): PathUid,
    precondition: Precondition,
    service: Data<C::Service>,
) -> Result<HttpResponse, ApiError> {
    run_blocking(move || C::delete(&service, &ctx, id, &precondition)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /{rel}/{uid}/deletion-constraints`.
pub async fn deletion_constraints<C: AxualConstrained>(
    ctx: RequestContext,
    PathUid(id): PathUid,
    service: Data<C::Service>,
) -> Result<HttpResponse, ApiError> {
    let constraints = run_blocking(move || C::constraints(&service, &ctx, id)).await?;
    Ok(HttpResponse::Ok().content_type("application/json;charset=UTF-8").json(constraints))
}

/// `GET /{rel}/search`: links to the collection's searches.
pub async fn searches<C: AxualCrud>(_caller: RequestContext, base: BaseUrl) -> HttpResponse {
    ok(&search_index(&base, C::REL, C::SEARCHES))
}

/// `GET /{rel}/search/findByName?name=`: the one entity with exactly this name (404 when none).
pub async fn find_by_name<C: AxualNamed>(
    req: HttpRequest,
    ctx: RequestContext,
    listing: Listing,
    service: Data<C::Service>,
) -> Result<HttpResponse, ApiError> {
    let name = listing.require("name")?.to_owned();
    let (item, abilities) =
        run_blocking(move || Ok::<_, C::Error>((C::named(&service, &ctx, &name)?, C::abilities(&service, &ctx)?)))
            .await?;
    Ok(entity(&req, C::meta(&item), HAL_JSON, &C::detail(listing.base(), &item, &abilities)))
}

/// `GET /{rel}/search/findByNameContaining?name=`: a page of the entities whose name contains
/// the text, ignoring case, with a plain `create` link for those who may.
pub async fn find_by_name_containing<C: AxualContaining>(
    ctx: RequestContext,
    listing: Listing,
    service: Data<C::Service>,
) -> Result<HttpResponse, ApiError> {
    let text = listing.require("name")?.to_owned();
    let request = listing.request().clone();
    let (page, abilities) = run_blocking(move || C::containing_listed(&service, &ctx, &text, &request)).await?;
    let page = page.map(|item| C::summary(listing.base(), &item, &abilities));
    let extra = C::search_links(listing.base(), &abilities);
    Ok(ok(&listing.search_page(page, extra)))
}

/// Generates the documented handlers of an [`AxualCrud`] collection, each a shell around the
/// generic function of its operation, named and pathed as given (so `grep '"/clusters/{uid}"'`
/// finds it). Operations, in any subset and order: `list`, `create`, `searches`,
/// `find_by_name`, `find_by_name_containing`, `get`, `patch`, `delete`, `deletion_constraints`. Register them like any
/// handler, with what each requires (`core::http::Routes`). One collection per Rust module
/// (the handlers live in its `axual_handlers` submodule and are re-exported).
///
/// ```ignore
/// portico_core::axual_routes! {
///     Clusters, what: "cluster", summary: ClusterDetail, detail: ClusterDetail, body: ClusterBody;
///     list: list_clusters => "/clusters",
///     get: get_cluster => "/clusters/{uid}",
/// }
/// ```
#[macro_export]
macro_rules! axual_routes {
    (
        $crud:ty, what: $what:literal, summary: $summary:ty $(, summary_embedded: $summary_embedded:ty)?,
        detail: $detail:ty $(, embedded: $embedded:ty)?, body: $body:ty;
        $($op:ident: $name:ident => $path:literal),* $(,)?
    ) => {
        // In a module of their own: utoipa names the HAL types of the documented bodies
        // unqualified.
        #[doc(hidden)]
        pub mod axual_handlers {
            #[allow(unused_imports, reason = "what the handlers' documentation names")]
            use super::*;
            #[allow(unused_imports, reason = "what the handlers' documentation names")]
            use $crate::hal::{Collection, LinksOnly, Resource};
            #[allow(unused_imports, reason = "what the handlers' documentation names")]
            use $crate::dependents::DeletionConstraints;
            #[allow(unused_imports, reason = "the operations this collection has")]
            use ::actix_web::{delete, get, patch, post};
            $crate::axual_routes!(@all [$crud, $what, $summary, [$($summary_embedded)?], $detail, [$($embedded)?], $body] $($op $name $path)*);
        }
        pub use axual_handlers::*;
    };
    (@all $header:tt $($op:ident $name:ident $path:literal)*) => {
        $( $crate::axual_routes!(@$op $header $name $path); )*
    };
    (@list [$crud:ty, $what:literal, $summary:ty, [$($summary_embedded:ty)?], $detail:ty, [$($embedded:ty)?], $body:ty] $name:ident $path:literal) => {
        #[doc = concat!("Axual: a page of the ", $what, " collection, with `create` for those who may.")]
        #[utoipa::path(tag = "axual", params(("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
            responses((status = 200, description = "a paged collection", body = Collection<$summary $(, $summary_embedded)?>, content_type = "application/hal+json"), (status = 400, description = "bad paging"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed")))]
        #[get($path)]
        pub async fn $name(
            ctx: $crate::RequestContext,
            listing: $crate::http::Listing,
            service: ::actix_web::web::Data<<$crud as $crate::http::collection::AxualCrud>::Service>,
        ) -> Result<::actix_web::HttpResponse, $crate::http::ApiError> {
            $crate::http::collection::list::<$crud>(ctx, listing, service).await
        }
    };
    (@create [$crud:ty, $what:literal, $summary:ty, [$($summary_embedded:ty)?], $detail:ty, [$($embedded:ty)?], $body:ty] $name:ident $path:literal) => {
        #[doc = concat!("Axual \"create ", $what, "\": 201 with `Location` and `ETag`; a body only when an Accept header is sent.")]
        #[utoipa::path(tag = "axual", request_body = $body,
            responses((status = 201, description = "created; body only when an Accept header is sent", body = Resource<$detail $(, $embedded)?>, content_type = "application/hal+json"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 409, description = "the name is in use")))]
        #[post($path)]
        pub async fn $name(
            req: ::actix_web::HttpRequest,
            ctx: $crate::RequestContext,
            body: $crate::http::Json<<$crud as $crate::http::collection::AxualBody>::Body>,
            base: $crate::http::BaseUrl,
            service: ::actix_web::web::Data<<$crud as $crate::http::collection::AxualCrud>::Service>,
        ) -> Result<::actix_web::HttpResponse, $crate::http::ApiError> {
            $crate::http::collection::create::<$crud>(req, ctx, body, base, service).await
        }
    };
    (@searches [$crud:ty, $what:literal, $summary:ty, [$($summary_embedded:ty)?], $detail:ty, [$($embedded:ty)?], $body:ty] $name:ident $path:literal) => {
        #[doc = concat!("The search index of ", $what, ".")]
        #[utoipa::path(tag = "axual", responses((status = 200, description = "links to the searches", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
        #[get($path)]
        pub async fn $name(caller: $crate::RequestContext, base: $crate::http::BaseUrl) -> ::actix_web::HttpResponse {
            $crate::http::collection::searches::<$crud>(caller, base).await
        }
    };
    (@find_by_name [$crud:ty, $what:literal, $summary:ty, [$($summary_embedded:ty)?], $detail:ty, [$($embedded:ty)?], $body:ty] $name:ident $path:literal) => {
        #[doc = concat!("Axual `findByName`: the one ", $what, " with exactly this name (404 when none has it).")]
        #[utoipa::path(tag = "axual", params(("name" = String, Query)),
            responses((status = 200, description = "the entity", body = Resource<$detail $(, $embedded)?>, content_type = "application/hal+json"), (status = 400, description = "no name"), (status = 401, description = "no credentials"), (status = 404, description = "none has that name")))]
        #[get($path)]
        pub async fn $name(
            req: ::actix_web::HttpRequest,
            ctx: $crate::RequestContext,
            listing: $crate::http::Listing,
            service: ::actix_web::web::Data<<$crud as $crate::http::collection::AxualCrud>::Service>,
        ) -> Result<::actix_web::HttpResponse, $crate::http::ApiError> {
            $crate::http::collection::find_by_name::<$crud>(req, ctx, listing, service).await
        }
    };
    (@find_by_name_containing [$crud:ty, $what:literal, $summary:ty, [$($summary_embedded:ty)?], $detail:ty, [$($embedded:ty)?], $body:ty] $name:ident $path:literal) => {
        #[doc = concat!("Axual `findByNameContaining`: a page of ", $what, " entities whose name contains the text, ignoring case.")]
        #[utoipa::path(tag = "axual", params(("name" = String, Query), ("page" = Option<u32>, Query), ("size" = Option<u32>, Query), ("sort" = Option<String>, Query)),
            responses((status = 200, description = "a paged collection", body = Collection<$summary $(, $summary_embedded)?>, content_type = "application/hal+json"), (status = 400, description = "no name or bad paging"), (status = 401, description = "no credentials")))]
        #[get($path)]
        pub async fn $name(
            ctx: $crate::RequestContext,
            listing: $crate::http::Listing,
            service: ::actix_web::web::Data<<$crud as $crate::http::collection::AxualCrud>::Service>,
        ) -> Result<::actix_web::HttpResponse, $crate::http::ApiError> {
            $crate::http::collection::find_by_name_containing::<$crud>(ctx, listing, service).await
        }
    };
    (@get [$crud:ty, $what:literal, $summary:ty, [$($summary_embedded:ty)?], $detail:ty, [$($embedded:ty)?], $body:ty] $name:ident $path:literal) => {
        #[doc = concat!("Axual \"get ", $what, "\".")]
        #[utoipa::path(tag = "axual", params(("uid" = String, Path)),
            responses((status = 200, description = "the entity", body = Resource<$detail $(, $embedded)?>, content_type = "application/hal+json"), (status = 304, description = "If-None-Match matched"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such entity")))]
        #[get($path)]
        pub async fn $name(
            req: ::actix_web::HttpRequest,
            ctx: $crate::RequestContext,
            uid: $crate::http::PathUid,
            base: $crate::http::BaseUrl,
            service: ::actix_web::web::Data<<$crud as $crate::http::collection::AxualCrud>::Service>,
        ) -> Result<::actix_web::HttpResponse, $crate::http::ApiError> {
            $crate::http::collection::get::<$crud>(req, ctx, uid, base, service).await
        }
    };
    (@patch [$crud:ty, $what:literal, $summary:ty, [$($summary_embedded:ty)?], $detail:ty, [$($embedded:ty)?], $body:ty] $name:ident $path:literal) => {
        #[doc = concat!("Axual \"update ", $what, "\": any subset of the fields, under If-Match when sent.")]
        #[utoipa::path(tag = "axual", params(("uid" = String, Path)), request_body = $body,
            responses((status = 200, description = "patched, with Accept", body = Resource<$detail $(, $embedded)?>, content_type = "application/hal+json"), (status = 204, description = "patched, without Accept"), (status = 400, description = "validation failed"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such entity"), (status = 409, description = "the name is in use"), (status = 412, description = "If-Match failed")))]
        #[patch($path)]
        #[expect(clippy::too_many_arguments, reason = "an actix handler's extractors, passed on")]
        pub async fn $name(
            req: ::actix_web::HttpRequest,
            ctx: $crate::RequestContext,
            uid: $crate::http::PathUid,
            body: $crate::http::Json<<$crud as $crate::http::collection::AxualBody>::Body>,
            precondition: $crate::http::IfMatchHeader,
            base: $crate::http::BaseUrl,
            service: ::actix_web::web::Data<<$crud as $crate::http::collection::AxualCrud>::Service>,
        ) -> Result<::actix_web::HttpResponse, $crate::http::ApiError> {
            $crate::http::collection::patch::<$crud>(req, ctx, uid, body, precondition, base, service).await
        }
    };
    (@delete [$crud:ty, $what:literal, $summary:ty, [$($summary_embedded:ty)?], $detail:ty, [$($embedded:ty)?], $body:ty] $name:ident $path:literal) => {
        #[doc = concat!("Axual \"delete ", $what, "\": 204.")]
        #[utoipa::path(tag = "axual", params(("uid" = String, Path)),
            responses((status = 204, description = "deleted"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such entity"), (status = 409, description = "still in use"), (status = 412, description = "If-Match does not match the current version")))]
        #[delete($path)]
        pub async fn $name(
            ctx: $crate::RequestContext,
            uid: $crate::http::PathUid,
            precondition: $crate::write::Precondition,
            service: ::actix_web::web::Data<<$crud as $crate::http::collection::AxualCrud>::Service>,
        ) -> Result<::actix_web::HttpResponse, $crate::http::ApiError> {
            $crate::http::collection::delete::<$crud>(ctx, uid, precondition, service).await
        }
    };
    (@deletion_constraints [$crud:ty, $what:literal, $summary:ty, [$($summary_embedded:ty)?], $detail:ty, [$($embedded:ty)?], $body:ty] $name:ident $path:literal) => {
        #[doc = concat!("Axual ", $what, " deletion constraints: `{canDelete, ...Count}`.")]
        #[utoipa::path(tag = "axual", params(("uid" = String, Path)),
            responses((status = 200, description = "the counts", body = DeletionConstraints, content_type = "application/json"), (status = 401, description = "no credentials"), (status = 403, description = "not allowed"), (status = 404, description = "no such entity")))]
        #[get($path)]
        pub async fn $name(
            ctx: $crate::RequestContext,
            uid: $crate::http::PathUid,
            service: ::actix_web::web::Data<<$crud as $crate::http::collection::AxualCrud>::Service>,
        ) -> Result<::actix_web::HttpResponse, $crate::http::ApiError> {
            $crate::http::collection::deletion_constraints::<$crud>(ctx, uid, service).await
        }
    };
}

/// Implements the operation traits of a collection whose operations are each one service
/// method taking what the trait method takes (`create: create_stream` is
/// `service.create_stream(ctx, input)`). Operations: `create`, `update`, `delete`,
/// `constraints`, `named`.
///
/// ```ignore
/// portico_core::axual_calls!(StreamCollection {
///     create: create_stream, update: update_stream, delete: delete_stream, constraints: stream_usage,
/// });
/// ```
#[macro_export]
macro_rules! axual_calls {
    ($crud:ty { $($op:ident: $method:ident),* $(,)? }) => {
        $( $crate::axual_calls!(@$op $crud, $method); )*
    };
    (@create $crud:ty, $method:ident) => {
        impl $crate::http::collection::AxualCreate for $crud {
            fn create(
                service: &Self::Service,
                ctx: &$crate::RequestContext,
                input: Self::Input,
            ) -> Result<Self::Item, Self::Error> {
                service.$method(ctx, input)
            }
        }
    };
    (@update $crud:ty, $method:ident) => {
        impl $crate::http::collection::AxualUpdate for $crud {
            fn update(
                service: &Self::Service,
                ctx: &$crate::RequestContext,
                id: ::uuid::Uuid,
                input: Self::Input,
                precondition: &$crate::write::Precondition,
            ) -> Result<Self::Item, Self::Error> {
                service.$method(ctx, id, input, precondition)
            }
        }
    };
    (@delete $crud:ty, $method:ident) => {
        impl $crate::http::collection::AxualDelete for $crud {
            fn delete(
                service: &Self::Service,
                ctx: &$crate::RequestContext,
                id: ::uuid::Uuid,
                precondition: &$crate::write::Precondition,
            ) -> Result<(), Self::Error> {
                service.$method(ctx, id, precondition)
            }
        }
    };
    (@constraints $crud:ty, $method:ident) => {
        impl $crate::http::collection::AxualConstrained for $crud {
            fn constraints(
                service: &Self::Service,
                ctx: &$crate::RequestContext,
                id: ::uuid::Uuid,
            ) -> Result<$crate::dependents::DeletionConstraints, Self::Error> {
                service.$method(ctx, id)
            }
        }
    };
    (@named $crud:ty, $method:ident) => {
        impl $crate::http::collection::AxualNamed for $crud {
            fn named(service: &Self::Service, ctx: &$crate::RequestContext, name: &str) -> Result<Self::Item, Self::Error> {
                service.$method(ctx, name)
            }
        }
    };
}
