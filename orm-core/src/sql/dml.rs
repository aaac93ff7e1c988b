//! Writes: UPDATE and DELETE of a QuerySet, INSERT, the statements over rows named by
//! key (keyed deletes, ManyToMany links, `bulk_update`), raw SQL mapped to a model,
//! and transaction control.

use super::dialect::{Dialect, IsolationLevel, KeyList, TransactionMode};
use super::writer::{Ctx, Writer};
use super::Sql;
use crate::ast::{Assignment, Query};
use crate::meta::ModelMeta;
use crate::value::Value;

/// The WHERE of an UPDATE or DELETE: the condition itself, or `pk IN (subquery)` when
/// it follows relations (SQLite's UPDATE and DELETE cannot join).
fn filter_without_joins(w: &mut Writer, query: &Query) {
    let Some(filter) = &query.filter else { return };
    w.planning(|w| w.cond(filter, Ctx::WHERE, true));
    w.push(" WHERE ");
    if w.plan.is_empty() {
        w.cond(filter, Ctx::WHERE, true);
    } else {
        w.column_at(w.plan.root_alias, query.meta.pk_column().name);
        w.push(" IN (");
        w.subquery_pks(filter);
        w.push(")");
    }
}

/// `UPDATE t SET a = ?, ... WHERE ...`
pub(crate) fn update(query: &Query, assignments: &[Assignment], dialect: &'static dyn Dialect) -> Sql {
    let mut w = Writer::new(query.meta, dialect);
    w.push("UPDATE ");
    w.ident(query.meta.table);
    w.push(" SET ");
    for (i, a) in assignments.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(a.meta.columns[usize::from(a.column)].name);
        w.push(" = ");
        w.expr(&a.value);
    }
    filter_without_joins(&mut w, query);
    w.finish()
}

/// `DELETE FROM t WHERE ...`
pub(crate) fn delete(query: &Query, dialect: &'static dyn Dialect) -> Sql {
    let mut w = Writer::new(query.meta, dialect);
    w.push("DELETE FROM ");
    w.ident(query.meta.table);
    filter_without_joins(&mut w, query);
    w.finish()
}

/// `INSERT INTO t (cols) VALUES (..), ... [RETURNING pk]`; the caller binds the
/// values. `with_pk` includes an auto primary key column.
pub(crate) fn insert(
    meta: &'static ModelMeta,
    rows: usize,
    with_pk: bool,
    returning: bool,
    dialect: &'static dyn Dialect,
) -> String {
    let mut w = Writer::new(meta, dialect);
    insert_rows(&mut w, meta, rows, with_pk);
    if returning {
        w.push(" RETURNING ");
        w.column_at(meta.table, meta.pk_column().name);
    }
    w.text()
}

/// `INSERT INTO t (cols) VALUES (..), ...`, the part before any `ON CONFLICT` or
/// `RETURNING`.
pub(super) fn insert_rows(w: &mut Writer, meta: &'static ModelMeta, rows: usize, with_pk: bool) {
    let dialect = w.dialect();
    w.push("INSERT INTO ");
    w.ident(meta.table);
    w.push(" (");
    let mut n = 0;
    for (i, col) in meta.columns.iter().enumerate() {
        if i == meta.pk && meta.auto_pk && !with_pk {
            continue;
        }
        if n > 0 {
            w.push(", ");
        }
        w.ident(col.name);
        n += 1;
    }
    // A model of an auto key alone: each row names the key as the dialect's "next
    // key" (`NULL` on SQLite, `DEFAULT` on PostgreSQL; `VALUES ()` is not SQL).
    let only_key = n == 0;
    if only_key {
        w.ident(meta.pk_column().name);
    }
    w.push(") VALUES ");
    for r in 0..rows {
        w.push(if r == 0 { "(" } else { ", (" });
        if only_key {
            w.push(dialect.next_key());
        }
        w.placeholders(n);
        w.push(")");
    }
}

