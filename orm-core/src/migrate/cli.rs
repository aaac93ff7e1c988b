//! The `manage` command line of a project's migrations (feature `cli`): Django's
//! `makemigrations`, `migrate`, `showmigrations` and `sqlmigrate`, over the models of
//! the user's crate, which only the user's crate can name:
//!
//! ```ignore
//! // src/bin/manage.rs
//! fn main() -> std::process::ExitCode {
//!     orm::migrate::command_line::<(Author, Book)>("migrations")
//! }
//! ```
//!
//! Exit codes: [`OK`], [`CHANGES`] (`makemigrations --check` found changes no migration
//! has, or a question went unanswered), [`FAILED`] (a usage, file or database error).

use super::autodetect::{self, Interactive, NonInteractive, Questioner};
use super::file::{self, Migrations};
use super::{MigrateOptions, Migration};
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::model::ModelList;
use crate::schema::Schema;
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::cell::RefCell;
use std::ffi::OsString;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// The exit code of a command that did what it was asked.
pub const OK: u8 = 0;
/// The exit code of `makemigrations --check` when the models have changes no migration
/// has, and of `makemigrations` when a question (a rename, a one-off value) has no
/// answer.
pub const CHANGES: u8 = 1;
/// The exit code of a usage error (unknown command or flag), or of a command that
/// failed (files that do not read, a database that refuses).
pub const FAILED: u8 = 2;

/// The environment variable that names the database when the command line does not.
pub const DATABASE_URL: &str = "DATABASE_URL";

/// Where a [`run`] reads and writes: the process's standard streams for
/// [`command_line`], buffers in tests.
pub struct Console<'a> {
    /// Answers to `makemigrations`' questions, when [`interactive`](Self::interactive).
    pub input: &'a mut dyn BufRead,
    /// What the commands print, and the questions.
    pub output: &'a mut dyn Write,
    /// Errors and warnings.
    pub errors: &'a mut dyn Write,
    /// Whether a person answers questions (stdin is a terminal); otherwise a question
    /// the flags do not answer stops `makemigrations` with exit code [`CHANGES`].
    pub interactive: bool,
    /// The database when the command line names none (`DATABASE_URL`): an SQLite
    /// path or a `postgres://` URL.
    pub database_url: Option<String>,
}

impl std::fmt::Debug for Console<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("interactive", &self.interactive)
            .field("database_url", &self.database_url)
            .finish_non_exhaustive()
    }
}

/// The command line of a `manage` binary for the models `L`, their migration files in
/// the folder `dir` (relative to where it runs: the crate's root under `cargo run`):
///
/// - `makemigrations [--check] [--name NAME] [--rename T=U | T.a=b].. [--no-rename ..]..
///   [--fill T.c=VALUE].. [--noinput]`: writes the next migration, the operations from
///   the files' state to the models (asking about renames and one-off values, or
///   answered by the flags);
/// - `migrate [DATABASE] [TARGET] [--allow-destructive]`: applies what is pending, or
///   goes forwards or backwards to TARGET (`zero`: unapply all);
/// - `showmigrations [DATABASE]`: each migration, `[X]` when applied;
/// - `sqlmigrate NAME [DATABASE] [--backwards]`: the SQL of one migration.
///
/// DATABASE is an SQLite file or a `postgres://` URL (feature `postgres`), by default
/// `$DATABASE_URL`. Reads the process's arguments and standard streams; see [`run`].
pub fn command_line<L: ModelList>(dir: &str) -> ExitCode {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut input = stdin.lock();
    let mut output = std::io::stdout().lock();
    let mut errors = std::io::stderr().lock();
    let mut console = Console {
        input: &mut input,
        output: &mut output,
        errors: &mut errors,
        interactive,
        database_url: std::env::var(DATABASE_URL).ok().filter(|url| !url.is_empty()),
    };
    ExitCode::from(run::<L, _, _>(dir, std::env::args_os(), &mut console))
}

/// [`command_line`] with the arguments (the program's name first) and the streams
/// given: returns the exit code ([`OK`], [`CHANGES`] or [`FAILED`]).
pub fn run<L, I, T>(dir: &str, args: I, console: &mut Console<'_>) -> u8
where
    L: ModelList,
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = match command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(err) => {
            let text = err.render().to_string();
            return if err.use_stderr() {
                let _ = write!(console.errors, "{text}");
                FAILED
            } else {
                let _ = write!(console.output, "{text}");
                OK
            };
        }
    };
    let result = match matches.subcommand() {
        Some(("makemigrations", m)) => makemigrations::<L>(dir, m, console),
        Some(("migrate", m)) => migrate::<L>(dir, m, console),
        Some(("showmigrations", m)) => showmigrations(dir, m, console),
        Some(("sqlmigrate", m)) => sqlmigrate(dir, m, console),
        _ => Err(usage("no command: makemigrations, migrate, showmigrations or sqlmigrate")),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            let _ = writeln!(console.errors, "error: {}", shown(&err));
            FAILED
        }
    }
}

