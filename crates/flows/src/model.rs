//! Domain types of the flow registry: flow definitions (validated JSON, see `docs/flows.md`),
//! flows with their revisions, and the history of who disabled or enabled a flow.

use crate::error::FlowsError;
use portico_core::Timestamp;
use serde_json::{Map, Value};

/// Longest flow id, step id or version label.
pub const MAX_ID: usize = 100;
/// Longest description, disable reason or principal id.
pub const MAX_TEXT: usize = 4096;
/// Most steps in one flow.
pub const MAX_STEPS: usize = 200;
/// Largest definition, as JSON text.
pub const MAX_DEFINITION: usize = 256 * 1024;

/// What starts a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceType {
    /// An HTTP endpoint (`path`, `methods`).
    Rest,
    /// A timer (`cron` or `intervalSeconds`).
    Scheduled,
    /// Messages from a topic or queue (`topic`).
    Messaging,
    /// Files appearing in a directory (`directory`, `pattern`).
    File,
}

impl SourceType {
    /// Every source type, in documentation order.
    pub const ALL: [SourceType; 4] = [SourceType::Rest, SourceType::Scheduled, SourceType::Messaging, SourceType::File];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceType::Rest => "rest",
            SourceType::Scheduled => "scheduled",
            SourceType::Messaging => "messaging",
            SourceType::File => "file",
        }
    }

    /// From the wire spelling.
    pub fn parse(value: &str) -> Option<SourceType> {
        SourceType::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// Whether a flow with this source can be disabled: sources that receive work from
    /// outside (requests, messages) can refuse it while disabled; a timer or a directory
    /// watch is stopped by deleting or updating the flow instead.
    pub fn can_disable(self) -> bool {
        matches!(self, SourceType::Rest | SourceType::Messaging)
    }
}

/// A validated flow definition: the JSON as sent (normalised), with the fields Portico reads.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowDefinition {
    /// The flow id.
    pub id: String,
    /// The author's version label (`1.2.0`).
    pub version: String,
    /// The source's type.
    pub source: SourceType,
    /// The whole definition.
    pub json: Value,
}

/// A flow: its current definition, revision and state.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// The flow id.
    pub id: String,
    /// The current definition.
    pub definition: FlowDefinition,
    /// 1 for the first definition, one more for every update.
    pub revision: i64,
    /// Whether it runs.
    pub enabled: bool,
    /// The latest disable or enable, if any.
    pub last_change: Option<StatusChange>,
    /// When it was created and by whom.
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: String,
    /// When it was last changed.
    pub updated_at: Timestamp,
    /// Who changed it last.
    pub updated_by: String,
    /// Optimistic-concurrency version (`ETag`).
    pub version: i64,
}

/// One earlier (or the current) definition of a flow.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRevision {
    /// Its number.
    pub revision: i64,
    /// The definition.
    pub definition: FlowDefinition,
    /// When it was saved.
    pub created_at: Timestamp,
    /// Who saved it.
    pub created_by: String,
}

/// Disabled or enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusAction {
    /// The flow stopped taking work.
    Disabled,
    /// The flow takes work again.
    Enabled,
}

impl StatusAction {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusAction::Disabled => "DISABLED",
            StatusAction::Enabled => "ENABLED",
        }
    }

    /// From the stored spelling.
    pub fn parse(value: &str) -> StatusAction {
        if value == "DISABLED" { StatusAction::Disabled } else { StatusAction::Enabled }
    }
}

/// One disable or enable of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// What happened.
    pub action: StatusAction,
    /// The principal the request names (`principalId`), e.g. the operator on call.
    pub principal_id: String,
    /// Why (required to disable).
    pub reason: Option<String>,
    /// When.
    pub at: Timestamp,
    /// The authenticated caller who made the request.
    pub by: String,
}

/// What a disable or enable request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRequest {
    /// `principalId`.
    pub principal_id: String,
    /// `reason` (disable only).
    pub reason: Option<String>,
}

/// Flow ids that are fixed paths under `/flows` (`GET /flows/flowIds`).
pub const RESERVED_FLOW_IDS: &[&str] = &["flowIds"];

/// Checks a text field: no control characters (tab and newlines aside), at most `max`.
pub fn check_text(field: &str, value: &str, max: usize) -> Result<(), FlowsError> {
    portico_core::text::check_field(field, value, max, true)
}

/// Checks an id: 1 to 100 of letters, digits, `-`, `_` and `.`, starting with a letter or digit.
pub fn check_id(field: &str, value: &str) -> Result<(), FlowsError> {
    let valid = !value.is_empty()
        && value.len() <= MAX_ID
        && value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(FlowsError::invalid(
            field,
            format!(
                "'{field}' must be 1 to {MAX_ID} letters, digits, '-', '_' or '.', starting with a letter or digit"
            ),
        ))
    }
}

