//! Extractors shared by every `http/` module.
//!
//! Their failures are rendered in the format of the API that owns the path (see
//! [`super::failure::by_path`]): a bad FlexDeploy body gets problem+json, a bad Axual body gets
//! Axual's error object.

use super::failure::{Failure, by_path};
use crate::context::RequestContext;
use crate::error::ErrorKind;
use crate::etag::IfMatch;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_TYPE, IF_MATCH};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use serde::de::DeserializeOwned;

impl FromRequest for RequestContext {
    type Error = actix_web::Error;
    type Future = Ready<Result<RequestContext, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.extensions().get::<RequestContext>().cloned().ok_or_else(|| {
            by_path(Failure::new(
                ErrorKind::Unauthenticated,
                "unauthenticated",
                "Full authentication is required to access this resource",
            ))
        }))
    }
}

/// A body that could not be read: 413 when it is too large, else 400.
pub(crate) fn read_failure(err: actix_web::Error) -> actix_web::Error {
    let overflow = err.as_error::<PayloadError>().is_some_and(|e| matches!(e, PayloadError::Overflow))
        || err.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE;
    if overflow {
        by_path(Failure::new(ErrorKind::TooLarge, "payload_too_large", "The request body is larger than allowed"))
    } else {
        by_path(Failure::new(
            ErrorKind::Invalid,
            "unreadable_body",
            format!("The request body could not be read: {err}"),
        ))
    }
}

/// Checks that a JSON body says it is JSON, in UTF-8: `application/json` (or
/// `application/hal+json`); on PATCH also `application/merge-patch+json`, which means the
/// same merge (Spring Data REST). Anything else, a missing type or another charset, is 415.
pub fn check_json_media(req: &HttpRequest) -> Result<(), Failure> {
    let header = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut parts = header.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let charset_ok = parts.all(|param| match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    });
    let patch = req.method() == actix_web::http::Method::PATCH;
    let accepted = matches!(media.as_str(), "application/json" | "application/hal+json")
        || (patch && media == "application/merge-patch+json");
    if accepted && charset_ok {
        return Ok(());
    }
    let message = if media.is_empty() {
        "A Content-Type is required; send application/json".to_owned()
    } else if !charset_ok {
        format!("Content-Type '{header}' is not supported; send UTF-8 JSON")
    } else {
        format!("Content-Type '{media}' is not supported; send application/json")
    };
    Err(Failure::new(ErrorKind::UnsupportedMediaType, "unsupported_media_type", message))
}

/// A JSON body whose deserialisation errors name the field at fault (`credentialInputs[0].inputValue`).
///
/// The media type must be JSON in UTF-8 ([`check_json_media`]); anything else is 415.
/// The size limit is the app-wide `PayloadConfig` (413 beyond it).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Json<T>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let media = check_json_media(req);
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            media.map_err(by_path)?;
            let bytes = bytes.await.map_err(read_failure)?;
            parse_json(&bytes).map(Json).map_err(by_path)
        })
    }
}

/// Deserialises JSON, reporting the path of the offending field. Control characters (other
/// than tab and newlines, which fields that allow several lines accept) are refused here, for
/// every field of every body.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Failure::new(ErrorKind::Invalid, "invalid_body", "A JSON request body is required"));
    }
    if let Some((offset, c)) = crate::text::escaped_control_in_json(bytes) {
        return Err(Failure::new(
            ErrorKind::Invalid,
            "invalid_body",
            format!("The request body contains a control character (U+{:04X}) at byte {offset}", u32::from(c)),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize::<_, T>(&mut deserializer);
    match parsed {
        Ok(value) => match deserializer.end() {
            Ok(()) => Ok(value),
            Err(err) => Err(Failure::new(ErrorKind::Invalid, "invalid_body", format!("Invalid request body: {err}"))),
        },
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let field = missing_field(&inner.to_string()).or_else(|| (path != ".").then(|| path.clone()));
            let message = match &field {
                Some(field) => format!("Invalid request body at '{field}': {inner}"),
                None => format!("Invalid request body: {inner}"),
            };
            let failure = Failure::new(ErrorKind::Invalid, "invalid_body", message);
            Err(match field {
                Some(field) => failure.with_field(field),
                None => failure,
            })
        }
    }
}

/// For PATCH bodies: `#[serde(default, deserialize_with = "nullable")] field: Option<Option<T>>`
/// tells an absent field (`None`: unchanged) from an explicit `null` (`Some(None)`: cleared).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// serde reports a missing field at its parent's path; the field name is in the message.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_owned)
}

/// Parses an `application/x-www-form-urlencoded` body; a control character in any name or
/// value is refused (OAuth's `invalid_request`).
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    let invalid = |message: String| Failure::new(ErrorKind::Invalid, "invalid_request", message);
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(bytes).map_err(|e| invalid(format!("Invalid form body: {e}")))?;
    if let Some((name, c)) = pairs.iter().find_map(|(name, value)| {
        crate::text::first_forbidden(name, false)
            .or_else(|| crate::text::first_forbidden(value, false))
            .map(|c| (name, c))
    }) {
        return Err(invalid(format!(
            "The form field '{}' contains a control character (U+{:04X})",
            name.escape_debug(),
            u32::from(c)
        )));
    }
    serde_urlencoded::from_bytes(bytes).map_err(|e| invalid(format!("Invalid form body: {e}")))
}

