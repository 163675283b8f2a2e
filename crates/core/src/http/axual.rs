//! The Axual (Spring Data REST) kit: what every Axual resource of every crate renders with.
//!
//! - [`Listing`]: an extractor holding the page request, the query and where the request was
//!   made, which turns a page of typed resources into a [`Collection`] with
//!   `first/prev/self/next/last` links that keep the sort and search parameters.
//! - Link builders with the seed's exact titles ([`titles`]), collection links
//!   ([`collection_links`]), search indexes ([`search_index`]).
//! - Spring Data REST's response rules: [`created`] (201, body only when `Accept` was sent),
//!   [`patched`] (200 with body, or 204), [`ok`].
//! - [`AxualRegistry`]: the collections every crate registers; `GET /`, `GET /profile` and
//!   `GET /profile/{rel}` are served from it once ([`configure`]).

use super::extract::{BaseUrl, QueryPairs};
use super::failure::{ApiError, Failure, by_path};
use super::origin::base_url;
use super::params::{Relation, RelationTarget};
use super::respond::{Versioned, json_with, versioned, with_location};
use crate::ErrorKind;
use crate::RequestContext;
use crate::hal::{Collection, HAL_JSON, Link, Links, LinksOnly, LocalTime, PageMetadata, Resource, paged_links};
use crate::page::{MAX_PAGE_SIZE, Page, PageRequest};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::ACCEPT;
use actix_web::web::{Data, Path};
use actix_web::{FromRequest, HttpRequest, HttpResponse, get};
use futures_util::future::{Ready, ready};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

/// The link titles of the seed, exactly.
pub mod titles {
    /// `self`.
    pub const SELF: &str = "URI pointing to current request";
    /// `profile`.
    pub const PROFILE: &str = "Endpoints for schema metadata in ALPS/JSON Schema format";
    /// `search`.
    pub const SEARCH: &str = "Search endpoints for this entity";
    /// `create`.
    pub const CREATE: &str = "Indication that an entity can be created";
    /// `edit`.
    pub const EDIT: &str = "Indication that this entity can be edited";
    /// `delete`.
    pub const DELETE: &str = "Indication that this entity can be deleted";
}

/// Axual's audit fields, flattened into an entity's body with `#[serde(flatten)]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditFields {
    /// Created (UTC).
    pub created_at: LocalTime,
    /// Last modified (UTC).
    pub modified_at: Option<LocalTime>,
    /// Creator's e-mail.
    pub created_by: Option<String>,
    /// Last modifier's e-mail.
    pub modified_by: Option<String>,
}

impl From<&crate::audit::Stamp> for AuditFields {
    fn from(stamp: &crate::audit::Stamp) -> AuditFields {
        AuditFields {
            created_at: stamp.created_at.into(),
            modified_at: Some(stamp.modified_at.into()),
            created_by: stamp.created_by.clone(),
            modified_by: stamp.modified_by.clone(),
        }
    }
}

impl From<&crate::hooks::GroupRef> for AuditFields {
    fn from(group: &crate::hooks::GroupRef) -> AuditFields {
        AuditFields {
            created_at: group.created_at.into(),
            modified_at: group.modified_at.map(Into::into),
            created_by: group.created_by.clone(),
            modified_by: group.modified_by.clone(),
        }
    }
}

/// `{base}/{rel}/{uid}`: the URL of an entity (uids are UUIDs without dashes).
pub fn entity_url(base: &BaseUrl, rel: &str, id: impl Into<Uuid>) -> String {
    base.join(&format!("/{rel}/{}", id.into().simple()))
}

/// `self` of an entity: its URL, titled, not templated.
pub fn self_link(url: &str) -> Link {
    Link::new(url).titled(titles::SELF)
}

/// The entity-type relation (`user`, `group`): `{url}{?projection}`, templated, titled.
pub fn projection_link(url: &str, title: &str) -> Link {
    untitled_projection_link(url).titled(title)
}

/// [`projection_link`] without a title (the seed prints some relations and associations so).
pub fn untitled_projection_link(url: &str) -> Link {
    Link::templated(format!("{url}{{?projection}}"))
}

/// `edit` of an entity.
pub fn edit_link(url: &str) -> Link {
    Link::new(url).titled(titles::EDIT)
}

/// `delete` of an entity.
pub fn delete_link(url: &str) -> Link {
    Link::new(url).titled(titles::DELETE)
}

