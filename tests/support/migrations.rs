//! Helpers of the migration tests: a history built from operations, tables and
//! columns taken from models, and rows read back as text.
#![allow(dead_code)]

use orm::migrate::{Migration, Migrations, Operation};
use orm::prelude::*;
use orm::schema::{Column, Table};
use orm::{ForeignKey, Value};

/// A project's migrations, built one at a time.
#[derive(Debug, Clone)]
pub struct Project {
    pub history: Vec<Migration>,
}

impl Project {
    /// `0001_initial` with these operations.
    pub fn new(operations: Vec<Operation>) -> Project {
        let mut project = Project { history: Vec::new() };
        project.then("initial", operations);
        project
    }

    /// The next migration, `NNNN_<words>`, after the last one.
    pub fn then(&mut self, words: &str, operations: Vec<Operation>) -> &mut Project {
        let name = format!("{:04}_{words}", self.history.len() + 1);
        let dependencies = self.history.last().map(|m| m.name.clone()).into_iter().collect();
        self.history.push(Migration { name, dependencies, operations });
        self
    }

    /// The migrations as files (each migration's rendered text and its checksum).
    pub fn files(&self) -> Migrations {
        Migrations::from_migrations(self.history.clone()).expect("the history renders and parses")
    }
}

/// `CreateTable` of a model's table.
pub fn create<M: Model>() -> Operation {
    Operation::CreateTable(Table::from_model(M::META))
}

/// The column `name` of a model's table.
pub fn column<M: Model>(name: &str) -> Column {
    Table::from_model(M::META).column(name).unwrap_or_else(|| panic!("no column {name}")).clone()
}

/// One line of text per row.
#[derive(Model, Debug, Clone)]
#[orm(table = "line_of_text")]
pub struct Line {
    #[orm(primary_key)]
    pub line: String,
}

/// The rows of `table`, ordered by their first column: `a|b|c`, NULL as `-`.
pub fn dump(db: &Db, table: &str, columns: &[&str]) -> orm::Result<Vec<String>> {
    let parts: Vec<String> = columns.iter().map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '-')")).collect();
    let sql = format!("SELECT {} AS line FROM \"{table}\" ORDER BY \"{}\"", parts.join(" || '|' || "), columns[0]);
    Ok(db.raw::<Line>(&sql, &[])?.into_iter().map(|l| l.line).collect())
}

/// The names of the indexes of `table` that are not a key's or a unique constraint's,
/// in order.
pub fn index_names(db: &Db, table: &str) -> orm::Result<Vec<String>> {
    let sqlite = db.raw::<Line>(
        "SELECT name AS line FROM sqlite_master WHERE type = 'index' AND tbl_name = ? \
         AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name",
        &[Value::from(table)],
    );
    match sqlite {
        Ok(lines) => Ok(lines.into_iter().map(|l| l.line).collect()),
        Err(_) => Ok(db
            .raw::<Line>(
                "SELECT CAST(i.indexname AS TEXT) AS line FROM pg_indexes i WHERE i.schemaname = current_schema() \
                 AND i.tablename = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname \
                 AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) \
                 ORDER BY 1",
                &[Value::from(table)],
            )?
            .into_iter()
            .map(|l| l.line)
            .collect()),
    }
}

// The first version of the bookshop, which every test starts from.

#[derive(Model, Debug, Clone)]
#[orm(table = "author")]
pub struct Author {
    pub id: i64,
    #[orm(max_length = 100)]
    pub name: String,
    pub birth_year: Option<i32>,
}

#[derive(Model, Debug, Clone)]
#[orm(table = "book")]
pub struct Book {
    pub id: i64,
    #[orm(max_length = 200, index)]
    pub title: String,
    #[orm(on_delete = "cascade")]
    pub author: ForeignKey<Author>,
    pub year: i32,
}

pub type V1 = (Author, Book);

/// The first version's tables (`0001_initial`, applied), two authors and three books.
pub fn initial(db: &crate::backends::TestDb) -> orm::Result<Project> {
    let project = Project::new(vec![create::<Author>(), create::<Book>()]);
    db.migrate(&project.files(), &orm::migrate::MigrateOptions::new())?;
    for (name, born) in [("Orwell", Some(1903)), ("Anonymous", None)] {
        db.execute(
            &db.sql("INSERT INTO author (name, birth_year) VALUES (?, ?)"),
            &[name.into(), born.map_or(Value::Null, Value::Int32)],
        )?;
    }
    for (title, author, year) in [("1984", 1, 1949), ("Animal Farm", 1, 1945), ("Beowulf", 2, 1000)] {
        db.execute(
            &db.sql("INSERT INTO book (title, author_id, year) VALUES (?, ?, ?)"),
            &[title.into(), Value::Integer(author), Value::Int32(year)],
        )?;
    }
    Ok(project)
}

/// [`initial`]'s rows.
pub const AUTHORS: [&str; 2] = ["1|Orwell|1903", "2|Anonymous|-"];
pub const BOOKS: [&str; 3] = ["1|1984|1|1949", "2|Animal Farm|1|1945", "3|Beowulf|2|1000"];

pub fn author_rows(db: &Db) -> orm::Result<Vec<String>> {
    dump(db, "author", &["id", "name", "birth_year"])
}

pub fn book_rows(db: &Db) -> orm::Result<Vec<String>> {
    dump(db, "book", &["id", "title", "author_id", "year"])
}
