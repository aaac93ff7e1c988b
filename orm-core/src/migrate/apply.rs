//! Applying migrations to a database (Django's `migrate`) and unapplying them back to
//! a named one, each migration in a transaction of its own and recorded with its
//! file's checksum in `orm_migrations`; the SQL of one migration (`sqlmigrate`).
//!
//! Before anything runs, the whole plan is checked: the recorded history must be the
//! files' first migrations, unchanged; every operation on the way must have a reverse
//! when going backwards; an operation that loses data needs
//! [`MigrateOptions::allow_destructive`]. A migration that fails is rolled back as a
//! whole: its tables, its rows and the record are as they were before it.

use super::file::Migrations;
use super::recorder::{self, AppliedMigration};
use super::{Migration, Operation};
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::schema::{Schema, Table};
use crate::sql::{alter, Dialect, Step};
use std::fmt;

mod run;

/// How [`Db::migrate`] runs.
#[derive(Default)]
pub struct MigrateOptions<'a> {
    /// The migration to end at: forwards to it (it included) when it is not applied
    /// yet, backwards to it (unapplying those after it) when it is; `"zero"` unapplies
    /// every migration. A unique prefix (`"0002"`) names a migration too. `None`:
    /// every migration is applied.
    pub target: Option<String>,
    /// Apply operations that lose data (a dropped table or column, and going
    /// backwards, a created one): refused without it, before anything runs.
    pub allow_destructive: bool,
    /// Called with a line at each step: each migration, each operation, and each
    /// block of rows a rebuilt table copies.
    pub progress: Option<&'a dyn Fn(&str)>,
}

impl<'a> MigrateOptions<'a> {
    /// Every pending migration, nothing destructive, no progress.
    pub fn new() -> Self {
        MigrateOptions::default()
    }

    /// Ends at `target` (see [`target`](Self::target)).
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Allows operations that lose data.
    pub fn allow_destructive(mut self, allow: bool) -> Self {
        self.allow_destructive = allow;
        self
    }

    /// Reports progress to `progress`.
    pub fn progress(mut self, progress: &'a dyn Fn(&str)) -> Self {
        self.progress = Some(progress);
        self
    }

    fn say(&self, line: &str) {
        if let Some(progress) = self.progress {
            progress(line);
        }
    }
}

impl fmt::Debug for MigrateOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrateOptions")
            .field("target", &self.target)
            .field("allow_destructive", &self.allow_destructive)
            .field("progress", &self.progress.map(|_| ".."))
            .finish()
    }
}

/// What [`Db::migrate`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateReport {
    /// The migrations applied, in order.
    pub applied: Vec<String>,
    /// The migrations unapplied, in order (the latest first).
    pub unapplied: Vec<String>,
}

impl MigrateReport {
    /// Whether nothing was to be done.
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty() && self.unapplied.is_empty()
    }
}

/// The SQL of one operation on a database whose schema is `before`, in `dialect`.
pub(crate) fn statements(op: &Operation, before: &Schema, dialect: &'static dyn Dialect) -> Result<Vec<String>> {
    Ok(steps(op, before, dialect)?.iter().filter_map(|step| step.sql().map(str::to_owned)).collect())
}

/// The steps of one operation on a database whose schema is `before`.
pub(crate) fn steps(op: &Operation, before: &Schema, dialect: &'static dyn Dialect) -> Result<Vec<Step>> {
    let mut after = before.clone();
    op.apply(&mut after).map_err(|e| Error::Migration { message: format!("{}: {e}", op.describe()) })?;
    fn table<'s>(schema: &'s Schema, name: &str, op: &Operation) -> Result<&'s Table> {
        schema
            .tables
            .get(name)
            .ok_or_else(|| Error::Migration { message: format!("{}: no table {name}", op.describe()) })
    }
    Ok(match op {
        Operation::CreateTable(t) => alter::create_table(t, dialect),
        Operation::DropTable { table } => alter::drop_table(table, dialect),
        Operation::RenameTable { from, to } => {
            alter::rename_table(table(before, from, op)?, table(&after, to, op)?, dialect)
        }
        Operation::AddColumn { table: name, column, fill } => {
            alter::add_column(table(before, name, op)?, table(&after, name, op)?, column, fill.as_deref(), dialect)
        }
        Operation::DropColumn { table: name, column } => {
            alter::drop_column(before, table(before, name, op)?, table(&after, name, op)?, column, dialect)
        }
        Operation::RenameColumn { table: name, from, to } => {
            alter::rename_column(table(before, name, op)?, table(&after, name, op)?, from, to, dialect)
        }
        Operation::AlterColumn { table: name, column, fill } => {
            alter::alter_column(table(before, name, op)?, table(&after, name, op)?, column, fill.as_deref(), dialect)
        }
        Operation::AddIndex { table: name, columns } => alter::add_index(table(&after, name, op)?, columns, dialect),
        Operation::RemoveIndex { table: name, columns } => {
            alter::remove_index(table(before, name, op)?, columns, dialect)
        }
        Operation::AlterUniqueTogether { table: name, .. } => {
            alter::alter_unique_together(table(before, name, op)?, table(&after, name, op)?, dialect)
        }
    })
}