/// An `application/x-www-form-urlencoded` body (OAuth token endpoints).
#[derive(Debug)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Form<T>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(read_failure)?;
            parse_form(&bytes).map(Form).map_err(by_path)
        })
    }
}

/// The query string as ordered pairs (repeated keys such as `sort` are kept).
#[derive(Debug, Clone, Default)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, which must be present.
    pub fn require(&self, name: &str) -> Result<&str, Failure> {
        self.get(name).ok_or_else(|| {
            Failure::new(ErrorKind::Invalid, "missing_parameter", format!("Required parameter '{name}' is missing"))
                .with_field(name)
                .in_location("query")
        })
    }

    /// The same pairs with their names spelled as in `known`, matched ignoring case (for APIs
    /// whose parameter names are not case sensitive, such as FlexDeploy's). A name that is
    /// none of `known` is a 400 naming it.
    pub fn canonical(&self, known: &[&'static str]) -> Result<QueryPairs, Failure> {
        self.0
            .iter()
            .map(|(name, value)| {
                let canonical = known.iter().find(|k| k.eq_ignore_ascii_case(name)).ok_or_else(|| {
                    Failure::new(
                        ErrorKind::Invalid,
                        "unknown_parameter",
                        format!("Unknown query parameter '{}'; known are {}", name.escape_debug(), known.join(", ")),
                    )
                    .with_field(name.clone())
                    .in_location("query")
                })?;
                Ok(((*canonical).to_owned(), value.clone()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(QueryPairs)
    }

    /// The first value of `name` parsed as a number.
    pub fn number<N: std::str::FromStr>(&self, name: &str) -> Result<Option<N>, Failure> {
        self.get(name)
            .map(|value| {
                value.trim().parse::<N>().map_err(|_| {
                    Failure::new(
                        ErrorKind::Invalid,
                        "invalid_parameter",
                        format!("Parameter '{name}' must be a number, got '{value}'"),
                    )
                    .with_field(name)
                    .in_location("query")
                })
            })
            .transpose()
    }
}

impl FromRequest for QueryPairs {
    type Error = actix_web::Error;
    type Future = Ready<Result<QueryPairs, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string()).map(QueryPairs).map_err(|e| {
            by_path(Failure::new(ErrorKind::Invalid, "invalid_query", format!("The query string is malformed: {e}")))
        }))
    }
}

/// The `If-Match` precondition of the request.
#[derive(Debug, Clone, Default)]
pub struct IfMatchHeader(pub IfMatch);

impl FromRequest for IfMatchHeader {
    type Error = actix_web::Error;
    type Future = Ready<Result<IfMatchHeader, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req.headers().get(IF_MATCH).and_then(|v| v.to_str().ok());
        ready(Ok(IfMatchHeader(IfMatch::parse(value))))
    }
}

/// The precondition of a write from its `If-Match` header (every conditional write, DELETE
/// included, takes it: a stale tag is a 412).
impl FromRequest for crate::write::Precondition {
    type Error = actix_web::Error;
    type Future = Ready<Result<crate::write::Precondition, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req.headers().get(IF_MATCH).and_then(|v| v.to_str().ok());
        ready(Ok(crate::write::Precondition::if_match(IfMatch::parse(value))))
    }
}

/// The absolute base URL of this server as the client sees it, without a trailing slash (see
/// [`super::origin::base_url`]: the configured public URL, else the request's own host).
#[derive(Debug, Clone)]
pub struct BaseUrl(pub String);

impl BaseUrl {
    /// `base` followed by `path`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }
}

impl FromRequest for BaseUrl {
    type Error = actix_web::Error;
    type Future = Ready<Result<BaseUrl, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(BaseUrl(super::origin::base_url(req))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Input {
        #[expect(dead_code, reason = "only deserialised")]
        credential_store_input_def_id: i64,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        #[expect(dead_code, reason = "only deserialised")]
        credential_name: String,
        #[serde(default)]
        #[expect(dead_code, reason = "only deserialised")]
        credential_inputs: Vec<Input>,
    }

    #[test]
    fn json_errors_name_the_field() {
        let err = parse_json::<Body>(br#"{"credentialInputs": []}"#).err();
        assert_eq!(err.as_ref().and_then(|f| f.field.as_deref()), Some("credentialName"));
        let err = parse_json::<Body>(
            br#"{"credentialName": "x", "credentialInputs": [{"credentialStoreInputDefId": "abc"}]}"#,
        )
        .err();
        assert_eq!(
            err.as_ref().and_then(|f| f.field.as_deref()),
            Some("credentialInputs[0].credentialStoreInputDefId")
        );
        let err = parse_json::<Body>(b"{not json").err();
        assert_eq!(err.map(|f| f.kind), Some(ErrorKind::Invalid));
        assert!(parse_json::<Body>(b"").is_err());
        assert!(parse_json::<Body>(br#"{"credentialName": "x"} trailing"#).is_err());
    }

    #[test]
    fn query_pairs_parse_numbers_and_name_missing_parameters() {
        let pairs = QueryPairs(vec![("limit".into(), "x".into()), ("page".into(), "2".into())]);
        assert_eq!(pairs.number::<u32>("page").ok().flatten(), Some(2));
        assert_eq!(pairs.number::<u32>("limit").err().and_then(|f| f.field), Some("limit".into()));
        assert_eq!(pairs.require("name").err().and_then(|f| f.field), Some("name".into()));
    }
}
