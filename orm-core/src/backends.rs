//! Part of the composition root: the connection a [`Db`](crate::Db) holds is one of
//! the backends compiled in, chosen when it is opened. Each method matches on the
//! backend once per statement (and once per row of a cursor), then runs that
//! backend's code, whose row decoding is instantiated for its own row type.

use crate::backend::{self, BindParams, RowCursor, RowSink};
use crate::error::Result;
use crate::value::Value;

type SqliteStatement<'c> = <crate::sqlite::Connection as backend::Connection>::Statement<'c>;
type SqliteRows<'s, 'c> = <SqliteStatement<'c> as backend::Statement>::Rows<'s>;
#[cfg(feature = "postgres")]
type PgStatement<'c> = <crate::pg::Connection as backend::Connection>::Statement<'c>;
#[cfg(feature = "postgres")]
type PgRows<'s, 'c> = <PgStatement<'c> as backend::Statement>::Rows<'s>;

/// A connection to one of the compiled-in databases.
pub(crate) enum Connection {
    /// SQLite (always compiled in).
    Sqlite(crate::sqlite::Connection),
    /// PostgreSQL (feature `postgres`).
    #[cfg(feature = "postgres")]
    Postgres(Box<crate::pg::Connection>),
}

macro_rules! each {
    ($self:expr, $conn:ident => $body:expr) => {
        match $self {
            Connection::Sqlite($conn) => $body,
            #[cfg(feature = "postgres")]
            Connection::Postgres($conn) => $body,
        }
    };
}

impl backend::Connection for Connection {
    type Statement<'c> = Statement<'c>;

    #[inline]
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        each!(self, c => c.execute(sql, params))
    }

    #[inline]
    fn execute_streaming<P: BindParams>(&self, sql: &str, params: P) -> Result<usize> {
        each!(self, c => c.execute_streaming(sql, params))
    }

    #[inline]
    fn query<S: RowSink>(&self, sql: &str, params: &[Value], sink: &mut S) -> Result<usize> {
        each!(self, c => c.query(sql, params, sink))
    }

    fn prepare(&self, sql: &str, params: &[Value]) -> Result<Statement<'_>> {
        Ok(match self {
            Connection::Sqlite(c) => Statement::Sqlite(c.prepare(sql, params)?),
            #[cfg(feature = "postgres")]
            Connection::Postgres(c) => Statement::Postgres(c.prepare(sql, params)?),
        })
    }

    fn describe(&self) -> String {
        each!(self, c => c.describe())
    }

    #[inline]
    fn in_transaction(&self) -> bool {
        each!(self, c => c.in_transaction())
    }

    #[inline]
    fn dialect(&self) -> &'static dyn crate::sql::Dialect {
        each!(self, c => c.dialect())
    }

    fn is_broken(&self) -> bool {
        each!(self, c => c.is_broken())
    }

    fn introspect(&self, fetch: backend::Fetch<'_>) -> Result<Vec<backend::LiveTable>> {
        each!(self, c => c.introspect(fetch))
    }
}

/// A prepared statement of one of the backends.
pub(crate) enum Statement<'c> {
    Sqlite(SqliteStatement<'c>),
    #[cfg(feature = "postgres")]
    Postgres(PgStatement<'c>),
}

impl<'c> backend::Statement for Statement<'c> {
    type Rows<'s>
        = Rows<'s, 'c>
    where
        Self: 's;

    fn rows(&mut self) -> Rows<'_, 'c> {
        match self {
            Statement::Sqlite(s) => Rows::Sqlite(backend::Statement::rows(s)),
            #[cfg(feature = "postgres")]
            Statement::Postgres(s) => Rows::Postgres(backend::Statement::rows(s)),
        }
    }
}

/// The rows of a prepared statement of one of the backends.
pub(crate) enum Rows<'s, 'c: 's> {
    Sqlite(SqliteRows<'s, 'c>),
    #[cfg(feature = "postgres")]
    Postgres(PgRows<'s, 'c>),
}

impl RowCursor for Rows<'_, '_> {
    #[inline]
    fn next<S: RowSink>(&mut self, sink: &mut S) -> Result<bool> {
        match self {
            Rows::Sqlite(r) => r.next(sink),
            #[cfg(feature = "postgres")]
            Rows::Postgres(r) => r.next(sink),
        }
    }
}
