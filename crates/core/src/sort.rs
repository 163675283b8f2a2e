//! Sorting: one declaration per resource maps the API's property names to columns.
//!
//! [`sort_map!`](crate::sort_map) declares a [`SortMap`]: the sortable wire names (the allowed
//! list that `sort=` is checked against), the column behind each, the default order (insertion
//! order) and the primary key used as the final tie-breaker, so every page has one stable order.
//! Every field sorts in both directions.
//!
//! NULLs sort first ascending and last descending on both backends (SQLite's rule; on
//! PostgreSQL the order says `NULLS FIRST`/`NULLS LAST`, and nullable sort columns are indexed
//! `NULLS FIRST` so the index serves both directions).
//!
//! ```text
//! portico_core::sort_map! {
//!     /// How users sort.
//!     pub static USER_SORT: users::table {
//!         "firstName" => users::first_name,
//!         "uid" => users::id,
//!     }
//!     default users::created_at, key users::id
//! }
//! let query = USER_SORT.apply(users::table.into_boxed(), &request.sort)?;
//! ```

use crate::db::DbBackend;
use crate::page::{InvalidPaging, PageRequest, SortKey};
use diesel::backend::Backend;
use diesel::expression::expression_types::NotSelectable;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_dsl::methods::ThenOrderDsl;
use diesel::sql_types::{SqlType, is_nullable};
use diesel::sqlite::Sqlite;
use diesel::{BoxableExpression, QueryResult};

/// An order term over query source `QS`.
pub type SortExpr<QS> = Box<dyn BoxableExpression<QS, DbBackend, SqlType = NotSelectable>>;

/// One sortable property: its wire name, its column and the column's order term.
pub struct SortField<QS: 'static> {
    /// The property name as the API spells it (`firstName`, `created_at`).
    pub name: &'static str,
    /// The column's name (schema tests check that it is indexed).
    pub column: &'static str,
    /// The order term, descending when `true`.
    pub order: fn(bool) -> SortExpr<QS>,
}

/// The sort declaration of one resource (see the module documentation).
pub struct SortMap<QS: 'static> {
    /// Sortable properties.
    pub fields: &'static [SortField<QS>],
    /// The order of an unsorted request (insertion order).
    pub default: fn(bool) -> SortExpr<QS>,
    /// The primary key: the final tie-breaker.
    pub key: fn(bool) -> SortExpr<QS>,
}

impl<QS: 'static> SortMap<QS> {
    /// The sortable property names, in declaration order.
    pub fn names(&self) -> Vec<&'static str> {
        self.fields.iter().map(|f| f.name).collect()
    }

    /// Orders `query` by `keys` (checked against the declared names), then by the primary key
    /// in the direction of the last key. No keys: insertion order.
    pub fn apply<Q>(&self, query: Q, keys: &[SortKey]) -> Result<Q, InvalidPaging>
    where
        Q: ThenOrderDsl<SortExpr<QS>, Output = Q>,
    {
        self.apply_directed(query, keys, false)
    }

    /// [`apply`](Self::apply), or (`reversed`) its exact reverse: every key flips, and with it
    /// where NULLs go, so the reversed order lists the same rows back to front.
    fn apply_directed<Q>(&self, mut query: Q, keys: &[SortKey], reversed: bool) -> Result<Q, InvalidPaging>
    where
        Q: ThenOrderDsl<SortExpr<QS>, Output = Q>,
    {
        if keys.is_empty() {
            return Ok(query.then_order_by((self.default)(reversed)).then_order_by((self.key)(reversed)));
        }
        for key in keys {
            let field = self.fields.iter().find(|f| f.name == key.field).ok_or_else(|| InvalidPaging {
                parameter: "sort",
                reason: format!("cannot sort by '{}'; sortable fields are {}", key.field, self.names().join(", ")),
            })?;
            query = query.then_order_by((field.order)(key.descending != reversed));
        }
        let last_descending = keys.last().is_some_and(|k| k.descending);
        Ok(query.then_order_by((self.key)(last_descending != reversed)))
    }

    /// The rows of the requested page of `query` (whose matches number `total`), in the
    /// requested order; `load(query, offset, limit)` reads them. A page past the middle is read
    /// from the other end in the reverse order and turned around: the same rows, but the
    /// database walks its index from the nearer end (the last page of 200,000 rows costs what
    /// the first does, instead of skipping 199,980 entries).
    pub fn page<Q, R>(
        &self,
        query: Q,
        request: &PageRequest,
        total: u64,
        load: impl FnOnce(Q, i64, i64) -> QueryResult<Vec<R>>,
    ) -> Result<Vec<R>, crate::CoreError>
    where
        Q: ThenOrderDsl<SortExpr<QS>, Output = Q>,
    {
        let window = Window::of(request, total);
        let query = self.apply_directed(query, &request.sort, window.reversed)?;
        let mut rows = load(query, window.offset, window.limit)?;
        if window.reversed {
            rows.reverse();
        }
        Ok(rows)
    }
}

/// Where a page's rows are read from: `offset` and `limit` in the requested order, or in the
/// reversed order when the page lies past the middle of the matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    offset: i64,
    limit: i64,
    reversed: bool,
}

