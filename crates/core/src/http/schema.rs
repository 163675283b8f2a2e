//! OpenAPI schemas of the HAL types, and Spring Data REST JSON Schema profiles generated from
//! the same wire types.
//!
//! Every Axual response in `/openapi.json` is typed: [`Resource<T>`] is `T`'s schema plus
//! `_links` (and `_embedded`), [`Collection<T>`] has `_embedded.<rel>`, `_links` and `page`.
//! [`spring_profile`] turns `T`'s schema into the JSON Schema that `GET /profile/{rel}`
//! answers with `Accept: application/schema+json`, so the profile cannot drift from the wire.

use crate::hal::{Collection, HalItem, Link, Links, LocalTime, NoEmbedded, NoFields, PageMetadata, Resource};
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use utoipa::__dev::ComposeSchema;
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

fn reference<T: ToSchema>() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

fn push<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
}

impl PartialSchema for Link {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property("href", ObjectBuilder::new().schema_type(Type::String))
            .required("href")
            .property("templated", ObjectBuilder::new().schema_type(Type::Boolean))
            .property("title", ObjectBuilder::new().schema_type(Type::String))
            .description(Some("A HAL link; `templated` only for URI templates"))
            .into()
    }
}

impl ToSchema for Link {}

impl PartialSchema for Links {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .additional_properties(Some(AdditionalProperties::RefOr(reference::<Link>())))
            .description(Some("`_links`: relation name → link, in a fixed order"))
            .into()
    }
}

impl ToSchema for Links {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        push::<Link>(schemas);
    }
}

impl PartialSchema for PageMetadata {
    fn schema() -> RefOr<Schema> {
        let int = || ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0));
        ObjectBuilder::new()
            .property("size", int())
            .property("totalElements", int())
            .property("totalPages", int())
            .property("number", int())
            .required("size")
            .required("totalElements")
            .required("totalPages")
            .required("number")
            .into()
    }
}

impl ToSchema for PageMetadata {}

impl PartialSchema for LocalTime {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("UTC date-time without an offset, e.g. `2021-04-22T14:34:28.601088`"))
            .into()
    }
}

impl ToSchema for LocalTime {}

impl PartialSchema for NoEmbedded {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().into()
    }
}

impl ToSchema for NoEmbedded {}

impl PartialSchema for NoFields {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().into()
    }
}

impl ToSchema for NoFields {}

fn has_embedded<E: ToSchema>() -> bool {
    E::name() != NoEmbedded::name()
}

impl PartialSchema for crate::dependents::DeletionConstraints {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property("canDelete", ObjectBuilder::new().schema_type(Type::Boolean))
            .required("canDelete")
            .additional_properties(Some(AdditionalProperties::RefOr(
                ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).into(),
            )))
            .description(Some("`canDelete` and one `<thing>Count` per kind of dependent"))
            .into()
    }
}

impl ToSchema for crate::dependents::DeletionConstraints {}

// Generic types get their schema through utoipa's `ComposeSchema` (which implies
// `PartialSchema`): that is what `#[utoipa::path(... body = Resource<UserDetail>)]` asks for.
impl<T: ToSchema, E: ToSchema> ComposeSchema for Resource<T, E> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        let mut hal = ObjectBuilder::new().property("_links", reference::<Links>()).required("_links");
        if has_embedded::<E>() {
            hal = hal.property("_embedded", reference::<E>());
        }
        AllOfBuilder::new().item(reference::<T>()).item(hal).into()
    }
}

impl<T: ToSchema, E: ToSchema> ToSchema for Resource<T, E> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Resource", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        push::<T>(schemas);
        push::<Links>(schemas);
        if has_embedded::<E>() {
            push::<E>(schemas);
        }
    }
}

