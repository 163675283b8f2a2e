//! Resources of the registry: documents that flows refer to as `<type>:<resourceId>:<revision>`
//! (`OpenAPIv3:simple-rest-api:latest`). Each one is kept as numbered revisions; a write of a
//! new document adds one, a write of the same document changes nothing. Content is checked
//! against its type before it is stored (see [`crate::resource_content`]).

use crate::error::FlowsError;
use crate::model::{MAX_TEXT, check_id, check_text};
use portico_core::Timestamp;

/// Largest document, in bytes of UTF-8 text.
pub const MAX_CONTENT: usize = 1024 * 1024;
/// Longest `textQuery`.
pub const MAX_QUERY: usize = 200;
/// Largest page of `GET /resources` (`limit`).
pub const MAX_PAGE: i64 = 1000;

/// The kinds of resources and the checks their content passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    /// An Apache Arrow schema in its JSON form (`fields` of primitive types).
    ArrowSchema,
    /// An Apache Avro schema (JSON), parsed by `apache-avro`.
    AvroSchema,
    /// A JSON Schema (draft 2019-09) without references to other documents.
    JsonSchema201909,
    /// An OpenAPI 3.0 or 3.1 document, JSON or YAML.
    OpenApiV3,
    /// A WSDL 1.1 document (XML, root `definitions`).
    WsdlV1,
    /// An XML Schema document that neither imports nor includes others.
    Xsd,
}

impl ResourceType {
    /// Every type, in wire-spelling order.
    pub const ALL: [ResourceType; 6] = [
        ResourceType::ArrowSchema,
        ResourceType::AvroSchema,
        ResourceType::JsonSchema201909,
        ResourceType::OpenApiV3,
        ResourceType::WsdlV1,
        ResourceType::Xsd,
    ];

    /// The wire spelling (the path segment, the reference's first part, the stored value).
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::ArrowSchema => "ArrowSchema",
            ResourceType::AvroSchema => "AvroSchema",
            ResourceType::JsonSchema201909 => "JsonSchema2019-09",
            ResourceType::OpenApiV3 => "OpenAPIv3",
            ResourceType::WsdlV1 => "WSDLv1",
            ResourceType::Xsd => "XSD",
        }
    }

    /// From the wire spelling (exact).
    pub fn parse(value: &str) -> Option<ResourceType> {
        ResourceType::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// The known spellings, for error messages.
    pub fn known() -> String {
        ResourceType::ALL.iter().map(|kind| kind.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// Whether the content may be JSON (so a request may send it as a JSON value, not only as
    /// text): every type but the XML ones.
    pub fn takes_json(self) -> bool {
        !matches!(self, ResourceType::WsdlV1 | ResourceType::Xsd)
    }

    /// Parses `field`'s value, naming the known types when it is none of them.
    pub fn parse_field(field: &str, value: &str) -> Result<ResourceType, FlowsError> {
        ResourceType::parse(value).ok_or_else(|| {
            FlowsError::invalid(
                field,
                format!(
                    "'{}' is not a resource type; one of {}",
                    value.chars().take(60).flat_map(char::escape_debug).collect::<String>(),
                    ResourceType::known()
                ),
            )
        })
    }
}

/// A resource with its latest revision's metadata (no content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSummary {
    /// Its type.
    pub kind: ResourceType,
    /// Its id (unique per owner and type).
    pub resource_id: String,
    /// The latest revision's number.
    pub latest_revision: i64,
    /// The latest document's title (OpenAPI `info.title`, a schema's `title` or name, a WSDL's
    /// `name`, an XSD's `targetNamespace`).
    pub title: Option<String>,
    /// The latest revision's description.
    pub description: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: String,
    /// When its latest revision was written.
    pub updated_at: Timestamp,
    /// Who wrote it.
    pub updated_by: String,
    /// Optimistic-concurrency version (`ETag`): one more per revision.
    pub version: i64,
}

/// One revision of a resource, with its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRevision {
    /// The resource's type.
    pub kind: ResourceType,
    /// The resource's id.
    pub resource_id: String,
    /// Its number (1 for the first).
    pub revision: i64,
    /// The document, as sent.
    pub content: String,
    /// The SHA-256 of the document's UTF-8 bytes, hex.
    pub sha256: String,
    /// The document's title.
    pub title: Option<String>,
    /// What the revision is about.
    pub description: Option<String>,
    /// When it was written.
    pub created_at: Timestamp,
    /// Who wrote it.
    pub created_by: String,
    /// The resource's version when this was read (`ETag`).
    pub resource_version: i64,
}

impl ResourceRevision {
    /// `<type>:<resourceId>:<revision>`, as flows refer to it.
    pub fn reference(&self) -> String {
        format!("{}:{}:{}", self.kind.as_str(), self.resource_id, self.revision)
    }
}

