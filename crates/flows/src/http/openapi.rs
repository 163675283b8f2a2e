//! `GET /{ownerId}/management/openapi.json`: the OpenAPI 3.1 document of one owner's
//! management API, cut from the whole-surface document (the same route definitions): the
//! operations under `/{ownerId}/management`, with paths relative to the owner's base URL (its
//! `servers` entry) and without the `ownerId` parameter, and the schemas they reference.

use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use portico_core::RequestContext;
use portico_core::context::Requirement;
use portico_core::http::{ApiDocument, ApiError, BaseUrl};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// The path prefix of the management API.
const PREFIX: &str = "/{ownerId}/management";

fn references(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref")
                && let Some(name) = target.strip_prefix("#/components/schemas/")
            {
                found.insert(name.to_owned());
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(list) => list.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

/// The owner's document, from the whole-surface one.
pub fn owner_document(whole: &Value, owner: &str, base: &str) -> Value {
    let mut paths = Map::new();
    for (path, item) in whole["paths"].as_object().into_iter().flatten() {
        let Some(relative) = path.strip_prefix(PREFIX).filter(|rest| rest.starts_with('/')) else {
            continue;
        };
        let mut item = item.clone();
        for operation in item.as_object_mut().into_iter().flat_map(|ops| ops.values_mut()) {
            if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
                parameters.retain(|p| !(p["name"] == "ownerId" && p["in"] == "path"));
            }
        }
        paths.insert(relative.to_owned(), item);
    }
    // The schemas the operations use, and the schemas those use.
    let mut wanted = BTreeSet::new();
    references(&Value::Object(paths.clone()), &mut wanted);
    let all = &whole["components"]["schemas"];
    let mut schemas = Map::new();
    while let Some(name) = wanted.iter().find(|name| !schemas.contains_key(*name)).cloned() {
        let schema = all.get(&name).cloned().unwrap_or(Value::Null);
        references(&schema, &mut wanted);
        schemas.insert(name, schema);
    }
    json!({
        "openapi": whole["openapi"],
        "info": {
            "title": format!("Management API of {owner}"),
            "version": whole["info"]["version"],
            "description": "Flows, the resource registry, secrets and dynamic tables of this owner (Utilihive management API), served by Portico.",
        },
        "servers": [{"url": format!("{base}/{owner}/management")}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": whole["components"]["securitySchemes"]["bearerAuth"]},
        },
        "security": [{"bearerAuth": []}],
    })
}

/// The OpenAPI 3.1 document of this owner's management API.
#[utoipa::path(tag = "utilihive", operation_id = "utilihive_openapi",
    params(("ownerId" = String, Path, description = "The owner")),
    responses((status = 200, description = "The document", content_type = "application/json"),
        (status = 403, description = "Another owner, or no management scope")))]
#[get("/{ownerId}/management/openapi.json")]
pub async fn owner_openapi(
    ctx: RequestContext,
    req: HttpRequest,
    base: BaseUrl,
    document: Data<ApiDocument>,
) -> Result<HttpResponse, ApiError> {
    ctx.require(crate::service::REQUIREMENT)?;
    ctx.require(Requirement::AnyRole(crate::service::ROLES))?;
    let owner = req.match_info().get("ownerId").unwrap_or_default();
    Ok(HttpResponse::Ok().json(owner_document(&document.value(), owner, &base.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_document_keeps_its_paths_and_the_schemas_they_use() {
        let whole = json!({
            "openapi": "3.1.0",
            "info": {"title": "Portico", "version": "1"},
            "paths": {
                "/{ownerId}/management/flows": {"get": {"parameters": [{"name": "ownerId", "in": "path"}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}},
                "/streams": {"get": {"responses": {}}},
                "/{ownerId}/managementx": {"get": {}}
            },
            "components": {
                "schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}}, "B": {}, "C": {}},
                "securitySchemes": {"bearerAuth": {"type": "http"}}
            }
        });
        let doc = owner_document(&whole, "acme", "https://p.example");
        assert_eq!(doc["servers"][0]["url"], "https://p.example/acme/management");
        let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/flows"]);
        assert_eq!(doc["paths"]["/flows"]["get"]["parameters"], json!([]));
        let schemas: Vec<&String> = doc["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(schemas, ["A", "B"]);
    }
}
