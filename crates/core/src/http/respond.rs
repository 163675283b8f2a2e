//! Response helpers: versioned entities (ETag, Last-Modified) and created resources (Location).

use crate::etag::{etag, if_none_match_hits};
use crate::time::Timestamp;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LAST_MODIFIED, LOCATION, PRAGMA};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Serialize;

/// Version headers of an entity.
#[derive(Debug, Clone, Copy)]
pub struct Versioned {
    /// The entity's version (its ETag).
    pub version: i64,
    /// `Last-Modified`, when the entity has a modification time.
    pub modified_at: Option<Timestamp>,
}

/// A builder for `status` with the entity's ETag and Last-Modified headers.
pub fn versioned(status: StatusCode, meta: Versioned) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder.insert_header((ETAG, etag(meta.version)));
    if let Some(modified) = meta.modified_at {
        builder.insert_header((LAST_MODIFIED, modified.http_date()));
    }
    builder
}

/// 200 with `body` as JSON of `content_type`, or 304 when `If-None-Match` matches the version.
pub fn entity<T: Serialize>(req: &HttpRequest, meta: Versioned, content_type: &str, body: &T) -> HttpResponse {
    let if_none_match = req.headers().get(IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    if if_none_match_hits(if_none_match, meta.version) {
        return versioned(StatusCode::NOT_MODIFIED, meta).finish();
    }
    json_with(versioned(StatusCode::OK, meta), content_type, body)
}

/// Serialises `body` into `builder` with `content_type`.
pub fn json_with<T: Serialize>(mut builder: HttpResponseBuilder, content_type: &str, body: &T) -> HttpResponse {
    match serde_json::to_string(body) {
        Ok(text) => builder.insert_header((CONTENT_TYPE, content_type.to_owned())).body(text),
        Err(err) => {
            tracing::error!(error = %err, "response serialisation failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// Marks a response that carries a secret in clear (a token, a client secret, a credential's
/// value) as never to be stored by any cache: `Cache-Control: no-store`, `Pragma: no-cache`.
pub fn no_store(mut builder: HttpResponseBuilder) -> HttpResponseBuilder {
    builder.insert_header((CACHE_CONTROL, "no-store")).insert_header((PRAGMA, "no-cache"));
    builder
}

/// Adds `Location: url` to a builder.
pub fn with_location(mut builder: HttpResponseBuilder, url: &str) -> HttpResponseBuilder {
    builder.insert_header((LOCATION, url.to_owned()));
    builder
}
