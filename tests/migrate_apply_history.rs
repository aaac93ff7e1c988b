//! `Db::migrate` on SQLite and PostgreSQL when things go wrong or are asked for: a
//! failing migration changes nothing, a history that diverged from the files is
//! refused with what to do, backwards to a named migration or to zero, progress, the
//! SQL of a migration (`sqlmigrate`). The operations themselves: `migrate_apply.rs`.

#[path = "support/backends.rs"]
mod backends;
#[path = "support/migrations.rs"]
mod migrations;
#[path = "support/temp.rs"]
mod temp;
use backends::Backend;
use migrations::*;
use orm::migrate::{MigrateOptions, Migrations, Operation};
use orm::prelude::*;
use orm::schema::{Column, Reference, Table};
use orm::{ColumnType, Error, OnDelete, Value};

#[derive(Model, Debug, Clone)]
#[orm(table = "publisher")]
struct Publisher {
    id: i64,
    name: String,
}

/// The message of a migration error.
fn migration_error<T: std::fmt::Debug>(result: orm::Result<T>) -> String {
    match result {
        Err(Error::Migration { message }) => message,
        other => panic!("expected a migration error, got {other:?}"),
    }
}

/// The names recorded as applied.
fn applied(db: &Db) -> orm::Result<Vec<String>> {
    Ok(db.applied_migrations()?.into_iter().map(|a| a.name).collect())
}

/// The rows of both tables.
fn rows(db: &Db) -> orm::Result<(Vec<String>, Vec<String>)> {
    Ok((author_rows(db)?, book_rows(db)?))
}

fn alter(table: &str, column: Column, fill: Option<&str>) -> Operation {
    Operation::AlterColumn { table: table.into(), column, fill: fill.map(str::to_owned) }
}

fn named(mut column: Column, name: &str) -> Column {
    column.name = name.to_owned();
    column
}

fn numeric(mut column: Column) -> Column {
    column.column_type = ColumnType::Int32;
    column.max_length = None;
    column
}

fn all() -> MigrateOptions<'static> {
    MigrateOptions::new()
}