/// One migration to apply or unapply: its operations, each with its steps.
struct Planned<'m> {
    migration: &'m Migration,
    checksum: String,
    forwards: bool,
    /// `(what it does, is destructive, steps)`.
    operations: Vec<(String, bool, Vec<Step>)>,
}

/// The steps that apply `migration` to `state` (which becomes the state after it).
fn forwards<'m>(
    migration: &'m Migration,
    checksum: String,
    state: &mut Schema,
    dialect: &'static dyn Dialect,
) -> Result<Planned<'m>> {
    let mut operations = Vec::with_capacity(migration.operations.len());
    for op in &migration.operations {
        let steps = steps(op, state, dialect).map_err(|e| in_migration(migration, e))?;
        op.apply(state).map_err(|e| in_migration(migration, Error::Migration { message: e.0 }))?;
        operations.push((op.describe(), op.is_destructive(), steps));
    }
    Ok(Planned { migration, checksum, forwards: true, operations })
}

/// The steps that unapply `migration` from the state after it, given `before`, the
/// state before it: each operation's reverse, the last first.
fn backwards<'m>(migration: &'m Migration, before: &Schema, dialect: &'static dyn Dialect) -> Result<Planned<'m>> {
    let mut states = vec![before.clone()];
    for op in &migration.operations {
        let mut next = states.last().expect("one state at least").clone();
        op.apply(&mut next).map_err(|e| in_migration(migration, Error::Migration { message: e.0 }))?;
        states.push(next);
    }
    let mut operations = Vec::with_capacity(migration.operations.len());
    for (i, op) in migration.operations.iter().enumerate().rev() {
        let Some(reverse) = op.reverse(&states[i]) else {
            return Err(Error::Migration {
                message: format!(
                    "{} cannot be unapplied: \"{}\" cannot be undone (the rows would have no value for the \
                     column); migrate backwards to a later migration, or write a migration that adds the column \
                     back with a default",
                    migration.name,
                    op.describe()
                ),
            });
        };
        let steps = steps(&reverse, &states[i + 1], dialect).map_err(|e| in_migration(migration, e))?;
        operations.push((reverse.describe(), reverse.is_destructive(), steps));
    }
    Ok(Planned { migration, checksum: String::new(), forwards: false, operations })
}

fn in_migration(migration: &Migration, err: Error) -> Error {
    match err {
        Error::Migration { message } => Error::Migration {
            message: format!(
                "{}: {message}: the migration files do not replay; correct or restore the file",
                migration.name
            ),
        },
        other => other,
    }
}

/// The index of the migration `name` names: its name (with or without `.mig`), or a
/// prefix of one name only.
fn find(migrations: &Migrations, name: &str) -> Result<usize> {
    let all = migrations.migrations();
    let name = name.strip_suffix(".mig").unwrap_or(name);
    if let Some(i) = all.iter().position(|m| m.name == name) {
        return Ok(i);
    }
    let matching: Vec<usize> = (0..all.len()).filter(|&i| all[i].name.starts_with(name)).collect();
    match matching[..] {
        [i] => Ok(i),
        [] => Err(Error::Migration {
            message: format!(
                "there is no migration named {name} (the migrations are: {})",
                if all.is_empty() { "none".to_owned() } else { names(all.iter().map(|m| m.name.as_str())) }
            ),
        }),
        _ => Err(Error::Migration {
            message: format!(
                "{name} names several migrations ({}): give more of the name",
                names(matching.iter().map(|&i| all[i].name.as_str()))
            ),
        }),
    }
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}

