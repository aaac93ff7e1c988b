//! The live database against the models ([`Db::check_schema`]): every table the
//! models describe, its columns' types and nullability, its keys, uniques, indexes and
//! foreign keys, compared with what the database says it has, so that a stale
//! database fails at start-up rather than at the first query that needs a column.

use crate::backend::{LiveIndex, LiveTable};
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::meta::OnDelete;
use crate::model::ModelList;
use crate::schema::{Column, Schema, Table};
use crate::sql::Dialect;
use crate::value::ColumnType;

impl Db {
    /// Checks that the database has the tables of the listed models (and their
    /// automatic ManyToMany tables) as the models describe them:
    /// `db.check_schema::<(Author, Book)>()?` at start-up.
    ///
    /// Returns [`Error::SchemaMismatch`] listing every difference: a missing table, a
    /// missing or extra column, a column's type or nullability, a primary key, a
    /// missing unique constraint, index or foreign key. Tables the models do not name
    /// are not looked at, nor are extra indexes or defaults; on SQLite a `max_length`
    /// is a CHECK constraint, not compared (PostgreSQL's `varchar(n)` is). On
    /// PostgreSQL the tables are those of the connection's current schema (the first
    /// of its `search_path`). It sends three queries that read the database's catalog
    /// and changes nothing.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
    /// # fn main() -> orm::Result<()> {
    /// let db = Db::open_in_memory()?;
    /// db.execute("CREATE TABLE book (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT)", &[])?;
    /// let err = db.check_schema::<(Book,)>().unwrap_err();
    /// assert!(err.to_string().contains("table book: missing column title"));
    /// db.execute("ALTER TABLE book ADD COLUMN title TEXT NOT NULL DEFAULT ''", &[])?;
    /// db.check_schema::<(Book,)>()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn check_schema<L: ModelList>(&self) -> Result<()> {
        let expected = Schema::from_models(&L::metas());
        let live = self.introspect()?;
        let differences = differences(&expected, &live, self.dialect());
        if differences.is_empty() {
            Ok(())
        } else {
            Err(Error::SchemaMismatch { differences })
        }
    }
}

/// Every way `live` differs from `expected`, one sentence each, table by table.
pub(crate) fn differences(expected: &Schema, live: &[LiveTable], dialect: &'static dyn Dialect) -> Vec<String> {
    let mut out = Vec::new();
    for table in expected.tables.values() {
        match live.iter().find(|t| t.name == table.name) {
            None => out.push(match &table.model {
                Some(model) => format!("missing table {} (model {model})", table.name),
                None => format!("missing table {} (a ManyToMany link table)", table.name),
            }),
            Some(found) => compare_table(table, found, dialect, &mut out),
        }
    }
    out
}

fn compare_table(table: &Table, live: &LiveTable, dialect: &'static dyn Dialect, out: &mut Vec<String>) {
    let name = &table.name;
    for column in &table.columns {
        let Some(found) = live.columns.iter().find(|c| c.name == column.name) else {
            out.push(format!("table {name}: missing column {}", column.name));
            continue;
        };
        let want = expected_type(column, dialect);
        if normal_type(&found.declared_type) != normal_type(&want) {
            out.push(format!(
                "column {name}.{}: type {}, the model's is {want}",
                column.name,
                shown(&found.declared_type)
            ));
        }
        let nullable = column.nullable && !column.auto && !table.primary_key.contains(&column.name);
        match (nullable, found.nullable) {
            (false, true) => out.push(format!("column {name}.{}: accepts NULL, the model's is NOT NULL", column.name)),
            (true, false) => out.push(format!("column {name}.{}: is NOT NULL, the model's accepts NULL", column.name)),
            _ => {}
        }
        if column.auto && !found.auto {
            out.push(format!(
                "column {name}.{}: not numbered by the database, the model's key is auto-increment",
                column.name
            ));
        }
    }
    for found in &live.columns {
        if table.column(&found.name).is_none() {
            out.push(format!("table {name}: extra column {} (not in the models)", found.name));
        }
    }
    let missing_columns = |columns: &[String]| columns.iter().any(|c| live.columns.iter().all(|l| l.name != *c));
    if live.primary_key != table.primary_key && !missing_columns(&table.primary_key) {
        out.push(format!(
            "table {name}: primary key ({}), the model's is ({})",
            live.primary_key.join(", "),
            table.primary_key.join(", ")
        ));
    }
    let singles = table.columns.iter().filter(|c| c.unique).map(|c| vec![c.name.clone()]);
    for group in singles.chain(table.unique_together.iter().cloned()) {
        if !missing_columns(&group) && !live.indexes.iter().any(|index| index.unique && same_set(index, &group)) {
            out.push(format!("table {name}: missing UNIQUE ({})", group.join(", ")));
        }
    }
    for columns in &table.indexes {
        if !missing_columns(columns) && !live.indexes.iter().any(|index| index.columns == *columns) {
            out.push(format!("table {name}: missing index on ({})", columns.join(", ")));
        }
    }
    for column in &table.columns {
        let Some(reference) = &column.references else { continue };
        if missing_columns(std::slice::from_ref(&column.name)) {
            continue;
        }
        let target = format!("{} ({})", reference.table, reference.column);
        let Some(fk) = live.foreign_keys.iter().find(|fk| fk.columns == [column.name.clone()]) else {
            out.push(format!("column {name}.{}: missing foreign key to {target}", column.name));
            continue;
        };
        if fk.table != reference.table || fk.referenced != [reference.column.clone()] {
            out.push(format!(
                "column {name}.{}: references {} ({}), the model's references {target}",
                column.name,
                fk.table,
                fk.referenced.join(", ")
            ));
        } else if fk.on_delete != on_delete(reference.on_delete) {
            out.push(format!(
                "column {name}.{}: ON DELETE {}, the model's is ON DELETE {}",
                column.name,
                fk.on_delete,
                on_delete(reference.on_delete)
            ));
        }
    }
}

/// The type `CREATE TABLE` declares the column with: an auto-increment key is a
/// 64-bit integer on every backend (SQLite's `INTEGER`, PostgreSQL's `bigint`).
fn expected_type(column: &Column, dialect: &'static dyn Dialect) -> String {
    let mut out = String::new();
    if column.auto {
        dialect.column_type(ColumnType::Int64, None, &mut out);
    } else {
        dialect.column_type(column.column_type, column.max_length, &mut out);
    }
    out
}

/// A declared type compared without regard to case or spacing.
fn normal_type(declared: &str) -> String {
    declared.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase()
}

fn shown(declared: &str) -> &str {
    if declared.is_empty() {
        "(none)"
    } else {
        declared
    }
}

/// Whether the index is on exactly these columns, in any order (a UNIQUE over them
/// refuses the same rows whatever its order).
fn same_set(index: &LiveIndex, group: &[String]) -> bool {
    index.columns.len() == group.len() && group.iter().all(|c| index.columns.contains(c))
}

/// `ON DELETE` as `CREATE TABLE` writes it for `on_delete` (nothing written is
/// `NO ACTION`).
fn on_delete(on_delete: OnDelete) -> &'static str {
    match on_delete {
        OnDelete::Cascade => "CASCADE",
        OnDelete::SetNull => "SET NULL",
        OnDelete::Protect | OnDelete::Restrict => "RESTRICT",
        OnDelete::DoNothing => "NO ACTION",
    }
}