/// The links of a collection listing: `self` (`{?page,size,sort}`), then `profile`, `search`
/// and, when the caller may create, `create` (`{?projection}`).
pub fn collection_links(base: &BaseUrl, rel: &str, can_create: bool) -> (Link, Links) {
    let url = base.join(&format!("/{rel}"));
    let self_link = Link::templated(format!("{url}{{?page,size,sort}}")).titled(titles::SELF);
    let extra = Links::new()
        .add("profile", Link::new(base.join(&format!("/profile/{rel}"))).titled(titles::PROFILE))
        .add("search", Link::new(format!("{url}/search")).titled(titles::SEARCH))
        .add_if(can_create, "create", || create_link(&url));
    (self_link, extra)
}

/// `create` of a collection listing at `url` (templated).
pub fn create_link(url: &str) -> Link {
    Link::templated(format!("{url}{{?projection}}")).titled(titles::CREATE)
}

/// The `create` link of a search result (not templated).
pub fn search_create_link(base: &BaseUrl, rel: &str) -> Link {
    Link::new(base.join(&format!("/{rel}"))).titled(titles::CREATE)
}

/// One search of a collection: its method name and its parameters (`firstName,page,size,sort`).
pub type Search = (&'static str, &'static str);

/// `GET /{rel}/search`: a templated link per search, then `self`.
pub fn search_index(base: &BaseUrl, rel: &str, searches: &[Search]) -> LinksOnly {
    let mut links = Links::new();
    for (name, params) in searches {
        links.push(name, Link::templated(base.join(&format!("/{rel}/search/{name}{{?{params}}}"))));
    }
    links.push("self", Link::new(base.join(&format!("/{rel}/search"))).titled(titles::SELF));
    LinksOnly::links(links)
}

/// Whether the client asked for a body on POST/PATCH: Spring Data REST answers with one when
/// an `Accept` header is sent. A blank `Accept` counts as absent.
pub fn wants_body(req: &HttpRequest) -> bool {
    req.headers().get_all(ACCEPT).any(|v| v.to_str().map_or(true, |v| !v.trim().is_empty()))
}

/// 200 `application/hal+json`.
pub fn ok<T: Serialize>(body: &T) -> HttpResponse {
    json_with(HttpResponse::Ok(), HAL_JSON, body)
}

/// 201 with `Location`, `ETag` and `Last-Modified`; the body only when an `Accept` was sent.
pub fn created<T: Serialize>(req: &HttpRequest, location: &str, meta: Versioned, body: &T) -> HttpResponse {
    let mut builder = with_location(versioned(StatusCode::CREATED, meta), location);
    if wants_body(req) { json_with(builder, HAL_JSON, body) } else { builder.finish() }
}

/// PATCH: 200 with the body when an `Accept` was sent, else 204; both with version headers.
pub fn patched<T: Serialize>(req: &HttpRequest, meta: Versioned, body: &T) -> HttpResponse {
    if wants_body(req) {
        json_with(versioned(StatusCode::OK, meta), HAL_JSON, body)
    } else {
        versioned(StatusCode::NO_CONTENT, meta).finish()
    }
}

/// The page a collection or search request asks for, and where it was asked: enough to render
/// the page with links to the others.
#[derive(Debug, Clone)]
pub struct Listing {
    base: BaseUrl,
    path: String,
    query_string: String,
    query: QueryPairs,
    request: PageRequest,
}

impl Listing {
    /// The parsed `page`, `size` and `sort`.
    pub fn request(&self) -> &PageRequest {
        &self.request
    }

    /// The base URL.
    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// A required search parameter (400 naming it when absent).
    pub fn require(&self, name: &str) -> Result<&str, ApiError> {
        self.query.require(name).map_err(ApiError::new)
    }

    /// A required search parameter that is a relation URI into `C` (400 naming it otherwise).
    pub fn relation<C: RelationTarget>(&self, name: &str) -> Result<Uuid, ApiError> {
        Relation::<C>::parse(self.require(name)?).map(Relation::id).map_err(|reason| {
            ApiError::new(Failure::new(ErrorKind::Invalid, "invalid_reference", reason).with_field(name))
        })
    }

