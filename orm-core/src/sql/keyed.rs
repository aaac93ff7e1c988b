//! Statements over rows named by key: inserts, ManyToMany links, deletes and updates
//! by key lists. Every value is a `?` placeholder.

use super::{Dialect, DIALECT};
use crate::meta::ModelMeta;

/// SQLite's default `SQLITE_MAX_VARIABLE_NUMBER` (3.32+), which the bundled build keeps.
pub const MAX_PARAMS: usize = 32766;

/// `INSERT OR IGNORE INTO through (a, b) VALUES (?, ?), ...`
pub(crate) fn insert_pairs(table: &str, a: &str, b: &str, rows: usize) -> String {
    let mut out = String::from("INSERT OR IGNORE INTO ");
    DIALECT.quote(table, &mut out);
    out.push_str(" (");
    DIALECT.quote(a, &mut out);
    out.push_str(", ");
    DIALECT.quote(b, &mut out);
    out.push_str(") VALUES ");
    for i in 0..rows {
        out.push_str(if i == 0 { "(?, ?)" } else { ", (?, ?)" });
    }
    out
}

/// `DELETE FROM through WHERE a = ? [AND b [NOT] IN (?, ...)]`
pub(crate) fn delete_pairs(table: &str, a: &str, b: &str, targets: Option<usize>, negate: bool) -> String {
    let mut out = String::from("DELETE FROM ");
    DIALECT.quote(table, &mut out);
    out.push_str(" WHERE ");
    DIALECT.quote(a, &mut out);
    out.push_str(" = ?");
    if let Some(n) = targets {
        if n == 0 && negate {
            return out;
        }
        out.push_str(" AND ");
        DIALECT.quote(b, &mut out);
        out.push_str(if negate { " NOT IN (" } else { " IN (" });
        for i in 0..n {
            out.push_str(if i == 0 { "?" } else { ", ?" });
        }
        out.push(')');
    }
    out
}

/// `"table"."column" IN (?, ...)` with `n` placeholders.
fn column_in(out: &mut String, table: &str, column: &str, n: usize) {
    DIALECT.quote(table, out);
    out.push('.');
    DIALECT.quote(column, out);
    out.push_str(" IN (");
    for i in 0..n {
        out.push_str(if i == 0 { "?" } else { ", ?" });
    }
    out.push(')');
}

/// `DELETE FROM t WHERE t.col IN (?, ...)`, Django's delete by keys.
pub(crate) fn delete_in(table: &str, column: &str, n: usize) -> String {
    let mut out = String::from("DELETE FROM ");
    DIALECT.quote(table, &mut out);
    out.push_str(" WHERE ");
    column_in(&mut out, table, column, n);
    out
}

/// `UPDATE t SET col = NULL WHERE t.col IN (?, ...)`
pub(crate) fn set_null_in(table: &str, column: &str, n: usize) -> String {
    let mut out = String::from("UPDATE ");
    DIALECT.quote(table, &mut out);
    out.push_str(" SET ");
    DIALECT.quote(column, &mut out);
    out.push_str(" = NULL WHERE ");
    column_in(&mut out, table, column, n);
    out
}

/// `SELECT t.pk FROM t WHERE t.col IN (?, ...)`
pub(crate) fn select_in(table: &str, pk: &str, column: &str, n: usize) -> String {
    let mut out = String::from("SELECT ");
    DIALECT.quote(table, &mut out);
    out.push('.');
    DIALECT.quote(pk, &mut out);
    out.push_str(" FROM ");
    DIALECT.quote(table, &mut out);
    out.push_str(" WHERE ");
    column_in(&mut out, table, column, n);
    out
}

/// `UPDATE t SET c = CASE pk WHEN ? THEN ? ... ELSE c END, ... WHERE pk IN (?, ...)`
pub(crate) fn bulk_update(meta: &'static ModelMeta, columns: &[usize], rows: usize) -> String {
    let pk = meta.pk_column().name;
    let mut out = String::from("UPDATE ");
    DIALECT.quote(meta.table, &mut out);
    out.push_str(" SET ");
    for (i, &c) in columns.iter().enumerate() {
        let name = meta.columns[c].name;
        if i > 0 {
            out.push_str(", ");
        }
        DIALECT.quote(name, &mut out);
        out.push_str(" = CASE ");
        DIALECT.quote(pk, &mut out);
        for _ in 0..rows {
            out.push_str(" WHEN ? THEN ?");
        }
        out.push_str(" ELSE ");
        DIALECT.quote(name, &mut out);
        out.push_str(" END");
    }
    out.push_str(" WHERE ");
    column_in(&mut out, meta.table, pk, rows);
    out
}

/// `SELECT "raw"."a", ... FROM (<sql>) "raw"`: a raw statement's columns by name.
pub(crate) fn raw_select(meta: &'static ModelMeta, sql: &str) -> String {
    let mut out = String::from("SELECT ");
    for (i, col) in meta.columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        DIALECT.quote("raw", &mut out);
        out.push('.');
        DIALECT.quote(col.name, &mut out);
    }
    out.push_str(" FROM (");
    out.push_str(sql);
    out.push_str(") ");
    DIALECT.quote("raw", &mut out);
    out
}
