//! Identifiers from paths and bodies, one extractor each, used by every crate:
//!
//! - [`path_segment`] and [`PathText`]: any path segment, percent-decoded exactly once;
//! - [`PathUid`]: an Axual uid path segment (400 when malformed, 404 when it cannot be ours);
//! - [`NumericId`]: a FlexDeploy numeric id; [`UuidId`]: a MATTR/Onegini UUID (400 otherwise);
//! - [`Relation`]: an association given as a URI (`"owners": "http://host/groups/<uid>"`),
//!   checked to point into the right collection; serde names the field when it does not;
//! - [`UriList`]: a `text/uri-list` body of relations (group members).
//!
//! The `I` parameter picks the path parameter by position (`PathUid` is the first,
//! `PathUid<1>` the second).

use super::failure::{ApiError, Failure, by_path};
use crate::ErrorKind;
use crate::ids::AxualUid;
use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::marker::PhantomData;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

/// `value` of the path parameter `name` percent-decoded exactly once. actix's router decodes
/// every escape but `%25`, `%2F` and `%2B` before matching (so that an encoded `/` cannot split
/// a segment), and leaves those three to the handler: decoding the rest here makes `a%2Fb`
/// `a/b`, `%2B31` `+31` and `100%2525` `100%25`. A sequence that is not UTF-8 is a 400.
fn decode_segment(name: &str, value: &str) -> Result<String, Failure> {
    percent_encoding::percent_decode_str(value).decode_utf8().map(Cow::into_owned).map_err(|_| {
        Failure::new(ErrorKind::Invalid, "invalid_parameter", format!("{name} is not UTF-8 text once decoded"))
            .with_field(name)
            .in_location("path")
    })
}

/// The `I`-th path parameter: its name and value, decoded ([`decode_segment`]).
fn path_param<const I: usize>(req: &HttpRequest) -> Result<(String, String), actix_web::Error> {
    let (name, raw) = req.match_info().iter().nth(I).ok_or_else(|| {
        by_path(Failure::new(ErrorKind::Internal, "route_without_parameter", "The route has no such path parameter"))
    })?;
    let value = decode_segment(name, raw).map_err(by_path)?;
    Ok((name.to_owned(), value))
}

/// The path parameter `name`, percent-decoded exactly once (`%2F`, `%2B` and `%25` included).
/// Every handler that reads a segment by name reads it here.
pub fn path_segment(req: &HttpRequest, name: &str) -> Result<String, ApiError> {
    let raw = req.match_info().get(name).ok_or_else(|| {
        ApiError::new(Failure::new(
            ErrorKind::Internal,
            "route_without_parameter",
            format!("The route has no path parameter {name}"),
        ))
    })?;
    decode_segment(name, raw).map_err(ApiError::new)
}

/// The `I`-th path parameter as text, percent-decoded exactly once ([`path_segment`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathText<const I: usize = 0>(pub String);

impl<const I: usize> PathText<I> {
    /// The text.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<const I: usize> FromRequest for PathText<I> {
    type Error = actix_web::Error;
    type Future = Ready<Result<PathText<I>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(path_param::<I>(req).map(|(_, value)| PathText(value)))
    }
}

/// An Axual uid from the path. Malformed: 400. Well-formed but not a UUID (every uid Portico
/// generates is one, fixture ids of the seed are not): 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathUid<const I: usize = 0>(pub Uuid);

impl<const I: usize> FromRequest for PathUid<I> {
    type Error = actix_web::Error;
    type Future = Ready<Result<PathUid<I>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(path_param::<I>(req).and_then(|(name, value)| {
            let uid = AxualUid::parse(&value).ok_or_else(|| {
                by_path(
                    Failure::new(ErrorKind::Invalid, "invalid_uid", format!("'{}' is not a uid", printable(&value)))
                        .with_field(name)
                        .in_location("path"),
                )
            })?;
            uid.to_uuid().map(PathUid).ok_or_else(|| by_path(unknown_uid(req, &value)))
        }))
    }
}

/// The 404 of a uid that cannot be ours. `/{collection}/search/{name}` reaches a uid route
/// only when no search has that name: say so, rather than "nothing has the uid 'search'".
fn unknown_uid(req: &HttpRequest, value: &str) -> Failure {
    let mut segments = req.path().trim_matches('/').split('/');
    let search = segments.by_ref().skip_while(|segment| *segment != "search").nth(1);
    let message = match search {
        Some(name) if value == "search" => format!("There is no search '{}' here", printable(name)),
        _ => format!("Nothing has the uid '{}'", printable(value)),
    };
    Failure::new(ErrorKind::NotFound, "not_found", message)
}

