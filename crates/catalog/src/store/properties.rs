//! Property columns: string properties kept as one JSON object in a text column (instances,
//! environments, streams and stream configs).

use diesel::QueryResult;

/// The properties stored in `column` (a corrupt column is a loud deserialization error).
pub fn from_column(column: &str) -> QueryResult<Vec<(String, String)>> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(column)
        .map_err(|e| diesel::result::Error::DeserializationError(format!("stored properties: {e}").into()))?;
    Ok(map.into_iter().map(|(k, v)| (k, v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))).collect())
}

/// Configs set (key, value) and removed (keys).
pub type ConfigChanges = (Vec<(String, String)>, Vec<String>);

/// Topic config changes stored in `column`: set configs (text values) and removed ones
/// (`null` values), as [`changes_to_column`] wrote them.
pub fn changes_from_column(column: &str) -> QueryResult<ConfigChanges> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(column)
        .map_err(|e| diesel::result::Error::DeserializationError(format!("stored properties: {e}").into()))?;
    let mut set = Vec::new();
    let mut removed = Vec::new();
    for (key, value) in map {
        match value {
            serde_json::Value::Null => removed.push(key),
            serde_json::Value::String(text) => set.push((key, text)),
            other => set.push((key, other.to_string())),
        }
    }
    Ok((set, removed))
}

/// The column text of set and removed topic configs.
pub fn changes_to_column(set: &[(String, String)], removed: &[String]) -> String {
    let mut map: serde_json::Map<String, serde_json::Value> =
        set.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    map.extend(removed.iter().map(|key| (key.clone(), serde_json::Value::Null)));
    serde_json::Value::Object(map).to_string()
}

/// The column text of `properties`.
pub fn to_column(properties: &[(String, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        properties.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    serde_json::Value::Object(map).to_string()
}
