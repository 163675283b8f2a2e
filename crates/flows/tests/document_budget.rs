//! Every document checker of the registry stays within the per-request budget at the body
//! limit (1 MiB): under 2 s and under 64 MiB more memory, whatever the document does —
//! YAML aliases that expand exponentially, nesting as deep as the parsers allow, regular
//! expressions built to backtrack, XML of many elements and attributes, many Arrow fields.
//! Its own test binary with one test, so the allocator counts this work alone.

use portico_core::testing::{CountingAllocator, measured};
use portico_flows::resource_content::check;
use portico_flows::resources::ResourceType;
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const BODY_LIMIT: usize = 1024 * 1024;
const TIME: Duration = Duration::from_secs(2);
const MEMORY: usize = 64 * 1024 * 1024;

/// Checks `content` as `kind`, asserting the budget; whether it was accepted.
fn within_budget(what: &str, kind: ResourceType, content: &str) -> bool {
    assert!(content.len() <= BODY_LIMIT, "{what}: {} bytes", content.len());
    let (accepted, elapsed, added) = measured(|| check(kind, content).is_ok());
    assert!(elapsed < TIME, "{what} took {elapsed:?}");
    assert!(added < MEMORY, "{what} needed {} MiB more", added / (1024 * 1024));
    accepted
}

/// An OpenAPI document in YAML whose `x-bomb` aliases expand to 10^levels strings.
fn yaml_alias_bomb(levels: usize) -> String {
    let mut yaml = String::from(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for level in 1..levels {
        let previous = format!("*a{}", level - 1);
        let items = [previous.as_str(); 10].join(", ");
        yaml.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    yaml.push_str(&format!("x-bomb: *a{}\n", levels - 1));
    yaml
}

/// A JSON Schema with `count` properties, each with a pattern built to backtrack.
fn backtracking_patterns(count: usize) -> String {
    let properties: Vec<String> =
        (0..count).map(|i| format!(r#""p{i}": {{"type": "string", "pattern": "^(a+)+$"}}"#)).collect();
    format!(
        r#"{{"$schema": "https://json-schema.org/draft/2019-09/schema", "type": "object", "properties": {{{}}}}}"#,
        properties.join(",")
    )
}

/// A JSON Schema of `depth` nested objects.
fn nested_schema(depth: usize) -> String {
    let mut schema = String::from(r#"{"type": "string"}"#);
    for _ in 0..depth {
        schema = format!(r#"{{"type": "object", "properties": {{"n": {schema}}}}}"#);
    }
    schema
}

/// An XSD of `count` elements with many attributes each.
fn wide_xsd(count: usize) -> String {
    let elements: String = (0..count)
        .map(|i| {
            format!(
                r#"<xs:element name="e{i}" type="xs:string" minOccurs="0" maxOccurs="1" nillable="true" id="i{i}"/>"#
            )
        })
        .collect();
    format!(r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{elements}</xs:schema>"#)
}

/// An XSD nested `depth` elements deep.
fn deep_xsd(depth: usize) -> String {
    let open = "<xs:annotation>".repeat(depth);
    let close = "</xs:annotation>".repeat(depth);
    format!(r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{open}{close}</xs:schema>"#)
}

/// An Arrow schema of `count` fields.
fn wide_arrow(count: usize) -> String {
    let fields: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#"{{"name": "f{i}", "nullable": true, "type": {{"name": "int", "bitWidth": 32, "isSigned": true}}}}"#
            )
        })
        .collect();
    format!(r#"{{"fields": [{}]}}"#, fields.join(","))
}

/// An OpenAPI document in JSON with `count` paths of one operation each.
fn wide_openapi(count: usize) -> String {
    let paths: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#""/p{i}": {{"get": {{"operationId": "op{i}", "responses": {{"200": {{"description": "ok"}}}}}}}}"#
            )
        })
        .collect();
    format!(r#"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}}, "paths": {{{}}}}}"#, paths.join(","))
}

#[test]
fn every_checker_stays_within_the_budget_at_the_body_limit() {
    // Aliases: refused (or counted) rather than expanded into 10^9 strings.
    let bomb = yaml_alias_bomb(9);
    assert!(!within_budget("a YAML alias bomb", ResourceType::OpenApiV3, &bomb), "an alias bomb is refused");
    within_budget(
        "a JSON Schema of backtracking patterns",
        ResourceType::JsonSchema201909,
        &backtracking_patterns(12_000),
    );
    within_budget("a deeply nested JSON Schema", ResourceType::JsonSchema201909, &nested_schema(60));
    assert!(within_budget("a wide XSD", ResourceType::Xsd, &wide_xsd(9_000)));
    within_budget("a deep XSD", ResourceType::Xsd, &deep_xsd(30_000));
    assert!(within_budget("a wide Arrow schema", ResourceType::ArrowSchema, &wide_arrow(11_000)));
    assert!(within_budget("a wide OpenAPI document", ResourceType::OpenApiV3, &wide_openapi(9_000)));
    let avro: Vec<String> = (0..20_000).map(|i| format!(r#"{{"name": "f{i}", "type": "long"}}"#)).collect();
    let avro = format!(r#"{{"type": "record", "name": "R", "fields": [{}]}}"#, avro.join(","));
    assert!(within_budget("a wide Avro record", ResourceType::AvroSchema, &avro));
}
