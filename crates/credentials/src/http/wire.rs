//! FlexDeploy's JSON shapes, field for field.

use crate::error::CredentialsError;
use crate::model::{Credential, InputDef, InputDefDraft, InputValue, Provider, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A credential input as FlexDeploy returns it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialInputBody {
    /// Grows when the value changes.
    pub version_number: i64,
    /// The value; `null` when the caller may not read this secret.
    pub input_value: Option<String>,
    /// The input definition.
    pub credential_store_input_def_id: i64,
}

/// A credential as FlexDeploy returns it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialBody {
    /// Id.
    pub credential_id: i64,
    /// Grows on every change; send it back to update safely.
    pub version_number: i64,
    /// Name.
    pub credential_name: String,
    /// Active.
    pub is_active: bool,
    /// `ENDPOINT`, `INST` or `ENVINST`.
    pub credential_scope: &'static str,
    /// The store.
    pub credential_store_id: i64,
    /// Input values.
    pub credential_inputs: Vec<CredentialInputBody>,
}

impl From<Credential> for CredentialBody {
    fn from(c: Credential) -> Self {
        CredentialBody {
            credential_id: c.id,
            version_number: c.version,
            credential_name: c.name,
            is_active: c.active,
            credential_scope: c.scope.as_str(),
            credential_store_id: c.store_id,
            credential_inputs: c
                .inputs
                .into_iter()
                .map(|i| CredentialInputBody {
                    version_number: i.version,
                    input_value: i.value,
                    credential_store_input_def_id: i.def_id,
                })
                .collect(),
        }
    }
}

/// A credential input in a request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialInputRequest {
    /// The value ("depends on input": text, number or boolean).
    pub input_value: Option<Value>,
    /// The input definition.
    pub credential_store_input_def_id: Option<i64>,
    /// Ignored (the server keeps input versions).
    pub version_number: Option<i64>,
}

/// A credential in a POST, PUT or PATCH body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialRequest {
    /// Ignored on POST; must match the path on PUT and PATCH when given.
    pub credential_id: Option<i64>,
    /// The version the change is based on (optimistic concurrency).
    pub version_number: Option<i64>,
    /// Name.
    pub credential_name: Option<String>,
    /// Active (default true on POST and PUT).
    pub is_active: Option<bool>,
    /// `ENDPOINT`, `INST` or `ENVINST`.
    pub credential_scope: Option<String>,
    /// The store.
    pub credential_store_id: Option<i64>,
    /// Input values.
    pub credential_inputs: Option<Vec<CredentialInputRequest>>,
}

/// The inputs of a request, each with a value and a definition.
pub fn input_values(inputs: Vec<CredentialInputRequest>) -> Result<Vec<InputValue>, CredentialsError> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(index, input)| {
            let def_id = input.credential_store_input_def_id.ok_or_else(|| {
                CredentialsError::invalid(
                    format!("credentialInputs[{index}].credentialStoreInputDefId"),
                    "credentialStoreInputDefId is required",
                )
            })?;
            let field = format!("credentialInputs[{index}].inputValue");
            let value = match input.input_value {
                Some(Value::String(text)) => text,
                Some(Value::Number(number)) => number.to_string(),
                Some(Value::Bool(flag)) => flag.to_string(),
                Some(Value::Null) | None => return Err(CredentialsError::invalid(&field, "inputValue is required")),
                Some(_) => {
                    return Err(CredentialsError::invalid(&field, "inputValue must be text, a number or a boolean"));
                }
            };
            Ok(InputValue { def_id, value })
        })
        .collect()
}

/// An input definition as FlexDeploy returns it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InputDefBody {
    /// Id.
    pub credential_store_input_def_id: i64,
    /// Version.
    pub version_number: i64,
    /// Name.
    pub input_name: String,
    /// Description.
    pub description: Option<String>,
    /// Required in every credential.
    pub is_required: bool,
    /// Values are secrets.
    pub is_secret: bool,
    /// Position.
    pub display_order: i64,
}

impl From<InputDef> for InputDefBody {
    fn from(d: InputDef) -> Self {
        InputDefBody {
            credential_store_input_def_id: d.id,
            version_number: d.version,
            input_name: d.name,
            description: d.description,
            is_required: d.required,
            is_secret: d.secret,
            display_order: d.display_order,
        }
    }
}

