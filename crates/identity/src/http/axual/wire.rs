//! Axual representations of users, groups and tenants: typed wire structs, field for field and
//! link for link as the seed shows them (key order included). Profiles are generated from the
//! detail types.

use crate::model::{AuditStamp, Group, Realm, User};
use crate::service::Allowed;
use portico_core::RealmId;
use portico_core::hal::{HalItem, Link, Links, Resource};
use portico_core::http::BaseUrl;
use portico_core::http::axual::{AuditFields, delete_link, edit_link, entity_url, projection_link, self_link};
use portico_core::http::respond::Versioned;
use portico_core::http::schema::spring_profile;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;
use uuid::Uuid;

pub use portico_core::http::params::{Groups, Users};

/// An e-mail address as Axual shows it: `{"email": "a@b.nl"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EmailAddress {
    /// The address.
    #[schema(read_only)]
    pub email: String,
}

/// An e-mail address on input: a string, or the object responses show.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EmailInput {
    /// `"a@b.nl"`.
    Plain(String),
    /// `{"email": "a@b.nl"}`.
    Object {
        /// The address.
        email: String,
    },
}

impl EmailInput {
    /// The address.
    pub fn into_string(self) -> String {
        match self {
            EmailInput::Plain(email) | EmailInput::Object { email } => email,
        }
    }
}

/// A role as responses show it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub struct Role {
    /// The role name, e.g. `TENANT_ADMIN`.
    pub name: String,
}

/// A user in collections, searches, group members and a tenant's contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserSummary {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail address (identifies the user in the tenant).
    pub email_address: EmailAddress,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// The uid.
    pub uid: String,
}

impl HalItem for UserSummary {
    const REL: &'static str = "users";
}

/// A user: GET item, POST and PATCH responses, `GET /user`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDetail {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Middle name.
    pub middle_name: Option<String>,
    /// E-mail address.
    pub email_address: EmailAddress,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Roles.
    #[schema(read_only)]
    pub roles: BTreeSet<Role>,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

fn audit_fields(stamp: &AuditStamp) -> AuditFields {
    AuditFields {
        created_at: stamp.created_at.into(),
        modified_at: stamp.modified_at.map(Into::into),
        created_by: stamp.created_by.clone(),
        modified_by: stamp.modified_by.clone(),
    }
}

fn uid(id: Uuid) -> String {
    id.simple().to_string()
}

/// Version headers of an entity (`Last-Modified` only when it has a modification time).
pub fn meta(version: i64, modified: Option<portico_core::Timestamp>) -> Versioned {
    Versioned { version, modified_at: modified }
}

/// The `tenant` link of a realm's entities.
pub fn tenant_link(base: &BaseUrl, realm: RealmId) -> Link {
    Link::new(entity_url(base, "tenants", realm)).titled("A tenant")
}

fn summary_fields(user: &User) -> UserSummary {
    UserSummary {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        email_address: EmailAddress { email: user.email.clone() },
        middle_name: user.middle_name.clone(),
        phone_number: user.phone_number.clone(),
        uid: uid(user.id),
    }
}

fn detail_fields(user: &User) -> UserDetail {
    UserDetail {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        middle_name: user.middle_name.clone(),
        email_address: EmailAddress { email: user.email.clone() },
        phone_number: user.phone_number.clone(),
        roles: user.roles.iter().map(|name| Role { name: name.clone() }).collect(),
        uid: uid(user.id),
        audit: audit_fields(&user.audit),
    }
}

/// A user in collections and searches.
pub fn user_summary(base: &BaseUrl, user: &User) -> Resource<UserSummary> {
    let url = entity_url(base, "users", user.id);
    let links = Links::new()
        .add("self", self_link(&url))
        .add("user", projection_link(&url, "A user"))
        .add("tenant", tenant_link(base, user.realm_id));
    Resource::new(summary_fields(user), links)
}

/// A user inside a group's `_embedded.members` (its `self` is templated).
pub fn member(base: &BaseUrl, user: &User) -> Resource<UserSummary> {
    let url = entity_url(base, "users", user.id);
    let links = Links::new()
        .add("self", Link::templated(format!("{url}{{?projection}}")).titled(portico_core::http::axual::titles::SELF))
        .add("tenant", tenant_link(base, user.realm_id));
    Resource::new(summary_fields(user), links)
}

/// The user detail (GET item, POST and PATCH responses) with its conditional links.
pub fn user_detail(base: &BaseUrl, user: &User, allowed: Allowed) -> Resource<UserDetail> {
    let url = entity_url(base, "users", user.id);
    let links = Links::new()
        .add("self", self_link(&url))
        .add("user", projection_link(&url, "A user"))
        .add_if(allowed.edit, "edit", || edit_link(&url))
        .add_if(allowed.assign_roles, "assign_roles", || {
            Link::new(format!("{url}/roles")).titled("Indication that authenticated user can assign roles to this user")
        })
        .add_if(allowed.delete, "delete", || delete_link(&url))
        .add("tenant", tenant_link(base, user.realm_id));
    Resource::new(detail_fields(user), links)
}

/// `GET /user`: the detail fields with `self` and `user`, both templated.
pub fn current_user(base: &BaseUrl, user: &User) -> Resource<UserDetail> {
    let url = entity_url(base, "users", user.id);
    let links = Links::new()
        .add(
            "self",
            Link::templated(format!("{}{{?projection}}", base.join("/user")))
                .titled(portico_core::http::axual::titles::SELF),
        )
        .add("user", projection_link(&url, "A user"));
    Resource::new(detail_fields(user), links)
}

