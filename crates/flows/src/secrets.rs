//! Secrets of the registry: generic ones (any JSON value) and typed ones whose value is checked
//! per type (`PUT /secrets/{type}/{key}`, kebab-case types). Values are sealed at rest, every
//! change is a new version, and only `Admin`s read clear values.

use crate::error::FlowsError;
use base64::Engine;
use portico_core::Timestamp;
use serde_json::{Map, Value};

/// Longest key.
pub const MAX_KEY: usize = 200;
/// Largest value, as JSON text.
pub const MAX_VALUE: usize = 64 * 1024;

/// The kinds of secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretType {
    /// Any JSON value, unchecked.
    Generic,
    /// `{"apiKey", "headerName"?}`.
    ApiKey,
    /// `{"username", "password"}`.
    BasicAuth,
    /// `{"clientId", "clientSecret", "tokenUrl", "scopes"?, "audience"?}`.
    OAuth2ClientCredentials,
    /// `{"certificate" (PEM), "privateKey"? (PEM), "passphrase"?}`.
    Certificate,
}

impl SecretType {
    /// Every type.
    pub const ALL: [SecretType; 5] = [
        SecretType::Generic,
        SecretType::ApiKey,
        SecretType::BasicAuth,
        SecretType::OAuth2ClientCredentials,
        SecretType::Certificate,
    ];

    /// The kebab-case name (the path segment and the stored value).
    pub fn as_str(self) -> &'static str {
        match self {
            SecretType::Generic => "generic",
            SecretType::ApiKey => "api-key",
            SecretType::BasicAuth => "basic-auth",
            SecretType::OAuth2ClientCredentials => "oauth2-client-credentials",
            SecretType::Certificate => "certificate",
        }
    }

    /// From the kebab-case name.
    pub fn parse(value: &str) -> Option<SecretType> {
        SecretType::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// The fields a value of this type may have: (name, required).
    fn fields(self) -> &'static [(&'static str, bool)] {
        match self {
            SecretType::Generic => &[],
            SecretType::ApiKey => &[("apiKey", true), ("headerName", false)],
            SecretType::BasicAuth => &[("username", true), ("password", true)],
            SecretType::OAuth2ClientCredentials => &[
                ("clientId", true),
                ("clientSecret", true),
                ("tokenUrl", true),
                ("scopes", false),
                ("audience", false),
            ],
            SecretType::Certificate => &[("certificate", true), ("privateKey", false), ("passphrase", false)],
        }
    }
}

/// A secret without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSummary {
    /// Its key.
    pub key: String,
    /// Its type (fixed when it is created).
    pub kind: SecretType,
    /// What it is for.
    pub description: Option<String>,
    /// 1 when created, one more per change.
    pub version: i64,
    /// For certificates: when the first certificate expires.
    pub expires_at: Option<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: String,
    /// When it was changed last.
    pub updated_at: Timestamp,
    /// Who changed it last.
    pub updated_by: String,
}

/// A secret with its value, or `None` where the caller may not read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    /// The metadata.
    pub summary: SecretSummary,
    /// The clear value (`Admin`s only).
    pub value: Option<Value>,
}

/// One version of a secret (its value stays sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretVersion {
    /// Its number.
    pub version: i64,
    /// When it was written.
    pub created_at: Timestamp,
    /// By whom.
    pub created_by: String,
}

/// What a `PUT` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretWrite {
    /// The type the path names.
    pub kind: SecretType,
    /// The value.
    pub value: Value,
    /// The description.
    pub description: Option<String>,
}

/// Checks a key: 1 to 200 letters, digits, `-`, `_` and `.`, starting with a letter or digit.
pub fn check_key(key: &str) -> Result<(), FlowsError> {
    let valid = !key.is_empty()
        && key.len() <= MAX_KEY
        && key.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(FlowsError::invalid(
            "key",
            format!("a secret key is 1 to {MAX_KEY} letters, digits, '-', '_' or '.', starting with a letter or digit"),
        ))
    }
}

