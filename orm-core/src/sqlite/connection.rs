//! A connection to an SQLite database: opened with the crate's settings, statements
//! prepared once and cached, rows handed to the runtime's sinks.

use super::row::Row;
use crate::backend::{self, Bind, BindParams, RowCursor, RowSink};
use crate::error::Result;
use crate::options::Options;
use crate::value::Value;
use rusqlite::CachedStatement;
use rusqlite::OpenFlags;
use std::path::Path;

/// How many prepared statements a connection keeps.
const STATEMENT_CACHE_CAPACITY: usize = 256;

/// An SQLite connection.
pub(crate) struct Connection {
    conn: rusqlite::Connection,
}

impl Connection {
    /// Opens a database file as `options` say: read-write (created if missing) with
    /// WAL journaling and `synchronous=NORMAL`, or read-only (it must exist); then
    /// `foreign_keys=ON`, the busy timeout and the user's pragmas, in that order.
    pub(crate) fn open(path: &Path, options: &Options) -> Result<Connection> {
        let conn = if options.read_only {
            rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI)?
        } else {
            let conn = rusqlite::Connection::open(path)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn
        };
        Connection::setup(conn, options)
    }

    /// A private in-memory database.
    pub(crate) fn open_in_memory(options: &Options) -> Result<Connection> {
        Connection::setup(rusqlite::Connection::open_in_memory()?, options)
    }

    fn setup(conn: rusqlite::Connection, options: &Options) -> Result<Connection> {
        conn.busy_timeout(options.busy_timeout)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        for (name, value) in &options.pragmas {
            conn.pragma_update(None, name, value)?;
        }
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        super::functions::register(&conn)?;
        Ok(Connection { conn })
    }

    fn bound(&self, sql: &str, params: &[Value]) -> Result<CachedStatement<'_>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        for (i, p) in params.iter().enumerate() {
            bind_value(&mut stmt, i + 1, p)?;
        }
        Ok(stmt)
    }
}

/// Binds one value; the commonest kinds straight to their SQLite type, skipping the
/// generic conversion (about 20 instructions a parameter on a 100-row insert).
#[inline]
fn bind_value(stmt: &mut CachedStatement<'_>, index: usize, value: &Value) -> rusqlite::Result<()> {
    match value {
        Value::Integer(i) => stmt.raw_bind_parameter(index, *i),
        Value::Text(t) => stmt.raw_bind_parameter(index, t.as_str()),
        Value::Null => stmt.raw_bind_parameter(index, rusqlite::types::Null),
        other => stmt.raw_bind_parameter(index, other),
    }
}

impl backend::Connection for Connection {
    type Statement<'c> = Statement<'c>;

    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        Ok(self.bound(sql, params)?.raw_execute()?)
    }

    fn execute_streaming<P: BindParams>(&self, sql: &str, params: P) -> Result<usize> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut binder = Binder { stmt: &mut stmt, index: 0 };
        if let Err(err) = params.bind_all(&mut binder) {
            stmt.clear_bindings();
            return Err(err);
        }
        Ok(stmt.raw_execute()?)
    }

    fn query<S: RowSink>(&self, sql: &str, params: &[Value], sink: &mut S) -> Result<usize> {
        let mut stmt = self.bound(sql, params)?;
        let mut rows = stmt.raw_query();
        let mut n = 0;
        while let Some(row) = rows.next()? {
            sink.row(&Row(row))?;
            n += 1;
        }
        Ok(n)
    }

    fn prepare(&self, sql: &str, params: &[Value]) -> Result<Statement<'_>> {
        Ok(Statement(self.bound(sql, params)?))
    }

    fn describe(&self) -> String {
        match self.conn.path() {
            Some(path) if !path.is_empty() => format!("sqlite:{path}"),
            _ => "sqlite::memory:".to_owned(),
        }
    }

    fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }

    fn dialect(&self) -> &'static dyn crate::sql::Dialect {
        &super::SQLITE
    }

    fn introspect(&self, fetch: backend::Fetch<'_>) -> Result<Vec<backend::LiveTable>> {
        super::introspect::tables(fetch)
    }
}

/// Binds parameters in order into a prepared statement.
struct Binder<'a, 'c> {
    stmt: &'a mut CachedStatement<'c>,
    index: usize,
}

impl Bind for Binder<'_, '_> {
    #[inline]
    fn bind(&mut self, value: Value) -> Result<()> {
        self.index += 1;
        Ok(bind_value(self.stmt, self.index, &value)?)
    }
}

/// A prepared, bound query.
pub(crate) struct Statement<'c>(CachedStatement<'c>);

impl backend::Statement for Statement<'_> {
    type Rows<'s>
        = Rows<'s>
    where
        Self: 's;

    fn rows(&mut self) -> Rows<'_> {
        Rows(Some(self.0.raw_query()))
    }
}

/// The rows of a prepared query; done after the last row or an error.
pub(crate) struct Rows<'s>(Option<rusqlite::Rows<'s>>);

impl RowCursor for Rows<'_> {
    fn next<S: RowSink>(&mut self, sink: &mut S) -> Result<bool> {
        let Some(rows) = self.0.as_mut() else { return Ok(false) };
        let outcome = match rows.next() {
            Ok(Some(row)) => sink.row(&Row(row)).map(|()| true),
            Ok(None) => Ok(false),
            Err(err) => Err(err.into()),
        };
        if !matches!(outcome, Ok(true)) {
            self.0 = None;
        }
        outcome
    }
}
