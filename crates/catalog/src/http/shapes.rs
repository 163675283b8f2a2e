//! Shapes several catalog representations share: groups and levels inline (Axual's
//! `GroupInline` / `LevelInline`, with audit fields) and embedded (`_embedded.owners`, ...,
//! with a templated `self`).

use crate::model::{Level, LevelKind};
use portico_core::hal::{Link, Links, Resource};
use portico_core::hooks::GroupRef;
use portico_core::http::BaseUrl;
use portico_core::http::axual::{AuditFields, entity_url, titles};
use serde::Serialize;
use utoipa::ToSchema;

/// A group inline in a summary (Axual `GroupInline`): the embedded fields and audit fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InlineGroup {
    /// Name, contacts and uid.
    #[serde(flatten)]
    pub group: EmbeddedOwner,
    /// Audit fields (`modified_at` is `null` until the group first changes).
    #[serde(flatten)]
    pub audit: AuditFields,
}

/// A group as `_embedded.owners` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedOwner {
    /// Name.
    pub name: String,
    /// Contact e-mail (`{"email": ...}`).
    #[schema(value_type = Option<Object>)]
    pub email_address: Option<serde_json::Value>,
    /// Contact phone.
    pub phone_number: Option<String>,
    /// The uid.
    pub uid: String,
}

/// A level inline in a summary (Axual `LevelInline`): the embedded fields and audit fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InlineLevel {
    /// Level, description, colour and uid.
    #[serde(flatten)]
    pub level: EmbeddedLevel,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

/// A level as `_embedded.integrity` / `_embedded.confidentiality` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmbeddedLevel {
    /// The level.
    pub level: String,
    /// Description.
    pub description: Option<String>,
    /// Colour.
    pub color: Option<String>,
    /// The uid.
    pub uid: String,
}

fn owner_body(group: &GroupRef) -> EmbeddedOwner {
    EmbeddedOwner {
        name: group.name.clone(),
        email_address: group.email.as_ref().map(|email| serde_json::json!({ "email": email })),
        phone_number: group.phone_number.clone(),
        uid: group.id.simple().to_string(),
    }
}

fn level_body(level: &Level) -> EmbeddedLevel {
    EmbeddedLevel {
        level: level.level.clone(),
        description: level.description.clone(),
        color: level.color.clone(),
        uid: level.id.simple().to_string(),
    }
}

/// `group` inline.
pub fn inline_group(group: &GroupRef) -> InlineGroup {
    InlineGroup { group: owner_body(group), audit: AuditFields::from(group) }
}

/// `level` inline.
pub fn inline_level(level: &Level) -> InlineLevel {
    InlineLevel { level: level_body(level), audit: AuditFields::from(&level.stamp) }
}

/// `self` of an embedded entity: its URL with `{?projection}`, titled.
pub fn templated_self(url: &str) -> Links {
    Links::new().add("self", Link::templated(format!("{url}{{?projection}}")).titled(titles::SELF))
}

/// `group` embedded as owners: `self` and `members`, both templated.
pub fn embedded_owner(base: &BaseUrl, group: &GroupRef) -> Resource<EmbeddedOwner> {
    let url = entity_url(base, "groups", group.id);
    let links = templated_self(&url).add(
        "members",
        Link::templated(format!("{url}/members{{?projection}}")).titled("Users belonging to this group"),
    );
    Resource::new(owner_body(group), links)
}

/// `level` embedded, with its templated `self`.
pub fn embedded_level(base: &BaseUrl, kind: LevelKind, level: &Level) -> Resource<EmbeddedLevel> {
    Resource::new(level_body(level), templated_self(&entity_url(base, kind.rel(), level.id)))
}
