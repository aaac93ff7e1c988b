//! Transactions: `atomic()` (Django's), nested as savepoints, at the connection's
//! transaction mode and isolation level, rolled back on `Err` and on panic; and a
//! retrying form for serializable transactions.

use super::Db;
use crate::backend::Connection as _;
use crate::error::{Error, Result};
use crate::sql::IsolationLevel;

impl Db {
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

    /// [`atomic`](Self::atomic) at an isolation level (PostgreSQL's `BEGIN ISOLATION
    /// LEVEL ..`; SQLite's transactions are serializable whatever is asked). Only an
    /// outermost block can choose: inside a transaction this is an error.
    pub fn atomic_with<T>(&self, isolation: IsolationLevel, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        if self.in_transaction() {
            return Err(Error::InvalidQuery {
                message: "the isolation level is chosen by the outermost atomic(): this one is inside a transaction",
            });
        }
        let previous = self.next_isolation.replace(Some(isolation));
        let result = self.atomic_inner(true, f);
        self.next_isolation.set(previous);
        result
    }

    /// Runs `f` in its own transaction up to `attempts` times, again each time it
    /// fails with a retryable error (a serialization failure or deadlock on
    /// PostgreSQL, `busy` on SQLite): the documented way to run a serializable
    /// transaction. `f` must be safe to run again: everything it wrote was rolled
    /// back. The last error is returned when every attempt failed.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Account { id: i64, balance: i64 }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Account,)>()?;
    /// # Account::objects().create(&db, NewAccount { balance: 10 })?;
    /// db.atomic_retrying(3, Some(orm::IsolationLevel::Serializable), |db| {
    ///     let mut account = Account::objects().get(db, |a| a.id.eq(1))?;
    ///     account.balance += 5;
    ///     account.save(db)
    /// })?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn atomic_retrying<T>(
        &self,
        attempts: u32,
        isolation: Option<IsolationLevel>,
        mut f: impl FnMut(&Db) -> Result<T>,
    ) -> Result<T> {
        let mut attempt = 1;
        loop {
            let result = match isolation {
                Some(level) => self.atomic_with(level, &mut f),
                None => self.atomic(&mut f),
            };
            match result {
                Err(Error::Database { kind, .. })
                    if kind.is_retryable() && attempt < attempts && !self.in_transaction() =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// [`atomic`](Self::atomic) for a closure with an error type of your own (one that
    /// an `orm::Error` converts into): rolled back on any `Err`.
    pub fn try_atomic<T, E: From<Error>>(&self, f: impl FnOnce(&Db) -> Result<T, E>) -> Result<T, E> {
        self.atomic_inner(true, f)
    }

    /// Whether a transaction is open on this connection: an `atomic()` block, or a
    /// `BEGIN` sent with [`execute`](Self::execute) (the database is asked).
    pub fn in_transaction(&self) -> bool {
        self.tx_depth.get() > 0 || self.conn.in_transaction()
    }

    /// How `atomic()` starts a transaction on this connection.
    pub fn transaction_mode(&self) -> crate::sql::TransactionMode {
        self.transaction_mode
    }

    /// What the connection is connected to (`sqlite:/path/to/file`).
    pub(crate) fn describe(&self) -> String {
        self.conn.describe()
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
        // Inside a transaction begun by hand, the outermost atomic() is a savepoint,
        // as Django's is inside its own.
        let outermost = depth == 0 && !self.conn.in_transaction();
        if outermost {
            let isolation = self.next_isolation.take().or(self.isolation);
            self.control(crate::sql::begin(self.transaction_mode, isolation, self.dialect()))?;
            self.atomic_began.set(true);
        } else {
            self.control(&self.savepoint_sql("SAVEPOINT", depth))?;
        }
        // The `on_commit` callbacks registered before this block: a rollback of it
        // drops only those registered inside.
        let hooks = self.commit_hooks.borrow().len();
        self.tx_depth.set(depth + 1);
        let mut guard = TxGuard { db: self, depth, outermost, hooks, done: false };
        let result = f(self);
        guard.done = true;
        self.tx_depth.set(depth);
        match result {
            Ok(value) => {
                let end = if outermost { "COMMIT".to_owned() } else { self.savepoint_sql("RELEASE", depth) };
                if let Err(err) = self.control(&end) {
                    self.rollback(outermost, depth, hooks);
                    return Err(err.into());
                }
                if outermost {
                    self.atomic_began.set(false);
                    self.run_commit_hooks();
                }
                Ok(value)
            }
            Err(err) => {
                self.rollback(outermost, depth, hooks);
                Err(err)
            }
        }
    }

    fn rollback(&self, outermost: bool, depth: u32, hooks: usize) {
        // A failed rollback leaves nothing better to do than report the first error.
        if outermost {
            let _ = self.control("ROLLBACK");
            self.atomic_began.set(false);
            self.commit_hooks.borrow_mut().clear();
        } else {
            let _ = self.control(&self.savepoint_sql("ROLLBACK TO", depth));
            let _ = self.control(&self.savepoint_sql("RELEASE", depth));
            self.commit_hooks.borrow_mut().truncate(hooks);
        }
    }

    /// Runs `callback` once the transaction open now commits, or at once when none is
    /// open (Django's `transaction.on_commit`). Inside [`atomic`](Self::atomic) it
    /// waits for the outermost block's `COMMIT`, and is dropped if the transaction
    /// rolls back, or if the savepoint of a nested `atomic()` it was registered in
    /// rolls back (the enclosing blocks may still commit). Callbacks run in the order
    /// they were registered, after the `COMMIT`, outside any transaction; a panic in
    /// one propagates (as a Django exception does) and the later ones are dropped.
    ///
    /// A transaction begun by hand (`db.execute("BEGIN", ..)`) has no commit this
    /// connection can wait for: registering a callback then is an
    /// `Error::InvalidQuery` (Django's `TransactionManagementError`).
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # use std::sync::{Arc, Mutex};
    /// # fn main() -> orm::Result<()> {
    /// let db = Db::open_in_memory()?;
    /// let sent = Arc::new(Mutex::new(Vec::new()));
    /// db.atomic(|db| {
    ///     let log = sent.clone();
    ///     db.on_commit(move || log.lock().unwrap().push("welcome email"))?;
    ///     assert!(sent.lock().unwrap().is_empty()); // not yet: the transaction is open
    ///     Ok(())
    /// })?;
    /// assert_eq!(*sent.lock().unwrap(), ["welcome email"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn on_commit(&self, callback: impl FnOnce() + Send + 'static) -> Result<()> {
        if self.atomic_began.get() {
            self.commit_hooks.borrow_mut().push(Box::new(callback));
            return Ok(());
        }
        if self.in_transaction() {
            return Err(Error::InvalidQuery {
                message: "on_commit() inside a transaction begun by hand: only a transaction of atomic() can run callbacks when it commits",
            });
        }
        callback();
        Ok(())
    }

    fn run_commit_hooks(&self) {
        let hooks = std::mem::take(&mut *self.commit_hooks.borrow_mut());
        for hook in hooks {
            hook();
        }
    }

    fn savepoint_sql(&self, verb: &str, depth: u32) -> String {
        crate::sql::savepoint(verb, &format!("orm_sp_{depth}"), self.dialect())
    }
}

struct TxGuard<'a> {
    db: &'a Db,
    depth: u32,
    outermost: bool,
    hooks: usize,
    done: bool,
}

impl Drop for TxGuard<'_> {
    fn drop(&mut self) {
        // Reached without `done` only while unwinding from a panic in the closure.
        if !self.done {
            self.db.tx_depth.set(self.depth);
            self.db.rollback(self.outermost, self.depth, self.hooks);
        }
    }
}
