//! Case-insensitive text search that behaves the same on SQLite and PostgreSQL.
//!
//! `LIKE` is case-insensitive on SQLite and case-sensitive on PostgreSQL, so searches compare
//! `lower(column)` with a lower-cased pattern, and escape the user's `%`, `_` and `\`.

use diesel::sql_types::{Nullable, Text};

diesel::define_sql_function! {
    /// SQL `lower(text)`.
    fn lower(value: Text) -> Text;
}

diesel::define_sql_function! {
    /// SQL `lower(text)` of a nullable column.
    #[sql_name = "lower"]
    fn lower_nullable(value: Nullable<Text>) -> Nullable<Text>;
}

/// The escape character of [`contains_pattern`]; pass it to `.escape(...)`.
pub const ESCAPE: char = '\\';

/// A `LIKE` pattern matching values that contain `text`, ignoring case.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push(ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn wildcards_in_user_text_are_escaped() {
        assert_eq!(contains_pattern("Rabo"), "%rabo%");
        assert_eq!(contains_pattern("50%_x\\"), "%50\\%\\_x\\\\%");
    }
}
