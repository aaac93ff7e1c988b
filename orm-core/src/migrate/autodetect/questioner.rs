//! The questions `makemigrations` asks: was a table or column renamed, and what value do
//! the rows that exist get in a new NOT NULL column. [`Interactive`] asks a person;
//! [`NonInteractive`] answers from the command line's flags and names the flag that
//! answers anything else.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

/// Answers the questions a diff of two schemas cannot settle by itself.
pub trait Questioner {
    /// Whether table `from` (gone from the models) was renamed to `to` (new in them):
    /// `true` keeps its rows, `false` drops it and creates `to`.
    fn rename_table(&mut self, from: &str, to: &str) -> Result<bool>;

    /// Whether column `from` of `table` (its name after any rename) was renamed to `to`.
    fn rename_column(&mut self, table: &str, from: &str, to: &str) -> Result<bool>;

    /// A one-off SQL literal (`0`, `''`, `'unknown'`) for the rows that exist, when
    /// `table.column` is added, or becomes, NOT NULL without a default.
    fn fill_value(&mut self, table: &str, column: &str) -> Result<String>;
}

/// The flag that accepts a rename.
pub const RENAME_FLAG: &str = "--rename";
/// The flag that declines a rename (a drop and an add).
pub const NO_RENAME_FLAG: &str = "--no-rename";
/// The flag that gives a one-off value.
pub const FILL_FLAG: &str = "--fill";

#[derive(Debug, Clone)]
struct Rename {
    /// The table, for a column rename.
    table: Option<String>,
    from: String,
    to: String,
    accept: bool,
    used: bool,
}

/// A [`Questioner`] for runs without a person (`makemigrations --noinput`, CI): the
/// answers are given up front, as the command line's flags. A question it has no answer
/// for is an [`Error::Migration`] naming the flag that answers it.
///
/// ```
/// use orm::migrate::{NonInteractive, Questioner};
/// let mut q = NonInteractive::from_flags(&["book.name=title"], &[] as &[&str], &["book.isbn=''"])?;
/// assert!(q.rename_column("book", "name", "title")?);
/// assert_eq!(q.fill_value("book", "isbn")?, "''");
/// let err = q.fill_value("book", "pages").unwrap_err();
/// assert!(err.to_string().contains("--fill book.pages=VALUE"));
/// # Ok::<(), orm::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct NonInteractive {
    renames: Vec<Rename>,
    fills: Vec<(String, String, String, bool)>,
    /// The tables renamed so far, new name to old: a flag may name a table either way.
    renamed: BTreeMap<String, String>,
}

fn flag_error(flag: &str, spec: &str, form: &str) -> Error {
    Error::Migration { message: format!("{flag} {spec}: expected {form}") }
}

fn plain(name: &str) -> bool {
    !name.is_empty() && !name.contains(['.', '='])
}

impl NonInteractive {
    /// A questioner with no answers: every question is an error.
    pub fn new() -> NonInteractive {
        NonInteractive::default()
    }

    /// The answers of the flags: `--rename` values (`book=volume`, `book.name=title`),
    /// `--no-rename` values (the same forms) and `--fill` values (`book.isbn=''`).
    pub fn from_flags<S: AsRef<str>>(renames: &[S], no_renames: &[S], fills: &[S]) -> Result<NonInteractive> {
        let mut q = NonInteractive::new();
        for spec in renames {
            q = q.rename(spec.as_ref())?;
        }
        for spec in no_renames {
            q = q.no_rename(spec.as_ref())?;
        }
        for spec in fills {
            q = q.fill(spec.as_ref())?;
        }
        Ok(q)
    }

