//! The operations a migration is made of (Django's `CreateModel`, `AddField`, ...),
//! each a change to a [`Schema`]: replaying a history's operations builds the state the
//! models are diffed against, and each operation says how to undo itself.

use crate::schema::{Column, Schema, Table};
use std::fmt;

/// One schema change.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// `CREATE TABLE` (Django's `CreateModel`, and a ManyToMany's link table).
    CreateTable(Table),
    /// `DROP TABLE` (`DeleteModel`): destructive.
    DropTable {
        /// The table.
        table: String,
    },
    /// `ALTER TABLE .. RENAME TO` (`RenameModel`).
    RenameTable {
        /// The table's name before.
        from: String,
        /// Its name after.
        to: String,
    },
    /// `ADD COLUMN` (`AddField`). `fill` is a one-off value (an SQL literal) for the
    /// rows that exist, when the column is NOT NULL without a default (Django's
    /// `preserve_default=False`).
    AddColumn {
        /// The table.
        table: String,
        /// The new column.
        column: Column,
        /// The value given to existing rows, if the column has no default.
        fill: Option<String>,
    },
    /// `DROP COLUMN` (`RemoveField`): destructive.
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// `RENAME COLUMN` (`RenameField`).
    RenameColumn {
        /// The table.
        table: String,
        /// The column's name before.
        from: String,
        /// Its name after.
        to: String,
    },
    /// A column's new definition (`AlterField`: type, null, default, max_length,
    /// unique, reference). `fill` is a one-off value for the rows holding NULL when a
    /// nullable column becomes NOT NULL.
    AlterColumn {
        /// The table.
        table: String,
        /// The column as it becomes (same name).
        column: Column,
        /// The value given to rows holding NULL, if it becomes NOT NULL.
        fill: Option<String>,
    },
    /// `CREATE INDEX` (`AddIndex`, `index_together`, `#[orm(index)]`).
    AddIndex {
        /// The table.
        table: String,
        /// The indexed columns, in order.
        columns: Vec<String>,
    },
    /// `DROP INDEX` (`RemoveIndex`).
    RemoveIndex {
        /// The table.
        table: String,
        /// The indexed columns, in order.
        columns: Vec<String>,
    },
    /// The table's `unique_together` groups become these (`AlterUniqueTogether`).
    AlterUniqueTogether {
        /// The table.
        table: String,
        /// Every group, as it becomes.
        groups: Vec<Vec<String>>,
    },
}

/// Why an operation cannot apply to a state (a history that does not fit the files).
#[derive(Debug, Clone, PartialEq)]
pub struct StateError(pub String);

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateError {}

fn table_mut<'s>(schema: &'s mut Schema, name: &str) -> Result<&'s mut Table, StateError> {
    schema.tables.get_mut(name).ok_or_else(|| StateError(format!("no table {name}")))
}

fn column_mut<'t>(table: &'t mut Table, name: &str) -> Result<&'t mut Column, StateError> {
    let table_name = table.name.clone();
    table
        .columns
        .iter_mut()
        .find(|c| c.name == name)
        .ok_or_else(|| StateError(format!("no column {table_name}.{name}")))
}

impl Operation {
    /// The table it changes (the new name, for a rename).
    pub fn table(&self) -> &str {
        match self {
            Operation::CreateTable(table) => &table.name,
            Operation::RenameTable { to, .. } => to,
            Operation::DropTable { table }
            | Operation::AddColumn { table, .. }
            | Operation::DropColumn { table, .. }
            | Operation::RenameColumn { table, .. }
            | Operation::AlterColumn { table, .. }
            | Operation::AddIndex { table, .. }
            | Operation::RemoveIndex { table, .. }
            | Operation::AlterUniqueTogether { table, .. } => table,
        }
    }

    /// Whether applying it loses data (a dropped table or column): `migrate` applies
    /// it only when told to.
    pub fn is_destructive(&self) -> bool {
        matches!(self, Operation::DropTable { .. } | Operation::DropColumn { .. })
    }

