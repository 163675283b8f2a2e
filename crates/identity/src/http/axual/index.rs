//! The entry point `GET /` and `/profile` (ALPS, or JSON Schema with
//! `Accept: application/schema+json`) for the collections this crate serves.

use super::SELF_TITLE;
use actix_web::http::header::ACCEPT;
use actix_web::web::Path;
use actix_web::{HttpRequest, HttpResponse, get};
use portico_core::hal::{Link, Links};
use portico_core::http::respond::{hal, json_with};
use portico_core::http::{ApiError, Axual, BaseUrl, Failure};
use portico_core::{ErrorKind, RequestContext};
use serde_json::{Map, Value, json};

/// Axual "index" (GET /): links to the collections served and the caller's own resources.
#[utoipa::path(tag = "axual", responses((status = 200, description = "`_links` to every collection"), (status = 401, description = "no credentials")))]
#[get("/")]
pub async fn index(_ctx: RequestContext, base: BaseUrl) -> HttpResponse {
    let collection =
        |name: &str, title: &str| Link::templated(base.join(&format!("/{name}{{?page,size,sort}}"))).titled(title);
    let links = Links::new()
        .add("tenants", collection("tenants", "Access or create tenants"))
        .add("groups", collection("groups", "Access or create groups"))
        .add("users", collection("users", "Access or create users"))
        .add("group", Link::new(base.join("/group")).titled("A group"))
        .add("user", Link::new(base.join("/user")).titled("A user"))
        .add("tenant", Link::new(base.join("/tenant")).titled("A tenant"))
        .add(
            "profile",
            Link::new(base.join("/profile")).titled("Endpoints for schema metadata in ALPS/JSON Schema format"),
        );
    hal(&json!({ "_links": links }))
}

/// `/profile`: one link per collection.
#[utoipa::path(tag = "axual", responses((status = 200, description = "`_links` to each collection's profile"), (status = 401, description = "no credentials")))]
#[get("/profile")]
pub async fn profile(_ctx: RequestContext, base: BaseUrl) -> HttpResponse {
    let mut links = Links::new().add("self", Link::new(base.join("/profile")).titled(SELF_TITLE));
    for rel in PROFILES {
        links.push(rel, Link::new(base.join(&format!("/profile/{rel}"))));
    }
    hal(&json!({ "_links": links }))
}

const PROFILES: [&str; 3] = ["users", "groups", "tenants"];

/// One collection's metadata: JSON Schema with `Accept: application/schema+json`, else ALPS.
#[utoipa::path(tag = "axual", params(("rel" = String, Path, description = "users, groups or tenants")),
    responses((status = 200, description = "JSON Schema or ALPS"), (status = 401, description = "no credentials"), (status = 404, description = "unknown collection")))]
#[get("/profile/{rel}")]
pub async fn collection_profile(
    req: HttpRequest,
    _ctx: RequestContext,
    rel: Path<String>,
    base: BaseUrl,
) -> Result<HttpResponse, ApiError<Axual>> {
    let (title, properties, definitions) = match rel.as_str() {
        "users" => users(),
        "groups" => groups(),
        "tenants" => tenants(),
        other => {
            return Err(ApiError::new(Failure::new(
                ErrorKind::NotFound,
                "not_found",
                format!("No profile for '{other}'"),
            )));
        }
    };
    let wants_schema =
        req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/schema+json"));
    if wants_schema {
        let schema = json!({
            "title": title,
            "properties": Value::Object(properties),
            "definitions": Value::Object(definitions),
            "type": "object",
            "$schema": "http://json-schema.org/draft-04/schema#",
        });
        return Ok(json_with(HttpResponse::Ok(), "application/schema+json;charset=UTF-8", &schema));
    }
    let descriptors: Vec<Value> = properties.keys().map(|name| json!({ "name": name, "type": "SEMANTIC" })).collect();
    let alps = json!({
        "alps": {
            "version": "1.0",
            "descriptor": [{
                "id": format!("{}-representation", title.to_lowercase()),
                "href": base.join(&format!("/profile/{rel}")),
                "descriptor": descriptors,
            }],
        }
    });
    Ok(json_with(HttpResponse::Ok(), "application/alps+json;charset=UTF-8", &alps))
}

