//! Inserts, saves and deletes of single instances and batches.

use super::DeleteCount;
use crate::backend::Column;
use crate::error::{Error, Result};
use crate::exec::{Db, Kind, SqlKind};
use crate::meta::ModelMeta;
use crate::model::{Insert, Model};
use crate::queryset::ModelExt;
use crate::signals;
use crate::sql as compile;
use crate::value::Value;

/// Whether any column of the model has a `max_length` to check.
pub(crate) fn has_bounds(meta: &ModelMeta) -> bool {
    meta.columns.iter().any(|c| c.max_length.is_some())
}

/// Django's `max_length`, checked in Rust before anything is written: at most that
/// many characters (Unicode scalar values, as Python counts them). SQLite's `length()`
/// stops at a NUL character, so the table's CHECK measures a text that contains one in
/// UTF-8 bytes instead, which can only be more; the same rule applies here, so that a
/// value this check accepts is one the CHECK accepts too.
pub(crate) fn check_length(meta: &ModelMeta, column: usize, value: &Value) -> Result<()> {
    let col = &meta.columns[column];
    let (Some(max), Value::Text(text)) = (col.max_length, value) else { return Ok(()) };
    let max = max as usize;
    if text.len() <= max {
        return Ok(()); // no more bytes than allowed: no more characters either
    }
    let chars = text.chars().count();
    let message = if chars > max {
        format!("has {chars} characters, more than its max_length of {max}")
    } else if text.contains('\0') {
        format!(
            "contains a NUL character and {} bytes: such a text is measured in bytes, and max_length is {max}",
            text.len()
        )
    } else {
        return Ok(());
    };
    Err(Error::Validation { model: meta.name, field: col.field, message })
}

/// [`check_length`] over rows of insert values (every column but an auto key).
pub(crate) fn check_insert_rows(meta: &ModelMeta, values: &[Value]) -> Result<()> {
    if !has_bounds(meta) {
        return Ok(());
    }
    let columns: Vec<usize> = (0..meta.columns.len()).filter(|&i| !(meta.auto_pk && i == meta.pk)).collect();
    for row in values.chunks(columns.len().max(1)) {
        for (&column, value) in columns.iter().zip(row) {
            check_length(meta, column, value)?;
        }
    }
    Ok(())
}

/// Runs a whole `create` or `save` with no `update_fields` in effect: a receiver of a
/// `save_fields` may write other rows, whose own receivers must not see its fields.
fn without_update_fields<T>(db: &Db, f: impl FnOnce() -> Result<T>) -> Result<T> {
    if !db.has_update_fields() {
        return f();
    }
    let outer = db.replace_update_fields(None);
    let result = f();
    db.replace_update_fields(outer);
    result
}

/// `INSERT ... RETURNING pk`, one query.
pub(crate) fn create<N: Insert + 'static>(db: &Db, new: N) -> Result<N::Model> {
    without_update_fields(db, || create_row(db, new))
}

fn create_row<N: Insert + 'static>(db: &Db, new: N) -> Result<N::Model> {
    let meta = <N::Model as Model>::META;
    // One time for an `auto_now` field's value and the instance.
    let _clock = crate::types::Clock::hold();
    signals::pre_create(db, &new)?;
    let mut params = Vec::with_capacity(meta.columns.len());
    new.__push_values(&mut params);
    check_insert_rows(meta, &params)?;
    let model = if meta.auto_pk {
        let sql = compile::insert(meta, 1, false, true, db.dialect());
        let pk = db.fetch_one(&sql, &params, Column::<i64>::at(0))?;
        new.__into_model(pk)
    } else {
        let sql = compile::insert(meta, 1, false, false, db.dialect());
        db.execute(&sql, &params)?;
        new.__into_model(0)
    };
    signals::send(db, Kind::PostSave, &model, true)?;
    Ok(model)
}

fn insert_columns(meta: &ModelMeta) -> usize {
    meta.columns.len() - usize::from(meta.auto_pk)
}

/// Rows per statement so that one statement stays within the database's parameter
/// limit.
pub(crate) fn batch_rows(db: &Db, meta: &ModelMeta) -> usize {
    (db.dialect().max_params() / insert_columns(meta).max(1)).max(1)
}

