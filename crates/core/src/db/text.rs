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
/// each row's lower-cased text, and a table `(realm_id, trigram, n)` keyed by its first two
/// columns counting the rows that hold each trigram (the domain's migration creates both; the
/// domain's writes call [`TrigramIndex::set`] and [`TrigramIndex::remove`], which keep the
/// counts exact in the same transaction).
///
/// A "contains" search reads the counts of its text's trigrams (one statement of primary-key
/// lookups), then adds [`TrigramIndex::candidates`]: the rows holding the rarest trigram,
/// intersected with those holding the next rarest while they are at most
/// [`PARTNER_FACTOR`] times as many (reading a few more index entries is cheaper than fetching
/// the rows they rule out). `LIKE` still decides, so the result is exact; the cost follows the
/// rare trigrams' rows instead of the realm's size. Texts under three characters, or whose
/// trigrams are all common, are left to `LIKE` alone.
#[derive(Debug, Clone, Copy)]
pub struct TrigramIndex {
    /// The index table.
    pub table: &'static str,
    /// The count table.
    pub counts: &'static str,
    /// The searched table's realm column, qualified (`catalog_streams.realm_id`).
    pub realm: &'static str,
    /// The searched table's id column, qualified (`catalog_streams.id`).
    pub id: &'static str,
}

/// How many rows of a realm the rarest trigram may be in and still drive a search.
const RARE_TRIGRAM: i64 = 10_000;

/// The most trigrams of one search text looked up.
const PROBED_TRIGRAMS: usize = 16;

/// The most trigrams whose rows a search intersects.
const INTERSECTED_TRIGRAMS: usize = 3;

