//! The operations from one schema to another (Django's autodetector): what
//! `makemigrations` writes, diffing the state the migration files build against the
//! models' schema.
//!
//! A table or column that disappears while a similar one appears may be a rename: the
//! [`Questioner`] is asked (a ManyToMany link table that follows a renamed model is
//! renamed without a question). A column added, or made, NOT NULL without a default
//! asks for a one-off value for the rows that exist.
//!
//! The order lets each operation apply, on the state and on a database: renames first;
//! then indexes and `unique_together` groups that go away; new tables, each after the
//! tables it references (a cycle of new tables is broken by adding a ForeignKey
//! column after both exist); columns added and altered; new indexes and groups; the
//! link tables; and last the drops, a table after those that reference it. Applied
//! to the old state, the operations give the new one, up to the order of columns and
//! indexes (an added column comes last) and the models' names, which no database holds.

use super::Operation;
use crate::error::{Error, Result};
use crate::schema::{Column, Schema, Table};
use std::collections::BTreeSet;

mod questioner;

pub use questioner::{Interactive, NonInteractive, Questioner, FILL_FLAG, NO_RENAME_FLAG, RENAME_FLAG};

/// The operations that turn schema `from` (the migrations' state) into `to` (the
/// models'), in an order where each applies; the questions they raise go to `q`.
///
/// A column that becomes NOT NULL gets its default as the one-off value of the rows
/// holding NULL, or `q`'s answer when it has none. An [`Error::Migration`] when `q`
/// does not answer, when a ForeignKey of `to` names a table none of the models stores,
/// or when a table's primary key changes (no operation changes one).
///
/// ```
/// use orm::migrate::{changes, NonInteractive, Operation};
/// use orm::prelude::*;
/// use orm::schema::Schema;
///
/// #[derive(Model, Debug, Clone)]
/// struct Book {
///     id: i64,
///     title: String,
/// }
///
/// let models = Schema::from_models(&[Book::META]);
/// // The first migration creates the table; from there, nothing is left to do.
/// let operations = changes(&Schema::default(), &models, &mut NonInteractive::new())?;
/// assert!(matches!(&operations[..], [Operation::CreateTable(table)] if table.name == "book"));
/// assert!(changes(&models, &models, &mut NonInteractive::new())?.is_empty());
/// # Ok::<(), orm::Error>(())
/// ```
pub fn changes(from: &Schema, to: &Schema, q: &mut dyn Questioner) -> Result<Vec<Operation>> {
    check_references(to)?;
    let mut plan = Plan { state: from.clone(), ops: Vec::new() };
    let followed = plan.rename_tables(to, q)?;
    let kept: Vec<String> = to.tables.keys().filter(|name| plan.state.tables.contains_key(*name)).cloned().collect();
    plan.rename_columns(to, &kept, &followed, q)?;
    for name in &kept {
        let (old, new) = (&plan.state.tables[name].primary_key, &to.tables[name].primary_key);
        if old != new {
            return Err(Error::Migration {
                message: format!(
                    "the primary key of {name} changes from ({}) to ({}), which migrations cannot do: keep the \
                     key, or remove the model, make a migration, then add it back with its new key (its rows are \
                     lost)",
                    old.join(", "),
                    new.join(", ")
                ),
            });
        }
    }
    plan.remove_indexes_and_groups(to, &kept)?;
    let deferred = plan.create_tables(to, false)?;
    plan.add_and_alter_columns(to, &kept, q)?;
    plan.add_deferred(to, deferred)?;
    plan.add_indexes_and_groups(to, &kept)?;
    let deferred = plan.create_tables(to, true)?;
    plan.add_deferred(to, deferred)?;
    plan.drop_columns(to, &kept)?;
    plan.drop_tables(to)?;
    plan.verify(to)?;
    Ok(plan.ops)
}