/// Refuses a recorded history that is not the files' first migrations, unchanged.
fn check_history(migrations: &Migrations, applied: &[AppliedMigration]) -> Result<()> {
    let files = migrations.migrations();
    for (i, record) in applied.iter().enumerate() {
        let Some(position) = files.iter().position(|m| m.name == record.name) else {
            return Err(Error::Migration {
                message: format!(
                    "{} is recorded as applied but there is no migration file for it: restore the file (from \
                     version control), then migrate backwards past it if it should go",
                    record.name
                ),
            });
        };
        if position != i {
            return Err(Error::Migration {
                message: format!(
                    "{} is recorded as applied but {}, which comes before it, is not: the history diverged (a \
                     migration added before one already applied); renumber the new migration after {}",
                    record.name,
                    files[i].name,
                    applied[applied.len() - 1].name
                ),
            });
        }
        let checksum = migrations.checksum(&record.name).unwrap_or_default();
        if checksum != record.checksum {
            return Err(Error::Migration {
                message: format!(
                    "the file of {} changed after it was applied (checksum {} recorded, {checksum} now): restore \
                     it as it was (from version control) and put new changes in a new migration \
                     (makemigrations)",
                    record.name, record.checksum
                ),
            });
        }
    }
    Ok(())
}

impl Db {
    /// Applies the pending migrations in order (or goes forwards or backwards to
    /// [`MigrateOptions::target`]), each in a transaction of its own, recorded in
    /// `orm_migrations` with its file's checksum. Refused before anything runs: a
    /// recorded history that differs from the files (an applied file changed or
    /// gone), an operation without a reverse on the way back, and an operation that
    /// loses data without [`MigrateOptions::allow_destructive`]. A migration that
    /// fails is rolled back whole (its DDL, its rows, its record); those before it
    /// stay applied, and the error names them.
    ///
    /// On SQLite, foreign key enforcement is off while a migration runs (a rebuilt
    /// table is dropped and replaced) and the keys are checked before it commits.
    /// Connections that migrate at the same time (several instances of an application
    /// starting) wait for each other (PostgreSQL: an advisory lock; SQLite: each
    /// migration writes its record first), and a migration another one applied
    /// meanwhile is skipped. It must be called outside a transaction.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// use orm::migrate::{MigrateOptions, Migration, Migrations, Operation};
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
    /// # fn main() -> orm::Result<()> {
    /// let db = Db::open_in_memory()?;
    /// let book = orm::schema::Table::from_model(<Book as orm::Model>::META);
    /// let initial =
    ///     Migration { name: "0001_initial".into(), dependencies: vec![], operations: vec![Operation::CreateTable(book)] };
    /// // Usually the files: Migrations::from_dir("migrations") or orm::embed_migrations!("migrations").
    /// let migrations = Migrations::from_migrations(vec![initial])?;
    /// let report = db.migrate(&migrations, &MigrateOptions::new())?;
    /// assert_eq!(report.applied, ["0001_initial"]);
    /// db.check_schema::<(Book,)>()?;
    /// assert!(db.migrate(&migrations, &MigrateOptions::new())?.is_empty());
    /// assert_eq!(db.applied_migrations()?[0].name, "0001_initial");
    /// # Ok(())
    /// # }
    /// ```
    pub fn migrate(&self, migrations: &Migrations, options: &MigrateOptions<'_>) -> Result<MigrateReport> {
        if self.in_transaction() {
            return Err(Error::Migration {
                message: "migrate commits each migration in a transaction of its own: call it outside atomic()"
                    .to_owned(),
            });
        }
        let Some((lock, unlock)) = self.dialect().migration_lock() else {
            return self.migrate_locked(migrations, options);
        };
        self.execute(lock, &[])?;
        let result = self.migrate_locked(migrations, options);
        let unlocked = self.execute(unlock, &[]);
        let report = result?;
        unlocked?;
        Ok(report)
    }

