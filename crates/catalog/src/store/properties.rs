//! Property columns: string properties kept as one JSON object in a text column (instances,
//! environments, streams and stream configs).

use diesel::QueryResult;

/// The properties stored in `column` (a corrupt column is a loud deserialization error).
pub fn from_column(column: &str) -> QueryResult<Vec<(String, String)>> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(column)
        .map_err(|e| diesel::result::Error::DeserializationError(format!("stored properties: {e}").into()))?;
    Ok(map.into_iter().map(|(k, v)| (k, v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))).collect())
}

/// The column text of `properties`.
pub fn to_column(properties: &[(String, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        properties.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    serde_json::Value::Object(map).to_string()
}
