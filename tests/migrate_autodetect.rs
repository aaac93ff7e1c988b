//! `makemigrations`' part: the operations found between the state the migration files
//! build and the models' schema, the questions they ask, and the files they are
//! written to.
//!
//! The property: for random pairs of schemas (one derived from the other by renames,
//! added, dropped and altered columns and tables, indexes, groups and link tables), the
//! operations found apply one by one to the old state in an order a database accepts,
//! reach the new state, find nothing more to do from there, undo back to the old state
//! when each is reversible, and read back from their file as written; whatever the
//! questioner answers about renames. On SQLite and PostgreSQL, the same migrations
//! apply to a database (and the second is undone) without an error.

#[path = "support/backends.rs"]
mod backends;
use backends::Backend;
use orm::migrate::{
    changes, next_name, parse, render, state_of, MigrateOptions, Migration, Migrations, NonInteractive, Operation,
    Questioner,
};
use orm::prelude::*;
use orm::schema::{Column, Reference, Schema, Table};
use orm::{ColumnType, ForeignKey, ManyToMany, ModelList, OnDelete};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::collections::BTreeMap;

/// The parts of a schema migrations keep: every table's columns, keys, references,
/// indexes and groups, but not the order of columns (an added column comes last), of
/// indexes or of groups, nor the model's name (the database does not hold it).
fn comparable(schema: &Schema) -> Schema {
    let mut out = schema.clone();
    for table in out.tables.values_mut() {
        table.model = None;
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
        table.indexes.sort();
        table.unique_together.sort();
    }
    out
}

fn schema_of<L: ModelList>() -> Schema {
    Schema::from_models(&L::metas())
}

