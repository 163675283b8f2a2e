//! The Axual seed document's own examples (`tests/contract/axual.txt`, the contract verbatim),
//! and a comparison of a response's shape with one: every object's keys in the seed's order,
//! every link's relation, `title` and `templated`, recursively. Values are not compared (the
//! seed's hrefs are `...` and its uids are its own), nor the keys of `properties` maps of strings
//! (data, not shape).

use serde_json::Value;

const AXUAL: &str = include_str!("../contract/axual.txt");

/// The JSON body of the seed's response to the request whose line starts with `request`
/// (e.g. `GET /stream_configs/c082e097545948dcbd0cf993128d3fc2 HTTP`): the first JSON document
/// after the first `HTTP/1.1` status line that follows it.
pub fn response_to(request: &str) -> Value {
    let at = AXUAL.find(&format!("\n{request}")).unwrap_or_else(|| panic!("the seed has no request '{request}'"));
    let rest = &AXUAL[at + 1..];
    let status = rest.find("\nHTTP/1.1 ").unwrap_or_else(|| panic!("no response after '{request}'"));
    let rest = &rest[status + 1..];
    let body = rest
        .find("\n{")
        .into_iter()
        .chain(rest.find("\n["))
        .min()
        .unwrap_or_else(|| panic!("no JSON body after '{request}'"));
    let mut documents = serde_json::Deserializer::from_str(&rest[body + 1..]).into_iter::<Value>();
    documents
        .next()
        .unwrap_or_else(|| panic!("no JSON after '{request}'"))
        .unwrap_or_else(|e| panic!("'{request}': {e}"))
}

/// Asserts `actual` has the shape of the seed's `expected` (see the module docs).
pub fn assert_shape(actual: &Value, expected: &Value) {
    let differences = differences(actual, expected);
    assert!(differences.is_empty(), "differs from the seed's example:\n{}\nactual: {actual:#}", differences.join("\n"));
}

/// How `actual`'s shape differs from the seed's `expected`, one line per difference.
pub fn differences(actual: &Value, expected: &Value) -> Vec<String> {
    let mut differences = Vec::new();
    compare("$", actual, expected, &mut differences);
    differences
}

fn compare(path: &str, actual: &Value, expected: &Value, differences: &mut Vec<String>) {
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => {
            let actual_keys: Vec<&String> = actual.keys().collect();
            let expected_keys: Vec<&String> = expected.keys().collect();
            // A `properties` map of strings is data (Kafka settings, variables), not shape.
            let strings = |map: &serde_json::Map<String, Value>| map.values().all(Value::is_string);
            let data = path.ends_with(".properties") && strings(actual) && strings(expected);
            if actual_keys != expected_keys && !data {
                differences.push(format!("{path}: keys {actual_keys:?}, the seed has {expected_keys:?}"));
            }
            let links = path.ends_with("._links");
            for (key, expected_value) in expected {
                let Some(actual_value) = actual.get(key) else { continue };
                if links {
                    for attribute in ["title", "templated"] {
                        if actual_value.get(attribute) != expected_value.get(attribute) {
                            differences.push(format!(
                                "{path}.{key}.{attribute}: {:?}, the seed has {:?}",
                                actual_value.get(attribute),
                                expected_value.get(attribute)
                            ));
                        }
                    }
                } else {
                    compare(&format!("{path}.{key}"), actual_value, expected_value, differences);
                }
            }
        }
        (Value::Array(actual), Value::Array(expected)) => {
            if let (Some(actual), Some(expected)) = (actual.first(), expected.first()) {
                compare(&format!("{path}[0]"), actual, expected, differences);
            }
        }
        _ => {}
    }
}

#[test]
fn the_seed_examples_are_found_and_parsed() {
    let config = response_to("GET /stream_configs/c082e097545948dcbd0cf993128d3fc2 HTTP");
    assert_eq!(config["uid"], "c082e097545948dcbd0cf993128d3fc2");
    let created = response_to("POST /stream_configs HTTP");
    assert_eq!(created["properties"]["segment.ms"], "172800000");
    assert_shape(&config, &config);
    let mut renamed = config.clone();
    renamed["_links"]["self"]["title"] = Value::from("another");
    let differs = std::panic::catch_unwind(|| assert_shape(&renamed, &config));
    assert!(differs.is_err(), "a changed link title is a difference");
}
