//! Axual Management API 6.0.1, identity part: `/user`, `/group`, `/tenant`, `/users`,
//! `/groups`, `/tenants`, the index `/` and `/profile`. HAL+JSON, page/size/sort, ETags,
//! Spring Data REST's Accept-dependent bodies on POST and PATCH.

pub mod current;
pub mod groups;
pub mod index;
pub mod tenants;
pub mod users;
pub mod wire;

use actix_web::http::StatusCode;
use actix_web::http::header::ACCEPT;
use actix_web::{HttpRequest, HttpResponse};
use portico_core::ErrorKind;
use portico_core::hal::{HAL_JSON, Link, Links, PageMetadata, collection, paged_links};
use portico_core::http::respond::{Versioned, json_with, versioned, with_location};
use portico_core::http::{ApiError, Axual, BaseUrl, Failure, QueryPairs};
use portico_core::ids::AxualUid;
use portico_core::page::{Page, PageRequest};
use serde_json::Value;
use uuid::Uuid;

/// Title of every `self` link.
pub const SELF_TITLE: &str = "URI pointing to current request";

/// A uid from the path. Malformed: 400. Well-formed but not one of ours (all are UUIDs): 404.
pub fn uid(value: &str, what: &'static str) -> Result<Uuid, ApiError<Axual>> {
    let uid = AxualUid::parse(value).ok_or_else(|| {
        ApiError::new(Failure::new(ErrorKind::Invalid, "invalid_uid", format!("'{value}' is not a uid")))
    })?;
    uid.to_uuid().ok_or_else(|| {
        ApiError::new(Failure::new(ErrorKind::NotFound, "not_found", format!("{what} '{value}' was not found")))
    })
}

/// The uid at the end of an association URI (`http://host/users/<uid>`); the host is ignored.
pub fn uri_uid(uri: &str, collection: &str, field: &str) -> Result<Uuid, ApiError<Axual>> {
    let path = uri.split_once("://").map(|(_, rest)| rest.split_once('/').map(|(_, p)| p).unwrap_or("")).unwrap_or(uri);
    let mut segments = path.trim_matches('/').split('/').rev();
    let (id, kind) = (segments.next().unwrap_or(""), segments.next().unwrap_or(""));
    let invalid = || {
        ApiError::new(
            Failure::new(
                ErrorKind::Invalid,
                "invalid_reference",
                format!("'{uri}' is not a URI of /{collection}/{{uid}}"),
            )
            .with_field(field),
        )
    };
    if kind != collection {
        return Err(invalid());
    }
    AxualUid::parse(id).and_then(|u| u.to_uuid()).ok_or_else(|| {
        ApiError::new(
            Failure::new(ErrorKind::Invalid, "invalid_reference", format!("'{uri}' does not exist")).with_field(field),
        )
    })
}

/// Whether the client asked for a body on POST/PATCH (Spring Data REST: any `Accept` header).
pub fn wants_body(req: &HttpRequest) -> bool {
    req.headers().contains_key(ACCEPT)
}

/// 201 with `Location`, `ETag`, `Last-Modified`; the body only if an `Accept` header was sent.
pub fn created(req: &HttpRequest, location: &str, meta: Versioned, body: &Value) -> HttpResponse {
    let mut builder = with_location(versioned(StatusCode::CREATED, meta), location);
    if wants_body(req) { json_with(builder, HAL_JSON, body) } else { builder.finish() }
}

/// PATCH: 200 with the body if an `Accept` header was sent, else 204; both with version headers.
pub fn patched(req: &HttpRequest, meta: Versioned, body: &Value) -> HttpResponse {
    if wants_body(req) {
        json_with(versioned(StatusCode::OK, meta), HAL_JSON, body)
    } else {
        versioned(StatusCode::NO_CONTENT, meta).finish()
    }
}

/// Page parameters, with the allowed sort fields.
pub fn page_request(query: &QueryPairs, sortable: &[&str]) -> Result<PageRequest, ApiError<Axual>> {
    PageRequest::from_query(&query.0, sortable).map_err(ApiError::from)
}

/// Where a page was asked for: enough to link to the other pages.
pub struct PageContext<'a> {
    /// The base URL.
    pub base: &'a BaseUrl,
    /// The request path.
    pub path: &'a str,
    /// The request's query (search parameters and sort are kept in page links).
    pub query: &'a QueryPairs,
    /// The parsed page request.
    pub request: &'a PageRequest,
}

impl PageContext<'_> {
    /// The URL of page `n` with the request's other parameters.
    fn url(&self, n: u64) -> String {
        let mut pairs: Vec<(String, String)> =
            self.query.0.iter().filter(|(k, _)| !matches!(k.as_str(), "page" | "size")).cloned().collect();
        pairs.push(("page".into(), n.to_string()));
        pairs.push(("size".into(), self.request.size.to_string()));
        format!("{}?{}", self.base.join(self.path), serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }
}

/// A paged HAL collection: navigation links around `self_link`, then `extra` links, then `page`.
pub fn paged(at: &PageContext<'_>, key: &str, page: Page<Value>, self_link: Link, extra: Links) -> Value {
    let mut links = paged_links(&page, self_link, |n| at.url(n));
    for rel in extra.rels().map(str::to_owned).collect::<Vec<_>>() {
        if let Some(link) = extra.get(&rel) {
            links.push(&rel, link.clone());
        }
    }
    let metadata = PageMetadata::from(&page);
    collection(key, page.items, &links, Some(metadata))
}

/// The `self` link of a search result: the request URL, titled, not templated.
pub fn search_self(req: &HttpRequest, base: &BaseUrl) -> Link {
    let query = req.query_string();
    let url = if query.is_empty() { base.join(req.path()) } else { format!("{}?{query}", base.join(req.path())) };
    Link::new(url).titled(SELF_TITLE)
}