/// Spring Data REST's property title: split on camelCase or `_`, first word capitalised.
fn title(name: &str) -> String {
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

fn property(name: &str, kind: &str, read_only: bool, extra: Value) -> (String, Value) {
    let mut value = json!({ "title": title(name), "readOnly": read_only, "type": kind });
    if let (Some(map), Value::Object(extra)) = (value.as_object_mut(), extra) {
        map.extend(extra);
    }
    (name.to_owned(), value)
}

fn audit(properties: &mut Map<String, Value>) {
    properties.extend([
        property("created_at", "string", true, json!({ "format": "date-time" })),
        property("created_by", "string", true, json!({})),
        property("modified_at", "string", false, json!({ "format": "date-time" })),
        property("modified_by", "string", false, json!({})),
    ]);
}

fn email_definition() -> (String, Value) {
    (
        "emailAddress".into(),
        json!({ "type": "object", "properties": { "email": { "title": "Email", "readOnly": true, "type": "string" } } }),
    )
}

type Schema = (&'static str, Map<String, Value>, Map<String, Value>);

fn users() -> Schema {
    let mut properties: Map<String, Value> = [
        property("firstName", "string", false, json!({})),
        property("lastName", "string", false, json!({})),
        property("middleName", "string", false, json!({})),
        property("uid", "string", true, json!({})),
        property("emailAddress", "object", false, json!({ "$ref": "#/definitions/emailAddress" })),
        property("phoneNumber", "string", false, json!({})),
        property("roles", "array", true, json!({ "uniqueItems": true, "items": { "$ref": "#/definitions/role" } })),
    ]
    .into_iter()
    .collect();
    audit(&mut properties);
    let definitions = [
        email_definition(),
        ("role".into(), json!({ "type": "object", "properties": { "name": { "title": "Name", "readOnly": false, "type": "string" } } })),
    ]
    .into_iter()
    .collect();
    ("User", properties, definitions)
}

fn groups() -> Schema {
    let mut properties: Map<String, Value> = [
        property("uid", "string", true, json!({})),
        property("emailAddress", "object", false, json!({ "$ref": "#/definitions/emailAddress" })),
        property("phoneNumber", "string", false, json!({})),
        property("members", "string", false, json!({ "format": "uri" })),
        property("name", "string", false, json!({})),
    ]
    .into_iter()
    .collect();
    audit(&mut properties);
    ("Group", properties, [email_definition()].into_iter().collect())
}

fn tenants() -> Schema {
    let mut properties: Map<String, Value> = [
        property("name", "string", false, json!({})),
        property("shortName", "string", false, json!({})),
        property("logo", "string", false, json!({})),
        property("issuerUrl", "string", false, json!({})),
        property("dataClassificationEnabled", "boolean", false, json!({})),
        property("featureConfig", "string", false, json!({})),
        property("retentionTime", "integer", false, json!({})),
        property("partitions", "integer", false, json!({})),
        property("contact", "string", false, json!({ "format": "uri" })),
        property("properties", "object", false, json!({})),
        property("uid", "string", true, json!({})),
    ]
    .into_iter()
    .collect();
    audit(&mut properties);
    ("Tenant", properties, Map::new())
}

#[cfg(test)]
mod tests {
    use super::title;

    #[test]
    fn titles_follow_spring_data_rest() {
        assert_eq!(title("created_at"), "Created at");
        assert_eq!(title("apiUrl"), "Api url");
        assert_eq!(title("caCerts"), "Ca certs");
        assert_eq!(title("dataClassificationEnabled"), "Data classification enabled");
        assert_eq!(title("uid"), "Uid");
    }
}
