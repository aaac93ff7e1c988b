//! The runtime of the `orm` crate: models, lazy typed QuerySets, the SQL compiler and
//! the SQLite connection that counts every query.
//!
//! Users depend on the `orm` facade crate, which re-exports this one and the
//! `#[derive(Model)]` macro; see its documentation for the guide.

#![warn(missing_docs)]

// The layers, each using only those listed before it (`../shared/ARCHITECTURE.md`;
// checked by `python3 ../shared/tools/layers.py orm-core/src`).
mod ast;
mod backend;
mod backends;
mod dsl;
mod error;
mod exec;
mod hash;
mod meta;
pub mod migrate;
mod model;
mod options;
// The PostgreSQL backend, named `pg` here so that no path outside its folder reads
// like the `postgres` driver crate's.
#[cfg(feature = "postgres")]
#[path = "postgres/mod.rs"]
mod pg;
mod queryset;
mod relations;
pub mod schema;
mod signals;
mod sql;
mod sqlite;
mod types;
mod value;

#[doc(hidden)]
pub mod __private;

pub use ast::{Assignment, OrderBy};
pub use backend::RowRead;
#[cfg(feature = "chrono")]
pub use dsl::now;
#[cfg(feature = "json")]
pub use dsl::JsonPath;
pub use dsl::{case, Case, CaseBranch, CaseStart, CastTarget, Functions, MaybeNull, OperandType, RelationNullsOrder};
pub use dsl::{
    count_all, Aggregate, AggregateSelection, Annotation, ColumnList, ConflictTarget, Expr, Field, FieldOrder,
    IntoAssignments, IntoOrdering, Lookups, Operand, PrimaryKeyField, RelationLookups, RelationOrder, Selection,
    SingleValued, Q,
};
pub use dsl::{DateLookups, InValues, OuterRef, OuterRefs, SingleColumn};
#[doc(hidden)]
pub use dsl::{EmptyAggregate, UseLookups};
#[doc(hidden)]
pub use dsl::{FromQuerySet, KeyColumn, SameColumn};
pub use error::{ConstraintKind, DatabaseErrorKind, Error, Result};
pub use exec::{Captured, CapturedQuery, Db, Options, Pool, PoolOptions, PooledDb};
pub use meta::{ColumnMeta, ModelMeta, OnDelete, RelationKind, RelationMeta, Through};
pub use model::{
    Cardinality, FieldSet, Flavor, Insert, Many, Model, ModelList, NotNull, Null, Nullable, One, OwnModel, Plain, Root,
    SingleKey, Unique,
};
pub use queryset::{
    prefetch_related_objects, prefetch_related_objects_with, Annotated, Cursor, DeleteCount, ForUpdate, Instances,
    KeysetOrdering, KeysetPage, ManyToManyManager, ModelExt, Page, PrefetchQuerySet, QuerySet, RowShape, Rows, Values,
    ValuesAnnotated,
};
pub use queryset::{Exists, Subquery};
#[doc(hidden)]
pub use queryset::{RunItFirst, SameModel};
pub use relations::{ForeignKey, HasMany, HasOne, ManyToMany, OneToOne};
pub use signals::Saving;
pub use sql::{IsolationLevel, Sql, TransactionMode};
pub use types::{
    DateColumn, DateTimeColumn, DecodeError, FieldType, Numeric, NumericColumn, Ordered, OrderedColumn, Text,
    TextColumn,
};
pub use value::{ColumnType, Value, ValueRef};

// The composition root: the only place that names the backends.

/// The connection a [`Db`] holds: one of the backends compiled in.
pub(crate) use backends::Connection;

/// The dialect of SQL text shown without a connection ([`QuerySet::sql`]): SQLite's.
pub(crate) fn default_dialect() -> &'static dyn sql::Dialect {
    &sqlite::SQLITE
}

impl Db {
    /// Opens (or creates) an SQLite database file, with WAL journaling,
    /// `foreign_keys=ON`, a 5 second busy timeout and deferred transactions
    /// ([`Options::new`]).
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Db> {
        Db::open_with(path, Options::new())
    }

    /// Opens an SQLite database file as `options` say: a transaction mode, a busy
    /// timeout, read-only, pragmas.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # fn main() -> orm::Result<()> {
    /// # let path = std::env::temp_dir().join(format!("orm-open-with-{}.sqlite3", std::process::id()));
    /// let db = Db::open_with(&path, Options::new().transaction_mode(TransactionMode::Immediate))?;
    /// let sent = db.capture(|| db.atomic(|_| Ok(())))?;
    /// assert_eq!(sent.queries[0].sql, "BEGIN IMMEDIATE");
    /// # drop(db); let _ = std::fs::remove_file(&path);
    /// # Ok(())
    /// # }
    /// ```
    pub fn open_with(path: impl AsRef<std::path::Path>, options: Options) -> Result<Db> {
        let conn = Connection::Sqlite(sqlite::Connection::open(path.as_ref(), &options)?);
        Ok(Db::with_connection(conn, &options, exec::Signals::default()))
    }

    /// Opens a private in-memory SQLite database, for tests.
    pub fn open_in_memory() -> Result<Db> {
        Db::open_in_memory_with(Options::new())
    }

    /// A private in-memory SQLite database opened as `options` say (`read_only`
    /// has nothing to protect there).
    pub fn open_in_memory_with(options: Options) -> Result<Db> {
        let conn = Connection::Sqlite(sqlite::Connection::open_in_memory(&options)?);
        Ok(Db::with_connection(conn, &options, exec::Signals::default()))
    }
}

impl Pool {
    /// A pool of connections to an SQLite database file (created if missing), each
    /// opened as `options` say. One connection is opened here, so that a file that
    /// cannot be opened fails at once.
    pub fn open(path: impl AsRef<std::path::Path>, options: PoolOptions) -> Result<Pool> {
        let path = path.as_ref().to_owned();
        if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" {
            return Err(Error::InvalidQuery {
                message:
                    "a pool needs a database file: each connection to \":memory:\" would have a database of its own",
            });
        }
        Pool::build(
            Box::new(move |options: &Options| Ok(Connection::Sqlite(sqlite::Connection::open(&path, options)?))),
            options,
        )
    }

    /// A pool of connections to a PostgreSQL server (feature `postgres`), each
    /// opened as `options` say: `Pool::connect("postgres://app@127.0.0.1/shop",
    /// PoolOptions::new().max_size(16))`. One connection is opened here.
    #[cfg(feature = "postgres")]
    pub fn connect(url: &str, options: PoolOptions) -> Result<Pool> {
        let url = url.to_owned();
        Pool::build(
            Box::new(move |options: &Options| {
                Ok(Connection::Postgres(Box::new(pg::Connection::connect(&url, options)?)))
            }),
            options,
        )
    }
}

#[cfg(feature = "postgres")]
impl Db {
    /// Connects to a PostgreSQL server (feature `postgres`):
    /// `Db::connect("postgres://app@127.0.0.1:5432/shop")`. The same models,
    /// QuerySets, loaders, signals and query counts work as on SQLite.
    pub fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, Options::new())
    }

    /// [`connect`](Self::connect) with options: the busy timeout becomes the
    /// server's `lock_timeout`, `read_only` its `default_transaction_read_only`, and
    /// each pragma a run-time parameter (`set_config`); the transaction mode is
    /// SQLite's and changes nothing here.
    pub fn connect_with(url: &str, options: Options) -> Result<Db> {
        let conn = Connection::Postgres(Box::new(pg::Connection::connect(url, &options)?));
        Ok(Db::with_connection(conn, &options, exec::Signals::default()))
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
