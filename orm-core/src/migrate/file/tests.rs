use super::*;

fn column(name: &str, column_type: ColumnType) -> Column {
    Column {
        name: name.into(),
        column_type,
        nullable: false,
        auto: false,
        unique: false,
        default: None,
        max_length: None,
        references: None,
    }
}

fn tag_table() -> Table {
    Table {
        name: "tag".into(),
        model: Some("Tag".into()),
        columns: vec![
            Column { auto: true, ..column("id", ColumnType::Int64) },
            Column { unique: true, max_length: Some(50), ..column("name", ColumnType::Text) },
            Column {
                nullable: true,
                references: Some(Reference { table: "tag".into(), column: "id".into(), on_delete: OnDelete::SetNull }),
                ..column("parent_id", ColumnType::Int64)
            },
            Column { default: Some("'say \"hi\"\\n'".into()), ..column("odd name", ColumnType::Json) },
        ],
        primary_key: vec!["id".into()],
        unique_together: vec![vec!["name".into(), "parent_id".into()]],
        indexes: vec![vec!["parent_id".into()], vec!["name".into(), "odd name".into()]],
    }
}

fn every_operation() -> Vec<Operation> {
    let isbn = Column { max_length: Some(13), ..column("isbn", ColumnType::Text) };
    vec![
        Operation::CreateTable(tag_table()),
        Operation::CreateTable(Table { model: None, primary_key: vec![], indexes: vec![], ..tag_table() }),
        Operation::AddColumn { table: "book".into(), column: isbn.clone(), fill: Some("''".into()) },
        Operation::AddColumn { table: "book".into(), column: isbn.clone(), fill: None },
        Operation::AlterColumn {
            table: "book".into(),
            column: Column { nullable: true, default: Some("'x'".into()), ..isbn },
            fill: None,
        },
        Operation::DropColumn { table: "book".into(), column: "isbn".into() },
        Operation::RenameColumn { table: "book".into(), from: "name".into(), to: "title".into() },
        Operation::RenameTable { from: "book".into(), to: "my book".into() },
        Operation::DropTable { table: "pamphlet".into() },
        Operation::AddIndex { table: "book".into(), columns: vec!["title".into(), "year".into()] },
        Operation::RemoveIndex { table: "book".into(), columns: vec!["title".into()] },
        Operation::AlterUniqueTogether {
            table: "book".into(),
            groups: vec![vec!["a".into(), "b".into()], vec!["c".into()]],
        },
        Operation::AlterUniqueTogether { table: "book".into(), groups: vec![] },
    ]
}

#[test]
fn every_operation_renders_and_parses_back_the_same() {
    let migration = Migration {
        name: "0003_many".into(),
        dependencies: vec!["0002_book_isbn".into()],
        operations: every_operation(),
    };
    let text = render(&migration);
    assert_eq!(parse("0003_many.mig", &text).unwrap(), migration, "{text}");
    assert_eq!(parse("0003_many", &text).unwrap(), migration);
}

#[test]
fn every_column_type_and_on_delete_round_trips() {
    for ty in TYPES {
        for on_delete in
            [OnDelete::Cascade, OnDelete::SetNull, OnDelete::Protect, OnDelete::Restrict, OnDelete::DoNothing]
        {
            let column = Column {
                references: Some(Reference { table: "t".into(), column: "id".into(), on_delete }),
                ..column("c", ty)
            };
            let op = Operation::AlterColumn { table: "t".into(), column, fill: None };
            let migration = Migration { name: "0001_x".into(), dependencies: vec![], operations: vec![op] };
            assert_eq!(parse("0001_x", &render(&migration)).unwrap(), migration);
        }
    }
}

#[test]
fn a_rendered_file_reads_as_its_operations() {
    let migration = Migration {
        name: "0002_book_isbn".into(),
        dependencies: vec!["0001_initial".into()],
        operations: vec![
            Operation::AddColumn {
                table: "book".into(),
                column: Column { max_length: Some(13), ..column("isbn", ColumnType::Text) },
                fill: Some("''".into()),
            },
            Operation::AddIndex { table: "book".into(), columns: vec!["isbn".into()] },
        ],
    };
    let text = render(&migration);
    let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        body,
        ["depends on 0001_initial", "", "add column book.isbn text max_length 13 fill \"''\"", "add index book (isbn)"]
    );
}

#[test]
fn comments_blank_lines_and_spacing_are_ignored() {
    let text = "# header\n\n  depends on 0001_a , 0002_b  # trailing\n\ncreate table t   # a block\n  \
                # a comment inside\n column id int64 auto\n\n primary key ( id )\nend\ndrop column t.\"x y\"\n";
    let migration = parse("0003_c.mig", text).unwrap();
    assert_eq!(migration.dependencies, ["0001_a", "0002_b"]);
    assert_eq!(migration.operations.len(), 2);
    assert_eq!(migration.operations[1], Operation::DropColumn { table: "t".into(), column: "x y".into() });
}

fn error_of(name: &str, text: &str) -> String {
    match parse(name, text) {
        Err(Error::Migration { message }) => message,
        other => panic!("expected a migration error, got {other:?}"),
    }
}