fn text_at<'a>(object: &'a Map<String, Value>, field: &str, path: &str) -> Result<Option<&'a str>, FlowsError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            check_text(path, text, MAX_TEXT)?;
            Ok(Some(text))
        }
        Some(_) => Err(FlowsError::invalid(path, format!("'{path}' must be a string"))),
    }
}

fn required_text<'a>(object: &'a Map<String, Value>, field: &str, path: &str) -> Result<&'a str, FlowsError> {
    text_at(object, field, path)?
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| FlowsError::invalid(path, format!("'{path}' is required")))
}

const HTTP_METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

fn check_source(source: &Map<String, Value>) -> Result<SourceType, FlowsError> {
    let kind = required_text(source, "type", "source.type")?;
    let kind = SourceType::parse(kind).ok_or_else(|| {
        let known: Vec<&str> = SourceType::ALL.iter().map(|k| k.as_str()).collect();
        FlowsError::invalid("source.type", format!("'source.type' must be one of {}", known.join(", ")))
    })?;
    match kind {
        SourceType::Rest => {
            let path = required_text(source, "path", "source.path")?;
            if !path.starts_with('/') || path.contains(char::is_whitespace) {
                return Err(FlowsError::invalid("source.path", "'source.path' must start with '/' and hold no spaces"));
            }
            if let Some(methods) = source.get("methods") {
                let list = methods.as_array().filter(|list| !list.is_empty()).ok_or_else(|| {
                    FlowsError::invalid("source.methods", "'source.methods' must be a non-empty list of HTTP methods")
                })?;
                for (i, method) in list.iter().enumerate() {
                    if !method.as_str().is_some_and(|m| HTTP_METHODS.contains(&m)) {
                        return Err(FlowsError::invalid(
                            format!("source.methods[{i}]"),
                            format!("'source.methods[{i}]' must be one of {}", HTTP_METHODS.join(", ")),
                        ));
                    }
                }
            }
        }
        SourceType::Scheduled => {
            let cron = text_at(source, "cron", "source.cron")?;
            let interval = source.get("intervalSeconds");
            match (cron, interval) {
                (Some(cron), None) => {
                    let fields = cron.split_whitespace().count();
                    if !(5..=6).contains(&fields) {
                        return Err(FlowsError::invalid("source.cron", "'source.cron' must have 5 or 6 fields"));
                    }
                }
                (None, Some(seconds)) => {
                    if !seconds.as_u64().is_some_and(|s| (1..=31_536_000).contains(&s)) {
                        return Err(FlowsError::invalid(
                            "source.intervalSeconds",
                            "'source.intervalSeconds' must be a whole number of seconds from 1 to 31536000",
                        ));
                    }
                }
                _ => {
                    return Err(FlowsError::invalid(
                        "source",
                        "a scheduled source needs exactly one of 'cron' and 'intervalSeconds'",
                    ));
                }
            }
        }
        SourceType::Messaging => {
            required_text(source, "topic", "source.topic")?;
        }
        SourceType::File => {
            required_text(source, "directory", "source.directory")?;
            required_text(source, "pattern", "source.pattern")?;
        }
    }
    Ok(kind)
}

fn check_steps(steps: Option<&Value>) -> Result<(), FlowsError> {
    let steps = steps
        .and_then(Value::as_array)
        .filter(|steps| !steps.is_empty())
        .ok_or_else(|| FlowsError::invalid("steps", "'steps' must be a non-empty list"))?;
    if steps.len() > MAX_STEPS {
        return Err(FlowsError::invalid("steps", format!("a flow has at most {MAX_STEPS} steps")));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, step) in steps.iter().enumerate() {
        let object = step
            .as_object()
            .ok_or_else(|| FlowsError::invalid(format!("steps[{i}]"), format!("'steps[{i}]' must be an object")))?;
        let id_path = format!("steps[{i}].id");
        let id = required_text(object, "id", &id_path)?;
        check_id(&id_path, id)?;
        if !seen.insert(id) {
            return Err(FlowsError::invalid(id_path, format!("step id '{id}' is used twice")));
        }
        required_text(object, "type", &format!("steps[{i}].type"))?;
        if let Some(config) = object.get("config")
            && !config.is_object()
        {
            let path = format!("steps[{i}].config");
            return Err(FlowsError::invalid(&path, format!("'{path}' must be an object")));
        }
    }
    Ok(())
}

