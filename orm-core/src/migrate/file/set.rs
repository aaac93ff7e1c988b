//! [`Migrations`]: a project's migration files, in order, each with its text and
//! checksum.

use super::{number, parse, render, EXTENSION};
use crate::error::{Error, Result};
use crate::migrate::{checksum, state_of, Migration};
use crate::schema::Schema;
use std::path::Path;

/// The migrations of a project, in order: each with its file's text and checksum.
#[derive(Debug, Clone, Default)]
pub struct Migrations {
    migrations: Vec<Migration>,
    texts: Vec<(String, String)>,
}

impl Migrations {
    /// The `NNNN_name.mig` files of a folder (other files are ignored). A folder that does
    /// not exist holds no migrations yet (`makemigrations` creates it).
    pub fn from_dir(path: impl AsRef<Path>) -> Result<Migrations> {
        let path = path.as_ref();
        let io = |e: std::io::Error, what: &Path| Error::Migration {
            message: format!("cannot read the migrations in {}: {e}", what.display()),
        };
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Migrations::default()),
            Err(e) => return Err(io(e, path)),
        };
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io(e, path))?;
            let file = entry.path();
            if file.extension().is_some_and(|ext| ext == EXTENSION) && file.is_file() {
                let name = entry.file_name().to_string_lossy().into_owned();
                files.push((name, std::fs::read_to_string(&file).map_err(|e| io(e, &file))?));
            }
        }
        Migrations::from_texts(files)
    }

    /// Files given as `(file name, text)` pairs, as `embed_migrations!` compiles them in.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Migrations> {
        Migrations::from_texts(files.iter().map(|&(name, text)| (name.to_owned(), text.to_owned())).collect())
    }

    /// Migrations built in code, each given the text [`render`] writes for it.
    pub fn from_migrations(migrations: Vec<Migration>) -> Result<Migrations> {
        let texts = migrations.iter().map(|m| (m.name.clone(), render(m))).collect();
        Migrations::from_texts(texts)
    }

    fn from_texts(mut files: Vec<(String, String)>) -> Result<Migrations> {
        files.sort_by(|a, b| (number(&a.0), &a.0).cmp(&(number(&b.0), &b.0)));
        let mut out = Migrations::default();
        for (name, text) in files {
            let migration = parse(&name, &text)?;
            if let Some(previous) = out.migrations.last().filter(|p| number(&p.name) == number(&migration.name)) {
                return Err(Error::Migration {
                    message: format!(
                        "two migrations are numbered {:04} ({}, {}): renumber the newer one and make it depend on \
                         the other",
                        number(&migration.name),
                        previous.name,
                        migration.name
                    ),
                });
            }
            for dependency in &migration.dependencies {
                if !out.migrations.iter().any(|m| m.name == *dependency) {
                    return Err(Error::Migration {
                        message: format!(
                            "{}.{EXTENSION} depends on {dependency}, which is not an earlier migration file: restore \
                             it or correct the `depends on` line",
                            migration.name
                        ),
                    });
                }
            }
            let sum = checksum(&text);
            out.migrations.push(migration);
            out.texts.push((text, sum));
        }
        Ok(out)
    }

    /// Every migration, in order.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// The number of migrations.
    pub fn len(&self) -> usize {
        self.migrations.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.migrations.is_empty()
    }

    fn position(&self, name: &str) -> Option<usize> {
        let name = name.strip_suffix(".mig").unwrap_or(name);
        self.migrations.iter().position(|m| m.name == name)
    }

    /// The migration named `name` (with or without `.mig`).
    pub fn get(&self, name: &str) -> Option<&Migration> {
        self.position(name).map(|i| &self.migrations[i])
    }

    /// The text of the migration's file.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.position(name).map(|i| self.texts[i].0.as_str())
    }

    /// The [`checksum`] of the migration's file.
    pub fn checksum(&self, name: &str) -> Option<&str> {
        self.position(name).map(|i| self.texts[i].1.as_str())
    }

    /// The schema every migration builds, replayed in order; an error when one does not
    /// apply to the state before it (files edited by hand into disagreement).
    pub fn state(&self) -> Result<Schema> {
        state_of(&self.migrations).map_err(|e| Error::Migration {
            message: format!("the migration files do not replay: {e}; correct or restore the file it names"),
        })
    }
}