/// A migration error's own words (its Display adds `migration: `).
fn shown(err: &Error) -> String {
    match err {
        Error::Migration { message } => message.clone(),
        other => other.to_string(),
    }
}

fn usage(message: &str) -> Error {
    Error::Migration { message: message.to_owned() }
}

/// The command line's grammar (clap's builder).
fn command() -> Command {
    let database = || {
        Arg::new("database").value_name("DATABASE").help("An SQLite file or a postgres:// URL [default: $DATABASE_URL]")
    };
    Command::new("manage")
        .about("The migrations of this crate's models")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("makemigrations")
                .about("Writes the next migration: the models' changes since the last one")
                .arg(
                    Arg::new("check")
                        .long("check")
                        .action(ArgAction::SetTrue)
                        .help("Write nothing; exit 1 when the models have changes no migration has (for CI)"),
                )
                .arg(
                    Arg::new("name")
                        .long("name")
                        .short('n')
                        .value_name("NAME")
                        .help("The migration's name after its number, instead of one from its operations"),
                )
                .arg(
                    Arg::new("rename")
                        .long("rename")
                        .value_name("T=U|T.a=b")
                        .action(ArgAction::Append)
                        .help("Table T became U, or its column a became b (keeps the rows)"),
                )
                .arg(
                    Arg::new("no-rename")
                        .long("no-rename")
                        .value_name("T=U|T.a=b")
                        .action(ArgAction::Append)
                        .help("Not a rename: drop the old one, add the new one"),
                )
                .arg(
                    Arg::new("fill")
                        .long("fill")
                        .value_name("T.c=VALUE")
                        .action(ArgAction::Append)
                        .help("An SQL literal for the rows that exist in a new NOT NULL column T.c"),
                )
                .arg(
                    Arg::new("noinput")
                        .long("noinput")
                        .visible_alias("no-input")
                        .action(ArgAction::SetTrue)
                        .help("Ask nothing: a question the flags do not answer stops with exit code 1"),
                ),
        )
        .subcommand(
            Command::new("migrate")
                .about("Applies the pending migrations, or goes forwards or backwards to TARGET")
                .arg(database())
                .arg(Arg::new("target").value_name("TARGET").help(
                    "The migration to end at (a name or its number; `zero` unapplies all); alone, \
                     an argument naming a migration is the TARGET",
                ))
                .arg(
                    Arg::new("allow-destructive")
                        .long("allow-destructive")
                        .action(ArgAction::SetTrue)
                        .help("Apply operations that lose data (dropped tables and columns)"),
                ),
        )
        .subcommand(Command::new("showmigrations").about("Lists the migrations, [X] where applied").arg(database()))
        .subcommand(
            Command::new("sqlmigrate")
                .about("Prints the SQL of one migration, running nothing")
                .arg(Arg::new("name").value_name("NAME").required(true).help("The migration (a name or its number)"))
                .arg(database().help("An SQLite file or a postgres:// URL [default: $DATABASE_URL, else SQLite]"))
                .arg(
                    Arg::new("backwards")
                        .long("backwards")
                        .action(ArgAction::SetTrue)
                        .help("The SQL that unapplies it"),
                ),
        )
}

fn strings(m: &ArgMatches, id: &str) -> Vec<String> {
    m.get_many::<String>(id).map(|values| values.cloned().collect()).unwrap_or_default()
}

/// Answers from the flags first, then from the person when there is one; remembers
/// whether a question went unanswered.
struct Answers<R, W> {
    flags: NonInteractive,
    person: Option<Interactive<R, W>>,
    unanswered: bool,
}

impl<R: BufRead, W: Write> Answers<R, W> {
    fn ask<T>(&mut self, from_flags: Result<T>, ask: impl FnOnce(&mut Interactive<R, W>) -> Result<T>) -> Result<T> {
        let Err(no_flag) = from_flags else { return from_flags };
        let answer = match self.person.as_mut() {
            Some(person) => ask(person),
            None => Err(no_flag),
        };
        self.unanswered |= answer.is_err();
        answer
    }
}

impl<R: BufRead, W: Write> Questioner for Answers<R, W> {
    fn rename_table(&mut self, from: &str, to: &str) -> Result<bool> {
        let flags = self.flags.rename_table(from, to);
        self.ask(flags, |p| p.rename_table(from, to))
    }

