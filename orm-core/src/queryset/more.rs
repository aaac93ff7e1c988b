//! The rest of the QuerySet API users reach for: `in_bulk`, `bulk_update`,
//! `select_for_update`, and raw SQL mapped to a model.

use super::QuerySet;
use crate::ast::{Cond, ExprNode};
use crate::dsl::{IntoOrdering, OrderTerms, Selection, SingleValued, Q};
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::meta::Path;
use crate::model::{Model, SingleKey};
use crate::sql as compile;
use crate::value::Value;
use std::collections::HashMap;
use std::hash::Hash;

impl<M: SingleKey> QuerySet<M> {
    /// The rows whose primary key is in `keys`, by key (Django's `in_bulk`): one query,
    /// none for no keys.
    pub fn in_bulk(&self, db: &Db, keys: impl IntoIterator<Item = M::Key>) -> Result<HashMap<M::Key, M>>
    where
        M::Key: Hash + Eq,
    {
        let keys: Vec<ExprNode> =
            keys.into_iter().map(|k| ExprNode::Value(crate::types::FieldType::to_value(&k))).collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = self.clone().filter(|_| Q(Cond::In(pk_node::<M>(), keys))).all(db)?;
        Ok(rows.into_iter().map(|m| (m.__key(), m)).collect())
    }
}

impl<M: Model> QuerySet<M> {
    /// Writes the chosen fields of many instances (Django's `bulk_update`): one
    /// `UPDATE ... SET col = CASE pk WHEN ? THEN ? ... END WHERE pk IN (...)` per batch,
    /// in a transaction; returns the number of rows updated. Signals are not sent.
    pub fn bulk_update<F: Selection>(
        &self,
        db: &Db,
        instances: &[M],
        fields: impl FnOnce(M::Fields) -> F,
    ) -> Result<usize> {
        let mut nodes = Vec::new();
        fields(M::__fields(Path::ROOT)).push_nodes(&mut nodes);
        let mut columns = Vec::with_capacity(nodes.len());
        for node in &nodes {
            match node {
                ExprNode::Column { column, path, meta } if path.is_root() && meta.table == M::META.table => {
                    if usize::from(*column) == M::META.pk {
                        return Err(Error::InvalidQuery { message: "bulk_update cannot change primary keys" });
                    }
                    columns.push(usize::from(*column));
                }
                _ => {
                    return Err(Error::InvalidQuery { message: "bulk_update sets columns of the QuerySet's own model" })
                }
            }
        }
        if M::META.pk_columns.len() > 1 {
            return Err(Error::InvalidQuery {
                message: "bulk_update needs a one-column primary key; save() each instance",
            });
        }
        if instances.is_empty() || columns.is_empty() {
            return Ok(0);
        }
        // Each row binds its key once per column (WHEN ? THEN ?) and once in the IN list.
        let per_row = columns.len() * 2 + 1;
        let batch = (db.dialect().max_params() / per_row).max(1);
        db.atomic_inner(false, |db| {
            let mut total = 0;
            for chunk in instances.chunks(batch) {
                let mut params = Vec::with_capacity(chunk.len() * per_row);
                for &column in &columns {
                    for m in chunk {
                        params.push(m.pk());
                        let value = m.__value_of(column);
                        crate::queryset::rows::check_length(M::META, column, &value)?;
                        params.push(value);
                    }
                }
                params.extend(chunk.iter().map(Model::pk));
                total += db.execute(&compile::bulk_update(M::META, &columns, chunk.len(), db.dialect()), &params)?;
            }
            Ok(total)
        })
    }

    /// Django's `select_for_update()`: `SELECT .. FOR UPDATE`, locking the rows read
    /// until the transaction ends; other transactions that lock or write them wait.
    /// It must run inside [`atomic`](Db::atomic) (an error otherwise, as in Django).
    /// SQLite has no row locks (a write transaction locks the whole file), so there it
    /// changes nothing: run the read and the write in one `atomic()` with
    /// [`TransactionMode::Immediate`](crate::TransactionMode).
    pub fn select_for_update(self) -> Self {
        self.select_for_update_with(ForUpdate::new())
    }

