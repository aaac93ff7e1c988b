//! Running one planned migration: its transaction, foreign key enforcement suspended
//! around it where the dialect needs it, each step (a rebuild's copy in reported
//! blocks, its triggers read and created again), the record written first.

use super::{MigrateOptions, Planned};
use crate::backend::{DecodeRow, FirstColumn, RowRead};
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::migrate::recorder;
use crate::sql::Step;
use crate::value::Value;

impl Db {
    /// Runs one planned migration in its own transaction, foreign key enforcement
    /// suspended around it where the dialect needs it.
    /// `false` when another connection did it first (nothing was done here).
    pub(super) fn run_planned(&self, planned: &Planned<'_>, options: &MigrateOptions<'_>) -> Result<bool> {
        let name = &planned.migration.name;
        options.say(&format!("{} {name}", if planned.forwards { "Applying" } else { "Unapplying" }));
        let switch = self.dialect().foreign_key_switch();
        let suspended = match switch {
            Some(switch) if self.flag(switch.read)? => {
                self.execute(switch.off, &[])?;
                if self.flag(switch.read)? {
                    return Err(Error::Migration {
                        message: "foreign key enforcement could not be turned off for the migration".to_owned(),
                    });
                }
                true
            }
            _ => false,
        };
        let result = self.try_atomic(|db| {
            // The record first: its write waits for another connection migrating the
            // same database, and finds whether that one did this migration meanwhile.
            let mine = if planned.forwards {
                recorder::record(db, name, &planned.checksum)?
            } else {
                recorder::unrecord(db, name)?
            };
            if !mine {
                return Err(Run::Elsewhere);
            }
            let mut triggers = Vec::new();
            for (describe, _, steps) in &planned.operations {
                options.say(&format!("  {describe}"));
                for step in steps {
                    db.run_step(step, &mut triggers, options)
                        .map_err(|err| Error::Migration { message: format!("\"{describe}\": {err}") })?;
                }
            }
            if let (Some(switch), true) = (switch, suspended) {
                let broken = db.fetch(switch.check, &[], Texts(4))?;
                if !broken.is_empty() {
                    let rows: Vec<String> = broken
                        .iter()
                        .take(5)
                        .map(|row| format!("row {} of {} refers to a missing row of {}", row[1], row[0], row[2]))
                        .collect();
                    return Err(Error::Migration {
                        message: format!("{} rows would break their foreign keys: {}", broken.len(), rows.join("; ")),
                    }
                    .into());
                }
            }
            Ok(())
        });
        let restored = match (switch, suspended) {
            (Some(switch), true) => self.execute(switch.on, &[]).map(drop),
            _ => Ok(()),
        };
        let done = match result {
            Ok(()) => true,
            Err(Run::Elsewhere) => false,
            Err(Run::Failed(err)) => return Err(err),
        };
        restored?;
        let verb = if planned.forwards { "applied" } else { "unapplied" };
        if done {
            options.say(&format!("  {verb} {name}"));
        } else {
            options.say(&format!("  {name} was {verb} by another connection meanwhile"));
        }
        Ok(done)
    }

    /// A query's one integer, as a flag.
    fn flag(&self, sql: &str) -> Result<bool> {
        Ok(matches!(self.fetch(sql, &[], FirstColumn)?.first(), Some(Value::Integer(n)) if *n != 0))
    }

    fn run_step(
        &self,
        step: &Step,
        triggers: &mut Vec<(String, Vec<String>)>,
        options: &MigrateOptions<'_>,
    ) -> Result<()> {
        match step {
            Step::Sql(sql) => {
                self.execute(sql, &[])?;
            }
            Step::SaveTriggers(table) => {
                if let Some(query) = self.dialect().triggers_of_table() {
                    let found = self.fetch(query, &[Value::Text(table.clone())], Texts(1))?;
                    triggers.push((table.clone(), found.into_iter().flatten().collect()));
                }
            }
            Step::RestoreTriggers(table) => {
                if let Some(i) = triggers.iter().position(|(t, _)| t == table) {
                    for sql in triggers.remove(i).1 {
                        self.execute(&sql, &[])?;
                    }
                }
            }
            Step::CopyRows { table, sql } => self.copy_rows(table, sql, options)?,
            Step::Verify { sql, column, column_type } => {
                if let Some(Value::Integer(misfits @ 1..)) = self.fetch(sql, &[], FirstColumn)?.pop() {
                    return Err(Error::Migration {
                        message: format!(
                            "{misfits} rows hold values in {column} that are not {column_type:?}: correct them, or \
                             convert them in a migration of their own first"
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// A rebuild's copy: in blocks of [`COPY_BLOCK`] rows by the dialect's row key
    /// when the table is larger, each block reported.
    fn copy_rows(&self, table: &str, sql: &str, options: &MigrateOptions<'_>) -> Result<()> {
        let total = recorder::count_rows(self, table)?;
        options.say(&format!("    copying {total} rows of {table}"));
        let Some(key) = self.dialect().row_key().filter(|_| total > COPY_BLOCK) else {
            self.execute(sql, &[])?;
            return Ok(());
        };
        let bound = |function: &str| -> Result<i64> {
            let mut query = format!("SELECT {function}({key}) FROM ");
            self.dialect().quote(table, &mut query);
            match self.fetch(&query, &[], FirstColumn)?.pop() {
                Some(Value::Integer(n)) => Ok(n),
                _ => Ok(0),
            }
        };
        let (low, high) = (bound("MIN")?, bound("MAX")?);
        let mut ranged = format!("{sql} WHERE {key} >= ");
        self.dialect().placeholder(1, &mut ranged);
        ranged.push_str(&format!(" AND {key} < "));
        self.dialect().placeholder(2, &mut ranged);
        let (mut start, mut copied) = (low, 0usize);
        while start <= high {
            let stop = start.saturating_add(COPY_BLOCK);
            copied += self.execute(&ranged, &[Value::Integer(start), Value::Integer(stop)])?;
            options.say(&format!("    {table}: {copied} of {total} rows copied"));
            start = stop;
        }
        Ok(())
    }
}

/// How a migration's transaction ends when it does not commit.
enum Run {
    /// Another connection applied or unapplied it first.
    Elsewhere,
    /// It failed.
    Failed(Error),
}

impl From<Error> for Run {
    fn from(err: Error) -> Run {
        Run::Failed(err)
    }
}

/// The most rows a rebuild copies in one statement.
const COPY_BLOCK: i64 = 10_000;

/// The first `n` columns of each row, as text.
struct Texts(usize);

impl DecodeRow for Texts {
    type Item = Vec<String>;
    fn decode<R: RowRead>(&mut self, row: &R) -> Result<Vec<String>> {
        (0..self.0).map(|i| Ok(Value::from_ref(row.value(i)?)).map(|v| text_of(&v))).collect()
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        other => other.to_string(),
    }
}
