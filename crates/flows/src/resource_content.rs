//! The checks a resource's document passes before it is stored, one per [`ResourceType`]. A
//! failure is a 400 on the `content` field whose message says what is wrong and where.
//!
//! - `OpenAPIv3`: JSON or YAML; `openapi` 3.0.x or 3.1.x, `info.title` and `info.version`,
//!   `paths` (3.0; 3.1 needs one of `paths`, `components`, `webhooks`) whose keys start with `/`,
//!   operations that are objects (with `responses` in 3.0) and unique `operationId`s.
//! - `WSDLv1`: well-formed XML without a DTD, root `definitions` in the WSDL 1.1 namespace
//!   (2.0's `description` is refused by name), no `import`s, each `message` with exactly one
//!   `part` (document style), operation names unique within each `portType`.
//! - `XSD`: well-formed XML without a DTD, root `schema` in the XML Schema namespace, no
//!   `import`, `include`, `redefine` or `override`.
//! - `JsonSchema2019-09`: a valid draft 2019-09 schema (`$schema`, when given, names that draft)
//!   that compiles without fetching anything: a `$ref` to another document is refused.
//! - `AvroSchema`: parsed by `apache-avro` behind core's checks and limits (`portico_core::avro`).
//! - `ArrowSchema`: Arrow's JSON schema form with primitive fields.

use crate::error::FlowsError;
use crate::resources::ResourceType;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// A document that passed its type's checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedContent {
    /// Its title, when the document names itself.
    pub title: Option<String>,
}

const WSDL_NS: &[u8] = b"http://schemas.xmlsoap.org/wsdl/";
const WSDL2_NS: &[u8] = b"http://www.w3.org/ns/wsdl";
const XSD_NS: &[u8] = b"http://www.w3.org/2001/XMLSchema";
const DRAFT_201909: &str = "https://json-schema.org/draft/2019-09/schema";
/// Longest title kept.
const MAX_TITLE: usize = 200;
/// Longest parser message shown.
const MAX_REASON: usize = 300;

fn bad(message: impl Into<String>) -> FlowsError {
    FlowsError::invalid("content", message)
}

