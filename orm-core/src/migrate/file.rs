//! Migration files: the readable text of a [`Migration`] (`NNNN_name.mig`), its
//! checksum, and [`Migrations`], the ordered set a project keeps in its `migrations/`
//! folder (read from the folder, or compiled in by `embed_migrations!`).
//!
//! The format, one operation a line (a table's creation is a block ending in `end`);
//! `#` starts a comment; names that are not plain identifiers and every SQL literal are
//! written in double quotes (`\"` and `\\` escape):
//!
//! ```text
//! # Migration 0002_book_isbn, written by makemigrations.
//! depends on 0001_initial
//!
//! create table tag model Tag
//!     column id int64 auto
//!     column name text max_length 50 unique
//!     column parent_id int64 null references tag.id on delete set null
//!     primary key (id)
//!     unique together (name, parent_id)
//!     index (parent_id)
//! end
//! add column book.isbn text max_length 13 fill "''"
//! alter column book.title text null default "'untitled'"
//! rename column book.name to title
//! drop column book.subtitle
//! rename table book to volume
//! drop table pamphlet
//! add index book (title, published_year)
//! remove index book (title)
//! alter unique together book (title, author_id), (isbn)
//! ```
//!
//! A column is NOT NULL unless marked `null`. Its type is one of `int16 int32 int64
//! uint8 uint16 uint32 float32 float64 bool text bytes date timestamp timestamptz
//! decimal uuid json`; `on delete` is `cascade`, `set null`, `protect`, `restrict` or
//! `do nothing`. `fill` is the one-off value for the rows that exist (an added NOT NULL
//! column without a default, a column that becomes NOT NULL).

use super::{Migration, Operation};
use crate::error::{Error, Result};
use crate::meta::OnDelete;
use crate::schema::{Column, Reference, Table};
use crate::value::ColumnType;
use std::fmt::Write as _;

mod set;
mod text;

pub use set::Migrations;
use text::{quoted_name, quoted_text, Lines};

/// The extension of migration files.
pub const EXTENSION: &str = "mig";

/// A stable digest of a migration file's text: FNV-1a over its bytes, as 16 hex digits.
/// `migrate` records it, and refuses a history whose applied files changed since.
///
/// Line ends are read as `\n` whatever the checkout wrote (a `\r\n` from git's
/// `autocrlf` on Windows is not an edit), so the same file has one checksum everywhere.
pub fn checksum(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut bytes = text.bytes().peekable();
    while let Some(byte) = bytes.next() {
        if byte == b'\r' && bytes.peek() == Some(&b'\n') {
            continue;
        }
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The file text of `migration` (what `makemigrations` writes); [`parse`] reads it back
/// as the same migration.
///
/// ```
/// use orm::migrate::{parse, render, Migration, Operation};
///
/// let migration = Migration {
///     name: "0002_remove_book_blurb".into(),
///     dependencies: vec!["0001_initial".into()],
///     operations: vec![Operation::DropColumn { table: "book".into(), column: "blurb".into() }],
/// };
/// let text = render(&migration);
/// assert!(text.ends_with("\ndepends on 0001_initial\n\ndrop column book.blurb\n"), "{text}");
/// assert_eq!(parse("0002_remove_book_blurb.mig", &text)?, migration);
/// # Ok::<(), orm::Error>(())
/// ```
pub fn render(migration: &Migration) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Migration {}, written by makemigrations: review it and keep it with the code.",
        migration.name
    );
    out.push_str("# Columns are NOT NULL unless marked null; SQL literals are in double quotes.\n");
    if !migration.dependencies.is_empty() {
        let names: Vec<String> = migration.dependencies.iter().map(|d| quoted_name(d)).collect();
        let _ = writeln!(out, "depends on {}", names.join(", "));
    }
    let mut previous_block = true;
    for op in &migration.operations {
        let block = matches!(op, Operation::CreateTable(_));
        if block || previous_block {
            out.push('\n');
        }
        previous_block = block;
        render_operation(op, &mut out);
    }
    out
}