/// A numeric id from the path (FlexDeploy); 400 naming the parameter otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumericId<const I: usize = 0>(pub i64);

impl<const I: usize> FromRequest for NumericId<I> {
    type Error = actix_web::Error;
    type Future = Ready<Result<NumericId<I>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(path_param::<I>(req).and_then(|(name, value)| {
            value.trim().parse::<i64>().map(NumericId).map_err(|_| {
                let message = format!("{name} must be a number, got '{}'", printable(&value));
                by_path(
                    Failure::new(ErrorKind::Invalid, "invalid_parameter", message).with_field(name).in_location("path"),
                )
            })
        }))
    }
}

/// A UUID from the path (MATTR, Onegini); 400 naming the parameter otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UuidId<const I: usize = 0>(pub Uuid);

impl<const I: usize> FromRequest for UuidId<I> {
    type Error = actix_web::Error;
    type Future = Ready<Result<UuidId<I>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(path_param::<I>(req).and_then(|(name, value)| {
            Uuid::try_parse(value.trim()).map(UuidId).map_err(|_| {
                let message = format!("{name} must be a UUID, got '{}'", printable(&value));
                by_path(
                    Failure::new(ErrorKind::Invalid, "invalid_parameter", message).with_field(name).in_location("path"),
                )
            })
        }))
    }
}

/// A value shown back in an error message: control characters escaped, at most 100 characters.
fn printable(value: &str) -> String {
    value.chars().take(100).flat_map(char::escape_debug).collect()
}

/// A collection that associations can point into.
pub trait RelationTarget {
    /// Its path segment: `groups`.
    const COLLECTION: &'static str;
    /// Other spellings clients use (`supportTiers` for `support_tiers`).
    const ALIASES: &'static [&'static str] = &[];
}

/// Declares a [`RelationTarget`] marker type: `relation_target!(pub Groups => "groups");`.
#[macro_export]
macro_rules! relation_target {
    ($(#[$meta:meta])* $vis:vis $name:ident => $collection:literal $(, aliases $($alias:literal),+)?) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis struct $name;
        impl $crate::http::params::RelationTarget for $name {
            const COLLECTION: &'static str = $collection;
            $(const ALIASES: &'static [&'static str] = &[$($alias),+];)?
        }
    };
}

relation_target!(
    /// `/users/{uid}` URIs (identity's users, named by every domain).
    pub Users => "users"
);
relation_target!(
    /// `/groups/{uid}` URIs (identity's groups: members, and owners in every domain).
    pub Groups => "groups"
);

/// An association given as the URI of its target (`http://api.example.com/groups/<uid>`).
/// Scheme, host and port are ignored (the seed mixes hosts); the path must be
/// `/{collection}/{uid}`. Whether the target exists is the service's question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Relation<C>(pub Uuid, PhantomData<C>);

impl<C> Relation<C> {
    /// The target's id.
    pub fn id(self) -> Uuid {
        self.0
    }
}

impl<C: RelationTarget> Relation<C> {
    /// Parses `uri`; the error says what a valid value looks like.
    pub fn parse(uri: &str) -> Result<Relation<C>, String> {
        let trimmed = uri.trim();
        let path = match trimmed.split_once("://") {
            Some((_, rest)) => rest.split_once('/').map(|(_, p)| p).unwrap_or(""),
            None => trimmed,
        };
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let mut segments = path.trim_matches('/').split('/').rev();
        let (id, collection) = (segments.next().unwrap_or(""), segments.next().unwrap_or(""));
        let shown = printable(uri);
        if collection != C::COLLECTION && !C::ALIASES.contains(&collection) {
            return Err(format!("'{shown}' is not a URI of /{}/{{uid}}", C::COLLECTION));
        }
        Uuid::try_parse(id).ok().map(|id| Relation(id, PhantomData)).ok_or_else(|| format!("'{shown}' does not exist"))
    }
}

impl<'de, C: RelationTarget> Deserialize<'de> for Relation<C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let uri = Cow::<str>::deserialize(deserializer)?;
        Relation::parse(&uri).map_err(serde::de::Error::custom)
    }
}

impl<C> PartialSchema for Relation<C> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("uri".into())))
            .description(Some("The URI of the related entity"))
            .into()
    }
}

impl<C> ToSchema for Relation<C> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RelationUri")
    }
}