backend_tests! {
    fn a_migration_the_rows_refuse_changes_nothing(db) {
        let mut project = initial(db)?;
        // Two books titled 1984.
        db.execute("INSERT INTO book (title, author_id, year) VALUES ('1984', 2, 1984)", &[])?;
        let before = rows(db)?;
        let mut born = column::<Author>("birth_year");
        born.nullable = false;
        let mut unique_title = column::<Book>("title");
        unique_title.unique = true;
        let cases: Vec<(&str, Vec<Operation>)> = vec![
            // Anonymous has no birth year, and no one-off value is given.
            ("not_null", vec![alter("author", born, None)]),
            // The first operations succeed; the last one fails, and takes them back.
            ("unique_title", vec![
                Operation::AddColumn { table: "author".into(), column: named(column::<Author>("name"), "pen_name"), fill: Some("'x'".into()) },
                Operation::AddIndex { table: "book".into(), columns: vec!["year".into()] },
                Operation::RenameColumn { table: "book".into(), from: "year".into(), to: "published".into() },
                alter("book", unique_title, None),
            ]),
            ("unique_together", vec![Operation::AlterUniqueTogether { table: "book".into(), groups: vec![vec!["title".into()]] }]),
            // "Orwell" is not a number (SQLite would keep it as text in an INTEGER column).
            ("name_as_number", vec![alter("author", numeric(column::<Author>("name")), None)]),
        ];
        for (words, operations) in cases {
            let mut attempt = project.clone();
            attempt.then(words, operations);
            let message = migration_error(db.migrate(&attempt.files(), &all()));
            assert!(message.starts_with(&format!("applying 0002_{words} failed and was rolled back")), "{message}");
            if words == "name_as_number" && db.backend() == Backend::Sqlite {
                assert!(message.ends_with("2 rows hold values in author.name that are not Int32: correct them, or convert them in a migration of their own first"), "{message}");
            }
            db.check_schema::<V1>()?;
            assert!(db.check_schema::<V1>().is_ok());
            assert_eq!(rows(db)?, before, "{words}");
            assert_eq!(index_names(db, "book")?, ["book_author_id_idx", "book_title_idx"]);
            assert_eq!(applied(db)?, ["0001_initial"]);
        }
        // The same migration with the rows made to fit applies.
        db.execute("UPDATE book SET title = '1984 (2)' WHERE id = 4", &[])?;
        project.then("unique_together", vec![Operation::AlterUniqueTogether { table: "book".into(), groups: vec![vec!["title".into()]] }]);
        db.migrate(&project.files(), &all())?;
        assert_eq!(applied(db)?, ["0001_initial", "0002_unique_together"]);
        Ok(())
    }

    fn a_text_column_of_numbers_becomes_an_integer_column(db) {
        let mut project = initial(db)?;
        let mut code = named(column::<Author>("name"), "code");
        code.nullable = true;
        project.then("book_code", vec![Operation::AddColumn { table: "book".into(), column: code.clone(), fill: None }]);
        db.migrate(&project.files(), &all())?;
        db.execute("UPDATE book SET code = CAST(year AS TEXT)", &[])?;
        project.then("code_as_number", vec![alter("book", numeric(code), None)]);
        db.migrate(&project.files(), &all())?;
        assert_eq!(dump(db, "book", &["year", "code"])?, ["1000|1000", "1945|1945", "1949|1949"]);
        let sum = db.raw::<Line>("SELECT CAST(SUM(code) + 1 AS TEXT) AS line FROM book", &[])?;
        assert_eq!(sum[0].line, "4895");
        Ok(())
    }

    fn a_failure_keeps_the_migrations_before_it_and_names_them(db) {
        let mut project = initial(db)?;
        let before = rows(db)?;
        let mut born = column::<Author>("birth_year");
        born.nullable = false;
        project
            .then("book_year_idx", vec![Operation::AddIndex { table: "book".into(), columns: vec!["year".into()] }])
            .then("born", vec![alter("author", born, None)]);
        let message = migration_error(db.migrate(&project.files(), &all()));
        assert!(message.starts_with("applying 0003_born failed and was rolled back, nothing of it kept; applied before it: 0002_book_year_idx"), "{message}");
        assert!(message.contains("Alter column author.birth_year"), "{message}");
        assert_eq!(applied(db)?, ["0001_initial", "0002_book_year_idx"]);
        assert_eq!(index_names(db, "book")?, ["book_author_id_idx", "book_title_idx", "book_year_idx"]);
        assert_eq!(rows(db)?, before);
        Ok(())
    }

    fn a_foreign_key_the_rows_break_is_refused(db) {
        let mut project = initial(db)?;
        let mut by_publisher = column::<Book>("author_id");
        by_publisher.references = Some(Reference { table: "publisher".into(), column: "id".into(), on_delete: OnDelete::Cascade });
        project
            .then("publisher", vec![create::<Publisher>()])
            .then("book_publisher", vec![alter("book", by_publisher, None)]);
        let message = migration_error(db.migrate(&project.files(), &all()));
        assert!(message.starts_with("applying 0003_book_publisher failed"), "{message}");
        if db.backend() == Backend::Sqlite {
            assert!(message.contains("3 rows would break their foreign keys: row 1 of book refers to a missing row of publisher"), "{message}");
        }
        assert_eq!(applied(db)?, ["0001_initial", "0002_publisher"]);
        db.check_schema::<V1>()?;
        assert_eq!(book_rows(db)?, BOOKS);
        // The books still refer to their authors, and foreign keys are enforced again.
        let insert = db.sql("INSERT INTO book (title, author_id, year) VALUES (?, ?, ?)");
        assert!(matches!(
            db.execute(&insert, &["x".into(), 9.into(), Value::Int32(1)]),
            Err(Error::Integrity { kind: orm::ConstraintKind::ForeignKey, .. })
        ));
        Ok(())
    }

    fn an_applied_migration_whose_file_changed_is_refused(db) {
        let mut project = initial(db)?;
        project.then("book_year_idx", vec![Operation::AddIndex { table: "book".into(), columns: vec!["year".into()] }]);
        db.migrate(&project.files(), &all())?;
        let mut edited = project.clone();
        edited.history[1].operations = vec![Operation::AddIndex { table: "book".into(), columns: vec!["title".into(), "year".into()] }];
        let message = migration_error(db.migrate(&edited.files(), &all()));
        assert!(message.starts_with("the file of 0002_book_year_idx changed after it was applied"), "{message}");
        assert!(message.contains("put new changes in a new migration (makemigrations)"), "{message}");
        // A comment changes the file too.
        let files = project.files();
        let commented = format!("# reviewed\n{}", files.text("0002_book_year_idx").unwrap());
        let texts = [
            ("0001_initial.mig", files.text("0001_initial").unwrap()),
            ("0002_book_year_idx.mig", commented.as_str()),
        ];
        let message = migration_error(db.migrate(&Migrations::from_files(&texts)?, &all()));
        assert!(message.contains("changed after it was applied"), "{message}");
        assert_eq!(applied(db)?, ["0001_initial", "0002_book_year_idx"]);
        Ok(())
    }

    fn an_applied_migration_without_its_file_is_refused(db) {
        let mut project = initial(db)?;
        let earlier = project.clone();
        project.then("book_year_idx", vec![Operation::AddIndex { table: "book".into(), columns: vec!["year".into()] }]);
        db.migrate(&project.files(), &all())?;
        let message = migration_error(db.migrate(&earlier.files(), &all().target("zero")));
        assert!(message.starts_with("0002_book_year_idx is recorded as applied but there is no migration file for it: restore the file"), "{message}");
        assert_eq!(applied(db)?, ["0001_initial", "0002_book_year_idx"]);
        Ok(())
    }

    fn a_migration_added_before_an_applied_one_is_refused(db) {
        let initial_project = initial(db)?;
        let mut applied_first = initial_project.clone();
        applied_first.then("year_idx", vec![Operation::AddIndex { table: "book".into(), columns: vec!["year".into()] }]);
        applied_first.history[1].name = "0003_year_idx".into();
        db.migrate(&applied_first.files(), &all())?;
        // A branch merged later brings 0002, before the applied 0003.
        let mut merged = initial_project.clone();
        merged.then("title_idx", vec![Operation::AddIndex { table: "book".into(), columns: vec!["title".into(), "year".into()] }]);
        merged.history.push(applied_first.history[1].clone());
        let message = migration_error(db.migrate(&merged.files(), &all()));
        assert!(message.starts_with("0003_year_idx is recorded as applied but 0002_title_idx, which comes before it, is not"), "{message}");
        assert!(message.contains("renumber the new migration after 0003_year_idx"), "{message}");
        assert_eq!(applied(db)?, ["0001_initial", "0003_year_idx"]);
        Ok(())
    }

    fn backwards_to_a_named_migration_a_prefix_and_zero(db) {
        let mut project = initial(db)?;
        project
            .then("book_year_idx", vec![Operation::AddIndex { table: "book".into(), columns: vec!["year".into()] }])
            .then("publisher", vec![create::<Publisher>()]);
        let files = project.files();
        let report = db.migrate(&files, &all().target("0002"))?;
        assert_eq!(report.applied, ["0002_book_year_idx"]);
        let report = db.migrate(&files, &all())?;
        assert_eq!(report.applied, ["0003_publisher"]);
        db.check_schema::<(Author, Book, Publisher)>()?;
        let report = db.migrate(&files, &all().target("0001_initial.mig").allow_destructive(true))?;
        assert_eq!(report.unapplied, ["0003_publisher", "0002_book_year_idx"]);
        assert!(db.check_schema::<(Publisher,)>().is_err());
        assert_eq!(index_names(db, "book")?, ["book_author_id_idx", "book_title_idx"]);
        assert_eq!(rows(db)?, (AUTHORS.map(String::from).to_vec(), BOOKS.map(String::from).to_vec()));
        // Zero drops the first tables too: the rows go, so only with the flag.
        let message = migration_error(db.migrate(&files, &all().target("zero")));
        assert!(message.contains("unapplying 0001_initial: Drop table book; unapplying 0001_initial: Drop table author"), "{message}");
        let report = db.migrate(&files, &all().target("zero").allow_destructive(true))?;
        assert_eq!(report.unapplied, ["0001_initial"]);
        assert!(applied(db)?.is_empty());
        assert!(db.check_schema::<(Author,)>().is_err());
        // And forwards again from nothing.
        assert_eq!(db.migrate(&files, &all())?.applied.len(), 3);
        db.check_schema::<(Author, Book, Publisher)>()?;
        let message = migration_error(db.migrate(&files, &all().target("0004")));
        assert!(message.contains("there is no migration named 0004 (the migrations are: 0001_initial, 0002_book_year_idx, 0003_publisher)"), "{message}");
        let message = migration_error(db.migrate(&files, &all().target("000")));
        assert!(message.contains("000 names several migrations"), "{message}");
        Ok(())
    }

    fn an_operation_without_a_reverse_stops_the_way_back(db) {
        let mut project = initial(db)?;
        project.then("remove_book_title", vec![Operation::DropColumn { table: "book".into(), column: "title".into() }]);
        db.migrate(&project.files(), &all().allow_destructive(true))?;
        assert_eq!(dump(db, "book", &["id", "year"])?, ["1|1949", "2|1945", "3|1000"]);
        assert!(index_names(db, "book")?.iter().all(|name| !name.contains("title")));
        let message = migration_error(db.migrate(&project.files(), &all().target("0001").allow_destructive(true)));
        assert!(message.starts_with("0002_remove_book_title cannot be unapplied: \"Drop column title from book\" cannot be undone"), "{message}");
        assert_eq!(applied(db)?, ["0001_initial", "0002_remove_book_title"]);
        Ok(())
    }

    fn an_integer_key_becomes_an_auto_key_after_its_rows(db) {
        let mut ticket = Table::from_model(<Publisher as Model>::META);
        ticket.name = "ticket".into();
        ticket.model = None;
        ticket.columns[0].auto = false;
        let mut project = Project::new(vec![Operation::CreateTable(ticket.clone())]);
        db.migrate(&project.files(), &all())?;
        for id in [1, 2, 7] {
            db.execute(&db.sql("INSERT INTO ticket (id, name) VALUES (?, ?)"), &[Value::Integer(id), "t".into()])?;
        }
        let mut auto = ticket.columns[0].clone();
        auto.auto = true;
        project.then("auto_id", vec![alter("ticket", auto, None)]);
        db.migrate(&project.files(), &all())?;
        db.execute("INSERT INTO ticket (name) VALUES ('new')", &[])?;
        assert_eq!(dump(db, "ticket", &["id", "name"])?, ["1|t", "2|t", "7|t", "8|new"]);
        db.migrate(&project.files(), &all().target("0001"))?;
        assert_eq!(dump(db, "ticket", &["id", "name"])?, ["1|t", "2|t", "7|t", "8|new"]);
        let keyless = db.execute("INSERT INTO ticket (name) VALUES ('no key')", &[]);
        match db.backend() {
            // An INTEGER PRIMARY KEY is the rowid, which SQLite numbers anyway.
            Backend::Sqlite => assert!(keyless.is_ok()),
            Backend::Postgres => assert!(keyless.is_err(), "the key is no longer generated"),
        }
        Ok(())
    }

    fn a_unique_group_is_dropped_after_its_table_and_columns_were_renamed(db) {
        let mut project = initial(db)?;
        let groups = vec![vec!["title".to_owned(), "author_id".to_owned()]];
        project
            .then("unique_title", vec![Operation::AlterUniqueTogether { table: "book".into(), groups }])
            .then("renames", vec![
                Operation::RenameTable { from: "book".into(), to: "volume".into() },
                Operation::RenameColumn { table: "volume".into(), from: "title".into(), to: "name".into() },
            ])
            .then("not_unique", vec![Operation::AlterUniqueTogether { table: "volume".into(), groups: Vec::new() }]);
        db.migrate(&project.files(), &all())?;
        let insert = db.sql("INSERT INTO volume (name, author_id, year) VALUES (?, ?, ?)");
        db.execute(&insert, &["1984".into(), 1.into(), Value::Int32(1)])?;
        db.execute("DELETE FROM volume WHERE id > 3", &[])?;
        db.migrate(&project.files(), &all().target("0003"))?;
        assert!(db.execute(&insert, &["1984".into(), 1.into(), Value::Int32(1)]).is_err());
        Ok(())
    }

    fn progress_names_each_migration_and_operation(db) {
        let mut project = initial(db)?;
        project.then("publisher", vec![create::<Publisher>(), Operation::AddIndex { table: "book".into(), columns: vec!["year".into()] }]);
        let lines = std::cell::RefCell::new(Vec::new());
        let progress = |line: &str| lines.borrow_mut().push(line.to_owned());
        db.migrate(&project.files(), &all().progress(&progress))?;
        db.migrate(&project.files(), &all().progress(&progress))?;
        db.migrate(&project.files(), &all().progress(&progress).target("0001").allow_destructive(true))?;
        assert_eq!(
            lines.into_inner(),
            [
                "Applying 0002_publisher",
                "  Create table publisher",
                "  Add index on book (year)",
                "  applied 0002_publisher",
                "No migrations to apply.",
                "Unapplying 0002_publisher",
                "  Remove index on book (year)",
                "  Drop table publisher",
                "  unapplied 0002_publisher",
            ]
        );
        Ok(())
    }

    fn sql_for_migration_is_each_backends_ddl_and_runs_nothing(db) {
        let mut project = initial(db)?;
        project.then("book_isbn", vec![
            Operation::AddColumn { table: "book".into(), column: named(column::<Book>("title"), "isbn"), fill: Some("''".into()) },
            Operation::RenameColumn { table: "book".into(), from: "title".into(), to: "name".into() },
        ]);
        let files = project.files();
        let before = db.query_count();
        let sql = db.sql_for_migration(&files, "0002")?;
        assert_eq!(db.query_count(), before);
        match db.backend() {
            Backend::Sqlite => {
                assert_eq!(sql[0], "CREATE TABLE \"new__book\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \
                    \"title\" TEXT NOT NULL CHECK (length(\"title\") <= 200 AND (instr(CAST(\"title\" AS BLOB), X'00') = 0 OR length(CAST(\"title\" AS BLOB)) <= 200)), \
                    \"author_id\" INTEGER NOT NULL REFERENCES \"author\" (\"id\") ON DELETE CASCADE, \"year\" INTEGER NOT NULL, \
                    \"isbn\" TEXT NOT NULL CHECK (length(\"isbn\") <= 200 AND (instr(CAST(\"isbn\" AS BLOB), X'00') = 0 OR length(CAST(\"isbn\" AS BLOB)) <= 200)))");
                assert_eq!(sql[1..], [
                    "INSERT INTO \"new__book\" (\"id\", \"title\", \"author_id\", \"year\", \"isbn\") SELECT \"id\", \"title\", \"author_id\", \"year\", '' FROM \"book\"",
                    "DELETE FROM sqlite_sequence WHERE name = 'new__book'",
                    "INSERT INTO sqlite_sequence (name, seq) SELECT 'new__book', seq FROM sqlite_sequence WHERE name = 'book'",
                    "DROP TABLE \"book\"",
                    "ALTER TABLE \"new__book\" RENAME TO \"book\"",
                    "CREATE INDEX \"book_title_idx\" ON \"book\" (\"title\")",
                    "CREATE INDEX \"book_author_id_idx\" ON \"book\" (\"author_id\")",
                    "ALTER TABLE \"book\" RENAME COLUMN \"title\" TO \"name\"",
                    "DROP INDEX \"book_title_idx\"",
                    "CREATE INDEX \"book_name_idx\" ON \"book\" (\"name\")",
                ]);
            }
            Backend::Postgres => assert_eq!(sql, [
                "ALTER TABLE \"book\" ADD COLUMN \"isbn\" varchar(200) NOT NULL DEFAULT ''",
                "ALTER TABLE \"book\" ALTER COLUMN \"isbn\" DROP DEFAULT",
                "ALTER TABLE \"book\" RENAME COLUMN \"title\" TO \"name\"",
                "ALTER INDEX \"book_title_idx\" RENAME TO \"book_name_idx\"",
            ]),
        }
        let back = db.sql_for_unapplying_migration(&files, "0002_book_isbn")?;
        assert_eq!(back[0], "ALTER TABLE \"book\" RENAME COLUMN \"name\" TO \"title\"");
        // What it shows is what migrate runs.
        let captured = db.capture(|| db.migrate(&files, &all()))?;
        let sent: Vec<&str> = captured.queries.iter().map(|q| q.sql.as_str()).collect();
        let mut at = 0;
        for statement in &sql {
            at += sent[at..].iter().position(|s| s == statement).unwrap_or_else(|| panic!("{statement} not sent: {sent:#?}"));
        }
        Ok(())
    }

    fn connections_migrating_at_once_apply_each_migration_once(db) {
        // On SQLite, connections to a file (an in-memory database has one).
        let dir = temp::TempDir::new("migrate-at-once");
        let path = dir.file("shop.sqlite3");
        let open = move |url: &Option<String>| match url {
            Some(url) => Db::connect(url),
            None => Db::open(&path),
        };
        let url = db.url();
        let mut project = Project::new(vec![create::<Author>(), create::<Book>()]);
        project
            .then("publisher", vec![create::<Publisher>()])
            .then("book_year_idx", vec![Operation::AddIndex { table: "book".into(), columns: vec!["year".into()] }]);
        let starts: Vec<_> = (0..4)
            .map(|_| {
                let (url, project, open) = (url.clone(), project.clone(), open.clone());
                std::thread::spawn(move || open(&url)?.migrate(&project.files(), &all()))
            })
            .collect();
        let mut applied_by_each = Vec::new();
        for start in starts {
            applied_by_each.extend(start.join().expect("no panic")?.applied);
        }
        applied_by_each.sort();
        assert_eq!(applied_by_each, ["0001_initial", "0002_publisher", "0003_book_year_idx"]);
        let db = open(&url)?;
        assert_eq!(applied(&db)?.len(), 3);
        db.check_schema::<(Author, Book, Publisher)>()?;
        Ok(())
    }

    fn migrate_refuses_to_run_inside_a_transaction(db) {
        let project = Project::new(vec![create::<Author>()]);
        let result = db.atomic(|db| db.migrate(&project.files(), &all()));
        assert!(migration_error(result).contains("call it outside atomic()"));
        assert!(db.check_schema::<(Author,)>().is_err());
        Ok(())
    }

    fn a_table_made_outside_the_migrations_is_not_taken_over_silently(db) {
        db.create_tables::<V1>()?;
        let project = Project::new(vec![create::<Author>(), create::<Book>()]);
        let message = migration_error(db.migrate(&project.files(), &all()));
        assert!(message.starts_with("applying 0001_initial failed and was rolled back"), "{message}");
        assert!(message.contains("author") && message.contains("already exists"), "{message}");
        assert!(applied(db)?.is_empty());
        Ok(())
    }
}
