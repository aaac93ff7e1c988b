//! The connection: statement cache, the query counter (one choke point), capture and
//! transactions.

mod pool;
mod signals;
mod transaction;

pub use crate::options::{Options, PoolOptions};
pub use pool::{Pool, PooledDb};
pub(crate) use signals::{Callback, Kind, Signals};

use crate::backend::{Collect, Connection as _, DecodeRow, RowSink};
use crate::error::{Error, Result};
use crate::meta::{ModelMeta, RelationKind};
use crate::model::{Model, ModelList};
use crate::value::Value;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One statement sent to SQLite, as recorded by [`Db::capture`].
#[derive(Debug, Clone, PartialEq)]
pub struct CapturedQuery {
    /// The SQL text, with `?` placeholders.
    pub sql: String,
    /// The bound parameters.
    pub params: Vec<Value>,
    /// How long SQLite took, from binding to the last row read.
    pub duration: Duration,
    /// Rows returned (for a query) or changed (for a write); `None` for a streamed
    /// query whose rows were read later.
    pub rows: Option<usize>,
    /// Whether this is `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT` or `RELEASE`.
    pub transaction_control: bool,
}

impl fmt::Display for CapturedQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::sql::write_statement(f, &self.sql, &self.params)
    }
}

/// The value a closure returned under [`Db::capture`], with the statements it sent.
#[derive(Debug)]
pub struct Captured<T> {
    /// What the closure returned.
    pub value: T,
    /// Every statement sent while it ran, in order.
    pub queries: Vec<CapturedQuery>,
}

/// A connection to a database.
///
/// It caches prepared statements and counts every statement it sends, transaction
/// control included, as Django counts queries. A `Db` is `Send`: it can move to
/// another thread, but serves one thread at a time.
pub struct Db {
    conn: crate::Connection,
    queries: Cell<u64>,
    capture_depth: Cell<u32>,
    captured: RefCell<Vec<CapturedQuery>>,
    tx_depth: Cell<u32>,
    transaction_mode: crate::sql::TransactionMode,
    /// The isolation level of the connection's transactions (`None`: the database's).
    isolation: Option<crate::sql::IsolationLevel>,
    /// The level the next outermost `atomic()` begins at (`atomic_with`).
    next_isolation: Cell<Option<crate::sql::IsolationLevel>>,
    signals: Signals,
    /// Whether the outermost `atomic()` began the open transaction (not a `BEGIN`
    /// sent by hand), so that `on_commit` callbacks can wait for its `COMMIT`.
    atomic_began: Cell<bool>,
    /// The `on_commit` callbacks of the open transaction, in registration order.
    commit_hooks: RefCell<Vec<CommitHook>>,
    /// The field names a `save_fields` writes, while its signals' receivers run.
    update_fields: RefCell<Option<Vec<&'static str>>>,
    /// SQL text of statements whose shape depends only on the model and a row count.
    /// Keyed by the model's identity: two models may share a table.
    sql_cache: RefCell<crate::hash::IntMap<(std::any::TypeId, usize, SqlKind), Arc<str>>>,
}

/// A callback that runs once the transaction it was registered in commits.
pub(crate) type CommitHook = Box<dyn FnOnce() + Send>;

/// The statements kept in [`Db`]'s SQL text cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SqlKind {
    /// `INSERT INTO t (cols) VALUES (..) x n`, no RETURNING.
    Insert,
    /// `SELECT <every column> FROM t [ORDER BY <default ordering>]`: `objects().all()`.
    SelectAll,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db").field("database", &self.conn.describe()).field("queries", &self.queries.get()).finish()
    }
}

impl Db {
    /// A `Db` over an open connection.
    pub(crate) fn with_connection(conn: crate::Connection, options: &Options, signals: Signals) -> Db {
        Db {
            conn,
            queries: Cell::new(0),
            capture_depth: Cell::new(0),
            captured: RefCell::new(Vec::new()),
            tx_depth: Cell::new(0),
            transaction_mode: options.transaction_mode,
            isolation: options.isolation,
            next_isolation: Cell::new(None),
            signals,
            atomic_began: Cell::new(false),
            commit_hooks: RefCell::new(Vec::new()),
            update_fields: RefCell::new(None),
            sql_cache: RefCell::new(Default::default()),
        }
    }

    /// How many statements this connection has sent to SQLite since it was opened.
    pub fn query_count(&self) -> u64 {
        self.queries.get()
    }