fn reason(error: impl std::fmt::Display) -> String {
    let text = error.to_string();
    let mut short: String = text.chars().take(MAX_REASON).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

fn title(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    (!value.is_empty()).then(|| value.chars().filter(|c| !c.is_control()).take(MAX_TITLE).collect())
}

/// Checks `content` as a document of type `kind`.
pub fn check(kind: ResourceType, content: &str) -> Result<CheckedContent, FlowsError> {
    match kind {
        ResourceType::OpenApiV3 => check_openapi(content),
        ResourceType::WsdlV1 => check_wsdl(content),
        ResourceType::Xsd => check_xsd(content),
        ResourceType::JsonSchema201909 => check_json_schema(content),
        ResourceType::AvroSchema => check_avro(content),
        ResourceType::ArrowSchema => check_arrow(content),
    }
}

fn json(kind: ResourceType, content: &str) -> Result<Value, FlowsError> {
    serde_json::from_str(content).map_err(|err| bad(format!("a {} resource is JSON: {}", kind.as_str(), reason(err))))
}

// ---- OpenAPI ----

const OPERATIONS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn check_openapi(content: &str) -> Result<CheckedContent, FlowsError> {
    let document: Value = if content.trim_start().starts_with('{') {
        json(ResourceType::OpenApiV3, content)?
    } else {
        serde_norway::from_str(content)
            .map_err(|err| bad(format!("an OpenAPIv3 resource is JSON or YAML: {}", reason(err))))?
    };
    let root = document.as_object().ok_or_else(|| bad("an OpenAPI document is an object"))?;
    if root.contains_key("swagger") {
        return Err(bad("this is a Swagger 2.0 document; an OpenAPIv3 resource is OpenAPI 3.0 or 3.1"));
    }
    let version =
        root.get("openapi").and_then(Value::as_str).ok_or_else(|| bad("'openapi' (3.0.x or 3.1.x) is required"))?;
    let minor = match version.split('.').collect::<Vec<_>>().as_slice() {
        ["3", minor @ ("0" | "1"), patch, ..] if patch.chars().next().is_some_and(|c| c.is_ascii_digit()) => *minor,
        _ => return Err(bad(format!("'openapi' is '{}'; an OpenAPIv3 resource is 3.0.x or 3.1.x", reason(version)))),
    };
    let info = root.get("info").and_then(Value::as_object).ok_or_else(|| bad("'info' is required and is an object"))?;
    let doc_title = info.get("title").and_then(Value::as_str).ok_or_else(|| bad("'info.title' is required"))?;
    if !info.get("version").is_some_and(Value::is_string) {
        return Err(bad("'info.version' is required and is a string"));
    }
    for key in ["components", "webhooks"] {
        if root.get(key).is_some_and(|value| !value.is_object()) {
            return Err(bad(format!("'{key}' is an object")));
        }
    }
    match root.get("paths") {
        Some(Value::Object(paths)) => check_paths(paths, minor == "0")?,
        Some(_) => return Err(bad("'paths' is an object")),
        None if minor == "0" => return Err(bad("'paths' is required in OpenAPI 3.0")),
        None if !root.contains_key("components") && !root.contains_key("webhooks") => {
            return Err(bad("OpenAPI 3.1 needs one of 'paths', 'components' and 'webhooks'"));
        }
        None => {}
    }
    Ok(CheckedContent { title: title(Some(doc_title)) })
}

fn check_paths(paths: &Map<String, Value>, responses_required: bool) -> Result<(), FlowsError> {
    let mut operation_ids = HashSet::new();
    for (path, item) in paths {
        if path.starts_with("x-") {
            continue;
        }
        if !path.starts_with('/') {
            return Err(bad(format!("path '{}' must start with '/'", reason(path))));
        }
        let item = item.as_object().ok_or_else(|| bad(format!("'paths.{}' is an object", reason(path))))?;
        for method in OPERATIONS {
            let Some(operation) = item.get(method) else { continue };
            let at = format!("paths.{}.{method}", reason(path));
            let operation = operation.as_object().ok_or_else(|| bad(format!("'{at}' is an object")))?;
            match operation.get("responses") {
                Some(Value::Object(_)) => {}
                Some(_) => return Err(bad(format!("'{at}.responses' is an object"))),
                None if responses_required => return Err(bad(format!("'{at}.responses' is required in OpenAPI 3.0"))),
                None => {}
            }
            if let Some(id) = operation.get("operationId") {
                let id = id.as_str().ok_or_else(|| bad(format!("'{at}.operationId' is a string")))?;
                if !operation_ids.insert(id.to_owned()) {
                    return Err(bad(format!("operationId '{}' is used twice (again at '{at}')", reason(id))));
                }
            }
        }
    }
    Ok(())
}

// ---- XML: WSDL 1.1 and XSD ----

/// One element as the XML walk sees it: its namespace, local name and depth (root = 0).
struct Element<'a> {
    namespace: Option<&'a [u8]>,
    local: &'a [u8],
    depth: usize,
    start: &'a BytesStart<'a>,
}

impl Element<'_> {
    fn is(&self, namespace: &[u8], local: &str) -> bool {
        self.namespace == Some(namespace) && self.local == local.as_bytes()
    }

    fn attribute(&self, name: &str) -> Option<String> {
        self.start.attributes().flatten().find_map(|attribute| {
            (attribute.key.local_name().as_ref() == name.as_bytes() && attribute.key.prefix().is_none())
                .then(|| attribute.normalized_value(XmlVersion::Implicit1_0).ok().map(|value| value.into_owned()))
                .flatten()
        })
    }
}

/// Whether `c` may appear in an XML 1.0 document (production `Char`).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The first character of `text` that XML 1.0 does not allow.
fn illegal_char(text: &str) -> Option<char> {
    text.chars().find(|c| !xml_char(*c))
}