/// `UPDATE t SET every non-key column = ? WHERE pk = ? [AND pk2 = ?]`
pub(crate) fn update_by_pk(meta: &'static ModelMeta, dialect: &'static dyn Dialect) -> String {
    let mut w = Writer::new(meta, dialect);
    w.push("UPDATE ");
    w.ident(meta.table);
    w.push(" SET ");
    let mut first = true;
    for (i, col) in meta.columns.iter().enumerate() {
        if meta.pk_columns.contains(&i) {
            continue;
        }
        if !first {
            w.push(", ");
        }
        first = false;
        w.ident(col.name);
        w.push(" = ");
        w.placeholder();
    }
    for (i, &c) in meta.pk_columns.iter().enumerate() {
        w.push(if i == 0 { " WHERE " } else { " AND " });
        w.column_at(meta.table, meta.columns[c].name);
        w.push(" = ");
        w.placeholder();
    }
    w.text()
}

/// `UPDATE t SET a = ?, b = ? WHERE pk = ? [AND pk2 = ?]`: chosen columns of one row
/// (Django's `save(update_fields=..)`); the values bind in `columns` order, then the key.
pub(crate) fn update_columns_by_pk(
    meta: &'static ModelMeta,
    columns: &[usize],
    dialect: &'static dyn Dialect,
) -> String {
    let mut w = Writer::new(meta, dialect);
    w.push("UPDATE ");
    w.ident(meta.table);
    w.push(" SET ");
    for (i, &c) in columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(meta.columns[c].name);
        w.push(" = ");
        w.placeholder();
    }
    for (i, &c) in meta.pk_columns.iter().enumerate() {
        w.push(if i == 0 { " WHERE " } else { " AND " });
        w.column_at(meta.table, meta.columns[c].name);
        w.push(" = ");
        w.placeholder();
    }
    w.text()
}

/// `INSERT OR IGNORE INTO through (a, b) VALUES (?, ?), ...` (the dialect's way of
/// skipping links that exist already).
pub(crate) fn insert_pairs(
    table: &'static str,
    a: &str,
    b: &str,
    rows: usize,
    dialect: &'static dyn Dialect,
) -> String {
    let (before, after) = dialect.insert_ignoring_conflicts();
    let mut w = Writer::bare(dialect);
    w.push(before);
    w.ident(table);
    w.push(" (");
    w.ident(a);
    w.push(", ");
    w.ident(b);
    w.push(") VALUES ");
    for i in 0..rows {
        w.push(if i == 0 { "(" } else { ", (" });
        w.placeholders(2);
        w.push(")");
    }
    w.push(after);
    w.text()
}

/// `DELETE FROM through WHERE a = ? [AND b [NOT] IN (?, ...)]`
pub(crate) fn delete_pairs(
    table: &str,
    a: &str,
    b: &str,
    owner: &Value,
    targets: Option<&[Value]>,
    negate: bool,
    dialect: &'static dyn Dialect,
) -> Sql {
    let mut w = Writer::bare(dialect);
    w.push("DELETE FROM ");
    w.ident(table);
    w.push(" WHERE ");
    w.ident(a);
    w.push(" = ");
    w.value(owner);
    if let Some(targets) = targets {
        if targets.is_empty() && negate {
            return w.finish();
        }
        w.push(" AND ");
        if negate {
            w.push("NOT (");
        }
        column_in(&mut w, None, b, targets);
        if negate {
            w.push(")");
        }
    }
    w.finish()
}

/// `["table".]"column" IN (?, ...)`, or `= ANY(?)` with one array where the dialect
/// lists keys so.
fn column_in(w: &mut Writer, table: Option<&str>, column: &str, keys: &[Value]) {
    match table {
        Some(table) => w.column_at(table, column),
        None => w.ident(column),
    }
    if w.dialect().key_list() == KeyList::Array {
        w.push(" = ANY(");
        w.value(&Value::Array(keys.to_vec()));
        w.push(")");
        return;
    }
    w.push(" IN (");
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.value(key);
    }
    w.push(")");
}