    fn answer(mut self, flag: &str, spec: &str, accept: bool) -> Result<NonInteractive> {
        let form = "TABLE=NEW_NAME or TABLE.COLUMN=NEW_NAME";
        let (left, to) = spec.split_once('=').ok_or_else(|| flag_error(flag, spec, form))?;
        let (table, from) = match left.split_once('.') {
            Some((table, column)) => (Some(table.to_owned()), column),
            None => (None, left),
        };
        if !plain(from) || !plain(to) || table.as_deref().is_some_and(|t| !plain(t)) {
            return Err(flag_error(flag, spec, form));
        }
        self.renames.push(Rename { table, from: from.to_owned(), to: to.to_owned(), accept, used: false });
        Ok(self)
    }

    /// Accepts a rename: `book=volume` (a table) or `book.name=title` (a column).
    pub fn rename(self, spec: &str) -> Result<NonInteractive> {
        self.answer(RENAME_FLAG, spec, true)
    }

    /// Declines a rename (the old one is dropped, the new one added), in the same forms.
    pub fn no_rename(self, spec: &str) -> Result<NonInteractive> {
        self.answer(NO_RENAME_FLAG, spec, false)
    }

    /// A one-off value: `book.isbn=''` gives the rows that exist `''`.
    pub fn fill(mut self, spec: &str) -> Result<NonInteractive> {
        let form = "TABLE.COLUMN=VALUE, the value an SQL literal (0, '' or 'text')";
        let (left, value) = spec.split_once('=').ok_or_else(|| flag_error(FILL_FLAG, spec, form))?;
        let (table, column) = left.split_once('.').ok_or_else(|| flag_error(FILL_FLAG, spec, form))?;
        if !plain(table) || !plain(column) || value.trim().is_empty() {
            return Err(flag_error(FILL_FLAG, spec, form));
        }
        self.fills.push((table.to_owned(), column.to_owned(), value.trim().to_owned(), false));
        Ok(self)
    }

    /// The flags that answered no question, as written (`--rename book.x=y`): the
    /// command line can warn of a misspelt one.
    pub fn unused(&self) -> Vec<String> {
        let renames = self.renames.iter().filter(|r| !r.used).map(|r| {
            let flag = if r.accept { RENAME_FLAG } else { NO_RENAME_FLAG };
            match &r.table {
                Some(table) => format!("{flag} {table}.{}={}", r.from, r.to),
                None => format!("{flag} {}={}", r.from, r.to),
            }
        });
        let fills = self.fills.iter().filter(|f| !f.3).map(|(t, c, v, _)| format!("{FILL_FLAG} {t}.{c}={v}"));
        renames.chain(fills).collect()
    }

    /// Whether a flag's table names `table` (by its name, or its name before a rename).
    fn names_table(&self, flag: &str, table: &str) -> bool {
        flag == table || self.renamed.get(table).is_some_and(|old| old == flag)
    }
}

impl Questioner for NonInteractive {
    fn rename_table(&mut self, from: &str, to: &str) -> Result<bool> {
        let found = self.renames.iter_mut().find(|r| r.table.is_none() && r.from == from && r.to == to);
        let Some(answer) = found else {
            return Err(Error::Migration {
                message: format!(
                    "was table {from} renamed to {to}? Answer with {RENAME_FLAG} {from}={to} (keeps its rows) or \
                     {NO_RENAME_FLAG} {from}={to} (drops {from} with its rows, creates {to}), or run makemigrations \
                     interactively"
                ),
            });
        };
        answer.used = true;
        let accept = answer.accept;
        if accept {
            self.renamed.insert(to.to_owned(), from.to_owned());
        }
        Ok(accept)
    }

    fn rename_column(&mut self, table: &str, from: &str, to: &str) -> Result<bool> {
        let position = self.renames.iter().position(|r| {
            r.from == from && r.to == to && r.table.as_deref().is_some_and(|t| self.names_table(t, table))
        });
        let Some(i) = position else {
            return Err(Error::Migration {
                message: format!(
                    "was {table}.{from} renamed to {to}? Answer with {RENAME_FLAG} {table}.{from}={to} (keeps its \
                     values) or {NO_RENAME_FLAG} {table}.{from}={to} (drops {from} with its values, adds {to}), or \
                     run makemigrations interactively"
                ),
            });
        };
        self.renames[i].used = true;
        Ok(self.renames[i].accept)
    }