/// Each operation applies in an order a database accepts: a table or column is
/// referenced only once it exists, and dropped only once nothing references it.
fn check_order(state: &Schema, op: &Operation) -> Result<(), String> {
    let exists = |t: &str| state.tables.contains_key(t);
    let referenced_by = |table: &str, column: Option<&str>| {
        state.tables.values().flat_map(|t| t.columns.iter().map(move |c| (t, c))).find(|(t, c)| {
            c.references.as_ref().is_some_and(|r| {
                r.table == table && column.is_none_or(|col| r.column == col) && (column.is_some() || t.name != table)
            })
        })
    };
    match op {
        Operation::CreateTable(t) => {
            for c in &t.columns {
                if let Some(r) = c.references.as_ref().filter(|r| r.table != t.name && !exists(&r.table)) {
                    return Err(format!("{} created before {}, which it references", t.name, r.table));
                }
            }
        }
        Operation::AddColumn { column, .. } | Operation::AlterColumn { column, .. } => {
            if let Some(r) = column.references.as_ref().filter(|r| !exists(&r.table)) {
                return Err(format!("{} references {}, which does not exist yet", column.name, r.table));
            }
        }
        Operation::DropTable { table } => {
            if let Some((t, c)) = referenced_by(table, None) {
                return Err(format!("{table} dropped while {}.{} references it", t.name, c.name));
            }
        }
        Operation::DropColumn { table, column } => {
            if let Some((t, c)) = referenced_by(table, Some(column)) {
                return Err(format!("{table}.{column} dropped while {}.{} references it", t.name, c.name));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Answers renames by `mood`: 0 as the edits did them, 1 never, 2 always, 3 by a hash
/// of the question; one-off values are a literal of the column's type in `to`.
struct Oracle {
    truth: Vec<String>,
    mood: u8,
    asked: Vec<String>,
    to: Schema,
}

impl Oracle {
    fn answer(&mut self, question: String) -> bool {
        let yes = match self.mood {
            0 => self.truth.contains(&question),
            1 => false,
            2 => true,
            _ => question.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 2 == 0,
        };
        self.asked.push(question);
        yes
    }
}

impl Questioner for Oracle {
    fn rename_table(&mut self, from: &str, to: &str) -> orm::Result<bool> {
        Ok(self.answer(format!("{from}={to}")))
    }
    fn rename_column(&mut self, table: &str, from: &str, to: &str) -> orm::Result<bool> {
        Ok(self.answer(format!("{table}.{from}={to}")))
    }
    fn fill_value(&mut self, table: &str, column: &str) -> orm::Result<String> {
        let column_type = self.to.tables.get(table).and_then(|t| t.column(column)).map(|c| c.column_type);
        Ok(match column_type {
            Some(ColumnType::Text) => "''",
            Some(ColumnType::Bool) => "FALSE",
            Some(ColumnType::Date) => "'2000-01-01'",
            _ => "0",
        }
        .into())
    }
}

#[path = "migrate_autodetect/random.rs"]
mod random;

fn check_pair(from: &Schema, to: &Schema, truth: Vec<String>, mood: u8) -> Result<(), TestCaseError> {
    let mut oracle = Oracle { truth, mood, asked: vec![], to: to.clone() };
    let ops = changes(from, to, &mut oracle).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut state = from.clone();
    let mut reverses = Vec::new();
    for op in &ops {
        check_order(&state, op).map_err(|e| TestCaseError::fail(format!("{e}\n{ops:#?}")))?;
        reverses.push(op.reverse(&state));
        op.apply(&mut state).map_err(|e| TestCaseError::fail(format!("{}: {e}", op.describe())))?;
    }
    prop_assert_eq!(comparable(&state), comparable(to), "asked {:?}\n{:#?}", oracle.asked, ops);

    let mut again = Oracle { truth: vec![], mood: 2, asked: vec![], to: to.clone() };
    let more = changes(&state, to, &mut again).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(more.is_empty() && again.asked.is_empty(), "more: {:?} {:?}", more, again.asked);

    if let Some(reverses) = reverses.into_iter().collect::<Option<Vec<Operation>>>() {
        for op in reverses.iter().rev() {
            check_order(&state, op).map_err(|e| TestCaseError::fail(format!("undoing: {e}")))?;
            op.apply(&mut state).map_err(|e| TestCaseError::fail(format!("undoing {}: {e}", op.describe())))?;
        }
        prop_assert_eq!(comparable(&state), comparable(from), "undone");
    }

    let migration = Migration { name: "0002_auto".into(), dependencies: vec!["0001_initial".into()], operations: ops };
    let text = render(&migration);
    prop_assert_eq!(parse("0002_auto.mig", &text).map_err(|e| TestCaseError::fail(e.to_string()))?, migration);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_operations_found_turn_the_old_state_into_the_new_one(
        base in random::schema(),
        edits in prop::collection::vec(random::edit(), 0..10),
        mood in 0u8..4,
    ) {
        let (from, to, truth) = random::pair(&base, &edits);
        check_pair(&from, &to, truth, mood)?;
    }

    #[test]
    fn from_nothing_every_table_is_created_in_an_order_that_applies(base in random::schema()) {
        let (_, to, _) = random::pair(&base, &[]);
        check_pair(&Schema::default(), &to, vec![], 0)?;
    }
}

/// The migrations to `from` and on to `to`, applied to a fresh database, then the second
/// undone when it can be: the order found is one the database accepts, and so is each
/// operation's DDL.
fn on_database(backend: Backend, base: &random::Base, edits: &[random::Edit], mood: u8) -> Result<(), TestCaseError> {
    let fail = |what: &str, e: orm::Error| TestCaseError::fail(format!("{what}: {e}"));
    let db = match backend {
        Backend::Sqlite => backends::sqlite(),
        Backend::Postgres => backends::postgres("migrate_autodetect_db").map(|db| db.expect("a server")),
    }
    .map_err(|e| fail("database", e))?;
    let (from, to, truth) = random::pair(base, edits);
    let mut oracle = Oracle { truth, mood, asked: vec![], to: to.clone() };
    let initial = changes(&Schema::default(), &from, &mut oracle).map_err(|e| fail("changes", e))?;
    let change = changes(&from, &to, &mut oracle).map_err(|e| fail("changes", e))?;
    let mut state = from.clone();
    let mut reversible = true;
    for op in &change {
        if let Operation::AlterColumn { table, column, .. } = op {
            let before = state.tables[table].column(&column.name).expect("the column altered");
            // PostgreSQL casts neither way between a date and a number, nor a bool and
            // most numbers: such a change fails (and changes nothing) whatever its order.
            prop_assume!(castable(before.column_type, column.column_type));
        }
        reversible &= op.reverse(&state).is_some();
        op.apply(&mut state).map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    let migrations = Migrations::from_migrations(vec![
        Migration { name: "0001_initial".into(), dependencies: vec![], operations: initial },
        Migration { name: "0002_change".into(), dependencies: vec!["0001_initial".into()], operations: change },
    ])
    .map_err(|e| fail("files", e))?;
    let sql = |name: &str| db.sql_for_migration(&migrations, name).map(|s| s.join(";\n")).unwrap_or_default();
    let options = || MigrateOptions::new().allow_destructive(true);
    db.migrate(&migrations, &options().target("0001_initial")).map_err(|e| fail(&sql("0001_initial"), e))?;
    db.migrate(&migrations, &options())
        .map_err(|e| fail(&format!("{}\n{:#?}", sql("0002_change"), migrations.migrations()[1]), e))?;
    if reversible {
        db.migrate(&migrations, &options().target("0001_initial")).map_err(|e| fail("undoing 0002_change", e))?;
    }
    Ok(())
}

/// Whether PostgreSQL's CAST turns one of these types into the other.
fn castable(a: ColumnType, b: ColumnType) -> bool {
    use ColumnType::*;
    let number = |t| matches!(t, Int16 | Int32 | Int64 | Float32 | Float64 | Decimal);
    a == b || a == Text || b == Text || (number(a) && number(b)) || matches!((a, b), (Bool, Int32) | (Int32, Bool))
}

backend_tests! {
    /// Random pairs of schemas on a database of their own each (a PostgreSQL schema).
    fn the_operations_found_apply_to_a_database_and_back(db) {
        let backend = db.backend();
        let config = ProptestConfig { source_file: Some(file!()), ..ProptestConfig::with_cases(48) };
        let cases = (random::schema(), prop::collection::vec(random::edit(), 0..10), 0u8..4);
        if let Err(failure) = TestRunner::new(config).run(&cases, |(base, edits, mood)| on_database(backend, &base, &edits, mood)) {
            panic!("{failure}");
        }
        Ok(())
    }
}

// The bookshop in three versions, as a user evolves it: derive models, and the files
// makemigrations writes between them.

mod v1 {
    use super::*;

    #[derive(Model, Debug, Clone)]
    pub struct Author {
        pub id: i64,
        #[orm(max_length = 100)]
        pub name: String,
    }

    #[derive(Model, Debug, Clone)]
    pub struct Book {
        pub id: i64,
        pub title: String,
        pub author: ForeignKey<Author>,
    }
}

mod v2 {
    use super::*;
    pub use v1::Author;

    #[derive(Model, Debug, Clone)]
    pub struct Book {
        pub id: i64,
        pub title: String,
        pub author: ForeignKey<Author>,
        pub isbn: String,
        #[orm(index)]
        pub year: Option<i32>,
    }
}

mod v3 {
    use super::*;
    pub use v1::Author;

    #[derive(Model, Debug, Clone)]
    pub struct Book {
        pub id: i64,
        pub headline: String,
        pub author: ForeignKey<Author>,
        pub isbn: String,
        pub tags: ManyToMany<Tag>,
    }

    #[derive(Model, Debug, Clone)]
    pub struct Tag {
        pub id: i64,
        #[orm(unique)]
        pub name: String,
    }
}

/// What makemigrations does: the next file from the files so far and the models.
fn make(files: &mut Vec<(String, String)>, models: &Schema, q: &mut dyn Questioner) -> orm::Result<Migration> {
    let pairs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let existing = Migrations::from_files(&pairs)?;
    let operations = changes(&existing.state()?, models, q)?;
    let name = next_name(&existing, &operations, None);
    let dependencies = existing.migrations().last().map(|m| m.name.clone()).into_iter().collect();
    let migration = Migration { name: name.clone(), dependencies, operations };
    files.push((format!("{name}.mig"), render(&migration)));
    Ok(migration)
}

fn described(migration: &Migration) -> Vec<String> {
    migration.operations.iter().map(Operation::describe).collect()
}

#[test]
fn three_versions_of_the_bookshop_make_three_files_that_replay_to_the_models() -> orm::Result<()> {
    let mut files = Vec::new();
    let first = make(&mut files, &schema_of::<(v1::Author, v1::Book)>(), &mut NonInteractive::new())?;
    assert_eq!(first.name, "0001_initial");
    assert_eq!(described(&first), ["Create table author", "Create table book"]);

    let v2 = schema_of::<(v2::Author, v2::Book)>();
    let err = make(&mut files, &v2, &mut NonInteractive::new()).unwrap_err().to_string();
    assert!(err.contains("book.isbn is NOT NULL without a default") && err.contains("--fill book.isbn=VALUE"), "{err}");
    let second = make(&mut files, &v2, &mut NonInteractive::new().fill("book.isbn=''")?)?;
    assert_eq!(second.name, "0002_book_isbn_book_year_book_year_idx");
    assert_eq!(second.dependencies, ["0001_initial"]);
    assert_eq!(described(&second), ["Add column isbn to book", "Add column year to book", "Add index on book (year)"]);
    assert!(matches!(&second.operations[0], Operation::AddColumn { fill: Some(f), .. } if f == "''"));

    let v3 = schema_of::<(v3::Author, v3::Book, v3::Tag)>();
    let err = make(&mut files, &v3, &mut NonInteractive::new()).unwrap_err().to_string();
    assert!(err.contains("--rename book.title=headline"), "{err}");
    let mut q = NonInteractive::new().rename("book.title=headline")?;
    let third = make(&mut files, &v3, &mut q)?;
    assert!(q.unused().is_empty());
    assert_eq!(
        described(&third),
        [
            "Rename column book.title to headline",
            "Remove index on book (year)",
            "Create table tag",
            "Create table book_tags",
            "Drop column year from book",
        ]
    );
    assert_eq!(third.name, "0003_rename_title_book_headline_remove_book_year_idx_tag_and_more");

    // The files as checked in: they replay to the models, and the next run finds nothing.
    let pairs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let all = Migrations::from_files(&pairs)?;
    assert_eq!(all.migrations(), [first, second, third]);
    let state = all.state()?;
    assert_eq!(comparable(&state), comparable(&v3));
    assert_eq!(state, state_of(all.migrations()).unwrap());
    assert!(changes(&state, &v3, &mut NonInteractive::new())?.is_empty());
    assert!(files[2].1.contains("\nrename column book.title to headline\n"), "{}", files[2].1);
    Ok(())
}

#[test]
fn declining_a_rename_drops_the_old_column_after_adding_the_new_one() -> orm::Result<()> {
    let v2 = schema_of::<(v2::Author, v2::Book)>();
    let v3 = schema_of::<(v3::Author, v3::Book, v3::Tag)>();
    let mut q = NonInteractive::new().no_rename("book.title=headline")?.fill("book.headline=''")?;
    let ops = changes(&v2, &v3, &mut q)?;
    let names: Vec<String> = ops.iter().map(Operation::describe).collect();
    assert_eq!(names.first().map(String::as_str), Some("Remove index on book (year)"));
    assert!(names.contains(&"Add column headline to book".to_owned()));
    assert_eq!(&names[names.len() - 2..], ["Drop column title from book", "Drop column year from book"]);
    assert!(ops.iter().any(|op| matches!(op, Operation::AddColumn { fill: Some(f), .. } if f == "''")));
    Ok(())
}

#[test]
fn a_model_list_missing_a_referenced_model_is_an_error_naming_it() {
    let err = changes(&Schema::default(), &schema_of::<(v1::Book,)>(), &mut NonInteractive::new()).unwrap_err();
    assert!(err.to_string().contains("book.author_id references author.id, which none of the models stores"), "{err}");
}

#[test]
fn a_renamed_table_keeps_its_rows_and_its_references_follow() -> orm::Result<()> {
    let column = |name: &str, references: Option<&str>| Column {
        name: name.into(),
        column_type: ColumnType::Int64,
        nullable: false,
        auto: name == "id",
        unique: false,
        default: None,
        max_length: None,
        references: references.map(|t| Reference {
            table: t.into(),
            column: "id".into(),
            on_delete: OnDelete::Cascade,
        }),
    };
    let table = |name: &str, columns: Vec<Column>| Table {
        name: name.into(),
        model: Some(name.into()),
        columns,
        primary_key: vec!["id".into()],
        unique_together: vec![],
        indexes: vec![],
    };
    let schema = |tables: Vec<Table>| Schema {
        tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect::<BTreeMap<_, _>>(),
    };
    // A table referencing itself and referenced by another.
    let from = schema(vec![
        table("node", vec![column("id", None), column("parent_id", Some("node"))]),
        table("edge", vec![column("id", None), column("node_id", Some("node"))]),
    ]);
    let to = schema(vec![
        table("vertex", vec![column("id", None), column("parent_id", Some("vertex"))]),
        table("edge", vec![column("id", None), column("node_id", Some("vertex"))]),
    ]);
    let ops = changes(&from, &to, &mut NonInteractive::new().rename("node=vertex")?)?;
    assert_eq!(ops, [Operation::RenameTable { from: "node".into(), to: "vertex".into() }]);
    let err = changes(&from, &to, &mut NonInteractive::new()).unwrap_err().to_string();
    assert!(err.contains("was table node renamed to vertex? Answer with --rename node=vertex"), "{err}");
    Ok(())
}

/// Found by the property (the generator named the link's columns wrongly): a link
/// table to a model that is then renamed, from a model that then takes the first
/// one's old name. The link's columns follow their models' names (`volume_id`,
/// `genre_id`), as the derive names them, and makemigrations reaches that state.
#[test]
fn a_link_table_follows_both_of_its_models_renamed() {
    let (base, edits) = random::link_renamed_on_both_sides();
    let (from, to, truth) = random::pair(&base, &edits);
    let link = &to.tables["volume_volumes"];
    let columns: Vec<&str> = link.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["id", "volume_id", "genre_id"]);
    check_pair(&from, &to, truth, 0).expect("the operations reach the models");
}