pub(crate) fn bulk_create<N: Insert>(db: &Db, rows: Vec<N>) -> Result<Vec<N::Model>> {
    let meta = <N::Model as Model>::META;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let _clock = crate::types::Clock::hold();
    db.atomic_inner(false, |db| {
        let mut out = Vec::with_capacity(rows.len());
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let batch: Vec<N> = rows.by_ref().take(batch_rows(db, meta)).collect();
            let mut params = Vec::with_capacity(batch.len() * insert_columns(meta));
            for row in &batch {
                row.__push_values(&mut params);
            }
            check_insert_rows(meta, &params)?;
            if meta.auto_pk {
                let sql = compile::insert(meta, batch.len(), false, true, db.dialect());
                let mut keys = db.fetch(&sql, &params, Column::<i64>::at(0))?;
                // SQLite does not promise RETURNING's order; new keys increase in
                // insertion order within one statement, so sorting restores it.
                keys.sort_unstable();
                out.extend(batch.into_iter().zip(keys).map(|(row, pk)| row.__into_model(pk)));
            } else {
                let sql = compile::insert(meta, batch.len(), false, false, db.dialect());
                db.execute(&sql, &params)?;
                out.extend(batch.into_iter().map(|row| row.__into_model(0)));
            }
        }
        Ok(out)
    })
}

/// Moves up to `per_batch` rows' values into `params`; returns how many rows.
pub(crate) fn fill_batch<N: Insert>(
    rows: &mut impl Iterator<Item = N>,
    per_batch: usize,
    params: &mut Vec<Value>,
) -> usize {
    params.clear();
    let mut n = 0;
    for row in rows.take(per_batch) {
        row.__into_values(params);
        n += 1;
    }
    n
}

/// Multi-row INSERTs straight from an iterator (no intermediate collection), keys not
/// read back; several batches run in one transaction.
pub(crate) fn bulk_insert<N: Insert>(db: &Db, rows: impl IntoIterator<Item = N>) -> Result<usize> {
    let meta = <N::Model as Model>::META;
    let per_batch = batch_rows(db, meta);
    let mut rows = rows.into_iter().peekable();
    let (low, high) = rows.size_hint();
    if high == Some(low) && (1..=per_batch).contains(&low) && !db.records() {
        return insert_streaming(db, meta, low, rows);
    }
    // Sized from the iterator's lower bound: growing a large Vec<Value> by doubling
    // costs reallocations, and glibc consolidating its free lists at each one.
    let mut params = Vec::with_capacity(low.min(per_batch) * insert_columns(meta));
    let n = fill_batch(&mut rows, per_batch, &mut params);
    if n == 0 {
        return Ok(0);
    }
    check_insert_rows(meta, &params)?;
    if rows.peek().is_none() {
        return db.execute(&db.cached_sql::<N::Model>(n, SqlKind::Insert), &params);
    }
    db.atomic_inner(false, |db| {
        let mut total = db.execute(&db.cached_sql::<N::Model>(n, SqlKind::Insert), &params)?;
        loop {
            let n = fill_batch(&mut rows, per_batch, &mut params);
            if n == 0 {
                return Ok(total);
            }
            check_insert_rows(meta, &params)?;
            total += db.execute(&db.cached_sql::<N::Model>(n, SqlKind::Insert), &params)?;
        }
    })
}

/// One INSERT of the `n` rows an iterator promises (its exact `size_hint`), each
/// row's values bound into the statement as it comes: each value is dropped as soon
/// as SQLite has copied it, as hand-written code does. A row more or fewer than
/// promised is an error, and then nothing is inserted.
fn insert_streaming<N: Insert>(
    db: &Db,
    meta: &'static ModelMeta,
    n: usize,
    rows: impl Iterator<Item = N>,
) -> Result<usize> {
    db.execute_streaming(&db.cached_sql::<N::Model>(n, SqlKind::Insert), StreamRows { meta, rows, promised: n })
}

/// The values of `promised` rows, bound one at a time, each row checked (`max_length`)
/// before its first value goes out; a row more or fewer than promised is an error.
struct StreamRows<I> {
    meta: &'static ModelMeta,
    rows: I,
    promised: usize,
}

