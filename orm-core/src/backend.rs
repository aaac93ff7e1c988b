//! The seam between the runtime and a database driver: what a backend's connection,
//! rows and cursors do. Everything above this module is written once; `sqlite/` (and
//! later `postgres/`) implements it and is named only by `lib.rs`, which composes the
//! backends into [`crate::Connection`].
//!
//! Rows reach decoders through [`RowSink`], whose method is generic over the backend's
//! row type: the generated decoders are instantiated for each backend, with no dynamic
//! dispatch per row or column.

use crate::error::Result;
use crate::value::{Value, ValueRef};

/// A row being read.
pub trait RowRead {
    /// Column `index` (from 0) of the row.
    fn value(&self, index: usize) -> Result<ValueRef<'_>>;
}

/// What receives the rows of a query, one at a time.
pub(crate) trait RowSink {
    /// One row.
    fn row<R: RowRead>(&mut self, row: &R) -> Result<()>;
}

/// Decodes one value from a row (for a sink that collects).
pub(crate) trait DecodeRow {
    /// What one row becomes.
    type Item;
    /// Decodes `row`.
    fn decode<R: RowRead>(&mut self, row: &R) -> Result<Self::Item>;
}

/// Collects the decoded rows of a query.
pub(crate) struct Collect<'a, D: DecodeRow> {
    pub decode: D,
    pub out: &'a mut Vec<D::Item>,
}

impl<D: DecodeRow> RowSink for Collect<'_, D> {
    #[inline]
    fn row<R: RowRead>(&mut self, row: &R) -> Result<()> {
        let item = self.decode.decode(row)?;
        self.out.push(item);
        Ok(())
    }
}

/// The first column of each row, as an owned value.
pub(crate) struct FirstColumn;

impl DecodeRow for FirstColumn {
    type Item = Value;
    #[inline]
    fn decode<R: RowRead>(&mut self, row: &R) -> Result<Value> {
        Ok(Value::from_ref(row.value(0)?))
    }
}

/// The first `n` columns of each row, as owned values (introspection).
pub(crate) struct RowValues(pub usize);

impl DecodeRow for RowValues {
    type Item = Vec<Value>;
    fn decode<R: RowRead>(&mut self, row: &R) -> Result<Vec<Value>> {
        (0..self.0).map(|i| Ok(Value::from_ref(row.value(i)?))).collect()
    }
}

/// A model decoded from each row, from its first column.
pub(crate) struct Decoded<M>(std::marker::PhantomData<fn() -> M>);

impl<M> Default for Decoded<M> {
    fn default() -> Self {
        Decoded(std::marker::PhantomData)
    }
}

impl<M: crate::Model> DecodeRow for Decoded<M> {
    type Item = M;
    #[inline]
    fn decode<R: RowRead>(&mut self, row: &R) -> Result<M> {
        M::__decode(row, 0)
    }
}

/// One column of each row, decoded as `T`.
pub(crate) struct Column<T>(pub usize, pub std::marker::PhantomData<fn() -> T>);

impl<T: crate::FieldType> Column<T> {
    pub(crate) fn at(index: usize) -> Self {
        Column(index, std::marker::PhantomData)
    }
}

impl<T: crate::FieldType> DecodeRow for Column<T> {
    type Item = T;
    #[inline]
    fn decode<R: RowRead>(&mut self, row: &R) -> Result<T> {
        let value = row.value(self.0)?;
        T::from_value(value).map_err(|err| crate::Error::Decode {
            model: "expression",
            column: "expression",
            expected: T::RUST_TYPE,
            found: err.found,
            expression: None,
        })
    }
}

/// Binds a statement's parameters one at a time (see
/// [`Connection::execute_streaming`]).
pub(crate) trait BindParams {
    /// Hands every parameter, in order, to `bind`.
    fn bind_all<B: Bind>(self, bind: &mut B) -> Result<()>;
}

/// Binds the next parameter of a statement.
pub(crate) trait Bind {
    /// Binds `value` as the next parameter.
    fn bind(&mut self, value: Value) -> Result<()>;
}

/// A connection to one database, as the runtime uses it. Statements are prepared and
/// cached by the backend; every value is a bound parameter.
pub(crate) trait Connection: Send {
    /// A prepared, bound query whose rows are read later.
    type Statement<'c>: Statement
    where
        Self: 'c;

    /// Runs a statement; returns the number of rows it changed.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize>;