/// A group in collections, `/group` and searches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupSummary {
    /// Name.
    pub name: String,
    /// Contact e-mail.
    pub email_address: Option<EmailAddress>,
    /// Contact phone.
    pub phone_number: Option<String>,
    /// The uid.
    pub uid: String,
}

impl HalItem for GroupSummary {
    const REL: &'static str = "groups";
}

/// A group: GET item, POST and PATCH responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupDetail {
    /// Name.
    pub name: String,
    /// Contact e-mail.
    pub email_address: Option<EmailAddress>,
    /// Contact phone.
    pub phone_number: Option<String>,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

/// A group detail's `_embedded`: its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GroupMembers {
    /// The members.
    pub members: Vec<Resource<UserSummary>>,
}

fn members_link(url: &str) -> Link {
    Link::templated(format!("{url}/members{{?projection}}")).titled("Users belonging to this group")
}

/// A group in collections, `/group` and searches.
pub fn group_summary(base: &BaseUrl, group: &Group) -> Resource<GroupSummary> {
    let url = entity_url(base, "groups", group.id);
    let links = Links::new()
        .add("self", self_link(&url))
        .add("group", projection_link(&url, "A group"))
        .add("members", members_link(&url));
    let fields = GroupSummary {
        name: group.name.clone(),
        email_address: group.email.clone().map(|email| EmailAddress { email }),
        phone_number: group.phone_number.clone(),
        uid: uid(group.id),
    };
    Resource::new(fields, links)
}

/// The group detail; `_embedded.members` only when the group has members.
pub fn group_detail(
    base: &BaseUrl,
    group: &Group,
    members: &[User],
    allowed: Allowed,
) -> Resource<GroupDetail, GroupMembers> {
    let url = entity_url(base, "groups", group.id);
    let links = Links::new()
        .add("self", self_link(&url))
        .add("group", projection_link(&url, "A group"))
        .add_if(allowed.edit, "edit", || edit_link(&url))
        .add_if(allowed.delete, "delete", || delete_link(&url))
        .add("members", members_link(&url));
    let fields = GroupDetail {
        name: group.name.clone(),
        email_address: group.email.clone().map(|email| EmailAddress { email }),
        phone_number: group.phone_number.clone(),
        uid: uid(group.id),
        audit: audit_fields(&group.audit),
    };
    let embedded =
        (!members.is_empty()).then(|| GroupMembers { members: members.iter().map(|m| member(base, m)).collect() });
    Resource::with_embedded(fields, embedded, links)
}

/// A tenant: list items and detail are identical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantFields {
    /// Tenant-specific variables.
    pub properties: BTreeMap<String, String>,
    /// Full name.
    pub name: String,
    /// Short name: the `realm` header value.
    pub short_name: String,
    /// Logo.
    pub logo: Option<String>,
    /// Issuer URL.
    pub issuer_url: Option<String>,
    /// Data classification.
    pub data_classification_enabled: bool,
    /// A JSON document inside a string.
    pub feature_config: Option<String>,
    /// Default retention of streams (ms).
    pub retention_time: i64,
    /// Default partitions of streams.
    pub partitions: i64,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

impl HalItem for TenantFields {
    const REL: &'static str = "tenants";
}

/// A tenant's `_embedded`: its business contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TenantContact {
    /// The contact user.
    pub contact: Resource<UserSummary>,
}

/// A tenant; `_embedded.contact` when a contact is set.
pub fn tenant(
    base: &BaseUrl,
    realm: &Realm,
    contact: Option<&User>,
    allowed: Allowed,
) -> Resource<TenantFields, TenantContact> {
    let url = entity_url(base, "tenants", realm.id);
    let fields = TenantFields {
        properties: realm.properties.clone(),
        name: realm.display_name.clone(),
        short_name: realm.name.clone(),
        logo: realm.logo.clone(),
        issuer_url: realm.issuer_url.clone(),
        data_classification_enabled: realm.data_classification_enabled,
        feature_config: realm.feature_config.clone(),
        retention_time: realm.retention_time,
        partitions: realm.partitions,
        uid: uid(realm.id.uuid()),
        audit: audit_fields(&realm.audit),
    };
    let links = Links::new()
        .add("self", self_link(&url))
        .add("tenant", Link::new(url.clone()).titled("A tenant"))
        .add_if(allowed.edit, "edit", || edit_link(&url))
        .add(
            "contact",
            Link::templated(format!("{url}/contact{{?projection}}")).titled("Business contact of this tenant"),
        );
    let embedded = contact.map(|user| TenantContact { contact: user_summary(base, user) });
    Resource::with_embedded(fields, embedded, links)
}

/// `GET /profile/users`.
pub fn users_profile() -> serde_json::Value {
    spring_profile::<UserDetail>("User", &[])
}

/// `GET /profile/groups`.
pub fn groups_profile() -> serde_json::Value {
    spring_profile::<GroupDetail>("Group", &["members"])
}

/// `GET /profile/tenants`.
pub fn tenants_profile() -> serde_json::Value {
    spring_profile::<TenantFields>("Tenant", &["contact"])
}
