//! Upserts: `bulk_create` with Django's `ignore_conflicts` and `update_conflicts`, and
//! a single-row `insert_or_update` on a unique key; one `INSERT .. ON CONFLICT` each
//! (per batch).

use super::rows::{batch_rows, check_insert_rows, fill_batch};
use super::QuerySet;
use crate::backend::{Column, Decoded};
use crate::dsl::{is_unique_group, ColumnList, ConflictTarget};
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::meta::{ModelMeta, Path};
use crate::model::{Insert, Model};
use crate::sql::{self as compile, OnConflict, Returning};

/// The columns of an `ON CONFLICT (..)`, checked when the types could not prove them
/// unique (a tuple must be a `unique_together` group or the primary key).
fn conflict_target<M: Model, U: ConflictTarget<M>>(unique_fields: U) -> Result<Vec<usize>> {
    let mut target = Vec::with_capacity(3);
    unique_fields.conflict_columns(&mut target);
    if !U::PROVEN && !is_unique_group(M::META, &target) {
        return Err(Error::InvalidQuery {
            message: "unique_fields: these columns are not a unique_together group nor the primary key, so no unique constraint can conflict on them",
        });
    }
    Ok(target)
}

/// Every column an insert writes (all but an auto key) that is neither a key column
/// nor in `target`; the target itself when nothing else is left, so that the row is
/// still returned.
fn other_columns(meta: &ModelMeta, target: &[usize]) -> Vec<usize> {
    let set: Vec<usize> =
        (0..meta.columns.len()).filter(|c| !meta.pk_columns.contains(c) && !target.contains(c)).collect();
    if set.is_empty() {
        target.to_vec()
    } else {
        set
    }
}

