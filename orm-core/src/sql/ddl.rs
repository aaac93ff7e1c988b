//! `CREATE TABLE` and `CREATE INDEX` of a [`Table`](crate::schema::Table): a model's
//! table or an automatic ManyToMany link table, with its keys, checks, foreign key
//! constraints and indexes, in the dialect's types.

use super::dialect::Dialect;
use super::Writer;
use crate::meta::OnDelete;
use crate::schema::{Column, Reference, Table};
use crate::value::ColumnType;

/// The `CREATE TABLE` and `CREATE INDEX` statements of a table.
pub(crate) fn create_table(table: &Table, dialect: &'static dyn Dialect) -> Vec<String> {
    let mut out = vec![create_table_statement(table, &table.name, dialect)];
    for index in &table.indexes {
        out.push(create_index(table, index, dialect));
    }
    out
}

/// `CREATE TABLE IF NOT EXISTS "<name>" (..)` with `table`'s columns and
/// constraints (a migration's rebuild writes a table under another name first).
pub(crate) fn create_table_statement(table: &Table, name: &str, dialect: &'static dyn Dialect) -> String {
    let mut w = Writer::bare(dialect);
    w.push("CREATE TABLE IF NOT EXISTS ");
    w.ident(name);
    w.push(" (");
    let single_key = table.primary_key.len() == 1;
    for (i, col) in table.columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        column_definition(&mut w, col, single_key && table.primary_key[0] == col.name, dialect);
    }
    if !single_key {
        w.push(", PRIMARY KEY (");
        names(&mut w, &table.primary_key);
        w.push(")");
    }
    for group in &table.unique_together {
        w.push(", UNIQUE (");
        names(&mut w, group);
        w.push(")");
    }
    w.push(")");
    w.text()
}

/// `"name" TYPE [NOT NULL] [PRIMARY KEY] [UNIQUE] [DEFAULT ..] [CHECK ..]
/// [REFERENCES ..]`: one column of `CREATE TABLE` (or of `ADD COLUMN`).
/// A column's `default` literal as the dialect writes it: the derive writes a `bool`
/// default as `1` or `0`, which a PostgreSQL `boolean` column refuses.
pub(crate) fn default_literal(w: &mut Writer, column_type: ColumnType, default: &str, dialect: &'static dyn Dialect) {
    match (column_type, default) {
        (ColumnType::Bool, "1") => w.push(dialect.boolean(true)),
        (ColumnType::Bool, "0") => w.push(dialect.boolean(false)),
        _ => w.push(default),
    }
}

pub(crate) fn column_definition(w: &mut Writer, col: &Column, primary_key: bool, dialect: &'static dyn Dialect) {
    w.ident(&col.name);
    if col.auto {
        w.push(dialect.auto_key());
        return;
    }
    w.push(" ");
    let mut ty = String::new();
    dialect.column_type(col.column_type, col.max_length, &mut ty);
    w.push(&ty);
    if !col.nullable {
        w.push(" NOT NULL");
    }
    if primary_key {
        w.push(" PRIMARY KEY");
    }
    if col.unique {
        w.push(" UNIQUE");
    }
    if let Some(default) = &col.default {
        w.push(" DEFAULT ");
        default_literal(w, col.column_type, default, dialect);
    }
    if matches!(col.column_type, ColumnType::UInt8 | ColumnType::UInt16 | ColumnType::UInt32) {
        // Django's PositiveIntegerField: the column refuses negatives.
        w.push(" CHECK (");
        w.ident(&col.name);
        w.push(" >= 0)");
    }
    if let Some(max) = col.max_length {
        let mut check = String::new();
        dialect.max_length_check(&col.name, max, &mut check);
        w.push(&check);
    }
    if let Some(reference) = &col.references {
        references(w, reference);
    }
}

/// `CREATE INDEX IF NOT EXISTS "<table>_<cols>_idx" ON "<table>" (..)`.
pub(crate) fn create_index(table: &Table, columns: &[String], dialect: &'static dyn Dialect) -> String {
    let mut w = Writer::bare(dialect);
    w.push("CREATE INDEX IF NOT EXISTS ");
    w.ident(&table.index_name(columns));
    w.push(" ON ");
    w.ident(&table.name);
    w.push(" (");
    names(&mut w, columns);
    w.push(")");
    w.text()
}

fn names(w: &mut Writer, names: &[String]) {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(name);
    }
}

/// ` REFERENCES "<table>" ("<column>") ON DELETE ..`, as `CREATE TABLE` writes a
/// column's (and `ALTER TABLE .. ADD` one).
pub(crate) fn references(w: &mut Writer, reference: &Reference) {
    w.push(" REFERENCES ");
    w.ident(&reference.table);
    w.push(" (");
    w.ident(&reference.column);
    w.push(")");
    w.push(match reference.on_delete {
        OnDelete::Cascade => " ON DELETE CASCADE",
        OnDelete::SetNull => " ON DELETE SET NULL",
        OnDelete::Protect | OnDelete::Restrict => " ON DELETE RESTRICT",
        OnDelete::DoNothing => "",
    });
}