    /// Runs a statement whose parameters `params` binds one at a time, each dropped
    /// once the database has it (`bulk_insert`); returns the number of rows changed.
    /// An `Err` from `params` stops it, with nothing run.
    fn execute_streaming<P: BindParams>(&self, sql: &str, params: P) -> Result<usize>;

    /// Runs a query and hands every row to `sink`; returns the number of rows.
    fn query<S: RowSink>(&self, sql: &str, params: &[Value], sink: &mut S) -> Result<usize>;

    /// Prepares and binds a query whose rows are read later.
    fn prepare(&self, sql: &str, params: &[Value]) -> Result<Self::Statement<'_>>;

    /// What the connection is connected to, for `Debug`.
    fn describe(&self) -> String;

    /// Whether the database has a transaction open on this connection (whoever
    /// started it).
    fn in_transaction(&self) -> bool;

    /// The SQL this connection's database speaks.
    fn dialect(&self) -> &'static dyn crate::sql::Dialect;

    /// Whether the connection is lost for good (a server that closed it), so that a
    /// pool drops it rather than hand it out again.
    fn is_broken(&self) -> bool {
        false
    }

    /// Describes the tables of the database (of the current schema, on a server):
    /// their columns, keys, indexes and foreign keys (`Db::check_schema`). Each query
    /// goes through `fetch`, the `Db`'s, so that it is counted like any other.
    fn introspect(&self, fetch: Fetch<'_>) -> Result<Vec<LiveTable>> {
        let _ = fetch;
        Err(crate::error::Error::Migration {
            message: format!("{} cannot describe its tables: check_schema is not available", self.describe()),
        })
    }
}

/// Runs one introspection query (no parameters) and returns its rows, each as the
/// values of its first `columns` columns.
pub(crate) type Fetch<'a> = &'a mut dyn FnMut(&str, usize) -> Result<Vec<Vec<Value>>>;

/// A table as the live database describes it ([`Connection::introspect`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct LiveTable {
    /// Its name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<LiveColumn>,
    /// The primary key's columns, in order.
    pub primary_key: Vec<String>,
    /// Every index, the primary key's and the unique constraints' included.
    pub indexes: Vec<LiveIndex>,
    /// Every foreign key constraint.
    pub foreign_keys: Vec<LiveForeignKey>,
}

/// A column of a [`LiveTable`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LiveColumn {
    /// Its name.
    pub name: String,
    /// Its declared type as the dialect writes it in `CREATE TABLE` (SQLite's as
    /// declared; PostgreSQL's in the short names: `varchar(20)`, `timestamp`).
    pub declared_type: String,
    /// Whether it accepts `NULL`.
    pub nullable: bool,
    /// Whether the database numbers new rows itself (an identity column, SQLite's
    /// `INTEGER PRIMARY KEY`).
    pub auto: bool,
}

/// An index of a [`LiveTable`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LiveIndex {
    /// Its name.
    pub name: String,
    /// Its columns, in order (empty for an index on expressions).
    pub columns: Vec<String>,
    /// Whether it enforces uniqueness.
    pub unique: bool,
}

/// A foreign key constraint of a [`LiveTable`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LiveForeignKey {
    /// The referencing columns, in order.
    pub columns: Vec<String>,
    /// The referenced table.
    pub table: String,
    /// The referenced columns, in order.
    pub referenced: Vec<String>,
    /// What deleting a referenced row does: `CASCADE`, `SET NULL`, `RESTRICT`,
    /// `NO ACTION` or `SET DEFAULT`.
    pub on_delete: String,
}

/// The prepared statement of the crate's connection.
pub(crate) type StatementOf<'c> = <crate::Connection as Connection>::Statement<'c>;

/// The rows of a prepared statement of the crate's connection.
pub(crate) type RowsOf<'s, 'c> = <StatementOf<'c> as Statement>::Rows<'s>;

/// A prepared, bound query (see [`Connection::prepare`]).
pub(crate) trait Statement {
    /// Its rows, read as they are asked for.
    type Rows<'s>: RowCursor
    where
        Self: 's;
    /// Starts reading the rows.
    fn rows(&mut self) -> Self::Rows<'_>;
}

/// The rows of a query, read one at a time.
pub(crate) trait RowCursor {
    /// Hands the next row to `sink`; `false` when there is none left.
    fn next<S: RowSink>(&mut self, sink: &mut S) -> Result<bool>;
}
