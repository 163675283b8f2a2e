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

/// A realm-scoped trigram index of one text column: a table `(realm_id, trigram, entity_id)`
/// with that primary key and an index on `entity_id`, holding every three-character run of
/// each row's lower-cased text (the domain's migration creates it; the domain's writes call
/// [`TrigramIndex::set`] and [`TrigramIndex::remove`]).
///
/// A "contains" search first probes how many rows of the realm hold each trigram of its text
/// (one statement of bounded, index-only counts), then adds [`TrigramIndex::candidates`]: the
/// rows holding the rarest trigrams. `LIKE` still decides, so the result is exact; the cost
/// follows the rare trigrams' rows instead of the realm's size. Texts under three characters,
/// or whose trigrams are all common, are left to `LIKE` alone.
#[derive(Debug, Clone, Copy)]
pub struct TrigramIndex {
    /// The index table.
    pub table: &'static str,
    /// The searched table's realm column, qualified (`catalog_streams.realm_id`).
    pub realm: &'static str,
    /// The searched table's id column, qualified (`catalog_streams.id`).
    pub id: &'static str,
}

/// How many rows of a realm a trigram may be in and still narrow a search.
const RARE_TRIGRAM: usize = 1_000;

/// The most trigrams of one search text probed.
const PROBED_TRIGRAMS: usize = 16;

/// The most (rarest) trigrams whose rows a search intersects.
const INTERSECTED_TRIGRAMS: usize = 3;

#[derive(diesel::QueryableByName)]
struct Probe {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    i: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The distinct three-character runs of `text`, lower-cased, in order.
pub fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut found: Vec<String> = Vec::new();
    for window in chars.windows(3) {
        let trigram: String = window.iter().collect();
        if !found.contains(&trigram) {
            found.push(trigram);
        }
    }
    found
}

/// The rarest trigrams a search intersects: a narrowing for [`TrigramIndex::candidates`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrowing(Vec<String>);

impl TrigramIndex {
    /// Makes `text` the indexed text of row `id` of `realm` (replacing what it was).
    pub fn set(
        &self,
        conn: &mut crate::db::DbConnection,
        realm: crate::RealmId,
        id: uuid::Uuid,
        text: &str,
    ) -> diesel::QueryResult<()> {
        use diesel::RunQueryDsl;
        self.remove(conn, id)?;
        let trigrams = trigrams(text);
        if trigrams.is_empty() {
            return Ok(());
        }
        let sql = super::insert_values_sql(self.table, &["realm_id", "trigram", "entity_id"], trigrams.len());
        let mut statement = diesel::sql_query(sql).into_boxed::<crate::db::DbBackend>();
        for trigram in trigrams {
            statement = statement.bind::<Text, _>(realm).bind::<Text, _>(trigram).bind::<Text, _>(id.to_string());
        }
        statement.execute(conn)?;
        Ok(())
    }