/// The well-formedness rules a streaming parser leaves to its caller (XML 1.0, §2–§4): an
/// element's attributes are unique and their values hold only declared entities and legal
/// characters; a reference is one of the five predefined entities (there is no DTD to declare
/// others) or a character reference to a legal character; text holds legal characters; the
/// declaration, when present, says version 1.0 and an encoding the text is in (UTF-8).
fn well_formed(event: &Event<'_>) -> Result<(), String> {
    let legal = |text: &str, what: &str| match illegal_char(text) {
        Some(c) => Err(format!("{what} holds U+{:04X}, which XML 1.0 does not allow", u32::from(c))),
        None => Ok(()),
    };
    match event {
        Event::Start(start) | Event::Empty(start) => {
            for attribute in start.attributes() {
                let attribute = attribute.map_err(reason)?;
                let value = attribute.normalized_value(XmlVersion::Implicit1_0).map_err(reason)?;
                legal(&value, &format!("the attribute '{}'", String::from_utf8_lossy(attribute.key.as_ref())))?;
            }
            Ok(())
        }
        Event::GeneralRef(reference) => {
            let name = reference.decode().map_err(reason)?;
            if reference.is_char_ref() {
                let c = reference.resolve_char_ref().map_err(|_| format!("'&{name};' is not a character"))?;
                return match c {
                    Some(c) if xml_char(c) => Ok(()),
                    _ => Err(format!("'&{name};' refers to a character XML 1.0 does not allow")),
                };
            }
            match name.as_ref() {
                "lt" | "gt" | "amp" | "apos" | "quot" => Ok(()),
                other => Err(format!("the entity '&{}' is not declared", reason(other))),
            }
        }
        Event::Text(text) => legal(&text.decode().map_err(reason)?, "the text"),
        Event::CData(data) => legal(&data.decode().map_err(reason)?, "a CDATA section"),
        Event::Comment(comment) => legal(&comment.decode().map_err(reason)?, "a comment"),
        Event::Decl(decl) => {
            if decl.version().map_err(reason)?.as_ref() != b"1.0" {
                return Err("the XML declaration must say version=\"1.0\"".into());
            }
            match decl.encoding() {
                None => Ok(()),
                Some(Ok(encoding)) if encoding.eq_ignore_ascii_case(b"utf-8") => Ok(()),
                Some(Ok(encoding)) => Err(format!(
                    "the declaration says encoding '{}', but the document is UTF-8 text",
                    reason(String::from_utf8_lossy(&encoding))
                )),
                Some(Err(err)) => Err(reason(err)),
            }
        }
        _ => Ok(()),
    }
}

