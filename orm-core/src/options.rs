//! How a connection is opened: [`Options`] for one `Db`, [`PoolOptions`] for a pool.

use crate::sql::{IsolationLevel, TransactionMode};
use std::time::Duration;

/// How [`Db::open_with`](crate::Db::open_with) opens an SQLite file.
///
/// ```
/// use orm::{Options, TransactionMode};
/// use std::time::Duration;
/// let options = Options::new()
///     .transaction_mode(TransactionMode::Immediate)
///     .busy_timeout(Duration::from_secs(2))
///     .pragma("cache_size", "-8000");
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct Options {
    pub(crate) transaction_mode: TransactionMode,
    pub(crate) isolation: Option<IsolationLevel>,
    pub(crate) busy_timeout: Duration,
    pub(crate) read_only: bool,
    pub(crate) pragmas: Vec<(String, String)>,
    pub(crate) tls_root_certificate: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            transaction_mode: TransactionMode::Deferred,
            isolation: None,
            busy_timeout: Duration::from_secs(5),
            read_only: false,
            pragmas: Vec::new(),
            tls_root_certificate: None,
        }
    }
}

impl Options {
    /// The defaults of [`Db::open`](crate::Db::open): deferred transactions, a 5
    /// second busy timeout, read-write, WAL journaling and `foreign_keys=ON`.
    pub fn new() -> Options {
        Options::default()
    }

    /// How `atomic()` starts a transaction (Django 5.1's `transaction_mode`): with
    /// [`TransactionMode::Immediate`] a read-then-write transaction takes the write
    /// lock at its `BEGIN`, so concurrent ones wait their turn (up to the busy
    /// timeout) instead of failing with `database is locked` at their first write.
    pub fn transaction_mode(mut self, mode: TransactionMode) -> Options {
        self.transaction_mode = mode;
        self
    }

    /// The isolation level every transaction of the connection begins at
    /// (PostgreSQL; Django's `OPTIONS["isolation_level"]`). SQLite's transactions are
    /// serializable whatever is asked.
    pub fn isolation_level(mut self, level: IsolationLevel) -> Options {
        self.isolation = Some(level);
        self
    }

    /// How long a statement waits for another connection's lock before it fails
    /// with [`DatabaseErrorKind::Busy`](crate::DatabaseErrorKind::Busy).
    pub fn busy_timeout(mut self, timeout: Duration) -> Options {
        self.busy_timeout = timeout;
        self
    }

    /// Opens the file read-only: it must exist, and every write fails with
    /// [`DatabaseErrorKind::ReadOnly`](crate::DatabaseErrorKind::ReadOnly).
    pub fn read_only(mut self) -> Options {
        self.read_only = true;
        self
    }

    /// A `PRAGMA name = value` run when the connection opens, after the defaults (so
    /// `pragma("journal_mode", "DELETE")` replaces WAL). Pragmas cannot take bound
    /// parameters: the name is quoted as an identifier and the value written as a
    /// quoted string (from which SQLite reads a number or a keyword), so that nothing
    /// in either can end the statement.
    pub fn pragma(mut self, name: impl Into<String>, value: impl Into<String>) -> Options {
        self.pragmas.push((name.into(), value.into()));
        self
    }
}

impl Options {
    /// PostgreSQL over TLS (feature `postgres-tls`): verify the server's certificate
    /// against this CA file (PEM) and its name against the URL's host, as libpq's
    /// `sslmode=verify-full`. Without it, `sslmode=require` in the URL encrypts the
    /// connection without authenticating the server, as libpq's `require` does.
    pub fn tls_root_certificate(mut self, path: impl Into<std::path::PathBuf>) -> Options {
        self.tls_root_certificate = Some(path.into());
        self
    }
}

/// How [`Pool::open`](crate::Pool::open) sizes a pool and opens its connections.
///
/// ```
/// use orm::{PoolOptions, TransactionMode};
/// let options = PoolOptions::new().max_size(8).transaction_mode(TransactionMode::Immediate);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub(crate) connection: Options,
    pub(crate) max_size: u32,
    pub(crate) min_idle: u32,
    pub(crate) checkout_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            connection: Options::default(),
            max_size: 10,
            min_idle: 0,
            checkout_timeout: Duration::from_secs(30),
        }
    }
}

impl PoolOptions {
    /// Up to 10 connections, opened as they are first needed, each with the defaults
    /// of [`Options::new`]; `get()` waits up to 30 seconds for a free one.
    pub fn new() -> PoolOptions {
        PoolOptions::default()
    }

    /// The most connections open at once.
    pub fn max_size(mut self, max_size: u32) -> PoolOptions {
        self.max_size = max_size;
        self
    }

    /// How many idle connections the pool keeps open, opening them in the background.
    pub fn min_idle(mut self, min_idle: u32) -> PoolOptions {
        self.min_idle = min_idle;
        self
    }

    /// How long [`Pool::get`](crate::Pool::get) waits for a free connection before it
    /// fails with [`DatabaseErrorKind::PoolTimeout`](crate::DatabaseErrorKind::PoolTimeout).
    pub fn checkout_timeout(mut self, timeout: Duration) -> PoolOptions {
        self.checkout_timeout = timeout;
        self
    }

    /// How every connection is opened.
    pub fn options(mut self, options: Options) -> PoolOptions {
        self.connection = options;
        self
    }

    /// [`Options::transaction_mode`] for every connection.
    pub fn transaction_mode(mut self, mode: TransactionMode) -> PoolOptions {
        self.connection = self.connection.transaction_mode(mode);
        self
    }

    /// [`Options::isolation_level`] for every connection.
    pub fn isolation_level(mut self, level: IsolationLevel) -> PoolOptions {
        self.connection = self.connection.isolation_level(level);
        self
    }

    /// [`Options::busy_timeout`] for every connection.
    pub fn busy_timeout(mut self, timeout: Duration) -> PoolOptions {
        self.connection = self.connection.busy_timeout(timeout);
        self
    }

    /// [`Options::read_only`] for every connection.
    pub fn read_only(mut self) -> PoolOptions {
        self.connection = self.connection.read_only();
        self
    }

    /// [`Options::pragma`] for every connection.
    pub fn pragma(mut self, name: impl Into<String>, value: impl Into<String>) -> PoolOptions {
        self.connection = self.connection.pragma(name, value);
        self
    }
}