impl FlowDefinition {
    /// Validates a definition sent as JSON.
    pub fn parse(json: Value) -> Result<FlowDefinition, FlowsError> {
        if serde_json::to_string(&json).map(|text| text.len()).unwrap_or(usize::MAX) > MAX_DEFINITION {
            return Err(FlowsError::invalid(
                "definition",
                format!("a flow definition is at most {MAX_DEFINITION} bytes"),
            ));
        }
        let object =
            json.as_object().ok_or_else(|| FlowsError::invalid("definition", "a flow definition is a JSON object"))?;
        let id = required_text(object, "id", "id")?;
        check_id("id", id)?;
        if RESERVED_FLOW_IDS.contains(&id) {
            return Err(FlowsError::invalid(
                "id",
                format!("'id' must not be '{id}': /flows/{id} is a path of its own, so the flow could never be read"),
            ));
        }
        let version = required_text(object, "version", "version")?;
        portico_core::text::check_name("version", version, MAX_ID)?;
        text_at(object, "description", "description")?;
        let pattern = required_text(object, "exchangePattern", "exchangePattern")?;
        if !matches!(pattern, "InOnly" | "InOut") {
            return Err(FlowsError::invalid("exchangePattern", "'exchangePattern' must be 'InOnly' or 'InOut'"));
        }
        let source = object
            .get("source")
            .and_then(Value::as_object)
            .ok_or_else(|| FlowsError::invalid("source", "'source' is required and must be an object"))?;
        let source = check_source(source)?;
        check_steps(object.get("steps"))?;
        Ok(FlowDefinition { id: id.to_owned(), version: version.to_owned(), source, json })
    }
}

impl StatusRequest {
    /// Validates a disable (`reason` required) or enable request.
    pub fn check(&self, disabling: bool) -> Result<(), FlowsError> {
        if self.principal_id.trim().is_empty() {
            return Err(FlowsError::invalid("principalId", "'principalId' is required"));
        }
        portico_core::text::check_name("principalId", &self.principal_id, MAX_ID * 2)?;
        match &self.reason {
            Some(reason) if !reason.trim().is_empty() => check_text("reason", reason, MAX_TEXT),
            _ if disabling => Err(FlowsError::invalid("reason", "'reason' is required to disable a flow")),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flow() -> Value {
        json!({
            "id": "meter-readings",
            "version": "1.0.0",
            "exchangePattern": "InOut",
            "source": {"type": "rest", "path": "/readings", "methods": ["POST"]},
            "steps": [{"id": "parse", "type": "json-parse"}, {"id": "store", "type": "write-table", "config": {"table": "readings"}}]
        })
    }

    fn field_of(value: Value) -> String {
        match FlowDefinition::parse(value) {
            Err(FlowsError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_valid_definition_parses() {
        let parsed = FlowDefinition::parse(flow()).unwrap();
        assert_eq!(parsed.id, "meter-readings");
        assert_eq!(parsed.source, SourceType::Rest);
        assert!(parsed.source.can_disable());
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut cases = Vec::new();
        let mut change = |pointer: &str, value: Value, field: &str| {
            let mut body = flow();
            *body.pointer_mut(pointer).unwrap() = value;
            cases.push((body, field.to_owned()));
        };
        change("/id", json!("has space"), "id");
        change("/version", json!(""), "version");
        change("/exchangePattern", json!("Both"), "exchangePattern");
        change("/source/type", json!("ftp"), "source.type");
        change("/source/path", json!("readings"), "source.path");
        change("/source/methods", json!(["FETCH"]), "source.methods[0]");
        change("/steps", json!([]), "steps");
        change("/steps/1/id", json!("parse"), "steps[1].id");
        change("/steps/0/type", json!(null), "steps[0].type");
        change("/steps/1/config", json!([1]), "steps[1].config");
        for (body, field) in cases {
            assert_eq!(field_of(body), field);
        }
        assert_eq!(field_of(json!([1])), "definition");
        assert_eq!(field_of(json!({"id": "x", "version": "1", "exchangePattern": "InOnly", "steps": []})), "source");
    }

    #[test]
    fn each_source_type_has_its_own_fields() {
        let with_source = |source: Value| {
            let mut body = flow();
            body["source"] = source;
            FlowDefinition::parse(body)
        };
        assert!(with_source(json!({"type": "scheduled", "cron": "0 * * * *"})).is_ok());
        assert!(with_source(json!({"type": "scheduled", "intervalSeconds": 60})).is_ok());
        assert!(with_source(json!({"type": "scheduled"})).is_err());
        assert!(with_source(json!({"type": "scheduled", "cron": "* *"})).is_err());
        assert!(with_source(json!({"type": "messaging", "topic": "readings"})).is_ok());
        assert!(with_source(json!({"type": "file", "directory": "/in", "pattern": "*.csv"})).is_ok());
        assert!(with_source(json!({"type": "file", "directory": "/in"})).is_err());
        assert!(!SourceType::Scheduled.can_disable());
    }

    #[test]
    fn disabling_needs_a_principal_and_a_reason() {
        let request = StatusRequest { principal_id: "ops".into(), reason: None };
        assert!(request.check(true).is_err());
        assert!(request.check(false).is_ok());
        assert!(StatusRequest { principal_id: " ".into(), reason: Some("x".into()) }.check(true).is_err());
    }
}
