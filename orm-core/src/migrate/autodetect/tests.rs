use super::*;
use crate::meta::OnDelete;
use crate::schema::Reference;
use crate::value::ColumnType;
use std::io::Cursor;

fn col(name: &str) -> Column {
    Column {
        name: name.into(),
        column_type: ColumnType::Text,
        nullable: false,
        auto: false,
        unique: false,
        default: None,
        max_length: None,
        references: None,
    }
}

fn id() -> Column {
    Column { column_type: ColumnType::Int64, auto: true, ..col("id") }
}

fn fk(name: &str, table: &str) -> Column {
    Column {
        column_type: ColumnType::Int64,
        references: Some(Reference { table: table.into(), column: "id".into(), on_delete: OnDelete::Cascade }),
        ..col(name)
    }
}

fn table(name: &str, model: Option<&str>, columns: Vec<Column>) -> Table {
    Table {
        name: name.into(),
        model: model.map(str::to_owned),
        columns,
        primary_key: vec!["id".into()],
        unique_together: vec![],
        indexes: vec![],
    }
}

fn schema(tables: Vec<Table>) -> Schema {
    Schema { tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect() }
}

/// Answers from a script, and records every question.
#[derive(Default)]
struct Script {
    yes: Vec<String>,
    asked: Vec<String>,
}

impl Questioner for Script {
    fn rename_table(&mut self, from: &str, to: &str) -> Result<bool> {
        let q = format!("{from}={to}");
        self.asked.push(q.clone());
        Ok(self.yes.contains(&q))
    }
    fn rename_column(&mut self, table: &str, from: &str, to: &str) -> Result<bool> {
        let q = format!("{table}.{from}={to}");
        self.asked.push(q.clone());
        Ok(self.yes.contains(&q))
    }
    fn fill_value(&mut self, table: &str, column: &str) -> Result<String> {
        self.asked.push(format!("fill {table}.{column}"));
        Ok("'?'".into())
    }
}

fn describe(ops: &[Operation]) -> Vec<String> {
    ops.iter().map(Operation::describe).collect()
}

fn run(from: &Schema, to: &Schema, yes: &[&str]) -> (Vec<Operation>, Vec<String>) {
    let mut script = Script { yes: yes.iter().map(|s| s.to_string()).collect(), asked: vec![] };
    let ops = changes(from, to, &mut script).unwrap();
    (ops, script.asked)
}

#[test]
fn new_tables_come_after_the_tables_they_reference_and_link_tables_last() {
    let to = schema(vec![
        table("a_book", Some("Book"), vec![id(), fk("author_id", "z_author")]),
        table("a_book_tags", None, vec![id(), fk("book_id", "a_book"), fk("tag_id", "tag")]),
        table("tag", Some("Tag"), vec![id(), col("name")]),
        table("z_author", Some("Author"), vec![id(), col("name")]),
    ]);
    let (ops, asked) = run(&Schema::default(), &to, &[]);
    assert!(asked.is_empty());
    assert_eq!(
        describe(&ops),
        ["Create table tag", "Create table z_author", "Create table a_book", "Create table a_book_tags"]
    );
    assert_eq!(ops[2], Operation::CreateTable(to.tables["a_book"].clone()));
}

#[test]
fn a_cycle_of_new_tables_adds_the_nullable_key_after_both_exist() {
    let favourite = Column { nullable: true, ..fk("favourite_id", "book") };
    let mut author = table("author", Some("Author"), vec![id(), favourite.clone()]);
    author.indexes = vec![vec!["favourite_id".into()]];
    let to = schema(vec![author, table("book", Some("Book"), vec![id(), fk("author_id", "author")])]);
    let (ops, _) = run(&Schema::default(), &to, &[]);
    assert_eq!(
        describe(&ops),
        [
            "Create table author",
            "Create table book",
            "Add column favourite_id to author",
            "Add index on author (favourite_id)"
        ]
    );
    assert_eq!(ops[2], Operation::AddColumn { table: "author".into(), column: favourite, fill: None });
}

#[test]
fn a_not_null_column_without_default_asks_for_a_value_and_others_do_not() {
    let from = schema(vec![table("book", Some("Book"), vec![id()])]);
    let to = schema(vec![table(
        "book",
        Some("Book"),
        vec![
            id(),
            col("isbn"),
            Column { nullable: true, ..col("note") },
            Column { default: Some("''".into()), ..col("x") },
        ],
    )]);
    let (ops, asked) = run(&from, &to, &[]);
    assert_eq!(asked, ["fill book.isbn"]);
    assert_eq!(ops[0], Operation::AddColumn { table: "book".into(), column: col("isbn"), fill: Some("'?'".into()) });
    assert!(matches!(&ops[1], Operation::AddColumn { fill: None, .. }));
    assert!(matches!(&ops[2], Operation::AddColumn { fill: None, .. }));
}

