//! The connection: statement cache, the query counter (one choke point), capture and
//! transactions.

use crate::model::{Model, ModelMeta};
use crate::query::RowShape;
use crate::relations::load::RelatedPlan;
use crate::types::Value;
use crate::{Error, Result};
use rusqlite::CachedStatement;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How many prepared statements the connection keeps.
const STATEMENT_CACHE_CAPACITY: usize = 256;

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
        crate::query::compile::write_statement(f, &self.sql, &self.params)
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

/// A connection to an SQLite database.
///
/// It turns on foreign keys (and WAL and a busy timeout for files), caches prepared
/// statements, and counts every statement it sends, transaction control included, as
/// Django counts queries.
pub struct Db {
    conn: rusqlite::Connection,
    queries: Cell<u64>,
    capture_depth: Cell<u32>,
    captured: RefCell<Vec<CapturedQuery>>,
    tx_depth: Cell<u32>,
    models: RefCell<Vec<&'static ModelMeta>>,
    signals: crate::signals::Signals,
    /// SQL text of statements whose shape depends only on the model and a row count.
    /// Keyed by the model's identity: two models may share a table.
    sql_cache: RefCell<crate::hash::IntMap<(std::any::TypeId, usize, SqlKind), Rc<str>>>,
}

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
        f.debug_struct("Db").field("path", &self.conn.path()).field("queries", &self.queries.get()).finish()
    }
}

impl Db {
    /// Opens (or creates) a database file, with WAL journaling, `foreign_keys=ON` and
    /// a 5 second busy timeout.
    pub fn open(path: impl AsRef<Path>) -> Result<Db> {
        let conn = rusqlite::Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Db::setup(conn)
    }