impl Window {
    fn of(request: &PageRequest, total: u64) -> Window {
        let (offset, limit) = (request.offset(), request.limit());
        let total = i64::try_from(total).unwrap_or(i64::MAX);
        if offset == 0 || offset >= total || offset.saturating_add(limit / 2) <= total / 2 {
            return Window { offset, limit, reversed: false };
        }
        // Rows [offset, offset + limit) of `total` are rows
        // [total - offset - limit, total - offset) counted from the end.
        let end = total - offset;
        Window { offset: (end - limit).max(0), limit: limit.min(end), reversed: true }
    }
}

/// Whether a column's SQL type admits NULL.
pub trait Nullability {
    /// `true` for `Nullable<_>` columns.
    const NULLABLE: bool;
}

impl Nullability for is_nullable::IsNullable {
    const NULLABLE: bool = true;
}

impl Nullability for is_nullable::NotNull {
    const NULLABLE: bool = false;
}

/// `column ASC|DESC`, with the same NULL placement on both backends.
#[derive(Debug, Clone, Copy)]
pub struct Ordered<C> {
    column: C,
    descending: bool,
}

impl<C> Ordered<C>
where
    C: Expression,
    C::SqlType: SqlType,
    <C::SqlType as SqlType>::IsNull: Nullability,
{
    /// Orders by `column`, descending when `descending`.
    pub fn new(column: C, descending: bool) -> Ordered<C> {
        Ordered { column, descending }
    }

    fn nullable() -> bool {
        <<C::SqlType as SqlType>::IsNull as Nullability>::NULLABLE
    }
}

impl<C: Expression> Expression for Ordered<C> {
    type SqlType = NotSelectable;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for Ordered<C> {}

impl<C: SelectableExpression<QS>, QS> SelectableExpression<QS> for Ordered<C> {}

impl<C: ValidGrouping<GB>, GB> ValidGrouping<GB> for Ordered<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C> QueryId for Ordered<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C> QueryFragment<Pg> for Ordered<C>
where
    C: QueryFragment<Pg> + Expression,
    C::SqlType: SqlType,
    <C::SqlType as SqlType>::IsNull: Nullability,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(match (self.descending, Self::nullable()) {
            (false, false) => " ASC",
            (true, false) => " DESC",
            (false, true) => " ASC NULLS FIRST",
            (true, true) => " DESC NULLS LAST",
        });
        Ok(())
    }
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for Ordered<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(if self.descending { " DESC" } else { " ASC" });
        Ok(())
    }
}

impl<C> QueryFragment<DbBackend> for Ordered<C>
where
    Ordered<C>: QueryFragment<Pg> + QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DbBackend>) -> QueryResult<()> {
        DbBackend::walk_variant_ast(self, pass)
    }
}

/// Boxes `Ordered::new(column, descending)` (used by [`sort_map!`](crate::sort_map)).
pub fn boxed<C, QS>(column: C, descending: bool) -> SortExpr<QS>
where
    C: Expression + SelectableExpression<QS> + ValidGrouping<(), IsAggregate = diesel::expression::is_aggregate::No>,
    C: QueryFragment<Pg> + QueryFragment<Sqlite> + Send + 'static,
    C::SqlType: SqlType,
    <C::SqlType as SqlType>::IsNull: Nullability,
    DbBackend: Backend,
{
    Box::new(Ordered::new(column, descending))
}

/// Declares a [`SortMap`] static (see the module documentation).
#[macro_export]
macro_rules! sort_map {
    (
        $(#[$meta:meta])*
        $vis:vis static $name:ident : $table:ty {
            $($field:literal => $column:path),* $(,)?
        }
        default $default:path, key $key:path $(,)?
    ) => {
        $(#[$meta])*
        $vis static $name: $crate::sort::SortMap<$table> = $crate::sort::SortMap {
            fields: &[
                $($crate::sort::SortField {
                    name: $field,
                    column: <$column as ::diesel::Column>::NAME,
                    order: |descending| $crate::sort::boxed($column, descending),
                },)*
            ],
            default: |descending| $crate::sort::boxed($default, descending),
            key: |descending| $crate::sort::boxed($key, descending),
        };
    };
}

#[cfg(test)]
mod window_tests {
    use super::Window;
    use crate::page::PageRequest;

    fn window(page: u32, size: u32, total: u64) -> Window {
        Window::of(&PageRequest { page, size, sort: Vec::new() }, total)
    }

    #[test]
    fn pages_past_the_middle_are_read_from_the_end() {
        assert_eq!(window(0, 20, 200_000), Window { offset: 0, limit: 20, reversed: false });
        assert_eq!(window(4_999, 20, 200_000), Window { offset: 99_980, limit: 20, reversed: false });
        assert_eq!(window(9_999, 20, 200_000), Window { offset: 0, limit: 20, reversed: true });
        assert_eq!(window(9_998, 20, 200_000), Window { offset: 20, limit: 20, reversed: true });
        // A short last page: 45 rows, page 2 of 20 holds rows 40..45.
        assert_eq!(window(2, 20, 45), Window { offset: 0, limit: 5, reversed: true });
        // Beyond the end: nothing either way.
        assert_eq!(window(3, 20, 45), Window { offset: 60, limit: 20, reversed: false });
        assert_eq!(window(0, 20, 0), Window { offset: 0, limit: 20, reversed: false });
        assert_eq!(window(0, 20, 1), Window { offset: 0, limit: 20, reversed: false });
    }
}