    /// [`migrate`](Self::migrate), with the other migrating connections waiting.
    fn migrate_locked(&self, migrations: &Migrations, options: &MigrateOptions<'_>) -> Result<MigrateReport> {
        recorder::ensure(self)?;
        let applied = recorder::applied(self)?;
        check_history(migrations, &applied)?;
        let files = migrations.migrations();
        let done = applied.len();
        let end = match options.target.as_deref() {
            None => files.len(),
            Some("zero") => 0,
            Some(target) => find(migrations, target)? + 1,
        };
        let dialect = self.dialect();
        let mut state = super::state_of(&files[..done.min(end)]).map_err(|e| Error::Migration {
            message: format!("the migration files do not replay: {e}; correct or restore the file it names"),
        })?;
        let mut plan = Vec::new();
        if end > done {
            for migration in &files[done..end] {
                let checksum = migrations.checksum(&migration.name).unwrap_or_default().to_owned();
                plan.push(forwards(migration, checksum, &mut state, dialect)?);
            }
        } else {
            for migration in files[end..done].iter().rev() {
                let position = files.iter().position(|m| m.name == migration.name).unwrap_or(0);
                let before = super::state_of(&files[..position])
                    .map_err(|e| Error::Migration { message: format!("the migration files do not replay: {e}") })?;
                plan.push(backwards(migration, &before, dialect)?);
            }
        }
        refuse_destructive(&plan, options)?;
        let mut report = MigrateReport::default();
        for planned in &plan {
            let name = planned.migration.name.clone();
            if !self.run_planned(planned, options).map_err(|err| failed(planned, &report, err))? {
                // Done by another connection: from the same files?
                check_history(migrations, &recorder::applied(self)?)?;
                continue;
            }
            if planned.forwards {
                report.applied.push(name);
            } else {
                report.unapplied.push(name);
            }
        }
        if plan.is_empty() {
            options.say("No migrations to apply.");
        }
        Ok(report)
    }

    /// The migrations recorded as applied on this database, in the order they were
    /// applied (the record's table is created if it does not exist).
    pub fn applied_migrations(&self) -> Result<Vec<AppliedMigration>> {
        recorder::ensure(self)?;
        recorder::applied(self)
    }

    /// The statements that apply the migration `name` (or a unique prefix of it), in
    /// this database's SQL (Django's `sqlmigrate`); nothing is run. A table rebuild
    /// also recreates the table's triggers, which are read when it runs.
    pub fn sql_for_migration(&self, migrations: &Migrations, name: &str) -> Result<Vec<String>> {
        let files = migrations.migrations();
        let i = find(migrations, name)?;
        let mut state = super::state_of(&files[..i])
            .map_err(|e| Error::Migration { message: format!("the migration files do not replay: {e}") })?;
        let mut out = Vec::new();
        for op in &files[i].operations {
            out.extend(statements(op, &state, self.dialect()).map_err(|e| in_migration(&files[i], e))?);
            op.apply(&mut state).map_err(|e| in_migration(&files[i], Error::Migration { message: e.0 }))?;
        }
        Ok(out)
    }

    /// The statements that unapply the migration `name` (`sqlmigrate --backwards`).
    pub fn sql_for_unapplying_migration(&self, migrations: &Migrations, name: &str) -> Result<Vec<String>> {
        let files = migrations.migrations();
        let i = find(migrations, name)?;
        let before = super::state_of(&files[..i])
            .map_err(|e| Error::Migration { message: format!("the migration files do not replay: {e}") })?;
        Ok(sql_of(&backwards(&files[i], &before, self.dialect())?))
    }
}

fn sql_of(planned: &Planned<'_>) -> Vec<String> {
    planned
        .operations
        .iter()
        .flat_map(|(_, _, steps)| steps.iter().filter_map(|s| s.sql().map(str::to_owned)))
        .collect()
}

/// Refuses a plan with an operation that loses data, unless allowed.
fn refuse_destructive(plan: &[Planned<'_>], options: &MigrateOptions<'_>) -> Result<()> {
    if options.allow_destructive {
        return Ok(());
    }
    let destructive: Vec<String> = plan
        .iter()
        .flat_map(|p| {
            p.operations.iter().filter(|(_, destructive, _)| *destructive).map(|(describe, _, _)| {
                format!("{}{}: {describe}", if p.forwards { "" } else { "unapplying " }, p.migration.name)
            })
        })
        .collect();
    if destructive.is_empty() {
        return Ok(());
    }
    Err(Error::Migration {
        message: format!(
            "nothing was applied: these operations lose data: {}; once the data is saved or not needed, allow them \
             (`migrate --allow-destructive`, MigrateOptions::allow_destructive)",
            destructive.join("; ")
        ),
    })
}

/// The error of a migration that failed and was rolled back.
fn failed(planned: &Planned<'_>, report: &MigrateReport, err: Error) -> Error {
    let done = if !report.applied.is_empty() {
        format!("; applied before it: {}", report.applied.join(", "))
    } else if !report.unapplied.is_empty() {
        format!("; unapplied before it: {}", report.unapplied.join(", "))
    } else {
        String::new()
    };
    let detail = match err {
        Error::Migration { message } => message,
        other => other.to_string(),
    };
    Error::Migration {
        message: format!(
            "{} {} failed and was rolled back, nothing of it kept{done}: {detail}",
            if planned.forwards { "applying" } else { "unapplying" },
            planned.migration.name
        ),
    }
}