    fn rename_column(&mut self, table: &str, from: &str, to: &str) -> Result<bool> {
        let flags = self.flags.rename_column(table, from, to);
        self.ask(flags, |p| p.rename_column(table, from, to))
    }

    fn fill_value(&mut self, table: &str, column: &str) -> Result<String> {
        let flags = self.flags.fill_value(table, column);
        self.ask(flags, |p| p.fill_value(table, column))
    }
}

fn makemigrations<L: ModelList>(dir: &str, m: &ArgMatches, console: &mut Console<'_>) -> Result<u8> {
    let migrations = Migrations::from_dir(dir)?;
    let state = migrations.state()?;
    let models = Schema::from_models(&L::metas());
    let flags = NonInteractive::from_flags(&strings(m, "rename"), &strings(m, "no-rename"), &strings(m, "fill"))?;
    let interactive = console.interactive && !m.get_flag("noinput");
    let mut answers = Answers {
        flags,
        person: interactive.then(|| Interactive::new(&mut *console.input, &mut *console.output)),
        unanswered: false,
    };
    let changes = autodetect::changes(&state, &models, &mut answers);
    let Answers { flags, unanswered, .. } = answers;
    let operations = match changes {
        Ok(operations) => operations,
        Err(err) if unanswered => {
            let _ = writeln!(console.errors, "error: {}", shown(&err));
            return Ok(CHANGES);
        }
        Err(err) => return Err(err),
    };
    for flag in flags.unused() {
        let _ = writeln!(console.errors, "warning: {flag} answered no question (is it misspelt?)");
    }
    if operations.is_empty() {
        let _ = writeln!(console.output, "No changes detected");
        return Ok(OK);
    }
    let name = file::next_name(&migrations, &operations, m.get_one::<String>("name").map(String::as_str));
    let path = Path::new(dir).join(format!("{name}.{}", file::EXTENSION));
    let list = |out: &mut dyn Write, operations: &[super::Operation]| {
        for op in operations {
            let _ = writeln!(out, "    - {}", op.describe());
        }
    };
    if m.get_flag("check") {
        let _ =
            writeln!(console.output, "Changes no migration has yet (makemigrations would write {}):", path.display());
        list(console.output, &operations);
        return Ok(CHANGES);
    }
    let dependencies = migrations.migrations().last().map(|last| vec![last.name.clone()]).unwrap_or_default();
    let migration = Migration { name: name.clone(), dependencies, operations };
    let text = file::render(&migration);
    if file::parse(&name, &text)? != migration {
        return Err(Error::Migration {
            message: format!("{name} would not read back as written; nothing was written (please report this)"),
        });
    }
    write_new(&path, &text)?;
    let _ = writeln!(console.output, "Migration written:\n  {}", path.display());
    list(console.output, &migration.operations);
    Ok(OK)
}

/// Writes a new file (its folder created), never over one that exists.
fn write_new(path: &Path, text: &str) -> Result<()> {
    let io = |e: std::io::Error| Error::Migration { message: format!("cannot write {}: {e}", path.display()) };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)
}

/// Opens `DATABASE` (an argument, else `$DATABASE_URL`): a `postgres://` URL, or an
/// SQLite file (`sqlite:` in front allowed).
fn open(database: Option<&str>, console: &Console<'_>) -> Result<Db> {
    let database = database
        .or(console.database_url.as_deref())
        .ok_or_else(|| usage("no database: give DATABASE (an SQLite file or a postgres:// URL) or set DATABASE_URL"))?;
    open_url(database)
}

fn open_url(database: &str) -> Result<Db> {
    match sqlite_path(database) {
        None => connect(database),
        Some(path) => Db::open(path),
    }
}

/// [`open_url`] for the commands that only read: an SQLite file that does not exist is
/// an error (likely a typo), not a new empty database.
fn open_existing(database: &str) -> Result<Db> {
    match sqlite_path(database) {
        Some(path) if !Path::new(path).exists() => {
            Err(usage(&format!("no SQLite database at {path} (migrate creates it)")))
        }
        _ => open_url(database),
    }
}

/// The file of an SQLite `DATABASE` (`sqlite:` in front allowed); `None` for a server's URL.
fn sqlite_path(database: &str) -> Option<&str> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        return None;
    }
    Some(database.strip_prefix("sqlite://").or_else(|| database.strip_prefix("sqlite:")).unwrap_or(database))
}

#[cfg(feature = "postgres")]
fn connect(url: &str) -> Result<Db> {
    Db::connect(url)
}

#[cfg(not(feature = "postgres"))]
fn connect(_url: &str) -> Result<Db> {
    Err(usage("a postgres:// database needs the `postgres` feature of orm"))
}

