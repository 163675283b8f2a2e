//! Axual representations of users, groups and tenants, field for field and link for link as
//! the seed shows them (key order included).

use super::SELF_TITLE;
use crate::model::{Group, Realm, User};
use portico_core::Timestamp;
use portico_core::hal::{Link, Links, resource};
use portico_core::http::BaseUrl;
use portico_core::http::respond::Versioned;
use serde_json::{Map, Value, json};
use uuid::Uuid;

fn uid(id: Uuid) -> String {
    id.simple().to_string()
}

fn email(address: Option<&str>) -> Value {
    address.map(|e| json!({ "email": e })).unwrap_or(Value::Null)
}

fn time(at: Option<Timestamp>) -> Value {
    at.map(|t| Value::String(t.local_iso())).unwrap_or(Value::Null)
}

/// Version headers of an entity (`Last-Modified` only when it has a modification time).
pub fn meta(version: i64, modified: Option<Timestamp>) -> Versioned {
    Versioned { version, modified_at: modified }
}

/// The tenant link of a realm's entities.
pub fn tenant_link(base: &BaseUrl, realm: Uuid) -> Link {
    Link::new(base.join(&format!("/tenants/{}", uid(realm)))).titled("A tenant")
}

/// `{base}/users/<uid>`.
pub fn user_url(base: &BaseUrl, user: &User) -> String {
    base.join(&format!("/users/{}", uid(user.id)))
}

/// A user in collections and searches.
pub fn user_summary(base: &BaseUrl, user: &User) -> Value {
    let url = user_url(base, user);
    let links = Links::new()
        .add("self", Link::new(url.clone()).titled(SELF_TITLE))
        .add("user", Link::templated(format!("{url}{{?projection}}")).titled("A user"))
        .add("tenant", tenant_link(base, user.realm_id));
    resource(&user_fields(user, false), None, &links)
}

/// A user inside a group's `_embedded.members`.
pub fn member(base: &BaseUrl, user: &User) -> Value {
    let url = user_url(base, user);
    let links = Links::new()
        .add("self", Link::templated(format!("{url}{{?projection}}")).titled(SELF_TITLE))
        .add("tenant", tenant_link(base, user.realm_id));
    resource(&user_fields(user, false), None, &links)
}

/// What the caller may do with a user (conditional links).
#[derive(Debug, Clone, Copy, Default)]
pub struct UserActions {
    /// `edit`.
    pub edit: bool,
    /// `delete`.
    pub delete: bool,
    /// `assign_roles`.
    pub assign_roles: bool,
}

/// The user detail (GET item, POST and PATCH responses).
pub fn user_detail(base: &BaseUrl, user: &User, actions: UserActions) -> Value {
    let url = user_url(base, user);
    let links = Links::new()
        .add("self", Link::new(url.clone()).titled(SELF_TITLE))
        .add("user", Link::templated(format!("{url}{{?projection}}")).titled("A user"))
        .add_if(actions.edit, "edit", || Link::new(url.clone()).titled("Indication that this entity can be edited"))
        .add_if(actions.assign_roles, "assign_roles", || {
            Link::new(format!("{url}/roles")).titled("Indication that authenticated user can assign roles to this user")
        })
        .add_if(actions.delete, "delete", || {
            Link::new(url.clone()).titled("Indication that this entity can be deleted")
        })
        .add("tenant", tenant_link(base, user.realm_id));
    resource(&user_fields(user, true), None, &links)
}

/// `GET /user`: the detail fields with `self` and `user`, both templated.
pub fn current_user(base: &BaseUrl, user: &User) -> Value {
    let url = user_url(base, user);
    let links = Links::new()
        .add("self", Link::templated(format!("{}{{?projection}}", base.join("/user"))).titled(SELF_TITLE))
        .add("user", Link::templated(format!("{url}{{?projection}}")).titled("A user"));
    resource(&user_fields(user, true), None, &links)
}

fn user_fields(user: &User, detail: bool) -> Value {
    let mut fields = Map::new();
    fields.insert("firstName".into(), json!(user.first_name));
    fields.insert("lastName".into(), json!(user.last_name));
    if detail {
        fields.insert("middleName".into(), json!(user.middle_name));
        fields.insert("emailAddress".into(), email(Some(&user.email)));
    } else {
        fields.insert("emailAddress".into(), email(Some(&user.email)));
        fields.insert("middleName".into(), json!(user.middle_name));
    }
    fields.insert("phoneNumber".into(), json!(user.phone_number));
    if detail {
        let roles: Vec<Value> = user.roles.iter().map(|r| json!({ "name": r })).collect();
        fields.insert("roles".into(), Value::Array(roles));
    }
    fields.insert("uid".into(), json!(uid(user.id)));
    if detail {
        fields.insert("created_at".into(), time(Some(user.audit.created_at)));
        fields.insert("modified_at".into(), time(user.audit.modified_at));
        fields.insert("created_by".into(), json!(user.audit.created_by));
        fields.insert("modified_by".into(), json!(user.audit.modified_by));
    }
    Value::Object(fields)
}

