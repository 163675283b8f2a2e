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
use crate::page::{InvalidPaging, SortKey};
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
    pub fn apply<Q>(&self, mut query: Q, keys: &[SortKey]) -> Result<Q, InvalidPaging>
    where
        Q: ThenOrderDsl<SortExpr<QS>, Output = Q>,
    {
        if keys.is_empty() {
            return Ok(query.then_order_by((self.default)(false)).then_order_by((self.key)(false)));
        }
        for key in keys {
            let field = self.fields.iter().find(|f| f.name == key.field).ok_or_else(|| InvalidPaging {
                parameter: "sort",
                reason: format!("cannot sort by '{}'; sortable fields are {}", key.field, self.names().join(", ")),
            })?;
            query = query.then_order_by((field.order)(key.descending));
        }
        let last_descending = keys.last().is_some_and(|k| k.descending);
        Ok(query.then_order_by((self.key)(last_descending)))
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