/// How many times as many rows as the rarest trigram's another may be in and still be
/// intersected with it.
pub const PARTNER_FACTOR: i64 = 8;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = Text)]
    trigram: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Held {
    #[diesel(sql_type = Text)]
    realm_id: String,
    #[diesel(sql_type = Text)]
    trigram: String,
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

/// The trigrams a search intersects, rarest first: a narrowing for
/// [`TrigramIndex::candidates`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrowing(Vec<String>);

/// Which trigrams to intersect, given each one's count: the rarest (if it is rare enough),
/// then the next rarest while within [`PARTNER_FACTOR`] of it; a trigram no row holds alone
/// (nothing matches).
fn choose(mut counts: Vec<(String, i64)>) -> Option<Narrowing> {
    counts.sort_by_key(|(_, n)| *n);
    let rarest = counts.first()?.1;
    if rarest >= RARE_TRIGRAM {
        return None;
    }
    let limit = if rarest == 0 { 0 } else { rarest.saturating_mul(PARTNER_FACTOR) };
    Some(Narrowing(
        counts.into_iter().take(INTERSECTED_TRIGRAMS).filter(|(_, n)| *n <= limit).map(|(t, _)| t).collect(),
    ))
}

impl TrigramIndex {
    /// Makes `text` the indexed text of row `id` of `realm` (replacing what it was): only the
    /// trigrams that change are written, and their counts moved in trigram order (so two writes
    /// never wait for each other's counts in opposite orders).
    pub fn set(
        &self,
        conn: &mut crate::db::DbConnection,
        realm: crate::RealmId,
        id: uuid::Uuid,
        text: &str,
    ) -> diesel::QueryResult<()> {
        use diesel::RunQueryDsl;
        let held = self.held(conn, id)?;
        let wanted = trigrams(text);
        let gone: Vec<&Held> = held.iter().filter(|h| !wanted.contains(&h.trigram)).collect();
        let new: Vec<&String> = wanted.iter().filter(|t| !held.iter().any(|h| &h.trigram == *t)).collect();
        if !gone.is_empty() {
            let places: Vec<String> = (0..gone.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!("DELETE FROM {} WHERE entity_id = $1 AND trigram IN ({})", self.table, places.join(", "));
            let mut statement =
                diesel::sql_query(sql).into_boxed::<crate::db::DbBackend>().bind::<Text, _>(id.to_string());
            for old in &gone {
                statement = statement.bind::<Text, _>(old.trigram.clone());
            }
            statement.execute(conn)?;
        }
        if !new.is_empty() {
            let sql = super::insert_values_sql(self.table, &["realm_id", "trigram", "entity_id"], new.len());
            let mut statement = diesel::sql_query(sql).into_boxed::<crate::db::DbBackend>();
            for trigram in &new {
                statement = statement
                    .bind::<Text, _>(realm)
                    .bind::<Text, _>((*trigram).clone())
                    .bind::<Text, _>(id.to_string());
            }
            statement.execute(conn)?;
        }
        let mut moves: Vec<(String, String, i64)> =
            gone.iter().map(|h| (h.realm_id.clone(), h.trigram.clone(), -1)).collect();
        moves.extend(new.iter().map(|t| (realm.to_string(), (*t).clone(), 1)));
        self.count(conn, moves)
    }

    /// The realm and trigrams row `id` is indexed under.
    fn held(&self, conn: &mut crate::db::DbConnection, id: uuid::Uuid) -> diesel::QueryResult<Vec<Held>> {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("SELECT realm_id, trigram FROM {} WHERE entity_id = $1", self.table))
            .bind::<Text, _>(id.to_string())
            .load(conn)
    }

    /// Adds each `(realm, trigram, delta)` to its count (one statement, in key order, so two
    /// writes never wait for each other's counts in opposite orders); counts that reach zero go.
    fn count(
        &self,
        conn: &mut crate::db::DbConnection,
        mut moves: Vec<(String, String, i64)>,
    ) -> diesel::QueryResult<()> {
        use diesel::RunQueryDsl;
        if moves.is_empty() {
            return Ok(());
        }
        moves.sort();
        let counts = self.counts;
        // Same upsert syntax on SQLite (3.24+) and PostgreSQL; MultiConnection has no on_conflict
        // DSL. The keys are distinct (a row's trigrams are), as PostgreSQL requires.
        let sql = format!(
            "{} ON CONFLICT (realm_id, trigram) DO UPDATE SET n = {counts}.n + excluded.n",
            super::insert_values_sql(counts, &["realm_id", "trigram", "n"], moves.len())
        );
        let mut statement = diesel::sql_query(sql).into_boxed::<crate::db::DbBackend>();
        for (realm, trigram, delta) in &moves {
            statement = statement
                .bind::<Text, _>(realm.clone())
                .bind::<Text, _>(trigram.clone())
                .bind::<diesel::sql_types::BigInt, _>(*delta);
        }
        statement.execute(conn)?;
        for (realm, trigram, _) in moves.iter().filter(|(_, _, delta)| *delta < 0) {
            diesel::sql_query(format!("DELETE FROM {counts} WHERE realm_id = $1 AND trigram = $2 AND n <= 0"))
                .bind::<Text, _>(realm.clone())
                .bind::<Text, _>(trigram.clone())
                .execute(conn)?;
        }
        Ok(())
    }

    /// Removes row `id` from the index.
    pub fn remove(&self, conn: &mut crate::db::DbConnection, id: uuid::Uuid) -> diesel::QueryResult<()> {
        use diesel::RunQueryDsl;
        let held = self.held(conn, id)?;
        diesel::sql_query(format!("DELETE FROM {} WHERE entity_id = $1", self.table))
            .bind::<Text, _>(id.to_string())
            .execute(conn)?;
        self.count(conn, held.into_iter().map(|h| (h.realm_id, h.trigram, -1)).collect())
    }

    /// Removes every row of `realm` from the index.
    pub fn purge(&self, conn: &mut crate::db::DbConnection, realm: crate::RealmId) -> diesel::QueryResult<()> {
        use diesel::RunQueryDsl;
        for table in [self.table, self.counts] {
            diesel::sql_query(format!("DELETE FROM {table} WHERE realm_id = $1"))
                .bind::<Text, _>(realm)
                .execute(conn)?;
        }
        Ok(())
    }

    /// The trigrams of `text` to intersect in `realm` (see [`TrigramIndex`]); `None` when
    /// `text` has none to narrow by (too short, or all common).
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
        let places: Vec<String> = (0..trigrams.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT trigram, n FROM {} WHERE realm_id = $1 AND trigram IN ({})",
            self.counts,
            places.join(", ")
        );
        let mut statement = diesel::sql_query(sql).into_boxed::<crate::db::DbBackend>().bind::<Text, _>(realm);
        for trigram in &trigrams {
            statement = statement.bind::<Text, _>(trigram.clone());
        }
        let counted: Vec<Count> = statement.load(conn)?;
        // A trigram without a count is in no row.
        let counts = trigrams
            .into_iter()
            .map(|trigram| {
                let n = counted.iter().find(|c| c.trigram == trigram).map_or(0, |c| c.n);
                (trigram, n)
            })
            .collect();
        Ok(choose(counts))
    }

    /// The condition "the row is of `realm` and holds every trigram of `narrowing`", for a
    /// query on the unscoped table. The candidates drive the query (a few primary-key lookups)
    /// rather than a walk of the realm's whole index that checks each row: on SQLite the realm
    /// is compared as `+realm = ?`, which it cannot serve from an index; on PostgreSQL the
    /// candidates are an `ARRAY(...)` computed once, which the planner looks up by primary key
    /// (as `IN (...)` it estimated a thousand candidates and scanned the table instead).
    pub fn candidates<QS>(
        &self,
        sqlite: bool,
        realm: crate::RealmId,
        narrowing: &Narrowing,
    ) -> Box<dyn diesel::BoxableExpression<QS, crate::db::DbBackend, SqlType = diesel::sql_types::Bool>> {
        let Self { table, realm: realm_column, id, .. } = *self;
        let (plus, open, close) = if sqlite { ("+", "IN (", ")") } else { ("", "= ANY(ARRAY(", "))") };
        // Always three sets to intersect (repeating the last trigram is a no-op), so the
        // statement has one shape.
        let pick = |n: usize| narrowing.0.get(n).or(narrowing.0.last()).cloned().unwrap_or_default();
        let select = format!("SELECT entity_id FROM {table} WHERE realm_id = ");
        Box::new(
            diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("{plus}{realm_column} = "))
                .bind::<Text, _>(realm)
                .sql(&format!(" AND {id} {open}{select}"))
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
                .sql(close),
        )
    }
}