impl<T: ToSchema + HalItem, E: ToSchema> ComposeSchema for Collection<T, E> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        let items = ArrayBuilder::new().items(reference::<Resource<T, E>>());
        ObjectBuilder::new()
            .property("_embedded", ObjectBuilder::new().property(T::REL, items).required(T::REL))
            .required("_embedded")
            .property("_links", reference::<Links>())
            .required("_links")
            .property("page", reference::<PageMetadata>())
            .description(Some("A HAL collection; `page` only on paged collections"))
            .into()
    }
}

impl<T: ToSchema + HalItem, E: ToSchema> ToSchema for Collection<T, E> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Collection", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        push::<Resource<T, E>>(schemas);
        push::<PageMetadata>(schemas);
    }
}

/// Properties Spring Data REST always marks read-only in profiles.
const ALWAYS_READ_ONLY: [&str; 3] = ["uid", "created_at", "created_by"];

/// Spring Data REST's property title: split on camelCase or `_`, first word capitalised.
pub fn spring_title(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        if c == '_' || c.is_uppercase() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            if c != '_' {
                current.extend(c.to_lowercase());
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    let text = words.join(" ");
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// The `GET /profile/{rel}` JSON Schema of the entity whose detail wire type is `T`.
///
/// Properties come from `T`'s OpenAPI schema in declaration order; nested objects become
/// `#/definitions/<name>`; `relations` adds the association properties clients write as URIs
/// (`"format": "uri"`), which responses show as links instead of fields.
pub fn spring_profile<T: ToSchema>(title: &str, relations: &[&str]) -> Value {
    let mut components = Vec::new();
    push::<T>(&mut components);
    let lookup: Map<String, Value> = components
        .into_iter()
        .filter_map(|(name, schema)| serde_json::to_value(schema).ok().map(|v| (name, v)))
        .collect();
    let root = lookup.get(T::name().as_ref()).cloned().unwrap_or(Value::Null);
    let mut definitions = Map::new();
    let mut properties = Map::new();
    for (name, schema) in object_properties(&root, &lookup) {
        if schema.get("writeOnly") == Some(&Value::Bool(true)) {
            continue;
        }
        properties.insert(name.clone(), spring_property(&name, &schema, &lookup, &mut definitions));
    }
    for relation in relations {
        properties.insert(
            (*relation).to_owned(),
            json!({ "title": spring_title(relation), "readOnly": false, "type": "string", "format": "uri" }),
        );
    }
    // Spring prints definitions sorted by name (the seed's instance profile: `cACert`, then
    // `instanceClusters`).
    definitions.sort_keys();
    json!({
        "title": title,
        "properties": properties,
        "definitions": definitions,
        "type": "object",
        "$schema": "http://json-schema.org/draft-04/schema#",
    })
}

/// An object schema's properties in body order. A struct with `#[serde(flatten)]` fields is an
/// `allOf` of the flattened components' references followed by its own properties; serde writes
/// the flattened fields where they are declared, which in wire types is last (audit fields), so
/// the object's own properties come first and the flattened ones after.
fn object_properties(schema: &Value, lookup: &Map<String, Value>) -> Vec<(String, Value)> {
    if let Some(fields) = schema.get("properties").and_then(Value::as_object) {
        return fields.iter().map(|(name, field)| (name.clone(), field.clone())).collect();
    }
    let parts = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let (flattened, own): (Vec<&Value>, Vec<&Value>) = parts.iter().partition(|part| ref_name(part).is_some());
    own.into_iter()
        .chain(flattened)
        .flat_map(|part| match ref_name(part) {
            Some(component) => object_properties(lookup.get(component).unwrap_or(&Value::Null), lookup),
            None => object_properties(part, lookup),
        })
        .collect()
}

/// The referenced component's name: `#/components/schemas/EmailAddress` → `EmailAddress`.
fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())
}

/// Unwraps `oneOf: [null, X]` and `allOf: [X]` (how utoipa writes optional and annotated refs).
fn unwrap_optional(schema: &Value) -> &Value {
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let non_null: Vec<&Value> = options.iter().filter(|o| o.get("type") != Some(&json!("null"))).collect();
            if let [only] = non_null.as_slice() {
                return only;
            }
        }
    }
    schema
}