/// A `text/uri-list` body: one relation per line (`#` lines are comments). Another media type
/// is 415; a line that is not a URI of `C` is 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriList<C>(pub Vec<Uuid>, PhantomData<C>);

impl<C> UriList<C> {
    /// The ids, in order.
    pub fn ids(&self) -> &[Uuid] {
        &self.0
    }
}

/// Parses a `text/uri-list` document.
pub fn parse_uri_list<C: RelationTarget>(text: &str) -> Result<Vec<Uuid>, Failure> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            Relation::<C>::parse(line)
                .map(Relation::id)
                .map_err(|reason| Failure::new(ErrorKind::Invalid, "invalid_reference", reason))
        })
        .collect()
}

impl<C: RelationTarget + 'static> FromRequest for UriList<C> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<UriList<C>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let media = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            if media.as_deref() != Some("text/uri-list") {
                return Err(by_path(Failure::new(
                    ErrorKind::UnsupportedMediaType,
                    "unsupported_media_type",
                    format!("Send the {} as text/uri-list", C::COLLECTION),
                )));
            }
            let bytes = bytes.await.map_err(super::extract::read_failure)?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| by_path(Failure::new(ErrorKind::Invalid, "invalid_body", "The URI list is not UTF-8")))?;
            parse_uri_list::<C>(text).map(|ids| UriList(ids, PhantomData)).map_err(by_path)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::relation_target!(Groups => "groups");
    crate::relation_target!(Tiers => "support_tiers", aliases "supportTiers");

    #[test]
    fn relations_ignore_the_host_and_check_the_collection() {
        let id = Uuid::from_u128(7);
        let uri = format!("http://api.example.com/groups/{}", id.simple());
        assert_eq!(Relation::<Groups>::parse(&uri).map(Relation::id), Ok(id));
        assert_eq!(Relation::<Groups>::parse(&format!("/groups/{id}")).map(Relation::id), Ok(id));
        assert_eq!(
            Relation::<Groups>::parse(&format!("http://localhost:8080/groups/{}/", id.simple())).map(Relation::id),
            Ok(id)
        );
        let wrong = Relation::<Groups>::parse(&format!("http://h/users/{}", id.simple())).unwrap_err();
        assert!(wrong.contains("is not a URI of /groups/{uid}"), "{wrong}");
        let unknown = Relation::<Groups>::parse("http://h/groups/514d4oit834841869644c2ad8b439997").unwrap_err();
        assert!(unknown.contains("does not exist"), "{unknown}");
        assert!(Relation::<Tiers>::parse(&format!("http://h/supportTiers/{}", id.simple())).is_ok());
        let nul = Relation::<Groups>::parse("http://h/groups/\0").unwrap_err();
        assert!(!nul.contains('\0'));
    }

    #[test]
    fn relations_name_the_field_in_bodies() {
        #[derive(Debug, Deserialize)]
        struct Body {
            #[expect(dead_code, reason = "only deserialised")]
            owners: Relation<Groups>,
        }
        let failure = super::super::extract::parse_json::<Body>(br#"{"owners": "http://h/users/1"}"#).unwrap_err();
        assert_eq!(failure.field.as_deref(), Some("owners"));
        assert!(failure.message.contains("/groups/{uid}"), "{}", failure.message);
    }

    #[test]
    fn segments_are_decoded_exactly_once() {
        // What actix leaves encoded in match_info(): %25, %2F and %2B.
        assert_eq!(decode_segment("value", "a%2Fb").unwrap(), "a/b");
        assert_eq!(decode_segment("value", "%2B31201234567").unwrap(), "+31201234567");
        assert_eq!(decode_segment("value", "100%25").unwrap(), "100%");
        assert_eq!(decode_segment("value", "100%2525").unwrap(), "100%25", "once, not twice");
        assert_eq!(decode_segment("value", "plain+text").unwrap(), "plain+text", "a raw + stays a +");
        assert_eq!(decode_segment("value", "%zz").unwrap(), "%zz");
        assert_eq!(decode_segment("value", "%FF").unwrap_err().field.as_deref(), Some("value"));
    }

    #[test]
    fn uri_lists_skip_comments_and_blank_lines() {
        let a = Uuid::from_u128(1);
        let text = format!("# members\nhttp://h/groups/{}\n\n  http://h/groups/{}  \n", a.simple(), a);
        assert_eq!(parse_uri_list::<Groups>(&text).unwrap(), vec![a, a]);
        assert!(parse_uri_list::<Groups>("http://h/users/x").is_err());
    }
}
