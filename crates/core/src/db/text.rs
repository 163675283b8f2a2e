//! Case-insensitive text search that behaves the same on SQLite and PostgreSQL.
//!
//! `LIKE` is case-insensitive on SQLite and case-sensitive on PostgreSQL, so searches compare
//! `lower(column)` with a lower-cased pattern, and escape the user's `%`, `_` and `\`.
//!
//! A search condition is wrapped in [`planned_per_use`]: its query is not kept as a prepared
//! statement, so PostgreSQL plans each execution for the actual pattern. A generic plan cannot
//! see how selective a pattern is and may walk a whole ordered index for a handful of matches;
//! every other query keeps its prepared statement (and PostgreSQL's plan cache).

use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::expression_methods::{EscapeExpressionMethods, TextExpressionMethods};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
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

/// `lower(value) LIKE '%text%' ESCAPE '\'`, planned per use: the one "contains, ignoring
/// case" search condition.
pub fn contains<E>(value: E, text: &str) -> Contains<E>
where
    E: Expression<SqlType = Text>,
    lower<E>: Expression<SqlType = Text>,
    diesel::dsl::Like<lower<E>, String>: EscapeExpressionMethods,
{
    planned_per_use(lower(value).like(contains_pattern(text)).escape(ESCAPE))
}

/// The type of [`contains`].
pub type Contains<E> = PlannedPerUse<diesel::dsl::Escape<diesel::dsl::Like<lower<E>, String>>>;

/// `condition`, making the query that holds it planned for its parameters on every execution
/// (see the module documentation). For search conditions whose selectivity depends on the text.
pub fn planned_per_use<E>(condition: E) -> PlannedPerUse<E> {
    PlannedPerUse(condition)
}

/// An expression whose query is never cached as a prepared statement; see [`planned_per_use`].
#[derive(Debug, Clone, Copy, ValidGrouping)]
pub struct PlannedPerUse<E>(E);

impl<E: Expression> Expression for PlannedPerUse<E> {
    type SqlType = E::SqlType;
}

impl<E: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for PlannedPerUse<E> {}

impl<E: SelectableExpression<QS>, QS> SelectableExpression<QS> for PlannedPerUse<E> {}

impl<E: QueryFragment<DB>, DB: Backend> QueryFragment<DB> for PlannedPerUse<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> diesel::QueryResult<()> {
        out.unsafe_to_cache_prepared();
        self.0.walk_ast(out)
    }
}

impl<E> QueryId for PlannedPerUse<E> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

#[cfg(test)]
mod tests {
    use super::{contains, contains_pattern};
    use diesel::prelude::*;
    use diesel::query_builder::QueryFragment;

    diesel::table! {
        people (id) {
            id -> Text,
            name -> Text,
        }
    }

    fn cached<DB: diesel::backend::Backend, Q: QueryFragment<DB>>(query: &Q, backend: &DB) -> bool {
        query.is_safe_to_cache_prepared(backend).unwrap()
    }

    #[test]
    fn a_search_is_planned_per_use_and_other_queries_stay_prepared() {
        let plain = people::table.filter(people::id.eq("a")).select(people::name);
        let search = people::table.filter(people::id.eq("a")).filter(contains(people::name, "x")).select(people::name);
        let pg = diesel::pg::Pg;
        assert!(cached(&plain, &pg));
        assert!(!cached(&search, &pg));
        assert!(!cached(&search.clone().into_boxed::<diesel::pg::Pg>(), &pg));
        let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&search).to_string();
        assert!(sql.contains("lower(`people`.`name`) LIKE ? ESCAPE ?"), "{sql}");
        assert!(sql.contains(r#"binds: ["a", "%x%", "\\"]"#), "{sql}");
        let sqlite = diesel::sqlite::Sqlite;
        assert!(cached(&plain, &sqlite));
        assert!(!cached(&search, &sqlite));
    }

    #[test]
    fn wildcards_in_user_text_are_escaped() {
        assert_eq!(contains_pattern("Rabo"), "%rabo%");
        assert_eq!(contains_pattern("50%_x\\"), "%50\\%\\_x\\\\%");
    }
}