fn text<'a>(object: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, FlowsError> {
    let path = format!("value.{field}");
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            crate::model::check_text(&path, text, MAX_VALUE)?;
            Ok(Some(text.as_str()).filter(|text| !text.trim().is_empty()))
        }
        Some(_) => Err(FlowsError::invalid(&path, format!("'{path}' must be a string"))),
    }
}

/// The PEM blocks of `pem` that carry `labels`, decoded; a 400 about `field` otherwise.
fn pem_blocks(field: &str, pem: &str, labels: &[&str]) -> Result<usize, FlowsError> {
    let mut count = 0;
    let mut rest = pem;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let label_end =
            after.find("-----").ok_or_else(|| FlowsError::invalid(field, format!("'{field}' is not valid PEM")))?;
        let label = &after[..label_end];
        if !labels.contains(&label) {
            return Err(FlowsError::invalid(
                field,
                format!("'{field}' holds a {label} block; expected {}", labels.join(" or ")),
            ));
        }
        let end_marker = format!("-----END {label}-----");
        let body_start = label_end + 5;
        let end =
            after.find(&end_marker).ok_or_else(|| FlowsError::invalid(field, format!("'{field}' is not valid PEM")))?;
        // Encrypted legacy keys carry header lines (`Proc-Type:`, `DEK-Info:`) before the body.
        let body: String = after[body_start..end]
            .lines()
            .filter(|line| !line.contains(':'))
            .flat_map(|line| line.chars().filter(|c| !c.is_whitespace()))
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(&body)
            .map_err(|_| FlowsError::invalid(field, format!("'{field}' is not valid PEM: its body is not base64")))?;
        count += 1;
        rest = &after[end + end_marker.len()..];
    }
    if count == 0 {
        return Err(FlowsError::invalid(field, format!("'{field}' holds no PEM block")));
    }
    Ok(count)
}