/// Every ForeignKey of `to` names a table and column of `to`.
fn check_references(to: &Schema) -> Result<()> {
    for table in to.tables.values() {
        for column in &table.columns {
            let Some(r) = &column.references else { continue };
            if to.tables.get(&r.table).and_then(|t| t.column(&r.column)).is_none() {
                return Err(Error::Migration {
                    message: format!(
                        "{}.{} references {}.{}, which none of the models stores: add its model to the models \
                         given to makemigrations",
                        table.name, column.name, r.table, r.column
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The operations so far, and the state they reach.
struct Plan {
    state: Schema,
    ops: Vec<Operation>,
}

fn internal(detail: String) -> Error {
    Error::Migration {
        message: format!("the operations found do not reach the models' schema (a bug in makemigrations): {detail}"),
    }
}

/// Whether two link tables (or two model tables) could be one renamed, by their columns.
fn similar_tables(old: &Table, new: &Table) -> bool {
    if old.model.is_none() != new.model.is_none() {
        return false;
    }
    if old.model.is_none() {
        // A link table: the same columns position by position, pointing at the same tables
        // (the old one's references already follow the renames made before).
        let target = |c: &Column| c.references.as_ref().map(|r| (r.table.clone(), r.column.clone()));
        return old.columns.len() == new.columns.len()
            && old
                .columns
                .iter()
                .zip(&new.columns)
                .all(|(a, b)| a.column_type == b.column_type && target(a) == target(b));
    }
    old.model == new.model
        || (old.primary_key == new.primary_key
            && old.columns.len() == new.columns.len()
            && new.columns.iter().all(|c| old.column(&c.name).is_some_and(|o| o.column_type == c.column_type)))
}

/// Whether column `new` could be `old` renamed: the same type, key kind and target table.
fn similar_columns(old: &Column, new: &Column) -> bool {
    let target = |c: &Column| c.references.as_ref().map(|r| r.table.clone());
    old.column_type == new.column_type && old.auto == new.auto && target(old) == target(new)
}

/// A column added or made NOT NULL needs a value for the rows that exist.
fn needs_value(column: &Column) -> bool {
    !column.nullable && column.default.is_none() && !column.auto
}

impl Plan {
    /// Applies `op` to the state and keeps it.
    fn emit(&mut self, op: Operation) -> Result<()> {
        op.apply(&mut self.state).map_err(|e| internal(format!("{}: {e}", op.describe())))?;
        self.ops.push(op);
        Ok(())
    }

    /// The tables of the state that `to` does not have, link tables or model tables.
    fn gone(&self, to: &Schema, links: bool) -> Vec<Table> {
        let gone = self.state.tables.values().filter(|t| !to.tables.contains_key(&t.name));
        gone.filter(|t| t.model.is_none() == links).cloned().collect()
    }

    /// Table renames, model tables first; the link tables renamed without a question
    /// (they follow a renamed model, and their columns will follow too).
    fn rename_tables(&mut self, to: &Schema, q: &mut dyn Questioner) -> Result<BTreeSet<String>> {
        let mut followed = BTreeSet::new();
        let mut renamed = BTreeSet::new();
        for links in [false, true] {
            let added: Vec<&Table> = to
                .tables
                .values()
                .filter(|t| !self.state.tables.contains_key(&t.name) && t.model.is_none() == links)
                .collect();
            for new in &added {
                let gone = self.gone(to, links);
                let mut candidates: Vec<&Table> = gone.iter().filter(|old| similar_tables(old, new)).collect();
                candidates.sort_by_key(|old| old.model != new.model);
                for old in &candidates {
                    let follows = links
                        && candidates.len() == 1
                        && added.iter().filter(|other| similar_tables(old, other)).count() == 1
                        && old
                            .columns
                            .iter()
                            .any(|c| c.references.as_ref().is_some_and(|r| renamed.contains(&r.table)));
                    if follows || q.rename_table(&old.name, &new.name)? {
                        if follows {
                            followed.insert(new.name.clone());
                        }
                        renamed.insert(new.name.clone());
                        self.emit(Operation::RenameTable { from: old.name.clone(), to: new.name.clone() })?;
                        break;
                    }
                }
            }
        }
        Ok(followed)
    }

    /// Column renames in the tables both schemas have; in a link table that followed a
    /// renamed model, the column in the same place is renamed without a question.
    fn rename_columns(
        &mut self,
        to: &Schema,
        kept: &[String],
        followed: &BTreeSet<String>,
        q: &mut dyn Questioner,
    ) -> Result<()> {
        for name in kept {
            let new = &to.tables[name];
            let old = self.state.tables[name].clone();
            let gone: Vec<(usize, &Column)> =
                old.columns.iter().enumerate().filter(|(_, c)| new.column(&c.name).is_none()).collect();
            let mut taken = BTreeSet::new();
            for (place, column) in new.columns.iter().enumerate().filter(|(_, c)| old.column(&c.name).is_none()) {
                for &(old_place, old_column) in &gone {
                    if taken.contains(&old_place) || !similar_columns(old_column, column) {
                        continue;
                    }
                    let yes = if followed.contains(name) {
                        old_place == place
                    } else {
                        q.rename_column(name, &old_column.name, &column.name)?
                    };
                    if yes {
                        taken.insert(old_place);
                        let op = Operation::RenameColumn {
                            table: name.clone(),
                            from: old_column.name.clone(),
                            to: column.name.clone(),
                        };
                        self.emit(op)?;
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// The indexes and `unique_together` groups that go away, before any column changes
    /// (so that undoing the migration puts them back after the columns).
    fn remove_indexes_and_groups(&mut self, to: &Schema, kept: &[String]) -> Result<()> {
        for name in kept {
            let (old, new) = (self.state.tables[name].clone(), &to.tables[name]);
            let mut seen = BTreeSet::new();
            for index in old.indexes.iter().filter(|i| !new.indexes.contains(i) && seen.insert(*i)) {
                self.emit(Operation::RemoveIndex { table: name.clone(), columns: index.clone() })?;
            }
            let staying: Vec<Vec<String>> =
                old.unique_together.iter().filter(|g| new.unique_together.contains(g)).cloned().collect();
            if staying != old.unique_together {
                self.emit(Operation::AlterUniqueTogether { table: name.clone(), groups: staying })?;
            }
        }
        Ok(())
    }

    /// Creates the new model tables (or, with `links`, the new link tables), each after
    /// the new tables it references. In a cycle, a table is created without the
    /// ForeignKey columns that close it (nullable ones preferred): those are returned,
    /// to be added once every table exists.
    fn create_tables(&mut self, to: &Schema, links: bool) -> Result<Vec<(String, Vec<Column>)>> {
        let mut pending: Vec<&Table> = to
            .tables
            .values()
            .filter(|t| !self.state.tables.contains_key(&t.name) && t.model.is_none() == links)
            .collect();
        let mut deferred = Vec::new();
        while !pending.is_empty() {
            let state = &self.state;
            let waiting = |t: &Table| -> Vec<Column> {
                let missing = |c: &&Column| {
                    c.references.as_ref().is_some_and(|r| r.table != t.name && !state.tables.contains_key(&r.table))
                };
                t.columns.iter().filter(missing).cloned().collect()
            };
            if let Some(i) = pending.iter().position(|t| waiting(t).is_empty()) {
                let table = pending.remove(i).clone();
                self.emit(Operation::CreateTable(table))?;
                continue;
            }
            let breakable = |t: &Table, nullable_only: bool| {
                waiting(t).iter().all(|c| !t.primary_key.contains(&c.name) && (c.nullable || !nullable_only))
            };
            let i = (pending.iter().position(|t| breakable(t, true)))
                .or_else(|| pending.iter().position(|t| breakable(t, false)))
                .ok_or_else(|| {
                    let names: Vec<&str> = pending.iter().map(|t| t.name.as_str()).collect();
                    Error::Migration {
                        message: format!(
                            "the new tables {} reference each other through their primary keys: no order creates \
                             them",
                            names.join(", ")
                        ),
                    }
                })?;
            let table = pending.remove(i);
            let later = waiting(table);
            let now = |names: &Vec<String>| !names.iter().any(|n| later.iter().any(|c| c.name == *n));
            let mut first = table.clone();
            first.columns.retain(|c| !later.iter().any(|l| l.name == c.name));
            first.indexes.retain(now);
            first.unique_together.retain(now);
            self.emit(Operation::CreateTable(first))?;
            deferred.push((table.name.clone(), later));
        }
        Ok(deferred)
    }

    /// The ForeignKey columns a cycle of new tables left out, with their indexes and
    /// groups, once every table exists (the tables are new: no row needs a value).
    fn add_deferred(&mut self, to: &Schema, deferred: Vec<(String, Vec<Column>)>) -> Result<()> {
        for (table, columns) in deferred {
            for column in columns {
                self.emit(Operation::AddColumn { table: table.clone(), column, fill: None })?;
            }
            self.add_indexes_and_groups(to, std::slice::from_ref(&table))?;
        }
        Ok(())
    }

    /// The columns added to, or changed in, the tables both schemas have, in the models'
    /// order; a NOT NULL one without a default asks for the value of the rows that exist.
    fn add_and_alter_columns(&mut self, to: &Schema, kept: &[String], q: &mut dyn Questioner) -> Result<()> {
        for name in kept {
            for column in &to.tables[name].columns {
                let op = match self.state.tables[name].column(&column.name) {
                    None => {
                        let fill = if needs_value(column) { Some(q.fill_value(name, &column.name)?) } else { None };
                        Operation::AddColumn { table: name.clone(), column: column.clone(), fill }
                    }
                    Some(old) if old != column => {
                        let fill = match &column.default {
                            _ if column.nullable || !old.nullable => None,
                            Some(default) => Some(default.clone()),
                            None => Some(q.fill_value(name, &column.name)?),
                        };
                        Operation::AlterColumn { table: name.clone(), column: column.clone(), fill }
                    }
                    Some(_) => continue,
                };
                self.emit(op)?;
            }
        }
        Ok(())
    }

    /// The indexes and `unique_together` groups `to` has and the state not yet.
    fn add_indexes_and_groups(&mut self, to: &Schema, tables: &[String]) -> Result<()> {
        for name in tables {
            let new = &to.tables[name];
            let mut seen = BTreeSet::new();
            for index in &new.indexes {
                if seen.insert(index) && !self.state.tables[name].indexes.contains(index) {
                    self.emit(Operation::AddIndex { table: name.clone(), columns: index.clone() })?;
                }
            }
            let groups: BTreeSet<&Vec<String>> = self.state.tables[name].unique_together.iter().collect();
            if groups != new.unique_together.iter().collect() {
                self.emit(Operation::AlterUniqueTogether { table: name.clone(), groups: new.unique_together.clone() })?;
            }
        }
        Ok(())
    }

    /// The columns `to` no longer has.
    fn drop_columns(&mut self, to: &Schema, kept: &[String]) -> Result<()> {
        for name in kept {
            let gone: Vec<String> = self.state.tables[name]
                .columns
                .iter()
                .filter(|c| to.tables[name].column(&c.name).is_none())
                .map(|c| c.name.clone())
                .collect();
            for column in gone {
                self.drop_column(name.clone(), column)?;
            }
        }
        Ok(())
    }

    /// The tables `to` no longer has: link tables first, then each table after the
    /// tables that reference it. In a cycle, the ForeignKey columns that reference one of
    /// them (nullable ones preferred) are dropped first.
    fn drop_tables(&mut self, to: &Schema) -> Result<()> {
        let mut pending: Vec<String> = self.gone(to, true).into_iter().map(|t| t.name).collect();
        pending.extend(self.gone(to, false).into_iter().map(|t| t.name));
        while !pending.is_empty() {
            // The columns of the other pending tables that reference `name`.
            let keys_to = |name: &str| -> Vec<(String, &Column)> {
                let others = pending.iter().filter(|t| *t != name).map(|t| &self.state.tables[t]);
                others
                    .flat_map(|t| t.columns.iter().map(move |c| (t.name.clone(), c)))
                    .filter(|(_, c)| c.references.as_ref().is_some_and(|r| r.table == name))
                    .collect()
            };
            let i = match pending.iter().position(|t| keys_to(t).is_empty()) {
                Some(i) => i,
                None => {
                    let on_cycle: Vec<usize> = (0..pending.len()).filter(|&i| self.on_cycle(&pending, i)).collect();
                    let nullable = on_cycle.iter().find(|&&i| keys_to(&pending[i]).iter().all(|(_, c)| c.nullable));
                    let i = nullable.or(on_cycle.first()).copied().unwrap_or(0);
                    let keys: Vec<(String, String)> =
                        keys_to(&pending[i]).into_iter().map(|(t, c)| (t, c.name.clone())).collect();
                    for (table, column) in keys {
                        self.drop_column(table, column)?;
                    }
                    i
                }
            };
            let table = pending.remove(i);
            self.emit(Operation::DropTable { table })?;
        }
        Ok(())
    }

    /// Whether pending table `i` references itself through the other pending tables.
    fn on_cycle(&self, pending: &[String], i: usize) -> bool {
        let targets = |name: &str| -> Vec<usize> {
            let table = &self.state.tables[name];
            let referenced = |t: &String| {
                t != name && table.columns.iter().any(|c| c.references.as_ref().is_some_and(|r| r.table == *t))
            };
            (0..pending.len()).filter(|&j| referenced(&pending[j])).collect()
        };
        let (mut seen, mut stack) = (BTreeSet::new(), targets(&pending[i]));
        while let Some(j) = stack.pop() {
            if j == i {
                return true;
            }
            if seen.insert(j) {
                stack.extend(targets(&pending[j]));
            }
        }
        false
    }

    /// Drops a column, after the indexes and groups it is in (so that undoing the
    /// migration puts them back).
    fn drop_column(&mut self, table: String, column: String) -> Result<()> {
        let t = &self.state.tables[&table];
        let indexes: Vec<Vec<String>> = t.indexes.iter().filter(|i| i.contains(&column)).cloned().collect();
        let groups: Vec<Vec<String>> = t.unique_together.iter().filter(|g| !g.contains(&column)).cloned().collect();
        let regroup = groups.len() != t.unique_together.len();
        let mut seen = BTreeSet::new();
        for columns in indexes.into_iter().filter(|i| seen.insert(i.clone())) {
            self.emit(Operation::RemoveIndex { table: table.clone(), columns })?;
        }
        if regroup {
            self.emit(Operation::AlterUniqueTogether { table: table.clone(), groups })?;
        }
        self.emit(Operation::DropColumn { table, column })
    }

    /// The state reached is `to` (up to column and index order and model names).
    fn verify(&self, to: &Schema) -> Result<()> {
        let (reached, wanted) = (comparable(&self.state), comparable(to));
        if reached == wanted {
            return Ok(());
        }
        let names: BTreeSet<&String> = reached.tables.keys().chain(wanted.tables.keys()).collect();
        let differ: Vec<&str> =
            names.into_iter().filter(|n| reached.tables.get(*n) != wanted.tables.get(*n)).map(|n| n.as_str()).collect();
        Err(internal(format!("tables {} differ", differ.join(", "))))
    }
}

/// `schema` without what migrations do not keep: the models' names, the order of
/// columns, indexes and `unique_together` groups (each index's own column order stays).
fn comparable(schema: &Schema) -> Schema {
    let mut out = schema.clone();
    for table in out.tables.values_mut() {
        table.model = None;
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
        table.indexes.sort();
        table.indexes.dedup();
        table.unique_together.sort();
        table.unique_together.dedup();
    }
    out
}

#[cfg(test)]
mod tests;