    /// An optional search parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.get(name)
    }

    /// The `self` link of a search result: the request URL, titled, not templated.
    pub fn search_self(&self) -> Link {
        let url = self.base.join(&self.path);
        let url = if self.query_string.is_empty() { url } else { format!("{url}?{}", self.query_string) };
        Link::new(url).titled(titles::SELF)
    }

    /// The URL of page `n` with the request's other parameters.
    fn page_url(&self, n: u64) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .query
            .0
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "page" | "size"))
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        pairs.push(("page", n.to_string()));
        pairs.push(("size", self.request.size.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}?{query}", self.base.join(&self.path))
    }

    /// A paged collection: `first, prev, self, next, last`, then `extra`, then `page`.
    pub fn paged<T, E>(&self, page: Page<Resource<T, E>>, self_link: Link, extra: Links) -> Collection<T, E> {
        let mut links = paged_links(&page, self_link, |n| self.page_url(n));
        links.extend(extra);
        let metadata = PageMetadata::from(&page);
        Collection { items: page.items, links, page: Some(metadata) }
    }

    /// A paged search result: navigation around the search's own URL, then `extra`.
    pub fn search_page<T, E>(&self, page: Page<Resource<T, E>>, extra: Links) -> Collection<T, E> {
        self.paged(page, self.search_self(), extra)
    }

    /// The request of an unpaged search: every match, in the requested order.
    pub fn all_matches(&self) -> PageRequest {
        PageRequest { page: 0, size: MAX_PAGE_SIZE, sort: self.request.sort.clone() }
    }

    /// An unpaged search result: every match. More matches than one response may carry is a
    /// 400 asking for a narrower search, never a silently cut list.
    pub fn search_list<T, E>(&self, matches: Page<Resource<T, E>>) -> Result<Collection<T, E>, ApiError> {
        if matches.total > matches.items.len() as u64 {
            return Err(ApiError::new(Failure::new(
                ErrorKind::Invalid,
                "too_many_matches",
                format!("The search matches {} entries, more than {MAX_PAGE_SIZE}; narrow it down", matches.total),
            )));
        }
        Ok(Collection::list(matches.items, Links::new().add("self", self.search_self())))
    }
}

impl FromRequest for Listing {
    type Error = actix_web::Error;
    type Future = Ready<Result<Listing, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let listing = QueryPairs::from_request(req, payload).into_inner().and_then(|query| {
            let request = PageRequest::from_query(&query.0).map_err(|e| by_path(Failure::from_domain(&e)))?;
            Ok(Listing {
                base: BaseUrl(base_url(req)),
                path: req.path().to_owned(),
                query_string: req.query_string().to_owned(),
                query,
                request,
            })
        });
        ready(listing)
    }
}

/// The JSON Schema profile of a collection (`GET /profile/{rel}`), generated from its wire type
/// by [`super::schema::spring_profile`].
pub type ProfileFn = fn() -> Value;

/// One Axual collection a crate serves.
#[derive(Debug, Clone, Copy)]
pub struct AxualCollection {
    /// The relation and path: `users` is served at `/users`.
    pub rel: &'static str,
    /// The index link's title (some collections have none).
    pub title: Option<&'static str>,
    /// The JSON Schema profile, when the collection has one.
    pub profile: Option<ProfileFn>,
}

/// A non-collection link of the index (`/user`, `/group`, `/tenant`).
#[derive(Debug, Clone, Copy)]
pub struct AxualEntry {
    /// The relation.
    pub rel: &'static str,
    /// The path.
    pub path: &'static str,
    /// The title.
    pub title: &'static str,
}

/// The collections in the order the seed's index lists them; the index follows it whichever
/// crate registers what (a relation missing here goes after these, in registration order).
pub const INDEX_ORDER: &[&str] = &[
    "applications",
    "application_principals",
    "tenants",
    "groups",
    "streams",
    "instances",
    "support_tiers",
    "application_access",
    "application_access_grants",
    "schema_versions",
    "users",
    "environments",
    "schemas",
    "confidentialities",
    "connect_plugins",
    "stream_configs",
    "application_deployments",
    "integrities",
    "clusters",
];

/// Every Axual collection of every crate, in the seed's index order ([`INDEX_ORDER`]).
#[derive(Debug, Clone, Default)]
pub struct AxualRegistry {
    collections: Vec<AxualCollection>,
    entries: Vec<AxualEntry>,
}