    /// Runs `f` and returns its value with every statement it sent (SQL, parameters,
    /// duration, rows, and whether it is transaction control).
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
    /// let captured = db.capture(|| Book::objects().all(&db))?;
    /// assert_eq!(captured.queries.len(), 1);
    /// assert!(captured.queries[0].sql.starts_with("SELECT"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn capture<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<Captured<T>> {
        let guard = self.start_capture();
        let value = f()?;
        Ok(Captured { value, queries: guard.finish() })
    }

    #[doc(hidden)]
    pub fn start_capture(&self) -> CaptureGuard<'_> {
        self.capture_depth.set(self.capture_depth.get() + 1);
        CaptureGuard { db: self, start: self.captured.borrow().len() }
    }

    /// Runs a statement of your own, counted like every other one, and returns the
    /// number of rows it changed. Values are bound to `?` placeholders.
    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        self.run(sql, params, false, |conn| {
            let n = conn.execute(sql, params)?;
            Ok((n, n))
        })
    }

    /// Creates the tables of the listed models, their indexes and their automatic
    /// ManyToMany tables, in one transaction, a model's ForeignKey targets first:
    /// `db.create_tables::<(Author, Book)>()`. The models are also
    /// [registered](Self::register).
    pub fn create_tables<L: ModelList>(&self) -> Result<()> {
        let metas = dependency_order(L::metas());
        self.register::<L>();
        self.atomic(|db| {
            // Every model's table, then the link tables (each references two of them).
            let tables = metas.iter().map(|meta| crate::schema::Table::from_model(meta));
            let links = metas.iter().flat_map(|meta| crate::schema::Table::link_tables(meta));
            for table in tables.chain(links) {
                for stmt in crate::sql::create_table(&table, self.dialect()) {
                    db.execute(&stmt, &[])?;
                }
            }
            Ok(())
        })
    }

    /// Tells the connection about models whose tables exist already, so that deletes
    /// find the rows that depend on theirs (Django knows every model through its app
    /// registry; here each `Db` knows the models given to it). No query.
    pub fn register<L: ModelList>(&self) {
        for meta in L::metas() {
            self.signals.register(meta);
        }
    }

    /// The SQL text of a statement whose shape depends only on the model and a row
    /// count, built once per connection (a multi-row INSERT is long to format).
    pub(crate) fn cached_sql<M: Model>(&self, rows: usize, kind: SqlKind) -> Arc<str> {
        let meta = M::META;
        let key = (std::any::TypeId::of::<M>(), rows, kind);
        if let Some(sql) = self.sql_cache.borrow().get(&key) {
            return sql.clone();
        }
        let sql: Arc<str> = match kind {
            SqlKind::Insert => crate::sql::insert(meta, rows, false, false, self.dialect()).into(),
            SqlKind::SelectAll => {
                crate::sql::select(&crate::ast::Query::new(meta), crate::sql::Columns::Model, self.dialect())
                    .text
                    .into()
            }
        };
        self.sql_cache.borrow_mut().insert(key, sql.clone());
        sql
    }

    /// Sets the field names a `save_fields` writes (`None`: a whole save), returning
    /// those set before.
    pub(crate) fn replace_update_fields(&self, fields: Option<Vec<&'static str>>) -> Option<Vec<&'static str>> {
        self.update_fields.replace(fields)
    }

    /// Whether a `save_fields`' receivers are running.
    #[inline]
    pub(crate) fn has_update_fields(&self) -> bool {
        self.update_fields.borrow().is_some()
    }

    /// The field names a `save_fields` writes, while its receivers run.
    pub(crate) fn current_update_fields(&self) -> Option<Vec<&'static str>> {
        self.update_fields.borrow().clone()
    }

    pub(crate) fn signals(&self) -> &Signals {
        &self.signals
    }

    pub(crate) fn registered_models(&self) -> Vec<&'static ModelMeta> {
        self.signals.models()
    }

    /// Whether the connection is lost for good.
    pub(crate) fn is_broken(&self) -> bool {
        self.conn.is_broken()
    }

    /// The SQL this connection's database speaks.
    pub(crate) fn dialect(&self) -> &'static dyn crate::sql::Dialect {
        self.conn.dialect()
    }

    /// The tables the live database has, as its backend describes them (for
    /// `migrate::check`); each query is sent and counted like any other.
    pub(crate) fn introspect(&self) -> Result<Vec<crate::backend::LiveTable>> {
        let mut fetch = |sql: &str, columns: usize| self.fetch(sql, &[], crate::backend::RowValues(columns));
        self.conn.introspect(&mut fetch)
    }

    pub(super) fn control(&self, sql: &str) -> Result<()> {
        self.run(sql, &[], true, |conn| {
            conn.execute(sql, &[])?;
            Ok(((), 0))
        })
    }

    /// The choke point: every statement this crate sends goes through here, is counted
    /// once, captured if a capture is active, and traced with the `tracing` feature.
    fn run<R>(
        &self,
        sql: &str,
        params: &[Value],
        control: bool,
        body: impl FnOnce(&crate::Connection) -> Result<(R, usize)>,
    ) -> Result<R> {
        self.queries.set(self.queries.get() + 1);
        let start = self.records().then(Instant::now);
        let result = body(&self.conn);
        if let Some(start) = start {
            let rows = result.as_ref().ok().map(|(_, rows)| *rows);
            self.record(sql, params, start.elapsed(), rows, control);
        }
        result.map(|(value, _)| value)
    }

    /// Runs a write whose parameters come one at a time from `params`, each bound as
    /// it comes (no `Vec<Value>` kept alive); counted like any statement. Only when
    /// nothing records the parameters: see [`Db::records`].
    pub(crate) fn execute_streaming<P: crate::backend::BindParams>(&self, sql: &str, params: P) -> Result<usize> {
        debug_assert!(!self.records());
        self.queries.set(self.queries.get() + 1);
        self.conn.execute_streaming(sql, params)
    }

    /// Whether statements are recorded, timed and with their parameters (a capture,
    /// or tracing).
    pub(crate) fn records(&self) -> bool {
        self.capture_depth.get() > 0 || cfg!(feature = "tracing")
    }

    fn record(&self, sql: &str, params: &[Value], duration: Duration, rows: Option<usize>, control: bool) {
        #[cfg(feature = "tracing")]
        tracing::debug!(target: "orm::sql", sql, params = ?params, duration_us = duration.as_micros() as u64, rows = ?rows);
        if self.capture_depth.get() > 0 {
            self.captured.borrow_mut().push(CapturedQuery {
                sql: sql.to_owned(),
                params: params.to_vec(),
                duration,
                rows,
                transaction_control: control,
            });
        }
    }

    /// Runs a query and decodes every row.
    pub(crate) fn fetch<D: DecodeRow>(&self, sql: &str, params: &[Value], decode: D) -> Result<Vec<D::Item>> {
        let mut out = Vec::new();
        self.query(sql, params, &mut Collect { decode, out: &mut out })?;
        Ok(out)
    }

    /// Runs a query and hands each row to `sink`; returns the number of rows.
    pub(crate) fn query<S: RowSink>(&self, sql: &str, params: &[Value], sink: &mut S) -> Result<usize> {
        self.run(sql, params, false, |conn| {
            let n = conn.query(sql, params, sink)?;
            Ok((n, n))
        })
    }

    /// Runs a query that returns exactly one row.
    pub(crate) fn fetch_one<D: DecodeRow>(&self, sql: &str, params: &[Value], decode: D) -> Result<D::Item> {
        let mut rows = self.fetch(sql, params, decode)?;
        match rows.pop() {
            Some(row) if rows.is_empty() => Ok(row),
            _ => Err(Error::InvalidQuery { message: "a statement that returns one row returned another number" }),
        }
    }

    /// Prepares and binds a query whose rows are read later (a cursor); counted here,
    /// once, with `rows: None` in a capture.
    pub(crate) fn prepare(&self, sql: &str, params: &[Value]) -> Result<crate::backend::StatementOf<'_>> {
        self.queries.set(self.queries.get() + 1);
        let start = self.records().then(Instant::now);
        let stmt = self.conn.prepare(sql, params);
        if let Some(start) = start {
            self.record(sql, params, start.elapsed(), None, false);
        }
        stmt
    }
}