/// `DELETE FROM t WHERE t.col IN (?, ...)`, Django's delete by keys.
pub(crate) fn delete_in(table: &str, column: &str, keys: &[Value], dialect: &'static dyn Dialect) -> Sql {
    let mut w = Writer::bare(dialect);
    w.push("DELETE FROM ");
    w.ident(table);
    w.push(" WHERE ");
    column_in(&mut w, Some(table), column, keys);
    w.finish()
}

/// `UPDATE t SET col = NULL WHERE t.col IN (?, ...)`
pub(crate) fn set_null_in(table: &str, column: &str, keys: &[Value], dialect: &'static dyn Dialect) -> Sql {
    let mut w = Writer::bare(dialect);
    w.push("UPDATE ");
    w.ident(table);
    w.push(" SET ");
    w.ident(column);
    w.push(" = NULL WHERE ");
    column_in(&mut w, Some(table), column, keys);
    w.finish()
}

/// `SELECT t.pk FROM t WHERE t.col IN (?, ...)`
pub(crate) fn select_in(table: &str, pk: &str, column: &str, keys: &[Value], dialect: &'static dyn Dialect) -> Sql {
    let mut w = Writer::bare(dialect);
    w.push("SELECT ");
    w.column_at(table, pk);
    w.push(" FROM ");
    w.ident(table);
    w.push(" WHERE ");
    column_in(&mut w, Some(table), column, keys);
    w.finish()
}

/// `UPDATE t SET c = CASE pk WHEN ? THEN ? ... ELSE c END, ... WHERE pk IN (?, ...)`
pub(crate) fn bulk_update(
    meta: &'static ModelMeta,
    columns: &[usize],
    rows: usize,
    dialect: &'static dyn Dialect,
) -> String {
    let pk = meta.pk_column().name;
    let mut w = Writer::new(meta, dialect);
    w.push("UPDATE ");
    w.ident(meta.table);
    w.push(" SET ");
    for (i, &c) in columns.iter().enumerate() {
        let name = meta.columns[c].name;
        if i > 0 {
            w.push(", ");
        }
        w.ident(name);
        w.push(" = CASE ");
        w.ident(pk);
        for _ in 0..rows {
            w.push(" WHEN ");
            w.placeholder();
            w.push(" THEN ");
            w.placeholder();
        }
        w.push(" ELSE ");
        w.ident(name);
        w.push(" END");
    }
    w.push(" WHERE ");
    w.column_at(meta.table, pk);
    w.push(" IN (");
    w.placeholders(rows);
    w.push(")");
    w.text()
}

/// `SELECT "raw"."a", ... FROM (<sql>) "raw"`: a raw statement's columns by name.
pub(crate) fn raw_select(meta: &'static ModelMeta, sql: &str, dialect: &'static dyn Dialect) -> String {
    let mut w = Writer::new(meta, dialect);
    w.push("SELECT ");
    w.model_columns_at(meta, "raw");
    w.push(" FROM (");
    w.push(sql);
    w.push(") ");
    w.ident("raw");
    w.text()
}

/// The statements of transaction control, written by the dialect's rules.
pub(crate) fn begin(
    mode: TransactionMode,
    isolation: Option<IsolationLevel>,
    dialect: &'static dyn Dialect,
) -> &'static str {
    dialect.begin(mode, isolation)
}

/// `SAVEPOINT "name"`, `RELEASE "name"` or `ROLLBACK TO "name"`.
pub(crate) fn savepoint(verb: &str, name: &str, dialect: &'static dyn Dialect) -> String {
    let mut w = Writer::bare(dialect);
    w.push(verb);
    w.push(" ");
    w.ident(name);
    w.text()
}