/// `{base}/groups/<uid>`.
pub fn group_url(base: &BaseUrl, group: &Group) -> String {
    base.join(&format!("/groups/{}", uid(group.id)))
}

fn group_fields(group: &Group, detail: bool) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("name".into(), json!(group.name));
    fields.insert("emailAddress".into(), email(group.email.as_deref()));
    fields.insert("phoneNumber".into(), json!(group.phone_number));
    fields.insert("uid".into(), json!(uid(group.id)));
    if detail {
        fields.insert("created_at".into(), time(Some(group.audit.created_at)));
        fields.insert("modified_at".into(), time(group.audit.modified_at));
        fields.insert("created_by".into(), json!(group.audit.created_by));
        fields.insert("modified_by".into(), json!(group.audit.modified_by));
    }
    fields
}

fn members_link(url: &str) -> Link {
    Link::templated(format!("{url}/members{{?projection}}")).titled("Users belonging to this group")
}

/// A group in collections, `/group` and searches.
pub fn group_summary(base: &BaseUrl, group: &Group) -> Value {
    let url = group_url(base, group);
    let links = Links::new()
        .add("self", Link::new(url.clone()).titled(SELF_TITLE))
        .add("group", Link::templated(format!("{url}{{?projection}}")).titled("A group"))
        .add("members", members_link(&url));
    resource(&Value::Object(group_fields(group, false)), None, &links)
}

/// The group detail; `_embedded.members` only when the group has members.
pub fn group_detail(base: &BaseUrl, group: &Group, members: &[User], edit: bool, delete: bool) -> Value {
    let url = group_url(base, group);
    let links = Links::new()
        .add("self", Link::new(url.clone()).titled(SELF_TITLE))
        .add("group", Link::templated(format!("{url}{{?projection}}")).titled("A group"))
        .add_if(edit, "edit", || Link::new(url.clone()).titled("Indication that this entity can be edited"))
        .add_if(delete, "delete", || Link::new(url.clone()).titled("Indication that this entity can be deleted"))
        .add("members", members_link(&url));
    let embedded = (!members.is_empty()).then(|| {
        let mut embedded = Map::new();
        embedded.insert("members".into(), Value::Array(members.iter().map(|m| member(base, m)).collect()));
        embedded
    });
    resource(&Value::Object(group_fields(group, true)), embedded, &links)
}

/// `{base}/tenants/<uid>`.
pub fn tenant_url(base: &BaseUrl, realm: &Realm) -> String {
    base.join(&format!("/tenants/{}", uid(realm.id)))
}

/// A tenant (list items and detail are identical); `_embedded.contact` when a contact is set.
pub fn tenant(base: &BaseUrl, realm: &Realm, contact: Option<&User>, edit: bool) -> Value {
    let url = tenant_url(base, realm);
    let fields = json!({
        "properties": realm.properties,
        "name": realm.display_name,
        "shortName": realm.name,
        "logo": realm.logo,
        "issuerUrl": realm.issuer_url,
        "dataClassificationEnabled": realm.data_classification_enabled,
        "featureConfig": realm.feature_config,
        "retentionTime": realm.retention_time,
        "partitions": realm.partitions,
        "uid": uid(realm.id),
        "created_at": time(Some(realm.audit.created_at)),
        "modified_at": time(realm.audit.modified_at),
        "created_by": realm.audit.created_by,
        "modified_by": realm.audit.modified_by,
    });
    let links = Links::new()
        .add("self", Link::new(url.clone()).titled(SELF_TITLE))
        .add("tenant", Link::new(url.clone()).titled("A tenant"))
        .add_if(edit, "edit", || Link::new(url.clone()).titled("Indication that this entity can be edited"))
        .add(
            "contact",
            Link::templated(format!("{url}/contact{{?projection}}")).titled("Business contact of this tenant"),
        );
    let embedded = contact.map(|user| {
        let mut embedded = Map::new();
        embedded.insert("contact".into(), user_summary(base, user));
        embedded
    });
    resource(&fields, embedded, &links)
}