    /// `select_for_update` with Django's options: `FOR UPDATE NOWAIT` (fail at once
    /// with [`DatabaseErrorKind::Busy`](crate::DatabaseErrorKind::Busy) instead of
    /// waiting), `SKIP LOCKED` (leave out the rows others hold), `FOR NO KEY UPDATE`,
    /// and `OF` the model's own table.
    pub fn select_for_update_with(mut self, options: ForUpdate) -> Self {
        let lock = self.query.lock.get_or_insert_with(Default::default);
        lock.nowait = options.nowait;
        lock.skip_locked = options.skip_locked;
        lock.no_key = options.no_key;
        if options.of_self && !lock.of.contains(&Path::ROOT) {
            lock.of.push(Path::ROOT);
        }
        self
    }

    /// Adds a relation to `select_for_update`'s `OF`: the rows of that
    /// `select_related` model are locked too (Django's `of=("author",)`); add
    /// `ForUpdate::of_self()` to lock the model's own rows as well. A relation the
    /// query does not `select_related` is an error when the query runs.
    pub fn select_for_update_of<F: SingleValued>(mut self, relation: impl FnOnce(M::Fields) -> F) -> Self {
        let path = relation(M::__fields(Path::ROOT)).__path().with_scope(0);
        let lock = self.query.lock.get_or_insert_with(Default::default);
        if !lock.of.contains(&path) {
            lock.of.push(path);
        }
        self
    }

    /// PostgreSQL's `DISTINCT ON (..)` (Django's `distinct(*fields)`): one row per
    /// distinct value of the expressions, the first in the ordering, which must
    /// start with the same expressions. An error on a database without it (SQLite).
    pub fn distinct_on<O: IntoOrdering>(mut self, fields: impl FnOnce(M::Fields) -> O) -> Self {
        let mut terms = OrderTerms::new(M::META);
        fields(M::__fields(Path::ROOT)).push_terms(&mut terms);
        if let Some(err) = terms.error {
            self.query.error.get_or_insert(err);
        }
        self.query.distinct_on = terms.terms.into_iter().map(|t| t.node).collect();
        self
    }
}

/// The options of [`select_for_update_with`](QuerySet::select_for_update_with).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForUpdate {
    nowait: bool,
    skip_locked: bool,
    no_key: bool,
    of_self: bool,
}

impl ForUpdate {
    /// `FOR UPDATE`, waiting for rows other transactions hold.
    pub fn new() -> ForUpdate {
        ForUpdate::default()
    }

    /// `NOWAIT`: fail at once if a row is locked.
    pub fn nowait(mut self) -> ForUpdate {
        self.nowait = true;
        self
    }

    /// `SKIP LOCKED`: leave out the rows other transactions hold (a job queue).
    pub fn skip_locked(mut self) -> ForUpdate {
        self.skip_locked = true;
        self
    }

    /// `FOR NO KEY UPDATE`: a weaker lock that does not block inserts of rows
    /// referencing these.
    pub fn no_key(mut self) -> ForUpdate {
        self.no_key = true;
        self
    }

    /// `OF` the model's own table: with `select_related`, only the model's rows are
    /// locked (Django's `of=("self",)`; what PostgreSQL needs when the related side
    /// is a nullable outer join).
    pub fn of_self(mut self) -> ForUpdate {
        self.of_self = true;
        self
    }
}

fn pk_node<M: Model>() -> ExprNode {
    ExprNode::Column { meta: M::META, column: M::META.pk as u16, path: Path::ROOT }
}

impl Db {
    /// Runs your own SQL and maps its rows to `M` by column name (Django's `raw()`):
    /// the statement is wrapped as `SELECT <M's columns> FROM (<sql>)`, so it may
    /// return the columns in any order, and extra ones are ignored. Values are bound to
    /// `?` placeholders. Counted like every other query.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
    /// # Book::objects().create(&db, NewBook { title: "1984".into() })?;
    /// let books: Vec<Book> = db.raw("SELECT title, id, 'x' AS extra FROM book WHERE id > ?", &[0.into()])?;
    /// assert_eq!(books[0].title, "1984");
    /// # Ok(())
    /// # }
    /// ```
    pub fn raw<M: Model>(&self, sql: &str, params: &[Value]) -> Result<Vec<M>> {
        let wrapped = compile::raw_select(M::META, sql, self.dialect());
        self.fetch(&wrapped, params, crate::backend::Decoded::<M>::default())
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