    /// Applies it to `schema` (the state, not a database).
    pub fn apply(&self, schema: &mut Schema) -> Result<(), StateError> {
        match self {
            Operation::CreateTable(table) => {
                if schema.tables.contains_key(&table.name) {
                    return Err(StateError(format!("table {} exists already", table.name)));
                }
                schema.tables.insert(table.name.clone(), table.clone());
            }
            Operation::DropTable { table } => {
                schema.tables.remove(table).ok_or_else(|| StateError(format!("no table {table}")))?;
            }
            Operation::RenameTable { from, to } => {
                let mut table = schema.tables.remove(from).ok_or_else(|| StateError(format!("no table {from}")))?;
                table.name = to.clone();
                // A ForeignKey of the table to itself follows the rename too.
                for column in &mut table.columns {
                    if let Some(reference) = column.references.as_mut().filter(|r| r.table == *from) {
                        reference.table = to.clone();
                    }
                }
                for other in schema.tables.values_mut() {
                    for column in &mut other.columns {
                        if let Some(reference) = column.references.as_mut().filter(|r| r.table == *from) {
                            reference.table = to.clone();
                        }
                    }
                }
                schema.tables.insert(to.clone(), table);
            }
            Operation::AddColumn { table, column, .. } => {
                let t = table_mut(schema, table)?;
                if t.column(&column.name).is_some() {
                    return Err(StateError(format!("column {table}.{} exists already", column.name)));
                }
                t.columns.push(column.clone());
            }
            Operation::DropColumn { table, column } => {
                let t = table_mut(schema, table)?;
                let before = t.columns.len();
                t.columns.retain(|c| c.name != *column);
                if t.columns.len() == before {
                    return Err(StateError(format!("no column {table}.{column}")));
                }
                t.indexes.retain(|index| !index.contains(column));
                t.unique_together.retain(|group| !group.contains(column));
            }
            Operation::RenameColumn { table, from, to } => {
                let t = table_mut(schema, table)?;
                column_mut(t, from)?.name = to.clone();
                let rename =
                    |names: &mut Vec<String>| names.iter_mut().filter(|n| *n == from).for_each(|n| *n = to.clone());
                t.indexes.iter_mut().for_each(rename);
                t.unique_together.iter_mut().for_each(rename);
                rename(&mut t.primary_key);
                let table = table.clone();
                for other in schema.tables.values_mut() {
                    for column in &mut other.columns {
                        if let Some(reference) =
                            column.references.as_mut().filter(|r| r.table == table && r.column == *from)
                        {
                            reference.column = to.clone();
                        }
                    }
                }
            }
            Operation::AlterColumn { table, column, .. } => {
                *column_mut(table_mut(schema, table)?, &column.name)? = column.clone();
            }
            Operation::AddIndex { table, columns } => {
                let t = table_mut(schema, table)?;
                if t.indexes.contains(columns) {
                    return Err(StateError(format!("index on {table} ({}) exists already", columns.join(", "))));
                }
                t.indexes.push(columns.clone());
            }
            Operation::RemoveIndex { table, columns } => {
                let t = table_mut(schema, table)?;
                let before = t.indexes.len();
                t.indexes.retain(|index| index != columns);
                if t.indexes.len() == before {
                    return Err(StateError(format!("no index on {table} ({})", columns.join(", "))));
                }
            }
            Operation::AlterUniqueTogether { table, groups } => {
                table_mut(schema, table)?.unique_together = groups.clone();
            }
        }
        Ok(())
    }

    /// The operation that undoes this one, given the state before it; `None` when it
    /// cannot be undone (a dropped NOT NULL column without a default has no value to
    /// restore its rows with).
    pub fn reverse(&self, before: &Schema) -> Option<Operation> {
        let table_before = |name: &str| before.tables.get(name);
        Some(match self {
            Operation::CreateTable(table) => Operation::DropTable { table: table.name.clone() },
            Operation::DropTable { table } => Operation::CreateTable(table_before(table)?.clone()),
            Operation::RenameTable { from, to } => Operation::RenameTable { from: to.clone(), to: from.clone() },
            Operation::AddColumn { table, column, .. } => {
                Operation::DropColumn { table: table.clone(), column: column.name.clone() }
            }
            Operation::DropColumn { table, column } => {
                let old = table_before(table)?.column(column)?.clone();
                if !old.nullable && old.default.is_none() {
                    return None;
                }
                Operation::AddColumn { table: table.clone(), column: old, fill: None }
            }
            Operation::RenameColumn { table, from, to } => {
                Operation::RenameColumn { table: table.clone(), from: to.clone(), to: from.clone() }
            }
            Operation::AlterColumn { table, column, .. } => {
                let old = table_before(table)?.column(&column.name)?.clone();
                Operation::AlterColumn { table: table.clone(), column: old, fill: None }
            }
            Operation::AddIndex { table, columns } => {
                Operation::RemoveIndex { table: table.clone(), columns: columns.clone() }
            }
            Operation::RemoveIndex { table, columns } => {
                Operation::AddIndex { table: table.clone(), columns: columns.clone() }
            }
            Operation::AlterUniqueTogether { table, .. } => Operation::AlterUniqueTogether {
                table: table.clone(),
                groups: table_before(table)?.unique_together.clone(),
            },
        })
    }

    /// One line saying what it does (`showmigrations`, progress, errors).
    pub fn describe(&self) -> String {
        match self {
            Operation::CreateTable(t) => format!("Create table {}", t.name),
            Operation::DropTable { table } => format!("Drop table {table}"),
            Operation::RenameTable { from, to } => format!("Rename table {from} to {to}"),
            Operation::AddColumn { table, column, .. } => format!("Add column {} to {table}", column.name),
            Operation::DropColumn { table, column } => format!("Drop column {column} from {table}"),
            Operation::RenameColumn { table, from, to } => format!("Rename column {table}.{from} to {to}"),
            Operation::AlterColumn { table, column, .. } => format!("Alter column {table}.{}", column.name),
            Operation::AddIndex { table, columns } => format!("Add index on {table} ({})", columns.join(", ")),
            Operation::RemoveIndex { table, columns } => format!("Remove index on {table} ({})", columns.join(", ")),
            Operation::AlterUniqueTogether { table, .. } => format!("Alter unique_together of {table}"),
        }
    }
}