impl<I> crate::backend::BindParams for StreamRows<I>
where
    I: Iterator,
    I::Item: Insert,
{
    fn bind_all<B: crate::backend::Bind>(mut self, bind: &mut B) -> Result<()> {
        let broken = || {
            Error::InvalidQuery {
            message: "bulk_insert: the iterator yielded another number of rows than its size_hint promised; nothing was inserted",
        }
        };
        let bounded = has_bounds(self.meta);
        let mut values = Vec::with_capacity(insert_columns(self.meta));
        for _ in 0..self.promised {
            let row = self.rows.next().ok_or_else(broken)?;
            row.__into_values(&mut values);
            if bounded {
                check_insert_rows(self.meta, &values)?;
            }
            for value in values.drain(..) {
                bind.bind(value)?;
            }
        }
        if self.rows.next().is_some() {
            return Err(broken());
        }
        Ok(())
    }
}

/// Django's `save()`: `UPDATE` by primary key; if no row has the key, `INSERT` it.
pub(crate) fn save<M: Model>(db: &Db, model: &M) -> Result<()> {
    without_update_fields(db, || save_row(db, model))
}

fn save_row<M: Model>(db: &Db, model: &M) -> Result<()> {
    let meta = M::META;
    signals::send(db, Kind::PreSave, model, false)?;
    let mut all = Vec::with_capacity(meta.columns.len());
    model.__push_values(&mut all);
    if has_bounds(meta) {
        for (column, value) in all.iter().enumerate() {
            check_length(meta, column, value)?;
        }
    }
    let mut params: Vec<Value> =
        all.iter().enumerate().filter(|(i, _)| !meta.pk_columns.contains(i)).map(|(_, v)| v.clone()).collect();
    params.extend(meta.pk_columns.iter().map(|&c| all[c].clone()));
    let created = db.execute(&compile::update_by_pk(meta, db.dialect()), &params)? == 0;
    if created {
        db.execute(&compile::insert(meta, 1, true, false, db.dialect()), &all)?;
    }
    signals::send(db, Kind::PostSave, model, created)
}

/// Django's `save(update_fields=..)`: `UPDATE` of `columns` by primary key, signals
/// sent with the field names; no row is `DoesNotExist`, nothing inserted.
pub(crate) fn save_columns<M: Model>(db: &Db, model: &M, columns: &[usize]) -> Result<()> {
    let meta = M::META;
    if columns.is_empty() {
        return Ok(());
    }
    let names = columns.iter().map(|&c| meta.columns[c].field).collect();
    let previous = db.replace_update_fields(Some(names));
    let result = update_columns_signalled(db, model, columns);
    db.replace_update_fields(previous);
    result
}

fn update_columns_signalled<M: Model>(db: &Db, model: &M, columns: &[usize]) -> Result<()> {
    let meta = M::META;
    signals::send(db, Kind::PreSave, model, false)?;
    let mut params = Vec::with_capacity(columns.len() + meta.pk_columns.len());
    for &column in columns {
        let value = model.__value_to_save(column);
        check_length(meta, column, &value)?;
        params.push(value);
    }
    params.extend(meta.pk_columns.iter().map(|&c| model.__value_of(c)));
    if db.execute(&compile::update_columns_by_pk(meta, columns, db.dialect()), &params)? == 0 {
        return Err(Error::DoesNotExist { model: meta.name });
    }
    signals::send(db, Kind::PostSave, model, false)
}

/// Django's `Model.delete()`: `DELETE ... WHERE pk IN (?)`.
pub(crate) fn delete_instance<M: Model>(db: &Db, model: &M) -> Result<DeleteCount> {
    let pk = model.pk();
    signals::send(db, Kind::PreDelete, model, false)?;
    let counts = if crate::relations::delete::is_standalone(db, M::META) {
        let cond = crate::dsl::pk_values_condition(M::META, model.pk_values());
        let n = M::objects().filter(|_| cond).delete_fast(db)?;
        delete_count(M::META, n)
    } else {
        db.atomic_inner(false, |db| crate::relations::delete::delete_collected(db, M::META, vec![pk]))?
    };
    signals::send(db, Kind::PostDelete, model, false)?;
    Ok(counts)
}

pub(crate) fn delete_count(meta: &'static ModelMeta, n: usize) -> DeleteCount {
    let mut per_model = std::collections::BTreeMap::new();
    if n > 0 {
        per_model.insert(meta.name.to_owned(), n);
    }
    (n, per_model)
}

/// Reads the row with this instance's key again.
pub(crate) fn reload<M: Model>(db: &Db, model: &M) -> Result<M> {
    let cond = crate::dsl::pk_values_condition(M::META, model.pk_values());
    M::objects().get(db, |_| cond)
}