fn render_operation(op: &Operation, out: &mut String) {
    let n = |name: &str| quoted_name(name);
    let _ = match op {
        Operation::CreateTable(table) => {
            out.push_str("create table ");
            out.push_str(&n(&table.name));
            if let Some(model) = &table.model {
                out.push_str(" model ");
                out.push_str(&n(model));
            }
            out.push('\n');
            for column in &table.columns {
                let _ = writeln!(out, "    column {}{}", n(&column.name), column_spec(column));
            }
            if !table.primary_key.is_empty() {
                let _ = writeln!(out, "    primary key {}", name_list(&table.primary_key));
            }
            for group in &table.unique_together {
                let _ = writeln!(out, "    unique together {}", name_list(group));
            }
            for index in &table.indexes {
                let _ = writeln!(out, "    index {}", name_list(index));
            }
            writeln!(out, "end")
        }
        Operation::DropTable { table } => writeln!(out, "drop table {}", n(table)),
        Operation::RenameTable { from, to } => writeln!(out, "rename table {} to {}", n(from), n(to)),
        Operation::AddColumn { table, column, fill } => {
            writeln!(out, "add column {}.{}{}{}", n(table), n(&column.name), column_spec(column), fill_spec(fill))
        }
        Operation::AlterColumn { table, column, fill } => {
            writeln!(out, "alter column {}.{}{}{}", n(table), n(&column.name), column_spec(column), fill_spec(fill))
        }
        Operation::DropColumn { table, column } => writeln!(out, "drop column {}.{}", n(table), n(column)),
        Operation::RenameColumn { table, from, to } => {
            writeln!(out, "rename column {}.{} to {}", n(table), n(from), n(to))
        }
        Operation::AddIndex { table, columns } => writeln!(out, "add index {} {}", n(table), name_list(columns)),
        Operation::RemoveIndex { table, columns } => {
            writeln!(out, "remove index {} {}", n(table), name_list(columns))
        }
        Operation::AlterUniqueTogether { table, groups } => {
            let groups = if groups.is_empty() {
                "none".to_owned()
            } else {
                groups.iter().map(|g| name_list(g)).collect::<Vec<_>>().join(", ")
            };
            writeln!(out, "alter unique together {} {groups}", n(table))
        }
    };
}

/// ` <type> [null] [auto] [unique] [max_length N] [default "SQL"] [references t.c on delete ..]`.
fn column_spec(column: &Column) -> String {
    let mut out = format!(" {}", type_name(column.column_type));
    if column.nullable {
        out.push_str(" null");
    }
    if column.auto {
        out.push_str(" auto");
    }
    if column.unique {
        out.push_str(" unique");
    }
    if let Some(max) = column.max_length {
        let _ = write!(out, " max_length {max}");
    }
    if let Some(default) = &column.default {
        let _ = write!(out, " default {}", quoted_text(default));
    }
    if let Some(r) = &column.references {
        let _ = write!(
            out,
            " references {}.{} on delete {}",
            quoted_name(&r.table),
            quoted_name(&r.column),
            on_delete_name(r.on_delete)
        );
    }
    out
}

fn fill_spec(fill: &Option<String>) -> String {
    fill.as_ref().map(|f| format!(" fill {}", quoted_text(f))).unwrap_or_default()
}

fn name_list(names: &[String]) -> String {
    format!("({})", names.iter().map(|n| quoted_name(n)).collect::<Vec<_>>().join(", "))
}

/// Every column type, in the order the format lists them.
const TYPES: [ColumnType; 17] = [
    ColumnType::Int16,
    ColumnType::Int32,
    ColumnType::Int64,
    ColumnType::UInt8,
    ColumnType::UInt16,
    ColumnType::UInt32,
    ColumnType::Float32,
    ColumnType::Float64,
    ColumnType::Bool,
    ColumnType::Text,
    ColumnType::Bytes,
    ColumnType::Date,
    ColumnType::Timestamp,
    ColumnType::TimestampTz,
    ColumnType::Decimal,
    ColumnType::Uuid,
    ColumnType::Json,
];

/// A type's word in the file (a new `ColumnType` fails to compile here: add it to
/// `TYPES` too).
fn type_name(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Int16 => "int16",
        ColumnType::Int32 => "int32",
        ColumnType::Int64 => "int64",
        ColumnType::UInt8 => "uint8",
        ColumnType::UInt16 => "uint16",
        ColumnType::UInt32 => "uint32",
        ColumnType::Float32 => "float32",
        ColumnType::Float64 => "float64",
        ColumnType::Bool => "bool",
        ColumnType::Text => "text",
        ColumnType::Bytes => "bytes",
        ColumnType::Date => "date",
        ColumnType::Timestamp => "timestamp",
        ColumnType::TimestampTz => "timestamptz",
        ColumnType::Decimal => "decimal",
        ColumnType::Uuid => "uuid",
        ColumnType::Json => "json",
    }
}

fn on_delete_name(on_delete: OnDelete) -> &'static str {
    match on_delete {
        OnDelete::Cascade => "cascade",
        OnDelete::SetNull => "set null",
        OnDelete::Protect => "protect",
        OnDelete::Restrict => "restrict",
        OnDelete::DoNothing => "do nothing",
    }
}

