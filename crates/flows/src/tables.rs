//! Dynamic tables: named tables of rows, each row a set of cells (column → text value). A
//! table comes to exist with its first row; lookups by column and value use an index.

use crate::error::FlowsError;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// Longest table or column name.
pub const MAX_NAME: usize = 100;
/// Longest cell value.
pub const MAX_VALUE: usize = 4096;
/// Most cells in one row.
pub const MAX_CELLS: usize = 200;
/// Most rows one listing returns.
pub const MAX_LIMIT: i64 = 1000;

/// A table's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    /// Its name.
    pub name: String,
    /// How many rows it holds.
    pub row_count: i64,
}

/// A row: its id and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its id in the table.
    pub id: i64,
    /// Column → value.
    pub cells: BTreeMap<String, String>,
}

/// Which rows a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowQuery {
    /// Only rows whose `column` holds `value`.
    pub filter: Option<(String, String)>,
    /// Rows to skip (by row id order).
    pub offset: i64,
    /// At most this many (1..=1000).
    pub limit: i64,
}

/// A get-or-add (`PATCH .../rows`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upsert {
    /// The column to look the row up by.
    pub column: String,
    /// Its value.
    pub value: String,
    /// Cells to set on the row found or added.
    pub cells: BTreeMap<String, String>,
    /// Create the table when it does not exist.
    pub create_table: bool,
    /// Add the row when no row matches.
    pub create_row: bool,
}

/// Checks a table or column name: 1 to 100 letters, digits, `-`, `_` and `.`, starting with a
/// letter or digit.
pub fn check_name(field: &str, name: &str) -> Result<(), FlowsError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(FlowsError::invalid(
            field,
            format!(
                "'{field}' must be 1 to {MAX_NAME} letters, digits, '-', '_' or '.', starting with a letter or digit"
            ),
        ))
    }
}

/// Checks a cell value (no control characters, at most 4096 characters).
pub fn check_value(field: &str, value: &str) -> Result<(), FlowsError> {
    crate::model::check_text(field, value, MAX_VALUE)
}

/// Cells as a request sends them: column → JSON value, each kept as the text it was sent as.
pub type SentCells = BTreeMap<String, Box<RawValue>>;

/// Cells from JSON: column → string, number or boolean, stored as text. A number keeps the
/// digits it was sent with (`1e40` and forty digits stay what they are), so a cell is never a
/// different value than the one sent.
pub fn cells_from(field: &str, sent: Option<&SentCells>) -> Result<BTreeMap<String, String>, FlowsError> {
    let Some(sent) = sent else {
        return Ok(BTreeMap::new());
    };
    if sent.len() > MAX_CELLS {
        return Err(FlowsError::invalid(field, format!("a row has at most {MAX_CELLS} cells")));
    }
    let mut cells = BTreeMap::new();
    for (column, value) in sent {
        let path = format!("{field}.{column}");
        check_name(&path, column)?;
        let text = portico_core::properties::scalar_text(value)
            .ok()
            .flatten()
            .ok_or_else(|| FlowsError::invalid(&path, format!("'{path}' must be a string, a number or a boolean")))?;
        check_value(&path, &text)?;
        cells.insert(column.clone(), text);
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(json: &str) -> Result<BTreeMap<String, String>, FlowsError> {
        let sent: SentCells = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
        cells_from("cells", Some(&sent))
    }

    #[test]
    fn cells_are_text_under_valid_columns() {
        let found = cells(r#"{"meter": "M-1", "kwh": 12.50, "active": true}"#).unwrap();
        assert_eq!(found["kwh"], "12.50", "as sent");
        assert_eq!(found["active"], "true");
        let big = cells(r#"{"n": 10000000000000000000000000000000000000000, "e": 1e40}"#).unwrap();
        assert_eq!(big["n"], "10000000000000000000000000000000000000000");
        assert_eq!(big["e"], "1e40");
        assert!(cells(r#"{"bad column": "x"}"#).is_err());
        assert!(cells(r#"{"a": [1]}"#).is_err());
        assert!(cells(r#"{"a": null}"#).is_err());
        assert!(cells(r#"{"a": "x\u0000"}"#).is_err());
        assert!(serde_json::from_str::<SentCells>("[1]").is_err());
        assert!(check_name("table", "readings_2026").is_ok());
        assert!(check_name("table", "-x").is_err());
    }
}
