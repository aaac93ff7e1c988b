//! The runtime of the `orm` crate: models, lazy typed QuerySets, the SQL compiler and
//! the SQLite connection that counts every query.
//!
//! Users depend on the `orm` facade crate, which re-exports this one and the
//! `#[derive(Model)]` macro; see its documentation for the guide.

#![warn(missing_docs)]

mod backend;
mod db;
mod error;
mod hash;
mod model;
mod query;
mod relations;
mod signals;
mod sqlite;
mod types;
mod value;
mod write;

#[doc(hidden)]
pub mod __private;

pub use backend::RowRead;
pub use db::{Captured, CapturedQuery, Db, ModelList};
pub use error::{ConstraintKind, DatabaseErrorKind, Error, Result};
pub use model::{ColumnMeta, Insert, Model, ModelMeta, SingleKey};
pub use query::{
    count_all, Aggregate, AggregateSelection, Annotated, Assignment, Cardinality, Cursor, DeleteCount, Expr, Field,
    FieldOrder, Flavor, Instances, IntoAssignments, IntoOrdering, KeysetOrdering, KeysetPage, Lookups, Many, NotNull,
    Null, Nullable, One, Operand, OrderBy, OwnModel, Page, Plain, PrefetchQuerySet, QuerySet, RelationOrder, Root,
    RowShape, Rows, Selection, Sql, Unique, Values, ValuesAnnotated, Q,
};
#[doc(hidden)]
pub use query::{RunItFirst, SameModel, UseLookups};
pub use relations::{
    prefetch_related_objects, prefetch_related_objects_with, FieldSet, ForeignKey, HasMany, HasOne, ManyToMany,
    ManyToManyManager, OnDelete, OneToOne, RelationKind, RelationMeta, SingleValued, Through,
};
pub use signals::Saving;
pub use types::{DecodeError, FieldType, Numeric, NumericColumn, Ordered, OrderedColumn, Text, TextColumn};
pub use value::{ColumnType, Value, ValueRef};

// The composition root: the only place that names the backends.

/// The connection a [`Db`] holds: SQLite's.
pub(crate) type Connection = sqlite::Connection;

impl Db {
    /// Opens (or creates) an SQLite database file, with WAL journaling,
    /// `foreign_keys=ON` and a 5 second busy timeout.
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Db> {
        Ok(Db::with_connection(sqlite::Connection::open(path.as_ref())?))
    }

    /// Opens a private in-memory SQLite database, for tests.
    pub fn open_in_memory() -> Result<Db> {
        Ok(Db::with_connection(sqlite::Connection::open_in_memory()?))
    }
}

/// chrono, re-exported for its column types (feature `chrono`).
#[cfg(feature = "chrono")]
pub use chrono;
/// rust_decimal, re-exported for `Decimal` columns (feature `decimal`).
#[cfg(feature = "decimal")]
pub use rust_decimal;
/// serde_json, re-exported for JSON columns (feature `json`).
#[cfg(feature = "json")]
pub use serde_json;
/// uuid, re-exported for `Uuid` columns (feature `uuid`).
#[cfg(feature = "uuid")]
pub use uuid;

/// The date and time type used in examples: chrono's `DateTime<Utc>`.
#[cfg(feature = "chrono")]
pub type DateTime = chrono::DateTime<chrono::Utc>;

/// Asserts that a block sends exactly `n` statements to the database, as Django's
/// `assertNumQueries` does. On failure it panics with every captured statement,
/// numbered. The block's value is returned, and `?` inside it works as usual.
///
/// ```
/// # use orm::prelude::*;
/// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
/// # fn main() -> orm::Result<()> {
/// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
/// let books = orm::assert_num_queries!(db, 1, {
///     Book::objects().all(&db)?
/// });
/// # Ok(())
/// # }
/// ```
#[macro_export]
macro_rules! assert_num_queries {
    ($db:expr, $n:expr, $body:block) => {{
        let __orm_guard = $db.start_capture();
        let __orm_value = $body;
        let __orm_queries = __orm_guard.finish();
        let __orm_expected: usize = $n;
        if __orm_queries.len() != __orm_expected {
            panic!(
                "{} queries executed, {} expected\nCaptured queries were:\n{}",
                __orm_queries.len(),
                __orm_expected,
                $crate::__private::format_queries(&__orm_queries),
            );
        }
        __orm_value
    }};
}