#[cfg(all(test, feature = "testing"))]
mod trigram_tests {
    use super::{Narrowing, TrigramIndex, choose};
    use diesel::RunQueryDsl;

    fn counts(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(t, n)| ((*t).to_owned(), *n)).collect()
    }

    #[test]
    fn the_rarest_trigram_drives_and_close_ones_join_it() {
        let narrowing = |pairs| choose(counts(pairs)).map(|Narrowing(t)| t);
        // stream-777 in a realm of 200,000: 777 and -77 are close, m-7 and the rest are not.
        let large = [("str", 200_000), ("m-7", 11_111), ("-77", 1_111), ("777", 560), ("eam", 200_000)];
        assert_eq!(narrowing(&large), Some(vec!["777".to_owned(), "-77".to_owned()]));
        assert_eq!(narrowing(&[("abc", 0), ("bcd", 5)]), Some(vec!["abc".to_owned()]), "absent: nothing matches");
        assert_eq!(narrowing(&[("abc", 10_000), ("bcd", 20_000)]), None, "all common: LIKE alone");
        assert_eq!(narrowing(&[("a", 1), ("b", 2), ("c", 3), ("d", 4)]).unwrap().len(), 3);
        assert_eq!(narrowing(&[]), None);
    }

    #[test]
    fn the_index_keeps_exact_counts_and_narrows_to_the_rare_trigrams_of_the_realm() {
        let db = crate::testing::TestDatabase::migrated(&[]);
        let mut conn = db.database().conn().unwrap();
        for sql in [
            "CREATE TABLE things_trigrams (realm_id TEXT NOT NULL, trigram TEXT NOT NULL, entity_id TEXT NOT NULL, \
             PRIMARY KEY (realm_id, trigram, entity_id))",
            "CREATE TABLE things_trigram_counts (realm_id TEXT NOT NULL, trigram TEXT NOT NULL, n BIGINT NOT NULL, \
             PRIMARY KEY (realm_id, trigram))",
        ] {
            diesel::sql_query(sql).execute(&mut **conn).unwrap();
        }
        let index = TrigramIndex {
            table: "things_trigrams",
            counts: "things_trigram_counts",
            realm: "things.realm_id",
            id: "things.id",
        };
        let (realm, other) = (crate::RealmId::from(uuid::Uuid::new_v4()), crate::RealmId::from(uuid::Uuid::new_v4()));
        let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        index.set(&mut conn, realm, a, "Stream-777").unwrap();
        index.set(&mut conn, realm, a, "stream-778").unwrap();
        index.set(&mut conn, realm, b, "stream-779").unwrap();
        index.set(&mut conn, other, uuid::Uuid::new_v4(), "m-77 m-77").unwrap();
        let n = |conn: &mut crate::db::DbConnection, trigram: &str| -> i64 {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            diesel::sql_query(
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM things_trigram_counts WHERE realm_id = $1 AND trigram = $2",
            )
            .bind::<diesel::sql_types::Text, _>(realm)
            .bind::<diesel::sql_types::Text, _>(trigram)
            .get_result::<N>(conn)
            .unwrap()
            .n
        };
        assert_eq!((n(&mut conn, "str"), n(&mut conn, "778"), n(&mut conn, "777")), (2, 1, 0), "moved, not added");
        let narrowing = index.narrowing(&mut conn, realm, "M-77").unwrap().unwrap();
        assert_eq!(narrowing.0, ["m-7", "-77"], "the other realm's rows do not count");
        assert_eq!(index.narrowing(&mut conn, realm, "777").unwrap().unwrap().0, ["777"], "absent: nothing");
        assert_eq!(index.narrowing(&mut conn, realm, "st").unwrap(), None);
        index.remove(&mut conn, a).unwrap();
        assert_eq!((n(&mut conn, "str"), n(&mut conn, "778")), (1, 0));
        index.purge(&mut conn, realm).unwrap();
        assert_eq!(n(&mut conn, "str"), 0);
    }
}
