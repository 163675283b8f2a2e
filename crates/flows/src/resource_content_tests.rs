use super::*;

fn reason_of(kind: ResourceType, content: &str) -> String {
    match check(kind, content) {
        Err(FlowsError::Invalid { field, message }) => {
            assert_eq!(field, "content");
            message
        }
        other => panic!("{content}: {other:?}"),
    }
}

const OPENAPI_YAML: &str = "openapi: 3.0.3\ninfo:\n  title: Simple REST API\n  version: '1'\npaths:\n  /echo:\n    post:\n      operationId: echo\n      responses:\n        '200':\n          description: ok\n";

#[test]
fn openapi_documents_are_json_or_yaml_of_version_3() {
    assert_eq!(check(ResourceType::OpenApiV3, OPENAPI_YAML).unwrap().title.as_deref(), Some("Simple REST API"));
    let json = r#"{"openapi": "3.1.0", "info": {"title": "Hooks", "version": "2"}, "webhooks": {}}"#;
    assert_eq!(check(ResourceType::OpenApiV3, json).unwrap().title.as_deref(), Some("Hooks"));
    assert!(reason_of(ResourceType::OpenApiV3, r#"{"swagger": "2.0"}"#).contains("Swagger 2.0"));
    assert!(reason_of(ResourceType::OpenApiV3, "openapi: 4.0.0\ninfo: {}").contains("3.0.x or 3.1.x"));
    assert!(reason_of(ResourceType::OpenApiV3, "openapi: [").contains("JSON or YAML"));
    assert!(
        reason_of(ResourceType::OpenApiV3, r#"{"openapi": "3.0.0", "info": {"version": "1"}, "paths": {}}"#)
            .contains("info.title")
    );
    assert!(
        reason_of(ResourceType::OpenApiV3, r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}}"#)
            .contains("'paths' is required")
    );
    let no_responses = OPENAPI_YAML.replace("      responses:\n        '200':\n          description: ok\n", "");
    assert!(reason_of(ResourceType::OpenApiV3, &no_responses).contains("responses"));
    let relative = OPENAPI_YAML.replace("/echo:", "echo:");
    assert!(reason_of(ResourceType::OpenApiV3, &relative).contains("must start with '/'"));
    // Aliases expanding into billions of nodes are refused by the parser, not expanded.
    let mut bomb = String::from("openapi: 3.0.0\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..12 {
        let previous = level - 1;
        bomb.push_str(&format!("l{level}: &l{level} [*l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}]\n"));
    }
    assert!(reason_of(ResourceType::OpenApiV3, &bomb).contains("JSON or YAML"));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(reason_of(ResourceType::OpenApiV3, &format!("{{\"x\": {deep}}}")).contains("is JSON"));
    let twice = format!("{OPENAPI_YAML}  /other:\n    get:\n      operationId: echo\n      responses: {{}}\n");
    assert!(reason_of(ResourceType::OpenApiV3, &twice).contains("used twice"));
}

const WSDL: &str = r#"<?xml version="1.0"?>
<wsdl:definitions name="MeterService" targetNamespace="urn:meters" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:meters">
  <wsdl:types><xsd:schema targetNamespace="urn:meters"><xsd:element name="Reading" type="xsd:string"/></xsd:schema></wsdl:types>
  <wsdl:message name="ReadingRequest"><wsdl:part name="body" element="tns:Reading"/></wsdl:message>
  <wsdl:portType name="Meters"><wsdl:operation name="Submit"><wsdl:input message="tns:ReadingRequest"/></wsdl:operation></wsdl:portType>
</wsdl:definitions>"#;

#[test]
fn wsdl_documents_are_wsdl_1_1_with_document_style_messages() {
    assert_eq!(check(ResourceType::WsdlV1, WSDL).unwrap().title.as_deref(), Some("MeterService"));
    assert!(reason_of(ResourceType::WsdlV1, "<definitions/>").contains("'definitions' in namespace"));
    assert!(
        reason_of(ResourceType::WsdlV1, r#"<description xmlns="http://www.w3.org/ns/wsdl"/>"#).contains("WSDL 2.0")
    );
    assert!(reason_of(ResourceType::WsdlV1, &WSDL.replace("</wsdl:definitions>", "")).contains("well-formed"));
    assert!(
        reason_of(ResourceType::WsdlV1, &WSDL.replace("</wsdl:message>", "</wsdl:messag>")).contains("well-formed")
    );
    assert!(reason_of(ResourceType::WsdlV1, "not xml at all").contains("well-formed"));
    let two_parts = WSDL
        .replace(r#"element="tns:Reading"/>"#, r#"element="tns:Reading"/><wsdl:part name="x" element="tns:Reading"/>"#);
    assert!(reason_of(ResourceType::WsdlV1, &two_parts).contains("exactly one"));
    let twice = WSDL.replace("</wsdl:portType>", r#"<wsdl:operation name="Submit"/></wsdl:portType>"#);
    assert!(reason_of(ResourceType::WsdlV1, &twice).contains("defined twice"));
    let import = WSDL.replace(
        "<wsdl:types>",
        r#"<wsdl:import namespace="urn:x" location="http://example.com/x.wsdl"/><wsdl:types>"#,
    );
    assert!(reason_of(ResourceType::WsdlV1, &import).contains("import"));
    let doctype = format!(
        "<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{}",
        WSDL.replace("<?xml version=\"1.0\"?>", "")
    );
    assert!(reason_of(ResourceType::WsdlV1, &doctype).contains("DOCTYPE"));
    assert!(reason_of(ResourceType::WsdlV1, &format!("{WSDL}<extra/>")).contains("more than one root"));
    assert!(reason_of(ResourceType::WsdlV1, "<x:definitions/>").contains("not declared"));
}

#[test]
fn xsd_documents_stand_alone() {
    let xsd = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:readings"><xs:element name="r" type="xs:int"/></xs:schema>"#;
    assert_eq!(check(ResourceType::Xsd, xsd).unwrap().title.as_deref(), Some("urn:readings"));
    let include = xsd.replace("<xs:element", r#"<xs:include schemaLocation="other.xsd"/><xs:element"#);
    assert!(reason_of(ResourceType::Xsd, &include).contains("include"));
    assert!(reason_of(ResourceType::Xsd, "<schema/>").contains("'schema' in namespace"));
}

#[test]
fn json_schemas_are_draft_2019_09_without_remote_references() {
    let schema = r##"{"$schema": "https://json-schema.org/draft/2019-09/schema", "title": "Reading", "type": "object",
        "properties": {"value": {"$ref": "#/$defs/number"}}, "$defs": {"number": {"type": "number"}}}"##;
    assert_eq!(check(ResourceType::JsonSchema201909, schema).unwrap().title.as_deref(), Some("Reading"));
    assert!(check(ResourceType::JsonSchema201909, "true").is_ok());
    assert!(reason_of(ResourceType::JsonSchema201909, r#"{"type": "strin"}"#).contains("valid draft 2019-09"));
    assert!(reason_of(ResourceType::JsonSchema201909, r#"{"minimum": "five"}"#).contains("/minimum"));
    assert!(
        reason_of(ResourceType::JsonSchema201909, r#"{"$ref": "http://169.254.169.254/latest/meta-data"}"#)
            .contains("references to other documents")
    );
    assert!(
        reason_of(ResourceType::JsonSchema201909, r#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#)
            .contains("draft 2019-09")
    );
    assert!(reason_of(ResourceType::JsonSchema201909, "[1]").contains("an object"));
    assert!(reason_of(ResourceType::JsonSchema201909, "{").contains("is JSON"));
}

#[test]
fn avro_schemas_are_parsed() {
    let schema = r#"{"type": "record", "name": "Reading", "namespace": "io.meters", "fields": [{"name": "value", "type": "double"}]}"#;
    assert_eq!(check(ResourceType::AvroSchema, schema).unwrap().title.as_deref(), Some("io.meters.Reading"));
    assert!(check(ResourceType::AvroSchema, r#""string""#).unwrap().title.is_none());
    assert!(
        reason_of(
            ResourceType::AvroSchema,
            r#"{"type": "record", "name": "R", "fields": [{"name": "v", "type": "dbl"}]}"#
        )
        .contains("Avro")
    );
}

#[test]
fn arrow_schemas_have_primitive_fields() {
    let schema = r#"{"fields": [
        {"name": "id", "nullable": false, "type": {"name": "int", "bitWidth": 64, "isSigned": true}},
        {"name": "at", "nullable": false, "type": {"name": "timestamp", "unit": "MILLISECOND", "timezone": "UTC"}},
        {"name": "value", "nullable": true, "type": {"name": "floatingpoint", "precision": "DOUBLE"}},
        {"name": "amount", "nullable": true, "type": {"name": "decimal", "precision": 10, "scale": 2}},
        {"name": "note", "nullable": true, "type": {"name": "utf8"}}], "metadata": [{"key": "k", "value": "v"}]}"#;
    assert!(check(ResourceType::ArrowSchema, schema).is_ok());
    let cases = [
        (r#"{"fields": []}"#, "non-empty"),
        (r#"{"fields": [{"name": "a", "type": {"name": "utf8"}}]}"#, "fields[0].nullable"),
        (
            r#"{"fields": [{"name": "a", "nullable": true, "type": {"name": "int", "bitWidth": 7, "isSigned": true}}]}"#,
            "bitWidth",
        ),
        (r#"{"fields": [{"name": "a", "nullable": true, "type": {"name": "list"}}]}"#, "not a supported"),
        (r#"{"fields": [{"name": "a", "nullable": true, "type": {"name": "date", "unit": "WEEK"}}]}"#, "unit"),
        (
            r#"{"fields": [{"name": "a", "nullable": true, "type": {"name": "utf8"}}, {"name": "a", "nullable": true, "type": {"name": "bool"}}]}"#,
            "used twice",
        ),
    ];
    for (content, expected) in cases {
        let message = reason_of(ResourceType::ArrowSchema, content);
        assert!(message.contains(expected), "{content}: {message}");
    }
}