fn json_type(schema: &Value) -> Option<String> {
    match schema.get("type")? {
        Value::String(kind) => Some(kind.clone()),
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).find(|k| *k != "null").map(str::to_owned),
        _ => None,
    }
}

fn definition_name(component: &str) -> String {
    let mut chars = component.chars();
    chars.next().map(|first| first.to_lowercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn spring_property(
    name: &str,
    schema: &Value,
    lookup: &Map<String, Value>,
    definitions: &mut Map<String, Value>,
) -> Value {
    let read_only = ALWAYS_READ_ONLY.contains(&name) || schema.get("readOnly") == Some(&Value::Bool(true));
    let inner = unwrap_optional(schema);
    // utoipa puts `readOnly` of a list on its items.
    let marked = |s: &Value| s.get("readOnly") == Some(&Value::Bool(true));
    let read_only = read_only || marked(inner) || inner.get("items").is_some_and(marked);
    let mut out = Map::new();
    out.insert("title".into(), Value::String(spring_title(name)));
    out.insert("readOnly".into(), Value::Bool(read_only));
    let mut inner = inner;
    if let Some(component) = ref_name(inner) {
        let target = lookup.get(component).unwrap_or(&Value::Null);
        match json_type(target).as_deref() {
            // Strings with a format (times) and enums are written inline, as Spring does.
            Some("string" | "integer" | "number" | "boolean") => inner = target,
            _ => {
                define(component, lookup, definitions);
                out.insert("type".into(), json!("object"));
                out.insert("$ref".into(), json!(format!("#/definitions/{}", definition_name(component))));
                return Value::Object(out);
            }
        }
    }
    let kind = json_type(inner).unwrap_or_else(|| "object".into());
    out.insert("type".into(), Value::String(kind.clone()));
    if let Some(format) = inner.get("format").and_then(Value::as_str).filter(|f| matches!(*f, "date-time" | "uri")) {
        out.insert("format".into(), json!(format));
    }
    if let Some(values) = inner.get("enum") {
        out.insert("enum".into(), values.clone());
    }
    if kind == "array" {
        if let Some(unique) = inner.get("uniqueItems") {
            out.insert("uniqueItems".into(), unique.clone());
        }
        if let Some(items) = inner.get("items") {
            let items = unwrap_optional(items);
            let rendered = match ref_name(items) {
                Some(component) => {
                    define(component, lookup, definitions);
                    json!({ "$ref": format!("#/definitions/{}", definition_name(component)) })
                }
                None => json!({ "type": json_type(items).unwrap_or_else(|| "string".into()) }),
            };
            out.insert("items".into(), rendered);
        }
    }
    Value::Object(out)
}

/// Adds the definition of a nested object component.
fn define(component: &str, lookup: &Map<String, Value>, definitions: &mut Map<String, Value>) {
    let key = definition_name(component);
    if definitions.contains_key(&key) {
        return;
    }
    // Reserve the key first: a recursive type must not recurse forever.
    definitions.insert(key.clone(), Value::Null);
    let mut properties = Map::new();
    let schema = lookup.get(component).cloned().unwrap_or(Value::Null);
    for (name, field) in object_properties(&schema, lookup) {
        properties.insert(name.clone(), spring_property(&name, &field, lookup, definitions));
    }
    definitions.insert(key, json!({ "type": "object", "properties": properties }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hal::Links;
    use serde::Serialize;

    #[derive(Serialize, ToSchema)]
    struct Email {
        #[schema(read_only)]
        email: String,
    }

    #[derive(Serialize, ToSchema)]
    struct Role {
        name: String,
    }

    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "camelCase")]
    struct Person {
        first_name: String,
        middle_name: Option<String>,
        email_address: Email,
        phone_number: Option<String>,
        #[schema(read_only)]
        roles: Vec<Role>,
        uid: String,
        #[schema(write_only)]
        password: Option<String>,
        retention: i64,
        #[serde(flatten)]
        audit: crate::http::axual::AuditFields,
    }

    impl HalItem for Person {
        const REL: &'static str = "people";
    }

    #[test]
    fn titles_follow_spring_data_rest() {
        assert_eq!(spring_title("created_at"), "Created at");
        assert_eq!(spring_title("apiUrl"), "Api url");
        assert_eq!(spring_title("caCerts"), "Ca certs");
        assert_eq!(spring_title("dataClassificationEnabled"), "Data classification enabled");
        assert_eq!(spring_title("uid"), "Uid");
    }

    #[test]
    fn profiles_are_generated_from_the_wire_type() {
        let profile = spring_profile::<Person>("Person", &["owners"]);
        let properties = &profile["properties"];
        assert_eq!(profile["title"], "Person");
        assert_eq!(profile["$schema"], "http://json-schema.org/draft-04/schema#");
        assert_eq!(properties["firstName"], json!({"title": "First name", "readOnly": false, "type": "string"}));
        assert_eq!(properties["middleName"], json!({"title": "Middle name", "readOnly": false, "type": "string"}));
        assert_eq!(properties["uid"]["readOnly"], true);
        assert_eq!(
            properties["created_at"],
            json!({"title": "Created at", "readOnly": true, "type": "string", "format": "date-time"})
        );
        assert_eq!(properties["modified_at"]["readOnly"], false);
        assert_eq!(properties["modified_at"]["format"], "date-time");
        assert_eq!(
            properties["emailAddress"],
            json!({"title": "Email address", "readOnly": false, "type": "object", "$ref": "#/definitions/email"})
        );
        assert_eq!(properties["roles"]["type"], "array");
        assert_eq!(properties["roles"]["readOnly"], true);
        assert_eq!(properties["roles"]["items"], json!({"$ref": "#/definitions/role"}));
        assert_eq!(properties["retention"]["type"], "integer");
        assert!(properties["retention"].get("format").is_none(), "no int64 format in Spring profiles");
        assert!(properties.get("password").is_none(), "write-only fields are not in profiles");
        assert_eq!(properties["owners"]["format"], "uri");
        let order: Vec<&str> = properties.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            order,
            [
                "firstName",
                "middleName",
                "emailAddress",
                "phoneNumber",
                "roles",
                "uid",
                "retention",
                "created_at",
                "modified_at",
                "created_by",
                "modified_by",
                "owners"
            ],
            "own fields, then flattened ones (where serde writes them), then relations"
        );
        assert_eq!(
            profile["definitions"]["email"],
            json!({"type": "object", "properties": {"email": {"title": "Email", "readOnly": true, "type": "string"}}})
        );
    }

    #[test]
    fn hal_types_have_schemas() {
        let resource = serde_json::to_value(Resource::<Person>::schema()).unwrap();
        assert_eq!(resource["allOf"][0]["$ref"], "#/components/schemas/Person");
        assert_eq!(resource["allOf"][1]["properties"]["_links"]["$ref"], "#/components/schemas/Links");
        assert_eq!(Resource::<Person>::name(), "PersonResource");
        let collection = serde_json::to_value(Collection::<Person>::schema()).unwrap();
        assert_eq!(
            collection["properties"]["_embedded"]["properties"]["people"]["items"]["$ref"],
            "#/components/schemas/PersonResource"
        );
        let mut schemas = Vec::new();
        Collection::<Person>::schemas(&mut schemas);
        let names: Vec<&str> = schemas.iter().map(|(n, _)| n.as_str()).collect();
        for expected in ["PersonResource", "Person", "Links", "Link", "PageMetadata", "Email", "Role"] {
            assert!(names.contains(&expected), "{expected} missing from {names:?}");
        }
        let _ = Links::new();
    }
}