    /// Opens a private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Db> {
        Db::setup(rusqlite::Connection::open_in_memory()?)
    }

    fn setup(conn: rusqlite::Connection) -> Result<Db> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        crate::functions::register(&conn)?;
        Ok(Db {
            conn,
            queries: Cell::new(0),
            capture_depth: Cell::new(0),
            captured: RefCell::new(Vec::new()),
            tx_depth: Cell::new(0),
            models: RefCell::new(Vec::new()),
            signals: Default::default(),
            sql_cache: RefCell::new(Default::default()),
        })
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
        self.run(sql, params, false, |stmt| {
            let n = stmt.raw_execute()?;
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
            for meta in metas {
                for stmt in crate::query::compile::create_table(meta) {
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
        let mut models = self.models.borrow_mut();
        for meta in L::metas() {
            if !models.iter().any(|m| m.table == meta.table) {
                models.push(meta);
            }
        }
    }

    /// The SQL text of a statement whose shape depends only on the model and a row
    /// count, built once per connection (a multi-row INSERT is long to format).
    pub(crate) fn cached_sql<M: Model>(&self, rows: usize, kind: SqlKind) -> Rc<str> {
        let meta = M::META;
        let key = (std::any::TypeId::of::<M>(), rows, kind);
        if let Some(sql) = self.sql_cache.borrow().get(&key) {
            return sql.clone();
        }
        let sql: Rc<str> = match kind {
            SqlKind::Insert => crate::query::compile::insert(meta, rows, false, false).into(),
            SqlKind::SelectAll => {
                crate::query::compile::select(&crate::query::Query::new(meta), crate::query::compile::Columns::Model)
                    .text
                    .into()
            }
        };
        self.sql_cache.borrow_mut().insert(key, sql.clone());
        sql
    }

    pub(crate) fn signals(&self) -> &crate::signals::Signals {
        &self.signals
    }

    pub(crate) fn registered_models(&self) -> Vec<&'static ModelMeta> {
        self.models.borrow().clone()
    }

    /// Runs `f` in a transaction (Django's `atomic`): committed if it returns `Ok`,
    /// rolled back if it returns `Err` or panics. Nested calls use savepoints.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
    /// let result: orm::Result<()> = db.atomic(|db| {
    ///     Book::objects().create(db, NewBook { title: "kept?".into() })?;
    ///     Err(orm::Error::InvalidQuery { message: "changed my mind" })
    /// });
    /// assert!(result.is_err());
    /// assert_eq!(Book::objects().count(&db)?, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn atomic<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        self.atomic_inner(true, f)
    }

    /// [`atomic`](Self::atomic) for a closure with an error type of your own (one that
    /// an `orm::Error` converts into): rolled back on any `Err`.
    pub fn try_atomic<T, E: From<Error>>(&self, f: impl FnOnce(&Db) -> Result<T, E>) -> Result<T, E> {
        self.atomic_inner(true, f)
    }

    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.tx_depth.get() > 0
    }

    /// `atomic`, or Django's `atomic(savepoint=False)` when `savepoint` is false: inside
    /// a transaction it then adds no savepoint.
    pub(crate) fn atomic_inner<T, E: From<Error>>(
        &self,
        savepoint: bool,
        f: impl FnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let depth = self.tx_depth.get();
        if depth > 0 && !savepoint {
            return f(self);
        }
        if depth == 0 {
            self.control("BEGIN")?;
        } else {
            self.control(&savepoint_sql("SAVEPOINT", depth))?;
        }
        self.tx_depth.set(depth + 1);
        let mut guard = TxGuard { db: self, depth, done: false };
        let result = f(self);
        guard.done = true;
        self.tx_depth.set(depth);
        match result {
            Ok(value) => {
                let end = if depth == 0 { "COMMIT".to_owned() } else { savepoint_sql("RELEASE", depth) };
                if let Err(err) = self.control(&end) {
                    self.rollback(depth);
                    return Err(err.into());
                }
                Ok(value)
            }
            Err(err) => {
                self.rollback(depth);
                Err(err)
            }
        }
    }

    fn rollback(&self, depth: u32) {
        // A failed rollback leaves nothing better to do than report the first error.
        if depth == 0 {
            let _ = self.control("ROLLBACK");
        } else {
            let _ = self.control(&savepoint_sql("ROLLBACK TO", depth));
            let _ = self.control(&savepoint_sql("RELEASE", depth));
        }
    }

    fn control(&self, sql: &str) -> Result<()> {
        self.run(sql, &[], true, |stmt| {
            stmt.raw_execute()?;
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
        body: impl FnOnce(&mut CachedStatement<'_>) -> Result<(R, usize)>,
    ) -> Result<R> {
        self.queries.set(self.queries.get() + 1);
        let start = self.records().then(Instant::now);
        let result = self.bound(sql, params).and_then(|mut stmt| body(&mut stmt));
        if let Some(start) = start {
            let rows = result.as_ref().ok().map(|(_, rows)| *rows);
            self.record(sql, params, start.elapsed(), rows, control);
        }
        result.map(|(value, _)| value)
    }

    /// Runs a write whose parameters `bind` binds straight into the statement (no
    /// `Vec<Value>` kept alive); counted like any statement. Only when nothing records
    /// the parameters: see [`Db::records`].
    pub(crate) fn execute_binding(
        &self,
        sql: &str,
        bind: impl FnOnce(&mut CachedStatement<'_>) -> Result<()>,
    ) -> Result<usize> {
        debug_assert!(!self.records());
        self.queries.set(self.queries.get() + 1);
        let mut stmt = self.conn.prepare_cached(sql)?;
        if let Err(err) = bind(&mut stmt) {
            stmt.clear_bindings();
            return Err(err);
        }
        Ok(stmt.raw_execute()?)
    }

    /// Whether statements are recorded, timed and with their parameters (a capture,
    /// or tracing).
    pub(crate) fn records(&self) -> bool {
        self.capture_depth.get() > 0 || cfg!(feature = "tracing")
    }

    fn bound(&self, sql: &str, params: &[Value]) -> Result<CachedStatement<'_>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        for (i, p) in params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, p)?;
        }
        Ok(stmt)
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
    pub(crate) fn fetch<T>(
        &self,
        sql: &str,
        params: &[Value],
        mut decode: impl FnMut(&rusqlite::Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.fetch_each(sql, params, |row| {
            out.push(decode(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Runs a query and hands each row to `each`; returns the number of rows.
    pub(crate) fn fetch_each(
        &self,
        sql: &str,
        params: &[Value],
        mut each: impl FnMut(&rusqlite::Row<'_>) -> Result<()>,
    ) -> Result<usize> {
        self.run(sql, params, false, |stmt| {
            let mut rows = stmt.raw_query();
            let mut n = 0;
            while let Some(row) = rows.next()? {
                each(row)?;
                n += 1;
            }
            Ok((n, n))
        })
    }

    /// Runs a query that returns exactly one row.
    pub(crate) fn fetch_one<T>(
        &self,
        sql: &str,
        params: &[Value],
        decode: impl FnOnce(&rusqlite::Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.run(sql, params, false, |stmt| {
            let mut rows = stmt.raw_query();
            match rows.next()? {
                Some(row) => Ok((decode(row)?, 1)),
                None => Err(Error::Sqlite { source: rusqlite::Error::QueryReturnedNoRows }),
            }
        })
    }

    /// Prepares and binds a query whose rows are read later by a [`Cursor`]; counted
    /// here, once, with `rows: None` in a capture.
    pub(crate) fn cursor<M: Model, S: RowShape<M>>(
        &self,
        sql: &str,
        params: &[Value],
        shape: S,
        related: RelatedPlan,
    ) -> Result<Cursor<'_, M, S>> {
        self.queries.set(self.queries.get() + 1);
        let start = self.records().then(Instant::now);
        let stmt = self.bound(sql, params);
        if let Some(start) = start {
            self.record(sql, params, start.elapsed(), None, false);
        }
        Ok(Cursor { stmt: Some(stmt?), shape, related, _model: PhantomData })
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
                crate::RelationKind::ForeignKey { .. } => {
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

fn savepoint_sql(verb: &str, depth: u32) -> String {
    format!("{verb} \"orm_sp_{depth}\"")
}

struct TxGuard<'a> {
    db: &'a Db,
    depth: u32,
    done: bool,
}

impl Drop for TxGuard<'_> {
    fn drop(&mut self) {
        // Reached without `done` only while unwinding from a panic in the closure.
        if !self.done {
            self.db.tx_depth.set(self.depth);
            self.db.rollback(self.depth);
        }
    }
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

/// A query whose rows are read one at a time; returned by
/// [`QuerySet::iter`](crate::QuerySet::iter).
pub struct Cursor<'db, M, S> {
    stmt: Option<CachedStatement<'db>>,
    shape: S,
    related: RelatedPlan,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model, S: RowShape<M>> Cursor<'_, M, S> {
    pub(crate) fn empty(shape: S) -> Self {
        Cursor { stmt: None, shape, related: RelatedPlan::default(), _model: PhantomData }
    }

    /// The rows, decoded one at a time, without collecting them.
    pub fn rows(&mut self) -> Rows<'_, M, S> {
        Rows {
            rows: self.stmt.as_mut().map(|s| s.raw_query()),
            shape: &self.shape,
            related: &self.related,
            _model: PhantomData,
        }
    }
}

/// The iterator of a [`Cursor`]: one `Result` per row.
pub struct Rows<'c, M, S> {
    rows: Option<rusqlite::Rows<'c>>,
    shape: &'c S,
    related: &'c RelatedPlan,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model, S: RowShape<M>> Iterator for Rows<'_, M, S> {
    type Item = Result<S::Item>;

    fn next(&mut self) -> Option<Self::Item> {
        let rows = self.rows.as_mut()?;
        let item = match rows.next() {
            Ok(Some(row)) => Some(self.shape.decode_row(row, self.related)),
            Ok(None) => None,
            Err(err) => Some(Err(err.into())),
        };
        if !matches!(item, Some(Ok(_))) {
            self.rows = None;
        }
        item
    }
}

/// A list of models, for [`Db::create_tables`]: a tuple such as `(Author, Book)`, of
/// up to 12 models or nested lists, so `((A, .., L), (M, N))` lists 14.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of models",
    label = "expected a model or a tuple of up to 12 models",
    note = "list more than 12 models as nested tuples, `create_tables::<((A, B, ..), (M, N))>()`: each tuple holds up to 12 models or tuples"
)]
pub trait ModelList {
    #[doc(hidden)]
    fn push_metas(out: &mut Vec<&'static crate::ModelMeta>);

    #[doc(hidden)]
    fn metas() -> Vec<&'static crate::ModelMeta> {
        let mut out = Vec::new();
        Self::push_metas(&mut out);
        out
    }
}

impl<M: Model> ModelList for M {
    fn push_metas(out: &mut Vec<&'static crate::ModelMeta>) {
        out.push(M::META);
    }
}

macro_rules! model_list {
    ($($name:ident)+) => {
        impl<$($name: ModelList),+> ModelList for ($($name,)+) {
            fn push_metas(out: &mut Vec<&'static crate::ModelMeta>) {
                $($name::push_metas(out);)+
            }
        }
    };
}
model_list!(A);
model_list!(A B);
model_list!(A B C);
model_list!(A B C D);
model_list!(A B C D E);
model_list!(A B C D E F);
model_list!(A B C D E F G);
model_list!(A B C D E F G H);
model_list!(A B C D E F G H I);
model_list!(A B C D E F G H I J);
model_list!(A B C D E F G H I J K);
model_list!(A B C D E F G H I J K L);