/// Validates a value for its type; returns, for certificates, when the first one expires.
pub fn check_value(kind: SecretType, value: &Value) -> Result<Option<Timestamp>, FlowsError> {
    let size = serde_json::to_string(value).map(|text| text.len()).unwrap_or(usize::MAX);
    if size > MAX_VALUE {
        return Err(FlowsError::invalid("value", format!("a secret value is at most {MAX_VALUE} bytes of JSON")));
    }
    if value.is_null() {
        return Err(FlowsError::invalid("value", "'value' is required"));
    }
    if kind == SecretType::Generic {
        if let Some(text) = value.as_str() {
            crate::model::check_text("value", text, MAX_VALUE)?;
        }
        return Ok(None);
    }
    let object = value
        .as_object()
        .ok_or_else(|| FlowsError::invalid("value", format!("a {} secret's value is an object", kind.as_str())))?;
    let fields = kind.fields();
    if let Some(unknown) = object.keys().find(|key| !fields.iter().any(|(name, _)| name == key)) {
        let known: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
        return Err(FlowsError::invalid(
            format!("value.{unknown}"),
            format!("a {} secret has no field '{unknown}' (it has {})", kind.as_str(), known.join(", ")),
        ));
    }
    for (name, required) in fields {
        if *name == "scopes" {
            continue;
        }
        if text(object, name)?.is_none() && *required {
            return Err(FlowsError::invalid(format!("value.{name}"), format!("'value.{name}' is required")));
        }
    }
    match kind {
        SecretType::ApiKey => {
            if let Some(header) = text(object, "headerName")?
                && !header.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
            {
                return Err(FlowsError::invalid("value.headerName", "'value.headerName' must be an HTTP header name"));
            }
            Ok(None)
        }
        SecretType::OAuth2ClientCredentials => {
            let url = text(object, "tokenUrl")?.unwrap_or_default();
            let parsed = url::Url::parse(url)
                .map_err(|_| FlowsError::invalid("value.tokenUrl", "'value.tokenUrl' must be a URL"))?;
            let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
            if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
                return Err(FlowsError::invalid("value.tokenUrl", "'value.tokenUrl' must be an https URL"));
            }
            if let Some(scopes) = object.get("scopes").filter(|s| !s.is_null()) {
                let valid = scopes.as_array().is_some_and(|list| {
                    list.iter().all(|s| s.as_str().is_some_and(|s| !s.is_empty() && !s.contains(char::is_whitespace)))
                });
                if !valid {
                    return Err(FlowsError::invalid("value.scopes", "'value.scopes' must be a list of scope names"));
                }
            }
            Ok(None)
        }
        SecretType::Certificate => {
            let pem = text(object, "certificate")?.unwrap_or_default();
            let certificates = portico_core::x509::parse_pem_certificates(pem)
                .map_err(|err| FlowsError::invalid("value.certificate", format!("'value.certificate': {err}")))?;
            if let Some(key) = text(object, "privateKey")? {
                pem_blocks(
                    "value.privateKey",
                    key,
                    &["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"],
                )?;
            }
            Ok(certificates.iter().map(|c| c.not_after).min().map(Timestamp::from_offset))
        }
        SecretType::BasicAuth | SecretType::Generic => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(kind: SecretType, value: Value) -> String {
        match check_value(kind, &value) {
            Err(FlowsError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn typed_values_are_checked_field_by_field() {
        assert!(check_value(SecretType::ApiKey, &json!({"apiKey": "k", "headerName": "X-Api-Key"})).is_ok());
        assert_eq!(field(SecretType::ApiKey, json!({"headerName": "X"})), "value.apiKey");
        assert_eq!(field(SecretType::ApiKey, json!({"apiKey": "k", "headerName": "bad header"})), "value.headerName");
        assert_eq!(field(SecretType::ApiKey, json!({"apiKey": "k", "extra": 1})), "value.extra");
        assert_eq!(field(SecretType::BasicAuth, json!({"username": "u"})), "value.password");
        assert_eq!(field(SecretType::BasicAuth, json!("text")), "value");
        let oauth =
            json!({"clientId": "c", "clientSecret": "s", "tokenUrl": "https://idp.example.com/token", "scopes": ["a"]});
        assert!(check_value(SecretType::OAuth2ClientCredentials, &oauth).is_ok());
        let mut plain = oauth.clone();
        plain["tokenUrl"] = json!("http://idp.example.com/token");
        assert_eq!(field(SecretType::OAuth2ClientCredentials, plain), "value.tokenUrl");
        let mut scopes = oauth;
        scopes["scopes"] = json!(["a b"]);
        assert_eq!(field(SecretType::OAuth2ClientCredentials, scopes), "value.scopes");
        assert_eq!(field(SecretType::Certificate, json!({"certificate": "not pem"})), "value.certificate");
        assert_eq!(field(SecretType::Generic, json!(null)), "value");
        assert!(check_value(SecretType::Generic, &json!({"anything": [1, 2]})).is_ok());
    }

    #[test]
    fn keys_and_types() {
        assert!(check_key("db-password.prod").is_ok());
        assert!(check_key("../x").is_err());
        assert!(check_key("").is_err());
        assert_eq!(SecretType::parse("oauth2-client-credentials"), Some(SecretType::OAuth2ClientCredentials));
        assert_eq!(SecretType::parse("ApiKey"), None);
    }

    #[test]
    fn private_keys_must_be_pem_key_blocks() {
        let key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
        assert_eq!(pem_blocks("k", key, &["PRIVATE KEY"]).unwrap(), 1);
        assert!(
            pem_blocks("k", "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----", &["PRIVATE KEY"]).is_err()
        );
        assert!(
            pem_blocks("k", "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----", &["PRIVATE KEY"]).is_err()
        );
        assert!(pem_blocks("k", "nothing", &["PRIVATE KEY"]).is_err());
    }
}