/// Walks a well-formed XML document with one root and no DTD, calling `visit` for every
/// element start (`End(depth)` for its end).
fn walk_xml(
    kind: ResourceType,
    content: &str,
    mut visit: impl FnMut(XmlStep<'_>) -> Result<(), FlowsError>,
) -> Result<(), FlowsError> {
    let not_xml = |err: String| bad(format!("a {} resource is well-formed XML: {err}", kind.as_str()));
    let mut reader = quick_xml::NsReader::from_str(content);
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        let (namespace, event) = reader.read_resolved_event().map_err(|err| not_xml(reason(err)))?;
        well_formed(&event).map_err(not_xml)?;
        let namespace = match &namespace {
            ResolveResult::Bound(ns) => Some(ns.as_ref()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => {
                return Err(not_xml(format!("the prefix '{}' is not declared", String::from_utf8_lossy(prefix))));
            }
        };
        match &event {
            Event::Start(start) | Event::Empty(start) => {
                if depth == 0 {
                    roots += 1;
                    if roots > 1 {
                        return Err(not_xml("it has more than one root element".into()));
                    }
                }
                let local = start.local_name();
                visit(XmlStep::Start(Element { namespace, local: local.as_ref(), depth, start }))?;
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                } else {
                    visit(XmlStep::End(depth))?;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                visit(XmlStep::End(depth))?;
            }
            Event::DocType(_) => {
                return Err(bad(format!("a {} resource must not have a DOCTYPE declaration", kind.as_str())));
            }
            Event::Text(text) if depth == 0 && !text.iter().all(u8::is_ascii_whitespace) => {
                return Err(not_xml("text outside the root element".into()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth > 0 {
        return Err(not_xml("an element is not closed".into()));
    }
    if roots == 0 {
        return Err(not_xml("there is no root element".into()));
    }
    Ok(())
}

enum XmlStep<'a> {
    Start(Element<'a>),
    End(usize),
}

fn check_wsdl(content: &str) -> Result<CheckedContent, FlowsError> {
    let mut doc_title = None;
    // The open `message` (its depth and name, parts seen) and `portType` (depth, operation names).
    let mut message: Option<(usize, String, usize)> = None;
    let mut port_type: Option<(usize, HashSet<String>)> = None;
    walk_xml(ResourceType::WsdlV1, content, |step| {
        match step {
            XmlStep::Start(element) if element.depth == 0 => {
                if element.is(WSDL2_NS, "description") {
                    return Err(bad("this is a WSDL 2.0 document; a WSDLv1 resource is WSDL 1.1"));
                }
                if !element.is(WSDL_NS, "definitions") {
                    return Err(bad(format!(
                        "a WSDLv1 resource's root element is 'definitions' in namespace {}",
                        String::from_utf8_lossy(WSDL_NS)
                    )));
                }
                doc_title =
                    title(element.attribute("name").or_else(|| element.attribute("targetNamespace")).as_deref());
            }
            XmlStep::Start(element) if element.namespace == Some(WSDL_NS) => match element.local {
                b"import" => return Err(bad("a WSDLv1 resource must not import other documents")),
                b"message" => {
                    message = Some((element.depth, element.attribute("name").unwrap_or_default(), 0));
                }
                b"part" => {
                    if let Some((depth, _, parts)) = &mut message
                        && element.depth == *depth + 1
                    {
                        *parts += 1;
                    }
                }
                b"portType" => port_type = Some((element.depth, HashSet::new())),
                b"operation" => {
                    if let Some((depth, names)) = &mut port_type
                        && element.depth == *depth + 1
                    {
                        let name = element.attribute("name").unwrap_or_default();
                        if !names.insert(name.clone()) {
                            return Err(bad(format!("operation '{}' is defined twice in one portType", reason(name))));
                        }
                    }
                }
                _ => {}
            },
            XmlStep::Start(element) if element.namespace == Some(XSD_NS) => {
                if matches!(element.local, b"import" | b"include" | b"redefine" | b"override")
                    && element.attribute("schemaLocation").is_some()
                {
                    return Err(bad("a WSDLv1 resource's schemas must not import or include other documents"));
                }
            }
            XmlStep::Start(_) => {}
            XmlStep::End(depth) => {
                if let Some((open, name, parts)) = &message
                    && *open == depth
                {
                    if *parts != 1 {
                        return Err(bad(format!(
                            "message '{}' has {parts} parts; document-style messages have exactly one",
                            reason(name)
                        )));
                    }
                    message = None;
                }
                if port_type.as_ref().is_some_and(|(open, _)| *open == depth) {
                    port_type = None;
                }
            }
        }
        Ok(())
    })?;
    Ok(CheckedContent { title: doc_title })
}

fn check_xsd(content: &str) -> Result<CheckedContent, FlowsError> {
    let mut doc_title = None;
    walk_xml(ResourceType::Xsd, content, |step| {
        if let XmlStep::Start(element) = step {
            if element.depth == 0 {
                if !element.is(XSD_NS, "schema") {
                    return Err(bad(format!(
                        "an XSD resource's root element is 'schema' in namespace {}",
                        String::from_utf8_lossy(XSD_NS)
                    )));
                }
                doc_title = title(element.attribute("targetNamespace").as_deref());
            } else if element.namespace == Some(XSD_NS)
                && matches!(element.local, b"import" | b"include" | b"redefine" | b"override")
            {
                return Err(bad(format!(
                    "an XSD resource must not {} other schemas",
                    String::from_utf8_lossy(element.local)
                )));
            }
        }
        Ok(())
    })?;
    Ok(CheckedContent { title: doc_title })
}

// ---- JSON Schema, Avro, Arrow ----

fn check_json_schema(content: &str) -> Result<CheckedContent, FlowsError> {
    let schema = json(ResourceType::JsonSchema201909, content)?;
    if !schema.is_object() && !schema.is_boolean() {
        return Err(bad("a JSON Schema is an object (or a boolean)"));
    }
    if let Some(declared) = schema.get("$schema") {
        let declared = declared.as_str().unwrap_or_default().trim_end_matches('#');
        if declared != DRAFT_201909 {
            return Err(bad(format!(
                "'$schema' is '{}'; a JsonSchema2019-09 resource is draft 2019-09",
                reason(declared)
            )));
        }
    }
    jsonschema::draft201909::meta::validate(&schema).map_err(|err| {
        bad(format!("not a valid draft 2019-09 schema at '{}': {}", err.instance_path(), reason(err.masked())))
    })?;
    // Compiling resolves every `$ref`; without the crate's fetching features a reference to
    // another document cannot resolve and is refused here.
    jsonschema::draft201909::new(&schema).map_err(|err| {
        bad(format!(
            "the schema does not compile (references to other documents are not allowed): {}",
            reason(err.masked())
        ))
    })?;
    let doc_title = schema.get("title").or_else(|| schema.get("$id")).and_then(Value::as_str);
    Ok(CheckedContent { title: title(doc_title) })
}

/// The catalog's schema registry takes Avro through the same parser (`portico_core::avro`),
/// with the same limits.
fn check_avro(content: &str) -> Result<CheckedContent, FlowsError> {
    let parsed =
        portico_core::avro::parse(content).map_err(|err| bad(format!("not a valid Avro schema: {}", reason(err))))?;
    let name = parsed.schema.name().map(|name| name.fullname(None));
    Ok(CheckedContent { title: title(name.as_deref()) })
}

const ARROW_UNITS: &[(&str, &[&str])] = &[
    ("date", &["DAY", "MILLISECOND"]),
    ("time", &["SECOND", "MILLISECOND", "MICROSECOND", "NANOSECOND"]),
    ("timestamp", &["SECOND", "MILLISECOND", "MICROSECOND", "NANOSECOND"]),
    ("duration", &["SECOND", "MILLISECOND", "MICROSECOND", "NANOSECOND"]),
    ("interval", &["YEAR_MONTH", "DAY_TIME", "MONTH_DAY_NANO"]),
];
const ARROW_PLAIN: &[&str] = &["null", "utf8", "largeutf8", "binary", "largebinary", "bool"];

fn check_arrow(content: &str) -> Result<CheckedContent, FlowsError> {
    let schema = json(ResourceType::ArrowSchema, content)?;
    let fields = schema
        .get("fields")
        .and_then(Value::as_array)
        .filter(|fields| !fields.is_empty())
        .ok_or_else(|| bad("an Arrow schema has 'fields': a non-empty array"))?;
    let mut names = HashSet::new();
    for (i, field) in fields.iter().enumerate() {
        let at = format!("fields[{i}]");
        let name = field.get("name").and_then(Value::as_str).filter(|name| !name.is_empty());
        let name = name.ok_or_else(|| bad(format!("'{at}.name' is required and is a non-empty string")))?;
        if !names.insert(name) {
            return Err(bad(format!("field name '{}' is used twice", reason(name))));
        }
        if !field.get("nullable").is_some_and(Value::is_boolean) {
            return Err(bad(format!("'{at}.nullable' is required and is a boolean")));
        }
        let kind =
            field.get("type").and_then(Value::as_object).ok_or_else(|| bad(format!("'{at}.type' is an object")))?;
        check_arrow_type(kind, &format!("{at}.type"))?;
    }
    if let Some(metadata) = schema.get("metadata") {
        let entries = metadata.as_array().ok_or_else(|| bad("'metadata' is an array"))?;
        for (i, entry) in entries.iter().enumerate() {
            if !(entry.get("key").is_some_and(Value::is_string) && entry.get("value").is_some_and(Value::is_string)) {
                return Err(bad(format!("'metadata[{i}]' has a string 'key' and a string 'value'")));
            }
        }
    }
    Ok(CheckedContent { title: None })
}

fn check_arrow_type(kind: &Map<String, Value>, at: &str) -> Result<(), FlowsError> {
    let name = kind.get("name").and_then(Value::as_str).ok_or_else(|| bad(format!("'{at}.name' is required")))?;
    let number = |key: &str| kind.get(key).and_then(Value::as_i64);
    let bit_width = |allowed: &[i64]| match number("bitWidth") {
        Some(width) if allowed.contains(&width) => Ok(()),
        _ => Err(bad(format!("'{at}.bitWidth' is one of {allowed:?}"))),
    };
    match name {
        _ if ARROW_PLAIN.contains(&name) => Ok(()),
        "int" => {
            bit_width(&[8, 16, 32, 64, 128])?;
            if kind.get("isSigned").is_some_and(Value::is_boolean) {
                Ok(())
            } else {
                Err(bad(format!("'{at}.isSigned' is required and is a boolean")))
            }
        }
        "floatingpoint" => match kind.get("precision").and_then(Value::as_str) {
            Some("HALF" | "SINGLE" | "DOUBLE") => Ok(()),
            _ => Err(bad(format!("'{at}.precision' is HALF, SINGLE or DOUBLE"))),
        },
        "fixedsizebinary" => match number("byteWidth") {
            Some(width) if width >= 1 => Ok(()),
            _ => Err(bad(format!("'{at}.byteWidth' is an integer of at least 1"))),
        },
        "decimal" => {
            let precision = number("precision").filter(|p| *p >= 1);
            let scale = number("scale").filter(|s| *s >= 0 && precision.is_some_and(|p| s <= &p));
            if precision.is_none() || scale.is_none() {
                return Err(bad(format!(
                    "'{at}' needs an integer 'precision' of at least 1 and a 'scale' from 0 to it"
                )));
            }
            if kind.contains_key("bitWidth") { bit_width(&[128, 256]) } else { Ok(()) }
        }
        _ => {
            let units =
                ARROW_UNITS.iter().find(|(unit_type, _)| *unit_type == name).map(|(_, units)| *units).ok_or_else(
                    || bad(format!("'{at}.name' '{}' is not a supported Arrow primitive type", reason(name))),
                )?;
            match kind.get("unit").and_then(Value::as_str) {
                Some(unit) if units.contains(&unit) => {}
                _ => return Err(bad(format!("'{at}.unit' is one of {}", units.join(", ")))),
            }
            if name == "time" {
                bit_width(&[32, 64])?;
            }
            if name == "timestamp" && kind.get("timezone").is_some_and(|zone| !zone.is_string() && !zone.is_null()) {
                return Err(bad(format!("'{at}.timezone' is a string")));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
#[path = "resource_content_tests.rs"]
mod tests;
