//! The rest of the QuerySet API users reach for: `in_bulk`, `bulk_update`,
//! `select_for_update`, and raw SQL mapped to a model.

use super::QuerySet;
use crate::ast::{Cond, ExprNode};
use crate::dsl::{Selection, Q};
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

    /// Django's `select_for_update()`: SQLite locks the whole database for a write
    /// transaction, so there is no row lock to take and this returns the QuerySet
    /// unchanged. Run the read and the write in `db.atomic` (SQLite's `BEGIN` takes
    /// the write lock at the first write).
    pub fn select_for_update(self) -> Self {
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