#[test]
fn a_bad_file_is_an_error_naming_the_file_and_line() {
    let message = error_of("0002_x.mig", "# one\n\nadd column book.isbn strng\n");
    assert!(message.starts_with("0002_x.mig line 3: expected a column type (int16,"), "{message}");
    assert!(message.contains("found `strng`"), "{message}");

    let message = error_of("0002_x", "create table t\n column id int64\n");
    assert_eq!(message, "0002_x.mig line 1: `create table t` has no `end`");

    let message = error_of("0002_x", "drop table t extra\n");
    assert_eq!(message, "0002_x.mig line 1: expected the end of the line, found `extra`");

    let message = error_of("0002_x", "drop column t.\"unclosed\n");
    assert!(message.starts_with("0002_x.mig line 1: a quoted text has no closing"), "{message}");

    let message = error_of("0002_x", "add column t.c text default 'x'\n");
    assert!(message.contains("unexpected character `'`"), "{message}");

    let message = error_of("0002_x", "drop table t\ndepends on 0001_a\n");
    assert_eq!(message, "0002_x.mig line 2: `depends on` comes before the operations");

    let message = error_of("0002_x", "explode t\n");
    assert!(message.starts_with("0002_x.mig line 1: expected an operation"), "{message}");

    let message = error_of("0002_x", "alter column t.c text references u.id on delete explode\n");
    assert!(message.contains("after `on delete`, found `explode`"), "{message}");
}

#[test]
fn a_file_name_not_of_the_form_is_an_error() {
    for name in ["initial.mig", "0001.mig", "0001_", "0001_a-b", "x0001_a"] {
        let message = error_of(name, "");
        assert!(message.contains("migration files are named NNNN_words.mig"), "{name}: {message}");
    }
}

#[test]
fn checksum_is_fnv1a_64_in_hex() {
    assert_eq!(checksum(""), "cbf29ce484222325");
    assert_eq!(checksum("a"), "af63dc4c8601ec8c");
    assert_eq!(checksum("foobar"), "85944171f73967e8");
    assert_ne!(checksum("drop table a\n"), checksum("drop table b\n"));
    // A checkout's CRLF line ends are the same file; a lone carriage return is not.
    assert_eq!(checksum("a\r\nb\r\n"), checksum("a\nb\n"));
    assert_ne!(checksum("a\rb"), checksum("ab"));
}

fn files(list: &[(&str, &str)]) -> Result<Migrations> {
    Migrations::from_files(list)
}

#[test]
fn migrations_are_ordered_by_number_with_text_and_checksum() {
    let second = "depends on 0001_initial\ndrop table b\n";
    let set = files(&[
        ("0010_ten.mig", "depends on 0002_b\n"),
        ("0002_b.mig", second),
        ("0001_initial.mig", "create table b\n column id int64\nend\n"),
    ])
    .unwrap();
    let names: Vec<&str> = set.migrations().iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["0001_initial", "0002_b", "0010_ten"]);
    assert_eq!(set.text("0002_b"), Some(second));
    assert_eq!(set.text("0002_b.mig"), Some(second));
    assert_eq!(set.checksum("0002_b"), Some(checksum(second).as_str()));
    assert_eq!(set.get("0003_none"), None);
    assert!(set.state().unwrap().tables.is_empty());
}

#[test]
fn two_files_with_one_number_or_a_missing_dependency_are_errors() {
    let err = files(&[("0002_a.mig", ""), ("0002_b.mig", "")]).unwrap_err();
    assert!(err.to_string().contains("two migrations are numbered 0002 (0002_a, 0002_b)"), "{err}");
    let err = files(&[("0002_a.mig", "depends on 0001_initial\n")]).unwrap_err();
    assert!(err.to_string().contains("0002_a.mig depends on 0001_initial, which is not an earlier"), "{err}");
}

#[test]
fn a_history_that_does_not_replay_is_an_error_naming_the_migration() {
    let set = files(&[("0001_a.mig", "drop table ghost\n")]).unwrap();
    let err = set.state().unwrap_err().to_string();
    assert!(err.contains("0001_a: Drop table ghost: no table ghost"), "{err}");
}

#[test]
fn from_dir_reads_the_mig_files_and_a_missing_folder_is_empty() {
    let dir = std::env::temp_dir().join(format!("orm-migrate-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("0001_initial.mig"), "create table a\n column id int64\nend\n").unwrap();
    std::fs::write(dir.join("README.md"), "not a migration").unwrap();
    let set = Migrations::from_dir(&dir).unwrap();
    assert_eq!(set.len(), 1);
    assert!(set.state().unwrap().tables.contains_key("a"));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(Migrations::from_dir(&dir).unwrap().is_empty());
}

#[test]
fn next_name_numbers_and_names_as_django() {
    let none = Migrations::default();
    let add = |table: &str, name: &str| Operation::AddColumn {
        table: table.into(),
        column: column(name, ColumnType::Text),
        fill: None,
    };
    assert_eq!(next_name(&none, &[Operation::CreateTable(tag_table())], None), "0001_initial");
    let one = files(&[("0001_initial.mig", "")]).unwrap();
    assert_eq!(next_name(&one, &[add("book", "isbn")], None), "0002_book_isbn");
    assert_eq!(next_name(&one, &[add("book", "isbn")], Some("add ISBN!")), "0002_add_ISBN");
    assert_eq!(next_name(&one, &[], None), "0002_empty");
    let drop = Operation::DropColumn { table: "book".into(), column: "subtitle".into() };
    assert_eq!(next_name(&one, &[add("book", "isbn"), drop.clone()], None), "0002_book_isbn_remove_book_subtitle");
    let many = [add("book", "isbn"), drop, add("publisher", "country_code"), add("a", "b")];
    assert_eq!(next_name(&one, &many, None), "0002_book_isbn_remove_book_subtitle_and_more");
    let nine = files(&[("0001_initial.mig", ""), ("0009_x.mig", "")]).unwrap();
    let rename = Operation::RenameColumn { table: "book".into(), from: "name".into(), to: "title".into() };
    assert_eq!(next_name(&nine, &[rename], None), "0010_rename_name_book_title");
}