impl AxualRegistry {
    /// Adds a crate's collections and index entries. A relation registered twice is a bug.
    pub fn register(&mut self, collections: &[AxualCollection], entries: &[AxualEntry]) {
        for collection in collections {
            assert!(
                !self.collections.iter().any(|c| c.rel == collection.rel),
                "Axual collection '{}' is registered twice",
                collection.rel
            );
            self.collections.push(*collection);
        }
        let rank = |rel: &str| INDEX_ORDER.iter().position(|known| *known == rel).unwrap_or(INDEX_ORDER.len());
        self.collections.sort_by_key(|c| rank(c.rel));
        self.entries.extend_from_slice(entries);
    }

    /// The registered collections.
    pub fn collections(&self) -> &[AxualCollection] {
        &self.collections
    }

    fn collection(&self, rel: &str) -> Option<&AxualCollection> {
        self.collections.iter().find(|c| c.rel == rel)
    }
}

/// Axual "index" (GET /): a templated link to every registered collection, then the caller's
/// own resources, then `profile`.
#[utoipa::path(tag = "axual", responses((status = 200, description = "`_links` to every collection", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/")]
pub async fn index(_ctx: RequestContext, base: BaseUrl, registry: Data<AxualRegistry>) -> HttpResponse {
    let mut links = Links::new();
    for collection in registry.collections() {
        let mut link = Link::templated(base.join(&format!("/{}{{?page,size,sort}}", collection.rel)));
        link.title = collection.title.map(str::to_owned);
        links.push(collection.rel, link);
    }
    for entry in &registry.entries {
        links.push(entry.rel, Link::new(base.join(entry.path)).titled(entry.title));
    }
    links.push("profile", Link::new(base.join("/profile")).titled(titles::PROFILE));
    ok(&LinksOnly::links(links))
}

/// `/profile`: one link per collection that has a profile.
#[utoipa::path(tag = "axual", responses((status = 200, description = "`_links` to each collection's profile", body = LinksOnly, content_type = "application/hal+json"), (status = 401, description = "no credentials")))]
#[get("/profile")]
pub async fn profiles(_ctx: RequestContext, base: BaseUrl, registry: Data<AxualRegistry>) -> HttpResponse {
    let mut links = Links::new().add("self", Link::new(base.join("/profile")).titled(titles::SELF));
    for collection in registry.collections().iter().filter(|c| c.profile.is_some()) {
        links.push(collection.rel, Link::new(base.join(&format!("/profile/{}", collection.rel))));
    }
    ok(&LinksOnly::links(links))
}

/// One collection's metadata: JSON Schema with `Accept: application/schema+json`, else ALPS.
#[utoipa::path(tag = "axual", params(("rel" = String, Path, description = "a collection, e.g. users")),
    responses((status = 200, description = "JSON Schema (`application/schema+json`) or ALPS (`application/alps+json`)"), (status = 401, description = "no credentials"), (status = 404, description = "unknown collection")))]
#[get("/profile/{rel}")]
pub async fn collection_profile(
    req: HttpRequest,
    _ctx: RequestContext,
    rel: Path<String>,
    base: BaseUrl,
    registry: Data<AxualRegistry>,
) -> Result<HttpResponse, ApiError> {
    let schema = registry.collection(&rel).and_then(|c| c.profile).map(|profile| profile()).ok_or_else(|| {
        ApiError::new(Failure::new(ErrorKind::NotFound, "profile_not_found", format!("No profile for '{rel}'")))
    })?;
    let wants_schema =
        req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/schema+json"));
    if wants_schema {
        return Ok(json_with(HttpResponse::Ok(), "application/schema+json;charset=UTF-8", &schema));
    }
    let title = schema.get("title").and_then(Value::as_str).unwrap_or_default().to_lowercase();
    let descriptors: Vec<Value> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| props.keys().map(|name| json!({ "name": name, "type": "SEMANTIC" })).collect())
        .unwrap_or_default();
    let alps = json!({
        "alps": {
            "version": "1.0",
            "descriptor": [{
                "id": format!("{title}-representation"),
                "href": base.join(&format!("/profile/{}", rel.as_str())),
                "descriptor": descriptors,
            }],
        }
    });
    Ok(json_with(HttpResponse::Ok(), "application/alps+json;charset=UTF-8", &alps))
}

/// Declares `/`, `/profile` and `/profile/{rel}` (for any caller); the gateway provides
/// `Data<AxualRegistry>`.
pub fn routes(routes: &mut super::Routes) {
    const ANY: crate::context::Requirement<'static> = crate::context::Requirement::Authenticated;
    routes.add(ANY, index).add(ANY, profiles).add(ANY, collection_profile);
}