/// Orders models so that each comes after the models its ForeignKeys point at (when
/// they are in the list; a cycle keeps the given order).
fn dependency_order(metas: Vec<&'static ModelMeta>) -> Vec<&'static ModelMeta> {
    let mut out: Vec<&'static ModelMeta> = Vec::with_capacity(metas.len());
    let mut pending = metas;
    while !pending.is_empty() {
        let ready = pending.iter().position(|m| {
            m.relations.iter().all(|r| match r.kind {
                RelationKind::ForeignKey { .. } => {
                    let target = (r.target)();
                    target.table == m.table
                        || out.iter().any(|o| o.table == target.table)
                        || !pending.iter().any(|p| p.table == target.table)
                }
                _ => true,
            })
        });
        out.push(pending.remove(ready.unwrap_or(0)));
    }
    out
}

/// An active capture; see [`assert_num_queries!`](crate::assert_num_queries).
#[doc(hidden)]
pub struct CaptureGuard<'a> {
    db: &'a Db,
    start: usize,
}

impl CaptureGuard<'_> {
    /// The statements sent since the capture started.
    pub fn finish(self) -> Vec<CapturedQuery> {
        self.db.captured.borrow()[self.start..].to_vec()
    }
}

impl Drop for CaptureGuard<'_> {
    fn drop(&mut self) {
        let depth = self.db.capture_depth.get() - 1;
        self.db.capture_depth.set(depth);
        if depth == 0 {
            self.db.captured.borrow_mut().clear();
        }
    }
}

/// Formats captured statements as Django's `assertNumQueries` does: numbered, one a
/// line.
#[doc(hidden)]
pub fn format_queries(queries: &[CapturedQuery]) -> String {
    let mut out = String::new();
    for (i, q) in queries.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, q));
    }
    out
}
