//! Migrations from the models themselves (Django's `makemigrations` and `migrate`).
//!
//! A migration is a named, ordered list of [`Operation`]s on the [`Schema`] the models
//! describe, kept as a human-readable file. Replaying the files' operations builds the
//! state the history reaches; [`autodetect`] diffs it against the models' schema to
//! write the next file; `migrate` applies what a database has not recorded yet, each
//! migration in a transaction, recorded with its checksum.
//!
//! The pieces:
//! - [`operation`]: the operations, how each changes a state and how it is undone;
//! - `file`: the text format of a migration file (writing, parsing, checksums);
//! - `autodetect`: the operations from one state to another, asking about renames;
//! - `apply`: applying and unapplying on a database, the record of what was applied;
//! - `check`: the live database against the models (`Db::check_schema`).

mod apply;
pub mod autodetect;
mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod file;
pub mod operation;
mod recorder;

pub use apply::{MigrateOptions, MigrateReport};
pub use autodetect::{changes, Interactive, NonInteractive, Questioner};
#[cfg(feature = "cli")]
pub use cli::command_line;
pub use file::{checksum, next_name, parse, render, Migrations};
pub use operation::{Operation, StateError};
pub use recorder::AppliedMigration;

use crate::schema::Schema;

/// One migration: its name (`0002_book_isbn`), the migrations it builds on, and its
/// operations in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    /// `NNNN_words`: the number orders the history.
    pub name: String,
    /// The names of the migrations this one builds on (the previous one).
    pub dependencies: Vec<String>,
    /// What it does, in order.
    pub operations: Vec<Operation>,
}

impl Migration {
    /// Applies every operation to `state`.
    pub fn apply(&self, state: &mut Schema) -> Result<(), StateError> {
        for op in &self.operations {
            op.apply(state).map_err(|e| StateError(format!("{}: {}: {e}", self.name, op.describe())))?;
        }
        Ok(())
    }
}

/// The state a history builds: every migration's operations replayed in order.
pub fn state_of(history: &[Migration]) -> Result<Schema, StateError> {
    let mut state = Schema::default();
    for migration in history {
        migration.apply(&mut state)?;
    }
    Ok(state)
}
