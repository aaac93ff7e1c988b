//! A pool of connections to one database, over r2d2: a web server's request handlers
//! each take a connection, use it as a [`Db`], and give it back when it drops.

use super::signals::{Registry, Signals};
use super::{Db, Options, PoolOptions};
use crate::error::{DatabaseErrorKind, Error, Result};
use crate::model::ModelList;
use std::fmt;
use std::sync::Arc;

/// Opens one connection of the pool's database.
pub(crate) type Connect = Box<dyn Fn(&Options) -> Result<crate::Connection> + Send + Sync>;

/// A pool of connections to one database file, shared by threads (`Pool` is `Sync`).
///
/// Each [`get`](Pool::get) hands out a connection that derefs to [`Db`]; it returns
/// to the pool when dropped. Query counts stay per connection. Signal receivers and
/// models registered on the pool apply to every connection it opens; those
/// registered on one connection stay with that connection.
///
/// ```
/// use orm::prelude::*;
/// #[derive(Model, Debug)]
/// struct Visit { id: i64, path: String }
///
/// # fn main() -> orm::Result<()> {
/// # let dir = std::env::temp_dir().join(format!("orm-pool-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// # let path = dir.join("site.sqlite3");
/// let pool = Pool::open(&path, PoolOptions::new().max_size(4).transaction_mode(TransactionMode::Immediate))?;
/// pool.create_tables::<(Visit,)>()?;
/// std::thread::scope(|s| {
///     for i in 0..4 {
///         let pool = &pool;
///         s.spawn(move || -> orm::Result<()> {
///             let db = pool.get()?;
///             Visit::objects().create(&db, NewVisit { path: format!("/page/{i}") })?;
///             Ok(())
///         });
///     }
/// });
/// let db = pool.get()?;
/// assert_eq!(Visit::objects().count(&db)?, 4);
/// # drop(db);
/// # drop(pool); std::fs::remove_dir_all(&dir).unwrap();
/// # Ok(())
/// # }
/// ```
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    registry: Arc<Registry>,
    describe: String,
}

/// A connection taken from a [`Pool`]: use it as a [`Db`]; dropping it gives it back.
pub struct PooledDb {
    conn: r2d2::PooledConnection<Manager>,
}

impl std::ops::Deref for PooledDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.conn
    }
}

impl fmt::Debug for PooledDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state();
        f.debug_struct("Pool")
            .field("database", &self.describe)
            .field("connections", &state.connections)
            .field("idle", &state.idle_connections)
            .finish()
    }
}

impl Pool {
    /// A pool whose connections `connect` opens. One connection is opened at once, so
    /// that a database that cannot be opened fails here, with its own error.
    pub(crate) fn build(connect: Connect, options: PoolOptions) -> Result<Pool> {
        if options.max_size == 0 {
            return Err(Error::InvalidQuery { message: "a pool needs max_size of at least 1" });
        }
        let registry = Arc::new(Registry::default());
        let first = Db::with_connection(connect(&options.connection)?, &options.connection, Signals::default());
        let describe = first.describe();
        drop(first);
        let manager = Manager { connect, options: options.connection.clone(), registry: registry.clone() };
        let inner = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(options.min_idle.min(options.max_size)))
            .connection_timeout(options.checkout_timeout)
            // A checkout runs no validation query: a file connection does not drop,
            // and a broken one is found when it is returned (see `has_broken`).
            .test_on_check_out(false)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(manager);
        Ok(Pool { inner, registry, describe })
    }

    /// A free connection, opening one if fewer than `max_size` are open, or waiting
    /// up to the checkout timeout for one to come back (then
    /// [`DatabaseErrorKind::PoolTimeout`]).
    pub fn get(&self) -> Result<PooledDb> {
        match self.inner.get() {
            Ok(conn) => Ok(PooledDb { conn }),
            Err(err) => Err(Error::Database {
                kind: DatabaseErrorKind::PoolTimeout,
                code: None,
                message: err.to_string(),
                source: Box::new(err),
            }),
        }
    }

    /// How many connections are open, and how many of them are idle.
    pub fn state(&self) -> (u32, u32) {
        let state = self.inner.state();
        (state.connections, state.idle_connections)
    }

    /// Creates the tables of the listed models (as [`Db::create_tables`]) on one
    /// connection, and registers the models for every connection of the pool.
    pub fn create_tables<L: ModelList>(&self) -> Result<()> {
        self.register::<L>();
        self.get()?.create_tables::<L>()
    }

    /// Tells every connection of the pool about models whose tables exist already
    /// (as [`Db::register`]). No query.
    pub fn register<L: ModelList>(&self) {
        for meta in L::metas() {
            self.registry.register(meta);
        }
    }

    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }
}

/// Opens the pool's connections for r2d2.
struct Manager {
    connect: Connect,
    options: Options,
    registry: Arc<Registry>,
}

/// r2d2 wants an error type of its own; the pool turns it back into an `orm::Error`.
#[derive(Debug)]
struct ConnectError(Error);

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Db;
    type Error = ConnectError;

    fn connect(&self) -> Result<Db, ConnectError> {
        let conn = (self.connect)(&self.options).map_err(ConnectError)?;
        Ok(Db::with_connection(conn, &self.options, Signals::pooled(self.registry.clone())))
    }

    fn is_valid(&self, _db: &mut Db) -> Result<(), ConnectError> {
        Ok(())
    }

    /// A connection given back with a transaction still open (a `BEGIN` sent by
    /// hand) is closed rather than handed to the next user, whose writes would join
    /// it; closing it rolls the transaction back. So is one the server closed.
    fn has_broken(&self, db: &mut Db) -> bool {
        db.in_transaction() || db.is_broken()
    }
}