/// Whether `arg` names a migration of `migrations`: `zero`, a name, or a number.
fn names_migration(migrations: &Migrations, arg: &str) -> bool {
    arg == "zero"
        || migrations.get(arg).is_some()
        || (!arg.is_empty()
            && arg.chars().all(|c| c.is_ascii_digit())
            && migrations.migrations().iter().any(|m| m.name.strip_prefix(arg).is_some_and(|r| r.starts_with('_'))))
}

fn migrate<L: ModelList>(dir: &str, m: &ArgMatches, console: &mut Console<'_>) -> Result<u8> {
    let migrations = Migrations::from_dir(dir)?;
    let first = m.get_one::<String>("database").map(String::as_str);
    let second = m.get_one::<String>("target").cloned();
    // `migrate 0002` with DATABASE_URL set: the one argument is the target.
    let (database, target) = match (first, second) {
        (Some(one), None)
            if console.database_url.is_some() && names_migration(&migrations, one) && !Path::new(one).exists() =>
        {
            (None, Some(one.to_owned()))
        }
        (first, second) => (first, second),
    };
    let db = open(database, console)?;
    let latest = target.is_none();
    let output = RefCell::new(&mut *console.output);
    let progress = |line: &str| {
        let _ = writeln!(output.borrow_mut(), "  {line}");
    };
    let options =
        MigrateOptions { target, allow_destructive: m.get_flag("allow-destructive"), progress: Some(&progress) };
    let report = db.migrate(&migrations, &options)?;
    let output = output.into_inner();
    if !report.applied.is_empty() {
        let _ = writeln!(output, "Applied {}.", report.applied.join(", "));
    }
    if !report.unapplied.is_empty() {
        let _ = writeln!(output, "Unapplied {}.", report.unapplied.join(", "));
    }
    if latest {
        warn_if_behind::<L>(&db, &migrations, console.errors)?;
    }
    Ok(OK)
}

/// After `migrate` to the latest migration: says when the models have changes no
/// migration has, else when the database still differs from the models.
fn warn_if_behind<L: ModelList>(db: &Db, migrations: &Migrations, errors: &mut dyn Write) -> Result<()> {
    let models = Schema::from_models(&L::metas());
    let pending = autodetect::changes(&migrations.state()?, &models, &mut NonInteractive::new());
    if !matches!(&pending, Ok(ops) if ops.is_empty()) {
        let _ = writeln!(
            errors,
            "warning: the models have changes that no migration has yet: run makemigrations, then migrate"
        );
        return Ok(());
    }
    match db.check_schema::<L>() {
        Err(Error::SchemaMismatch { differences }) => {
            let _ = writeln!(errors, "warning: the database does not match the models:");
            for difference in differences {
                let _ = writeln!(errors, "  {difference}");
            }
            Ok(())
        }
        other => other,
    }
}

fn showmigrations(dir: &str, m: &ArgMatches, console: &mut Console<'_>) -> Result<u8> {
    let migrations = Migrations::from_dir(dir)?;
    let database = m.get_one::<String>("database").map(String::as_str).or(console.database_url.as_deref());
    let Some(database) = database else {
        let _ = writeln!(console.errors, "note: no DATABASE given nor DATABASE_URL set: the files only");
        for migration in migrations.migrations() {
            let _ = writeln!(console.output, "    {}", migration.name);
        }
        return Ok(OK);
    };
    let applied = open_existing(database)?.applied_migrations()?;
    for migration in migrations.migrations() {
        let mark = if applied.iter().any(|a| a.name == migration.name) { 'X' } else { ' ' };
        let _ = writeln!(console.output, "[{mark}] {}", migration.name);
    }
    for gone in applied.iter().filter(|a| migrations.get(&a.name).is_none()) {
        let _ = writeln!(console.output, "[X] {} (applied, but its file is gone)", gone.name);
    }
    if migrations.is_empty() && applied.is_empty() {
        let _ = writeln!(console.output, "(no migrations)");
    }
    Ok(OK)
}

fn sqlmigrate(dir: &str, m: &ArgMatches, console: &mut Console<'_>) -> Result<u8> {
    let migrations = Migrations::from_dir(dir)?;
    let name = m.get_one::<String>("name").map(String::as_str).unwrap_or_default();
    let database = m.get_one::<String>("database").map(String::as_str).or(console.database_url.as_deref());
    // The SQL depends only on the dialect: without a database, SQLite's.
    let db = match database {
        Some(database) => open_existing(database)?,
        None => Db::open_in_memory()?,
    };
    let statements = if m.get_flag("backwards") {
        db.sql_for_unapplying_migration(&migrations, name)?
    } else {
        db.sql_for_migration(&migrations, name)?
    };
    for statement in statements {
        let _ = writeln!(console.output, "{statement};");
    }
    Ok(OK)
}