/// Upserts (Django's `bulk_create(.., ignore_conflicts=True)` and
/// `bulk_create(.., update_conflicts=True, ..)`). Like `bulk_create`, they send no
/// signals, and run their batches in one transaction.
impl<M: Model> QuerySet<M> {
    /// Inserts the rows a unique constraint does not refuse and skips the others
    /// (Django's `bulk_create(rows, ignore_conflicts=True)`):
    /// `INSERT .. ON CONFLICT DO NOTHING` per batch, in a transaction (`BEGIN`,
    /// `INSERT`, `COMMIT`: three queries, as Django's). Returns how many rows were
    /// inserted: as in Django, no keys are read back, so no instances are returned.
    /// No query at all for no rows.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// #[derive(Model, Debug)]
    /// struct Tag { id: i64, #[orm(unique)] name: String }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Tag,)>()?;
    /// Tag::objects().create(&db, NewTag { name: "rust".into() })?;
    /// let new = ["rust", "sql"].map(|name| NewTag { name: name.into() });
    /// assert_eq!(Tag::objects().bulk_create_ignore_conflicts(&db, new)?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn bulk_create_ignore_conflicts(&self, db: &Db, rows: impl IntoIterator<Item = M::New>) -> Result<usize> {
        let meta = M::META;
        let mut rows = rows.into_iter().peekable();
        if rows.peek().is_none() {
            return Ok(0);
        }
        let per_batch = batch_rows(db, meta);
        db.atomic_inner(false, |db| {
            let mut total = 0;
            let mut params = Vec::new();
            loop {
                let n = fill_batch(&mut rows, per_batch, &mut params);
                if n == 0 {
                    return Ok(total);
                }
                check_insert_rows(meta, &params)?;
                let sql = compile::insert_on_conflict(meta, n, OnConflict::Nothing, Returning::Nothing, db.dialect());
                total += db.execute(&sql, &params)?;
            }
        })
    }

    /// Inserts the rows, and where a row conflicts with an existing one on
    /// `unique_fields`, updates that row's `update_fields` from it instead (Django's
    /// `bulk_create(rows, update_conflicts=True, update_fields=[..],
    /// unique_fields=[..])`): `INSERT .. ON CONFLICT (unique) DO UPDATE SET f =
    /// EXCLUDED.f .. RETURNING pk` per batch, in a transaction (three queries for one
    /// batch, as Django's).
    ///
    /// Returns an instance per row, in order, with the key of the row inserted or
    /// updated (an auto key is read back, as Django does on both backends); every
    /// other field holds the value given, as in Django, also where the stored row
    /// kept its own (a field not in `update_fields`).
    ///
    /// `update_fields` receives the model's [`NonKeyFields`](Model::NonKeyFields):
    /// naming the primary key or a related model's field does not compile; an empty
    /// list is an error, as in Django. `unique_fields` must be a unique column (a
    /// compile error otherwise), or a tuple of the columns of a `unique_together`
    /// group (checked here). Two rows with the same unique value in one statement
    /// are an error on PostgreSQL (`ON CONFLICT DO UPDATE command cannot affect row a
    /// second time`); SQLite applies both, in order.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// #[derive(Model, Debug)]
    /// struct Book { id: i64, #[orm(unique)] isbn: String, title: String, price_cents: i64 }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
    /// let old = Book::objects().create(&db, NewBook { isbn: "1".into(), title: "Old".into(), price_cents: 100 })?;
    /// let rows = vec![
    ///     NewBook { isbn: "1".into(), title: "New".into(), price_cents: 200 },
    ///     NewBook { isbn: "2".into(), title: "Other".into(), price_cents: 300 },
    /// ];
    /// let books = Book::objects().bulk_create_update_conflicts(&db, rows, |b| b.title, |b| b.isbn)?;
    /// assert_eq!(books[0].id, old.id);
    /// let stored = Book::objects().get(&db, |b| b.isbn.eq("1"))?;
    /// assert_eq!((stored.title.as_str(), stored.price_cents), ("New", 100)); // price_cents not updated
    /// # Ok(())
    /// # }
    /// ```
    pub fn bulk_create_update_conflicts<F: ColumnList<M>, U: ConflictTarget<M>>(
        &self,
        db: &Db,
        rows: impl IntoIterator<Item = M::New>,
        update_fields: impl FnOnce(M::NonKeyFields) -> F,
        unique_fields: impl FnOnce(M::Fields) -> U,
    ) -> Result<Vec<M>> {
        let meta = M::META;
        let mut set = Vec::new();
        update_fields(M::__non_key_fields()).push_columns(&mut set);
        if set.is_empty() {
            return Err(Error::InvalidQuery {
                message:
                    "update_conflicts: name the fields to update when an insert conflicts (update_fields is empty)",
            });
        }
        let target = conflict_target::<M, U>(unique_fields(M::__fields(Path::ROOT)))?;
        let rows: Vec<M::New> = rows.into_iter().collect();
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let conflict = OnConflict::Update { target: &target, set: &set };
        let per_batch = batch_rows(db, meta);
        let _clock = crate::types::Clock::hold();
        db.atomic_inner(false, |db| {
            let mut out = Vec::with_capacity(rows.len());
            let mut rows = rows.into_iter().peekable();
            while rows.peek().is_some() {
                let batch: Vec<M::New> = rows.by_ref().take(per_batch).collect();
                let mut params = Vec::with_capacity(batch.len() * meta.columns.len());
                for row in &batch {
                    row.__push_values(&mut params);
                }
                check_insert_rows(meta, &params)?;
                if meta.auto_pk {
                    let sql = compile::insert_on_conflict(meta, batch.len(), conflict, Returning::Key, db.dialect());
                    // Each row is returned, inserted or updated, in the order of VALUES
                    // (what Django relies on too).
                    let keys = db.fetch(&sql, &params, Column::<i64>::at(0))?;
                    if keys.len() != batch.len() {
                        return Err(Error::InvalidQuery {
                            message: "update_conflicts: the database returned another number of rows than were sent",
                        });
                    }
                    out.extend(batch.into_iter().zip(keys).map(|(row, pk)| row.__into_model(pk)));
                } else {
                    let sql =
                        compile::insert_on_conflict(meta, batch.len(), conflict, Returning::Nothing, db.dialect());
                    db.execute(&sql, &params)?;
                    out.extend(batch.into_iter().map(|row| row.__into_model(0)));
                }
            }
            Ok(out)
        })
    }

    /// Inserts one row, or, if it conflicts with an existing row on `unique_fields`,
    /// updates every other column of that row from it: one statement,
    /// `INSERT .. ON CONFLICT (unique) DO UPDATE SET .. RETURNING <every column>`, no
    /// transaction (one query). Returns the row as stored, with its key (the existing
    /// row's when it was updated). Sends no signals, like the bulk upserts.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// #[derive(Model, Debug)]
    /// struct Setting { id: i64, #[orm(unique)] key: String, value: String }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Setting,)>()?;
    /// let first = Setting::objects().insert_or_update(&db, NewSetting { key: "theme".into(), value: "dark".into() }, |s| s.key)?;
    /// let again = Setting::objects().insert_or_update(&db, NewSetting { key: "theme".into(), value: "light".into() }, |s| s.key)?;
    /// assert_eq!((again.id, again.value.as_str()), (first.id, "light"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn insert_or_update<U: ConflictTarget<M>>(
        &self,
        db: &Db,
        new: M::New,
        unique_fields: impl FnOnce(M::Fields) -> U,
    ) -> Result<M> {
        let meta = M::META;
        let target = conflict_target::<M, U>(unique_fields(M::__fields(Path::ROOT)))?;
        let set = other_columns(meta, &target);
        let mut params = Vec::with_capacity(meta.columns.len());
        new.__into_values(&mut params);
        check_insert_rows(meta, &params)?;
        let conflict = OnConflict::Update { target: &target, set: &set };
        let sql = compile::insert_on_conflict(meta, 1, conflict, Returning::Row, db.dialect());
        db.fetch_one(&sql, &params, Decoded::<M>::default())
    }
}