/// A provider as FlexDeploy returns it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderBody {
    /// Id.
    pub credential_store_provider_id: i64,
    /// Version.
    pub version_number: i64,
    /// Name.
    pub credential_store_provider_name: String,
    /// Description.
    pub description: Option<String>,
    /// Active.
    pub is_active: bool,
    /// Input definitions.
    pub credential_store_input_defs: Vec<InputDefBody>,
}

impl From<Provider> for ProviderBody {
    fn from(p: Provider) -> Self {
        ProviderBody {
            credential_store_provider_id: p.id,
            version_number: p.version,
            credential_store_provider_name: p.name,
            description: p.description,
            is_active: p.active,
            credential_store_input_defs: p.input_defs.into_iter().map(Into::into).collect(),
        }
    }
}

/// An input definition in a request (`credentialStoreInputDefId` set: update that one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InputDefRequest {
    /// Existing id.
    pub credential_store_input_def_id: Option<i64>,
    /// Name.
    pub input_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Required (default false).
    pub is_required: Option<bool>,
    /// Secret (default false).
    pub is_secret: Option<bool>,
    /// Position.
    pub display_order: Option<i64>,
    /// Ignored.
    pub version_number: Option<i64>,
}

/// The definitions of a request.
pub fn input_defs(defs: Vec<InputDefRequest>) -> Result<Vec<InputDefDraft>, CredentialsError> {
    defs.into_iter()
        .enumerate()
        .map(|(index, d)| {
            let name = d.input_name.ok_or_else(|| {
                CredentialsError::invalid(
                    format!("credentialStoreInputDefs[{index}].inputName"),
                    "inputName is required",
                )
            })?;
            Ok(InputDefDraft {
                id: d.credential_store_input_def_id,
                name,
                description: d.description,
                required: d.is_required.unwrap_or(false),
                secret: d.is_secret.unwrap_or(false),
                display_order: d.display_order,
            })
        })
        .collect()
}

/// A provider in a POST, PUT or PATCH body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderRequest {
    /// Must match the path when given.
    pub credential_store_provider_id: Option<i64>,
    /// The version the change is based on.
    pub version_number: Option<i64>,
    /// Name.
    pub credential_store_provider_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Active (default true on POST and PUT).
    pub is_active: Option<bool>,
    /// Input definitions.
    pub credential_store_input_defs: Option<Vec<InputDefRequest>>,
}

/// A store as FlexDeploy returns it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoreBody {
    /// Id.
    pub credential_store_id: i64,
    /// Version.
    pub version_number: i64,
    /// Name.
    pub credential_store_name: String,
    /// Description.
    pub description: Option<String>,
    /// Provider.
    pub credential_store_provider_id: i64,
    /// Active.
    pub is_active: bool,
}

impl From<Store> for StoreBody {
    fn from(s: Store) -> Self {
        StoreBody {
            credential_store_id: s.id,
            version_number: s.version,
            credential_store_name: s.name,
            description: s.description,
            credential_store_provider_id: s.provider_id,
            is_active: s.active,
        }
    }
}

/// A store in a POST, PUT or PATCH body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoreRequest {
    /// Must match the path when given.
    pub credential_store_id: Option<i64>,
    /// The version the change is based on.
    pub version_number: Option<i64>,
    /// Name.
    pub credential_store_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Provider.
    pub credential_store_provider_id: Option<i64>,
    /// Active (default true on POST and PUT).
    pub is_active: Option<bool>,
}

/// A required field of a POST or PUT.
pub fn required<T>(value: Option<T>, field: &str) -> Result<T, CredentialsError> {
    value.ok_or_else(|| CredentialsError::invalid(field, format!("{field} is required")))
}

/// An id in the body must agree with the path.
pub fn same_id(body: Option<i64>, path: i64, field: &str) -> Result<(), CredentialsError> {
    match body {
        Some(id) if id != path => {
            Err(CredentialsError::invalid(field, format!("{field} {id} does not match the URL ({path})")))
        }
        _ => Ok(()),
    }
}
