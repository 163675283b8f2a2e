//! Credentials domain types: providers with input definitions, stores, credentials.

use crate::error::CredentialsError;

/// Where a credential is used (FlexDeploy `credentialScope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialScope {
    /// An endpoint.
    Endpoint,
    /// An instance.
    Inst,
    /// An environment instance.
    EnvInst,
}

impl CredentialScope {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialScope::Endpoint => "ENDPOINT",
            CredentialScope::Inst => "INST",
            CredentialScope::EnvInst => "ENVINST",
        }
    }

    /// Parses `ENDPOINT`, `INST` or `ENVINST`, ignoring case.
    pub fn parse(field: &str, value: &str) -> Result<CredentialScope, CredentialsError> {
        match value.to_ascii_uppercase().as_str() {
            "ENDPOINT" => Ok(CredentialScope::Endpoint),
            "INST" => Ok(CredentialScope::Inst),
            "ENVINST" => Ok(CredentialScope::EnvInst),
            _ => Err(CredentialsError::invalid(
                field,
                format!("'{value}' is not a credential scope; use ENDPOINT, INST or ENVINST"),
            )),
        }
    }
}

pub use portico_core::audit::Stamp;

/// One input a provider's credentials carry (user name, password, token, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDef {
    /// Id (`credentialStoreInputDefId`).
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Every credential of the provider's stores must give it.
    pub required: bool,
    /// Its values are secrets (shown in clear only to credential administrators).
    pub secret: bool,
    /// Position in forms.
    pub display_order: i64,
    /// Version.
    pub version: i64,
}

/// A credential store provider (a kind of secret backend) and its input definitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// Id (`credentialStoreProviderId`).
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Active.
    pub active: bool,
    /// The realm's built-in `Local` provider (read-only).
    pub builtin: bool,
    /// Input definitions in display order.
    pub input_defs: Vec<InputDef>,
    /// Version (`versionNumber`).
    pub version: i64,
    /// Audit fields.
    pub stamp: Stamp,
}

/// A credential store: where credentials of one provider live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    /// Id (`credentialStoreId`).
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Its provider.
    pub provider_id: i64,
    /// Active: inactive stores accept no new credentials.
    pub active: bool,
    /// The realm's built-in `Local` store (read-only).
    pub builtin: bool,
    /// Version (`versionNumber`).
    pub version: i64,
    /// Audit fields.
    pub stamp: Stamp,
}

/// One input value of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialInput {
    /// Its definition.
    pub def_id: i64,
    /// The clear value; `None` when the caller may not read this secret.
    pub value: Option<String>,
    /// Version: grows when the value changes.
    pub version: i64,
}

/// A credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// Id (`credentialId`).
    pub id: i64,
    /// Name.
    pub name: String,
    /// Active.
    pub active: bool,
    /// Scope.
    pub scope: CredentialScope,
    /// Its store.
    pub store_id: i64,
    /// Input values.
    pub inputs: Vec<CredentialInput>,
    /// Version (`versionNumber`): grows on every change; the optimistic-concurrency token.
    pub version: i64,
    /// Audit fields.
    pub stamp: Stamp,
}

/// An input value sent by a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputValue {
    /// The input definition.
    pub def_id: i64,
    /// The value.
    pub value: String,
}

/// A whole credential (POST, PUT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialDraft {
    /// Name.
    pub name: String,
    /// Active (default true).
    pub active: bool,
    /// Scope.
    pub scope: CredentialScope,
    /// Store.
    pub store_id: i64,
    /// Inputs.
    pub inputs: Vec<InputValue>,
}

/// A PATCH: `None` fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialPatch {
    /// Name.
    pub name: Option<String>,
    /// Active.
    pub active: Option<bool>,
    /// Scope: locked after creation (a different value is a 400).
    pub scope: Option<CredentialScope>,
    /// Store: locked after creation (a different value is a 400).
    pub store_id: Option<i64>,
    /// Inputs to add or update (never removed).
    pub inputs: Option<Vec<InputValue>>,
}

/// A credential search: every given criterion must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialQuery {
    /// `credentialId` equals.
    pub id: Option<i64>,
    /// `credentialName` contains, ignoring case.
    pub name: Option<String>,
    /// `credentialScope` equals (ignoring case).
    pub scope: Option<CredentialScope>,
    /// `credentialStoreId` equals.
    pub store_id: Option<i64>,
}

/// An input definition sent by a client (`id` set: update that one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDefDraft {
    /// Existing id, if any.
    pub id: Option<i64>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Required.
    pub required: bool,
    /// Secret.
    pub secret: bool,
    /// Display order (default: position in the list).
    pub display_order: Option<i64>,
}

/// A whole provider (POST, PUT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderDraft {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Active (default true).
    pub active: bool,
    /// Input definitions.
    pub input_defs: Vec<InputDefDraft>,
}

/// A provider PATCH.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderPatch {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Active.
    pub active: Option<bool>,
    /// Definitions to add or update (never removed).
    pub input_defs: Option<Vec<InputDefDraft>>,
}

/// A provider search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderQuery {
    /// Id equals.
    pub id: Option<i64>,
    /// Name contains, ignoring case.
    pub name: Option<String>,
}

/// A whole store (POST, PUT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreDraft {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Provider.
    pub provider_id: i64,
    /// Active (default true).
    pub active: bool,
}

/// A store PATCH (the provider is locked after creation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorePatch {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Provider: locked (a different value is a 400).
    pub provider_id: Option<i64>,
    /// Active.
    pub active: Option<bool>,
}

/// A store search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreQuery {
    /// Id equals.
    pub id: Option<i64>,
    /// Name contains, ignoring case.
    pub name: Option<String>,
    /// Provider equals.
    pub provider_id: Option<i64>,
}

/// Checks a name: 1–255 characters, not blank.
pub fn validate_name(field: &str, name: &str) -> Result<(), CredentialsError> {
    portico_core::text::check_name(field, name, 255)?;
    if name.trim().is_empty() {
        return Err(CredentialsError::invalid(field, format!("{field} must be 1 to 255 characters and not blank")));
    }
    Ok(())
}

/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 4096;
/// The longest input value (a PEM key fits many times), in characters.
pub const MAX_INPUT_VALUE: usize = 65_536;

/// Checks a description: several lines allowed, at most [`MAX_DESCRIPTION`] characters.
pub fn validate_description(field: &str, description: Option<&str>) -> Result<(), CredentialsError> {
    description.map_or(Ok(()), |text| portico_core::text::check_field(field, text, MAX_DESCRIPTION, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_ignoring_case_and_print_upper_case() {
        assert_eq!(CredentialScope::parse("s", "envinst").map(CredentialScope::as_str).ok(), Some("ENVINST"));
        assert_eq!(CredentialScope::parse("s", "Endpoint").ok(), Some(CredentialScope::Endpoint));
        assert!(CredentialScope::parse("s", "GLOBAL").is_err());
        assert!(validate_name("credentialName", "  ").is_err());
        assert!(validate_name("credentialName", "ok").is_ok());
    }
}