/// A revision without its document (a resource's list of revisions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionSummary {
    /// Its number.
    pub revision: i64,
    /// The SHA-256 of its document.
    pub sha256: String,
    /// The document's title.
    pub title: Option<String>,
    /// What the revision is about.
    pub description: Option<String>,
    /// When it was written.
    pub created_at: Timestamp,
    /// Who wrote it.
    pub created_by: String,
}

/// What a `POST /resources/{type}/{resourceId}` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceWrite {
    /// The document, as text.
    pub content: String,
    /// What the revision is about.
    pub description: Option<String>,
}

/// The filters of `GET /resources`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceQuery {
    /// Only resources whose id, title or description contain this (ignoring case).
    pub text: Option<String>,
    /// Only resources of these types (none: every type).
    pub types: Vec<ResourceType>,
    /// How many of the matches to skip (beyond the document; 0 when negative).
    pub offset: i64,
    /// At most this many (beyond the document; 1 to [`MAX_PAGE`]); `None`: all of them.
    pub limit: Option<i64>,
}

impl ResourceQuery {
    /// From the query parameters: `textQuery`, and `resourceTypes` given as repeated
    /// parameters and/or comma-separated.
    pub fn parse<'a>(
        text: Option<&str>,
        types: impl IntoIterator<Item = &'a str>,
    ) -> Result<ResourceQuery, FlowsError> {
        let text = text.map(str::trim).filter(|text| !text.is_empty());
        if let Some(text) = text {
            if text.chars().any(char::is_control) {
                return Err(FlowsError::invalid("textQuery", "'textQuery' must not contain control characters"));
            }
            if text.chars().count() > MAX_QUERY {
                return Err(FlowsError::invalid(
                    "textQuery",
                    format!("'textQuery' must be at most {MAX_QUERY} characters"),
                ));
            }
        }
        let mut kinds = Vec::new();
        for name in types.into_iter().flat_map(|value| value.split(',')).map(str::trim).filter(|name| !name.is_empty())
        {
            let kind = ResourceType::parse_field("resourceTypes", name)?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        kinds.sort();
        Ok(ResourceQuery { text: text.map(str::to_owned), types: kinds, offset: 0, limit: None })
    }

    /// The same query, one window of it (`limit` cut to 1 to [`MAX_PAGE`]).
    pub fn page(mut self, window: portico_core::page::Window) -> ResourceQuery {
        self.offset = window.offset.max(0);
        self.limit = window.limit.map(|limit| limit.clamp(1, MAX_PAGE));
        self
    }
}

/// Checks a resource id (the rule of flow ids).
pub fn check_resource_id(id: &str) -> Result<(), FlowsError> {
    check_id("resourceId", id)
}

/// Checks a write's description and the size of its document (the document's own checks are
/// [`crate::resource_content::check`]).
pub fn check_write(write: &ResourceWrite) -> Result<(), FlowsError> {
    if let Some(description) = &write.description {
        check_text("description", description, MAX_TEXT)?;
    }
    if write.content.trim().is_empty() {
        return Err(FlowsError::invalid("content", "'content' is required and must not be empty"));
    }
    if write.content.len() > MAX_CONTENT {
        return Err(FlowsError::invalid("content", format!("a resource's content is at most {MAX_CONTENT} bytes")));
    }
    if let Some(c) = write.content.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(FlowsError::invalid(
            "content",
            format!("'content' must not contain control characters (found U+{:04X})", u32::from(c)),
        ));
    }
    Ok(())
}

/// The text the `textQuery` index holds for a resource: its id, title and description, one per
/// line and lower-cased (a query holds no line break, so no match spans two of them).
pub fn search_text(resource_id: &str, title: Option<&str>, description: Option<&str>) -> String {
    [Some(resource_id), title, description].into_iter().flatten().collect::<Vec<_>>().join("\n").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_have_their_documented_spellings() {
        for kind in ResourceType::ALL {
            assert_eq!(ResourceType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ResourceType::parse("JsonSchema2019-09"), Some(ResourceType::JsonSchema201909));
        assert_eq!(ResourceType::parse("openapiv3"), None);
    }

    #[test]
    fn a_query_takes_repeated_and_comma_separated_types() {
        let query = ResourceQuery::parse(Some("  pay "), ["WSDLv1,OpenAPIv3", "WSDLv1", ""]).unwrap();
        assert_eq!(query.text.as_deref(), Some("pay"));
        assert_eq!(query.types, [ResourceType::OpenApiV3, ResourceType::WsdlV1]);
        let err = ResourceQuery::parse(None, ["SOAP"]).unwrap_err();
        assert!(matches!(err, FlowsError::Invalid { field, .. } if field == "resourceTypes"));
        assert!(ResourceQuery::parse(Some("a\u{7}"), []).is_err());
        assert_eq!(ResourceQuery::parse(Some("  "), []).unwrap(), ResourceQuery::default());
    }

    #[test]
    fn the_search_text_keeps_fields_on_their_own_lines() {
        assert_eq!(search_text("Pay-API", Some("Payments"), None), "pay-api\npayments");
    }
}