/// `NNNN_name` and `NNNN_name.mig` from either; an error unless it is of that form.
fn names_of(name: &str) -> Result<(String, String)> {
    let stem = name.strip_suffix(".mig").unwrap_or(name);
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    let words = stem.get(digits..).and_then(|rest| rest.strip_prefix('_')).unwrap_or("");
    if digits == 0 || words.is_empty() || !words.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(Error::Migration {
            message: format!(
                "`{name}` is not a migration file name: migration files are named NNNN_words.{EXTENSION} \
                 (digits, an underscore, then letters, digits or underscores)"
            ),
        });
    }
    Ok((stem.to_owned(), format!("{stem}.{EXTENSION}")))
}

/// The number a migration's name starts with.
fn number(name: &str) -> u64 {
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(u64::MAX)
}

/// Reads a migration file's text. `name` is its file name (`0002_book_isbn.mig`, or
/// without the extension), which names the migration; an error says the file and line
/// of what it cannot read.
pub fn parse(name: &str, text: &str) -> Result<Migration> {
    let (stem, file) = names_of(name)?;
    let mut lines = Lines::new(&file, text);
    let mut migration = Migration { name: stem, dependencies: Vec::new(), operations: Vec::new() };
    while let Some(mut line) = lines.next_line()? {
        let first = line.word()?;
        let op = match first.as_str() {
            "depends" => {
                if !migration.operations.is_empty() {
                    return Err(line.error("`depends on` comes before the operations"));
                }
                line.keyword("on")?;
                loop {
                    migration.dependencies.push(line.name()?);
                    if !line.eat_punct(',') {
                        break;
                    }
                }
                line.end()?;
                continue;
            }
            "create" => {
                line.keyword("table")?;
                let name = line.name()?;
                let model = if line.eat("model") { Some(line.name()?) } else { None };
                line.end()?;
                Operation::CreateTable(table_block(&mut lines, name, model)?)
            }
            "drop" => match line.word()?.as_str() {
                "table" => Operation::DropTable { table: line.name()? },
                "column" => {
                    let (table, column) = line.qualified()?;
                    Operation::DropColumn { table, column }
                }
                other => return Err(line.error(&format!("expected `table` or `column` after `drop`, found `{other}`"))),
            },
            "rename" => match line.word()?.as_str() {
                "table" => {
                    let from = line.name()?;
                    line.keyword("to")?;
                    Operation::RenameTable { from, to: line.name()? }
                }
                "column" => {
                    let (table, from) = line.qualified()?;
                    line.keyword("to")?;
                    Operation::RenameColumn { table, from, to: line.name()? }
                }
                other => {
                    return Err(line.error(&format!("expected `table` or `column` after `rename`, found `{other}`")))
                }
            },
            "add" | "alter" if line.eat("column") => {
                let (table, name) = line.qualified()?;
                let column = column_spec_of(&mut line, name)?;
                let fill = if line.eat("fill") { Some(line.text()?) } else { None };
                if first == "add" {
                    Operation::AddColumn { table, column, fill }
                } else {
                    Operation::AlterColumn { table, column, fill }
                }
            }
            "add" | "remove" if line.eat("index") => {
                let table = line.name()?;
                let columns = line.name_list()?;
                if first == "add" {
                    Operation::AddIndex { table, columns }
                } else {
                    Operation::RemoveIndex { table, columns }
                }
            }
            "alter" if line.eat("unique") => {
                line.keyword("together")?;
                let table = line.name()?;
                let mut groups = Vec::new();
                if !line.eat("none") {
                    loop {
                        groups.push(line.name_list()?);
                        if !line.eat_punct(',') {
                            break;
                        }
                    }
                }
                Operation::AlterUniqueTogether { table, groups }
            }
            "add" | "remove" | "alter" => {
                let what = if first == "alter" { "`column` or `unique together`" } else { "`column` or `index`" };
                return Err(line.error(&format!("expected {what} after `{first}`, found {}", line.found())));
            }
            other => {
                return Err(line.error(&format!(
                    "expected an operation (create, drop, rename, add, alter, remove) or `depends on`, found `{other}`"
                )))
            }
        };
        line.end()?;
        migration.operations.push(op);
    }
    Ok(migration)
}

/// The lines of a `create table` block, up to its `end`.
fn table_block(lines: &mut Lines<'_>, name: String, model: Option<String>) -> Result<Table> {
    let start = lines.line_number();
    let mut table = Table {
        name,
        model,
        columns: Vec::new(),
        primary_key: Vec::new(),
        unique_together: Vec::new(),
        indexes: Vec::new(),
    };
    loop {
        let Some(mut line) = lines.next_line()? else {
            return Err(lines.error_at(start, &format!("`create table {}` has no `end`", table.name)));
        };
        match line.word()?.as_str() {
            "end" => {
                line.end()?;
                return Ok(table);
            }
            "column" => {
                let name = line.name()?;
                table.columns.push(column_spec_of(&mut line, name)?);
            }
            "primary" => {
                line.keyword("key")?;
                table.primary_key = line.name_list()?;
            }
            "unique" => {
                line.keyword("together")?;
                table.unique_together.push(line.name_list()?);
            }
            "index" => table.indexes.push(line.name_list()?),
            other => {
                return Err(line.error(&format!(
                    "expected `column`, `primary key`, `unique together`, `index` or `end` in `create table {}`, \
                     found `{other}`",
                    table.name
                )))
            }
        }
        line.end()?;
    }
}