#[test]
fn a_column_made_not_null_fills_its_nulls_with_the_default_or_an_answer() {
    let from = schema(vec![table(
        "book",
        Some("Book"),
        vec![id(), Column { nullable: true, ..col("a") }, Column { nullable: true, ..col("b") }],
    )]);
    let to = schema(vec![table(
        "book",
        Some("Book"),
        vec![id(), Column { default: Some("'d'".into()), ..col("a") }, col("b")],
    )]);
    let (ops, asked) = run(&from, &to, &[]);
    assert_eq!(asked, ["fill book.b"]);
    assert!(matches!(&ops[0], Operation::AlterColumn { fill: Some(f), .. } if f == "'d'"));
    assert!(matches!(&ops[1], Operation::AlterColumn { fill: Some(f), .. } if f == "'?'"));
}

#[test]
fn a_rename_is_a_question_and_no_is_an_add_then_a_drop_last() {
    let from = schema(vec![table("book", Some("Book"), vec![id(), Column { nullable: true, ..col("name") }])]);
    let to = schema(vec![table("book", Some("Book"), vec![id(), Column { nullable: true, ..col("title") }])]);
    let (ops, asked) = run(&from, &to, &["book.name=title"]);
    assert_eq!(asked, ["book.name=title"]);
    assert_eq!(describe(&ops), ["Rename column book.name to title"]);
    let (ops, _) = run(&from, &to, &[]);
    assert_eq!(describe(&ops), ["Add column title to book", "Drop column name from book"]);
}

#[test]
fn columns_of_another_type_are_not_offered_as_a_rename() {
    let from = schema(vec![table("book", Some("Book"), vec![id(), Column { nullable: true, ..col("name") }])]);
    let to = schema(vec![table(
        "book",
        Some("Book"),
        vec![id(), Column { nullable: true, column_type: ColumnType::Int32, ..col("title") }],
    )]);
    let (_, asked) = run(&from, &to, &[]);
    assert!(asked.is_empty(), "{asked:?}");
}

#[test]
fn a_renamed_model_takes_its_link_table_and_references_along_with_one_question() {
    let from = schema(vec![
        table("book", Some("Book"), vec![id(), col("title")]),
        table("book_tags", None, vec![id(), fk("book_id", "book"), fk("tag_id", "tag")]),
        table("tag", Some("Tag"), vec![id()]),
        table("review", Some("Review"), vec![id(), fk("book_id", "book")]),
    ]);
    let to = schema(vec![
        table("volume", Some("Volume"), vec![id(), col("title")]),
        table("volume_tags", None, vec![id(), fk("volume_id", "volume"), fk("tag_id", "tag")]),
        table("tag", Some("Tag"), vec![id()]),
        table("review", Some("Review"), vec![id(), fk("book_id", "volume")]),
    ]);
    let (ops, asked) = run(&from, &to, &["book=volume"]);
    assert_eq!(asked, ["book=volume"]);
    assert_eq!(
        describe(&ops),
        [
            "Rename table book to volume",
            "Rename table book_tags to volume_tags",
            "Rename column volume_tags.book_id to volume_id"
        ]
    );
}

#[test]
fn tables_are_dropped_last_after_those_referencing_them() {
    let from = schema(vec![
        table("author", Some("Author"), vec![id()]),
        table("book", Some("Book"), vec![id(), fk("author_id", "author")]),
        table("book_tags", None, vec![id(), fk("book_id", "book"), fk("tag_id", "tag")]),
        table("tag", Some("Tag"), vec![id()]),
    ]);
    let to = schema(vec![table("tag", Some("Tag"), vec![id(), Column { nullable: true, ..col("label") }])]);
    let (ops, _) = run(&from, &to, &[]);
    assert_eq!(
        describe(&ops),
        ["Add column label to tag", "Drop table book_tags", "Drop table book", "Drop table author"]
    );
}

#[test]
fn indexes_and_groups_go_before_the_columns_change_and_come_after() {
    let mut old = table("book", Some("Book"), vec![id(), col("a"), col("b")]);
    old.indexes = vec![vec!["a".into()], vec!["b".into()]];
    old.unique_together = vec![vec!["a".into(), "b".into()], vec!["b".into()]];
    let mut new = table("book", Some("Book"), vec![id(), col("b"), Column { nullable: true, ..col("c") }]);
    new.indexes = vec![vec!["b".into()], vec!["c".into()]];
    new.unique_together = vec![vec!["b".into()], vec!["b".into(), "c".into()]];
    let (ops, _) = run(&schema(vec![old]), &schema(vec![new]), &[]);
    assert_eq!(
        describe(&ops),
        [
            "Remove index on book (a)",
            "Alter unique_together of book",
            "Add column c to book",
            "Add index on book (c)",
            "Alter unique_together of book",
            "Drop column a from book"
        ]
    );
    assert_eq!(ops[1], Operation::AlterUniqueTogether { table: "book".into(), groups: vec![vec!["b".into()]] });
}

#[test]
fn the_same_schema_gives_no_operation_whatever_the_order_of_columns() {
    let mut a = table("book", Some("Book"), vec![id(), col("x"), col("y")]);
    a.indexes = vec![vec!["x".into()], vec!["y".into()]];
    let mut b = table("book", Some("Book"), vec![col("y"), id(), col("x")]);
    b.indexes = vec![vec!["y".into()], vec!["x".into()]];
    let (ops, asked) = run(&schema(vec![a]), &schema(vec![b]), &[]);
    assert!(ops.is_empty() && asked.is_empty(), "{ops:?}");
}