    fn fill_value(&mut self, table: &str, column: &str) -> Result<String> {
        let position = self.fills.iter().position(|(t, c, _, _)| c == column && self.names_table(t, table));
        let Some(i) = position else {
            return Err(Error::Migration {
                message: format!(
                    "{table}.{column} is NOT NULL without a default, so the rows that exist need a value: give one \
                     with {FILL_FLAG} {table}.{column}=VALUE (an SQL literal: 0, '' or 'text'), or give the field a \
                     default (#[orm(default = ..)]) or make it an Option"
                ),
            });
        };
        self.fills[i].3 = true;
        Ok(self.fills[i].2.clone())
    }
}

/// A [`Questioner`] that asks a person: prompts on `output`, answers read from `input`
/// (stdin and stdout with [`Interactive::stdio`]; anything for tests). A rename is
/// declined by an empty answer; the end of the input is an error.
#[derive(Debug)]
pub struct Interactive<R, W> {
    input: R,
    output: W,
}

impl Interactive<std::io::StdinLock<'static>, std::io::Stdout> {
    /// Asks on the terminal.
    pub fn stdio() -> Self {
        Interactive::new(std::io::stdin().lock(), std::io::stdout())
    }
}

fn io_error(e: std::io::Error) -> Error {
    Error::Migration { message: format!("cannot ask the question: {e}") }
}

impl<R: BufRead, W: Write> Interactive<R, W> {
    /// Asks on `output`, reads the answers from `input`.
    pub fn new(input: R, output: W) -> Self {
        Interactive { input, output }
    }

    /// The input and output back (a test reads what was asked).
    pub fn into_inner(self) -> (R, W) {
        (self.input, self.output)
    }

    /// One line of answer, trimmed; an error naming `question` at the input's end.
    fn answer(&mut self, prompt: &str, question: &str) -> Result<String> {
        write!(self.output, "{prompt}").and_then(|()| self.output.flush()).map_err(io_error)?;
        let mut line = String::new();
        if self.input.read_line(&mut line).map_err(io_error)? == 0 {
            return Err(Error::Migration { message: format!("the input ended before an answer to: {question}") });
        }
        Ok(line.trim().to_owned())
    }

    fn yes_or_no(&mut self, question: &str) -> Result<bool> {
        let prompt = format!("{question} [y/N] ");
        loop {
            match self.answer(&prompt, question)?.to_ascii_lowercase().as_str() {
                "y" | "yes" => return Ok(true),
                "" | "n" | "no" => return Ok(false),
                _ => writeln!(self.output, "Please answer y or n.").map_err(io_error)?,
            }
        }
    }
}

impl<R: BufRead, W: Write> Questioner for Interactive<R, W> {
    fn rename_table(&mut self, from: &str, to: &str) -> Result<bool> {
        self.yes_or_no(&format!("Was table {from} renamed to {to}?"))
    }

    fn rename_column(&mut self, table: &str, from: &str, to: &str) -> Result<bool> {
        self.yes_or_no(&format!("Was {table}.{from} renamed to {table}.{to}?"))
    }

    fn fill_value(&mut self, table: &str, column: &str) -> Result<String> {
        writeln!(self.output, "{table}.{column} is NOT NULL without a default: the rows that exist need a value.")
            .map_err(io_error)?;
        let prompt = "Enter a one-off SQL literal for them (0, '' or 'text'), or nothing to stop: ";
        let value = self.answer(prompt, &format!("the value of {table}.{column} in the rows that exist"))?;
        if value.is_empty() {
            return Err(Error::Migration {
                message: format!(
                    "stopped: {table}.{column} needs a value for the rows that exist; give the field a default \
                     (#[orm(default = ..)]) or make it an Option, or answer with a value"
                ),
            });
        }
        Ok(value)
    }
}