/// A column's type and attributes, up to what is not one (`fill`, or the line's end).
fn column_spec_of(line: &mut text::Line<'_>, name: String) -> Result<Column> {
    let word = line.word()?;
    let Some(column_type) = TYPES.into_iter().find(|&t| type_name(t) == word) else {
        let names: Vec<&str> = TYPES.iter().map(|&t| type_name(t)).collect();
        return Err(line.error(&format!("expected a column type ({}), found `{word}`", names.join(", "))));
    };
    let mut column = Column {
        name,
        column_type,
        nullable: false,
        auto: false,
        unique: false,
        default: None,
        max_length: None,
        references: None,
    };
    loop {
        if line.eat("null") {
            column.nullable = true;
        } else if line.eat("auto") {
            column.auto = true;
        } else if line.eat("unique") {
            column.unique = true;
        } else if line.eat("max_length") {
            let word = line.word()?;
            column.max_length = Some(
                word.parse()
                    .map_err(|_| line.error(&format!("expected a length after `max_length`, found `{word}`")))?,
            );
        } else if line.eat("default") {
            column.default = Some(line.text()?);
        } else if line.eat("references") {
            let (table, column_name) = line.qualified()?;
            line.keyword("on")?;
            line.keyword("delete")?;
            let on_delete = match line.word()?.as_str() {
                "cascade" => OnDelete::Cascade,
                "set" => line.keyword("null").map(|_| OnDelete::SetNull)?,
                "protect" => OnDelete::Protect,
                "restrict" => OnDelete::Restrict,
                "do" => line.keyword("nothing").map(|_| OnDelete::DoNothing)?,
                other => {
                    return Err(line.error(&format!(
                        "expected cascade, set null, protect, restrict or do nothing after `on delete`, found `{other}`"
                    )))
                }
            };
            column.references = Some(Reference { table, column: column_name, on_delete });
        } else {
            return Ok(column);
        }
    }
}

/// The name of the next migration: its number after the last one's, then `custom`
/// (other characters than letters, digits and `_` become `_`), or `initial` for the
/// first, or words from the operations as Django names them (`0002_book_isbn` for a
/// column `isbn` added to `book`; several joined up to 52 characters, then `_and_more`).
pub fn next_name(existing: &Migrations, operations: &[Operation], custom: Option<&str>) -> String {
    let next = existing.migrations().iter().map(|m| number(&m.name)).max().map_or(1, |n| n.saturating_add(1));
    let custom = custom.map(words).filter(|w| !w.is_empty());
    let words = match custom {
        Some(custom) => custom,
        None if existing.is_empty() => "initial".to_owned(),
        None => suggest_name(operations),
    };
    format!("{next:04}_{words}")
}

fn words(text: &str) -> String {
    let mapped: String = text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    mapped.trim_matches('_').to_owned()
}

fn suggest_name(operations: &[Operation]) -> String {
    let fragment = |op: &Operation| -> String {
        words(&match op {
            Operation::CreateTable(table) => table.name.clone(),
            Operation::DropTable { table } => format!("delete_{table}"),
            Operation::RenameTable { from, to } => format!("rename_{from}_{to}"),
            Operation::AddColumn { table, column, .. } => format!("{table}_{}", column.name),
            Operation::DropColumn { table, column } => format!("remove_{table}_{column}"),
            Operation::RenameColumn { table, from, to } => format!("rename_{from}_{table}_{to}"),
            Operation::AlterColumn { table, column, .. } => format!("alter_{table}_{}", column.name),
            Operation::AddIndex { table, columns } => format!("{table}_{}_idx", columns.join("_")),
            Operation::RemoveIndex { table, columns } => format!("remove_{table}_{}_idx", columns.join("_")),
            Operation::AlterUniqueTogether { table, .. } => format!("alter_{table}_unique_together"),
        })
    };
    let mut fragments = operations.iter().map(fragment).filter(|f| !f.is_empty());
    let Some(mut name) = fragments.next() else { return "empty".to_owned() };
    for fragment in fragments {
        if name.len() + 1 + fragment.len() > 52 {
            name.push_str("_and_more");
            break;
        }
        name = format!("{name}_{fragment}");
    }
    name
}

#[cfg(test)]
mod tests;