#[test]
fn a_changed_primary_key_or_a_reference_outside_the_models_is_an_error() {
    let from = schema(vec![table("book", Some("Book"), vec![id(), col("isbn")])]);
    let mut to = from.clone();
    to.tables.get_mut("book").unwrap().primary_key = vec!["isbn".into()];
    let err = changes(&from, &to, &mut Script::default()).unwrap_err().to_string();
    assert!(err.contains("the primary key of book changes from (id) to (isbn)"), "{err}");

    let to = schema(vec![table("book", Some("Book"), vec![id(), fk("author_id", "author")])]);
    let err = changes(&from, &to, &mut Script::default()).unwrap_err().to_string();
    assert!(err.contains("book.author_id references author.id, which none of the models stores"), "{err}");
}

#[test]
fn non_interactive_answers_from_flags_and_names_the_flag_otherwise() {
    let mut q =
        NonInteractive::from_flags(&["book=volume", "book.name=title"], &["volume.a=b"], &["book.isbn=''"]).unwrap();
    assert!(q.rename_table("book", "volume").unwrap());
    // The column flags named the table by its old name: they answer for the new one.
    assert!(q.rename_column("volume", "name", "title").unwrap());
    assert!(!q.rename_column("volume", "a", "b").unwrap());
    assert_eq!(q.fill_value("volume", "isbn").unwrap(), "''");
    assert!(q.unused().is_empty(), "{:?}", q.unused());

    let err = q.rename_table("author", "writer").unwrap_err().to_string();
    assert!(err.contains("--rename author=writer") && err.contains("--no-rename author=writer"), "{err}");
    let err = q.rename_column("volume", "x", "y").unwrap_err().to_string();
    assert!(err.contains("--rename volume.x=y (keeps its values) or --no-rename volume.x=y"), "{err}");
    let err = q.fill_value("volume", "pages").unwrap_err().to_string();
    assert!(err.contains("--fill volume.pages=VALUE"), "{err}");

    let q = NonInteractive::new().rename("a.b=c").unwrap().fill("a.d=0").unwrap();
    assert_eq!(q.unused(), ["--rename a.b=c", "--fill a.d=0"]);
    for bad in ["book", "book.name=", "=x", "a.b.c=d", "book.name=x.y"] {
        let err = NonInteractive::new().rename(bad).unwrap_err().to_string();
        assert!(err.contains(&format!("--rename {bad}: expected TABLE=NEW_NAME")), "{err}");
    }
    for bad in ["book.isbn", "book=1", "book.isbn=  "] {
        let err = NonInteractive::new().fill(bad).unwrap_err().to_string();
        assert!(err.contains(&format!("--fill {bad}: expected TABLE.COLUMN=VALUE")), "{err}");
    }
}

#[test]
fn interactive_asks_and_reads_the_answers() {
    let input = Cursor::new("maybe\ny\n\n  0  \n\n");
    let mut q = Interactive::new(input, Vec::new());
    assert!(q.rename_table("book", "volume").unwrap());
    assert!(!q.rename_column("volume", "name", "title").unwrap());
    assert_eq!(q.fill_value("volume", "isbn").unwrap(), "0");
    let err = q.fill_value("volume", "pages").unwrap_err().to_string();
    assert!(err.contains("stopped: volume.pages needs a value"), "{err}");
    let err = q.rename_table("a", "b").unwrap_err().to_string();
    assert!(err.contains("the input ended before an answer to: Was table a renamed to b?"), "{err}");
    let (_, output) = q.into_inner();
    let output = String::from_utf8(output).unwrap();
    assert!(
        output.starts_with("Was table book renamed to volume? [y/N] Please answer y or n.\nWas table book"),
        "{output}"
    );
    assert!(output.contains("Was volume.name renamed to volume.title? [y/N] "), "{output}");
    assert!(
        output.contains("volume.isbn is NOT NULL without a default: the rows that exist need a value.\n"),
        "{output}"
    );
}

#[test]
fn a_cycle_of_dropped_tables_drops_a_nullable_key_first_and_its_index_before_it() {
    let mut author = table("author", Some("Author"), vec![id(), Column { nullable: true, ..fk("shelf_id", "shelf") }]);
    author.indexes = vec![vec!["shelf_id".into()]];
    let from = schema(vec![
        author,
        table("book", Some("Book"), vec![id()]),
        table(
            "shelf",
            Some("Shelf"),
            vec![id(), fk("author_id", "author"), Column { nullable: true, ..fk("book_id", "book") }],
        ),
    ]);
    let (ops, _) = run(&from, &Schema::default(), &[]);
    assert_eq!(
        describe(&ops),
        [
            "Remove index on author (shelf_id)",
            "Drop column shelf_id from author",
            "Drop table shelf",
            "Drop table author",
            "Drop table book"
        ]
    );
}