    /// Removes row `id` from the index.
    pub fn remove(&self, conn: &mut crate::db::DbConnection, id: uuid::Uuid) -> diesel::QueryResult<()> {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("DELETE FROM {} WHERE entity_id = $1", self.table))
            .bind::<Text, _>(id.to_string())
            .execute(conn)?;
        Ok(())
    }

    /// Removes every row of `realm` from the index.
    pub fn purge(&self, conn: &mut crate::db::DbConnection, realm: crate::RealmId) -> diesel::QueryResult<()> {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("DELETE FROM {} WHERE realm_id = $1", self.table))
            .bind::<Text, _>(realm)
            .execute(conn)?;
        Ok(())
    }

    /// The rarest trigrams of `text` in `realm` (at most [`INTERSECTED_TRIGRAMS`], each in
    /// fewer than [`RARE_TRIGRAM`] rows); `None` when `text` has none (too short, or all common).
    /// Each probe is ordered by the primary key's last column, so it is an index range that
    /// stops at the limit: with `LIMIT` alone PostgreSQL may pick a sequential scan that, for a
    /// trigram whose rows of this realm lie late in the table, reads all of it.
    pub fn narrowing(
        &self,
        conn: &mut crate::db::DbConnection,
        realm: crate::RealmId,
        text: &str,
    ) -> diesel::QueryResult<Option<Narrowing>> {
        use diesel::RunQueryDsl;
        let mut trigrams = trigrams(text);
        trigrams.truncate(PROBED_TRIGRAMS);
        if trigrams.is_empty() {
            return Ok(None);
        }
        let table = self.table;
        let sql = (0..trigrams.len())
            .map(|i| {
                format!(
                    "SELECT CAST({i} AS BIGINT) AS i, (SELECT count(*) FROM (SELECT 1 FROM {table} \
                     WHERE realm_id = ${} AND trigram = ${} ORDER BY entity_id LIMIT {RARE_TRIGRAM}) AS p{i}) AS n",
                    2 * i + 1,
                    2 * i + 2
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let mut statement = diesel::sql_query(sql).into_boxed::<crate::db::DbBackend>();
        for trigram in &trigrams {
            statement = statement.bind::<Text, _>(realm).bind::<Text, _>(trigram.clone());
        }
        let mut counts: Vec<Probe> = statement.load(conn)?;
        if counts.iter().any(|probe| probe.n == 0) {
            // A trigram no row holds: nothing matches; the emptiest narrowing says so.
            counts.retain(|probe| probe.n == 0);
        }
        counts.retain(|probe| usize::try_from(probe.n).is_ok_and(|n| n < RARE_TRIGRAM));
        counts.sort_by_key(|probe| probe.n);
        let rare: Vec<String> = counts
            .iter()
            .take(INTERSECTED_TRIGRAMS)
            .filter_map(|probe| trigrams.get(usize::try_from(probe.i).ok()?).cloned())
            .collect();
        Ok((!rare.is_empty()).then_some(Narrowing(rare)))
    }

    /// The condition "the row is of `realm` and holds every trigram of `narrowing`", for a
    /// query on the unscoped table. On SQLite the realm is compared as `+realm = ?`, which it
    /// cannot serve from an index, so the candidates drive the query (a few primary-key
    /// lookups) rather than a walk of the realm's whole index that checks each row.
    pub fn candidates<QS>(
        &self,
        sqlite: bool,
        realm: crate::RealmId,
        narrowing: &Narrowing,
    ) -> Box<dyn diesel::BoxableExpression<QS, crate::db::DbBackend, SqlType = diesel::sql_types::Bool>> {
        let Self { table, realm: realm_column, id } = *self;
        let plus = if sqlite { "+" } else { "" };
        // Always three sets to intersect (repeating the last trigram is a no-op), so the
        // statement has one shape.
        let pick = |n: usize| narrowing.0.get(n).or(narrowing.0.last()).cloned().unwrap_or_default();
        let select = format!("SELECT entity_id FROM {table} WHERE realm_id = ");
        Box::new(
            diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("{plus}{realm_column} = "))
                .bind::<Text, _>(realm)
                .sql(&format!(" AND {id} IN ({select}"))
                .bind::<Text, _>(realm)
                .sql(" AND trigram = ")
                .bind::<Text, _>(pick(0))
                .sql(&format!(" INTERSECT {select}"))
                .bind::<Text, _>(realm)
                .sql(" AND trigram = ")
                .bind::<Text, _>(pick(1))
                .sql(&format!(" INTERSECT {select}"))
                .bind::<Text, _>(realm)
                .sql(" AND trigram = ")
                .bind::<Text, _>(pick(2))
                .sql(")"),
        )
    }
}

#[cfg(all(test, feature = "testing"))]
mod trigram_tests {
    use super::TrigramIndex;
    use diesel::RunQueryDsl;

    #[test]
    fn the_index_narrows_to_the_rare_trigrams_of_the_realm() {
        let db = crate::testing::TestDatabase::migrated(&[]);
        let mut conn = db.database().conn().unwrap();
        diesel::sql_query(
            "CREATE TABLE things_trigrams (realm_id TEXT NOT NULL, trigram TEXT NOT NULL, entity_id TEXT NOT NULL, \
             PRIMARY KEY (realm_id, trigram, entity_id))",
        )
        .execute(&mut **conn)
        .unwrap();
        let index = TrigramIndex { table: "things_trigrams", realm: "things.realm_id", id: "things.id" };
        let realm = crate::RealmId::from(uuid::Uuid::new_v4());
        let id = uuid::Uuid::new_v4();
        index.set(&mut conn, realm, id, "Stream-777").unwrap();
        index.set(&mut conn, realm, id, "stream-778").unwrap();
        let narrowing = index.narrowing(&mut conn, realm, "M-77").unwrap().unwrap();
        assert_eq!(narrowing.0, ["m-7", "-77"]);
        assert!(index.narrowing(&mut conn, realm, "777").unwrap().is_some_and(|n| n.0 == ["777"]), "absent: nothing");
        assert_eq!(index.narrowing(&mut conn, realm, "st").unwrap(), None);
        index.remove(&mut conn, id).unwrap();
        index.purge(&mut conn, realm).unwrap();
    }
}
