//! `Db::migrate` on SQLite and PostgreSQL with rows in the tables: every operation
//! forwards and backwards, the rows kept, the live schema as the models of each
//! version describe it (`check_schema`), SQLite's table rebuild keeping foreign keys,
//! indexes, triggers and the key counter, destructive operations refused without the
//! flag. Failures, history and progress: `migrate_apply_history.rs`.

#[path = "support/backends.rs"]
mod backends;
#[path = "support/migrations.rs"]
mod migrations;
use backends::Backend;
use migrations::*;
use orm::migrate::{MigrateOptions, Operation};
use orm::prelude::*;
use orm::schema::Table;
use orm::{ConstraintKind, Error, Value};

/// The models of each version of the bookshop.
mod v {
    use orm::prelude::*;
    use orm::{ForeignKey, ManyToMany};

    pub use crate::migrations::{Author, Book};

    /// Book with three new columns: NOT NULL without a default, nullable, defaulted.
    #[derive(Model, Debug, Clone)]
    #[orm(table = "book")]
    pub struct BookIsbn {
        pub id: i64,
        #[orm(max_length = 200, index)]
        pub title: String,
        #[orm(on_delete = "cascade")]
        pub author: ForeignKey<Author>,
        pub year: i32,
        #[orm(max_length = 13)]
        pub isbn: String,
        pub subtitle: Option<String>,
        #[orm(default = 0)]
        pub pages: i32,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "author")]
    pub struct AuthorUnborn {
        pub id: i64,
        #[orm(max_length = 100)]
        pub name: String,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "writer")]
    pub struct Writer {
        pub id: i64,
        #[orm(max_length = 100)]
        pub name: String,
        pub birth_year: Option<i32>,
    }

    /// `book` renamed `volume`, `title` renamed `name`, its author a `Writer`.
    #[derive(Model, Debug, Clone)]
    #[orm(table = "volume")]
    pub struct Volume {
        pub id: i64,
        #[orm(max_length = 200, index)]
        pub name: String,
        #[orm(on_delete = "cascade")]
        pub author: ForeignKey<Writer>,
        pub year: i32,
    }

    /// Author with a longer unique name and a birth year that is always known.
    #[derive(Model, Debug, Clone)]
    #[orm(table = "author")]
    pub struct AuthorStrict {
        pub id: i64,
        #[orm(max_length = 150, unique)]
        pub name: String,
        pub birth_year: i32,
    }

    /// Book whose year is 64 bits wide.
    #[derive(Model, Debug, Clone)]
    #[orm(table = "book")]
    pub struct BookWide {
        pub id: i64,
        #[orm(max_length = 200, index)]
        pub title: String,
        #[orm(on_delete = "cascade")]
        pub author: ForeignKey<AuthorStrict>,
        pub year: i64,
    }

    /// Book with an index on (author, year) instead of title, and (title, author)
    /// unique.
    #[derive(Model, Debug, Clone)]
    #[orm(table = "book", unique_together(title, author), index_together(author, year))]
    pub struct BookIndexed {
        pub id: i64,
        #[orm(max_length = 200)]
        pub title: String,
        #[orm(on_delete = "cascade")]
        pub author: ForeignKey<Author>,
        pub year: i32,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "tag")]
    pub struct Tag {
        pub id: i64,
        #[orm(max_length = 40, unique)]
        pub name: String,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "book")]
    pub struct BookTagged {
        pub id: i64,
        #[orm(max_length = 200, index)]
        pub title: String,
        #[orm(on_delete = "cascade")]
        pub author: ForeignKey<Author>,
        pub year: i32,
        pub tags: ManyToMany<Tag>,
    }
}

fn destructive() -> MigrateOptions<'static> {
    MigrateOptions::new().allow_destructive(true)
}

/// Whether `result` failed as a write refused by a constraint of `kind`.
fn refused(result: orm::Result<usize>, kind: ConstraintKind) -> bool {
    matches!(result, Err(Error::Integrity { kind: k, .. }) if k == kind)
}

backend_tests! {
    fn the_initial_migration_creates_the_tables_and_records_itself(db) {
        let project = initial(db)?;
        db.check_schema::<V1>()?;
        let applied = db.applied_migrations()?;
        assert_eq!(applied.len(), 1);
        assert_eq!(applied[0].name, "0001_initial");
        assert_eq!(Some(applied[0].checksum.as_str()), project.files().checksum("0001_initial"));
        assert!(applied[0].applied_at.ends_with('Z') && applied[0].applied_at.len() == 20, "{:?}", applied[0]);
        assert_eq!(index_names(db, "book")?, ["book_author_id_idx", "book_title_idx"]);
        let again = db.migrate(&project.files(), &MigrateOptions::new())?;
        assert!(again.is_empty(), "{again:?}");
        assert_eq!(book_rows(db)?, BOOKS);
        Ok(())
    }

    fn added_columns_fill_the_rows_and_go_again_backwards(db) {
        let mut project = initial(db)?;
        let isbn = column::<v::BookIsbn>("isbn");
        project.then(
            "book_isbn",
            vec![
                Operation::AddColumn { table: "book".into(), column: isbn, fill: Some("'-'".into()) },
                Operation::AddColumn { table: "book".into(), column: column::<v::BookIsbn>("subtitle"), fill: None },
                Operation::AddColumn { table: "book".into(), column: column::<v::BookIsbn>("pages"), fill: None },
            ],
        );
        let report = db.migrate(&project.files(), &MigrateOptions::new())?;
        assert_eq!(report.applied, ["0002_book_isbn"]);
        db.check_schema::<(v::Author, v::BookIsbn)>()?;
        assert_eq!(
            dump(db, "book", &["id", "title", "author_id", "year", "isbn", "subtitle", "pages"])?,
            ["1|1984|1|1949|-|-|0", "2|Animal Farm|1|1945|-|-|0", "3|Beowulf|2|1000|-|-|0"]
        );
        // The one-off value is not a default: a row written without it is refused.
        assert!(refused(
            db.execute(&db.sql("INSERT INTO book (title, author_id, year) VALUES (?, ?, ?)"), &["x".into(), 1.into(), 1.into()]),
            ConstraintKind::NotNull
        ));
        // Backwards drops the columns: data is lost, so only with the flag.
        let err = db.migrate(&project.files(), &MigrateOptions::new().target("0001")).unwrap_err();
        assert!(err.to_string().contains("unapplying 0002_book_isbn: Drop column isbn from book"), "{err}");
        assert_eq!(db.applied_migrations()?.len(), 2);
        let report = db.migrate(&project.files(), &destructive().target("0001"))?;
        assert_eq!(report.unapplied, ["0002_book_isbn"]);
        db.check_schema::<V1>()?;
        assert_eq!(book_rows(db)?, BOOKS);
        Ok(())
    }

    fn a_dropped_column_needs_the_flag_and_comes_back_empty(db) {
        let mut project = initial(db)?;
        project.then("remove_author_birth_year", vec![Operation::DropColumn { table: "author".into(), column: "birth_year".into() }]);
        let err = db.migrate(&project.files(), &MigrateOptions::new()).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("0002_remove_author_birth_year: Drop column birth_year from author"), "{message}");
        assert!(message.contains("--allow-destructive"), "{message}");
        db.check_schema::<V1>()?;
        assert_eq!(author_rows(db)?, AUTHORS);
        assert_eq!(db.applied_migrations()?.len(), 1);

        db.migrate(&project.files(), &destructive())?;
        db.check_schema::<(v::AuthorUnborn, v::Book)>()?;
        assert_eq!(dump(db, "author", &["id", "name"])?, ["1|Orwell", "2|Anonymous"]);
        assert_eq!(book_rows(db)?, BOOKS);
        // Adding a nullable column back loses nothing more: no flag needed.
        db.migrate(&project.files(), &MigrateOptions::new().target("0001_initial"))?;
        db.check_schema::<V1>()?;
        assert_eq!(author_rows(db)?, ["1|Orwell|-", "2|Anonymous|-"]);
        Ok(())
    }

    fn renamed_tables_and_columns_keep_rows_keys_and_index_names(db) {
        let mut project = initial(db)?;
        project.then(
            "renames",
            vec![
                Operation::RenameColumn { table: "book".into(), from: "title".into(), to: "name".into() },
                Operation::RenameTable { from: "book".into(), to: "volume".into() },
                Operation::RenameTable { from: "author".into(), to: "writer".into() },
            ],
        );
        db.migrate(&project.files(), &MigrateOptions::new())?;
        db.check_schema::<(v::Writer, v::Volume)>()?;
        assert_eq!(index_names(db, "volume")?, ["volume_author_id_idx", "volume_name_idx"]);
        assert_eq!(dump(db, "volume", &["id", "name", "author_id", "year"])?, BOOKS);
        assert_eq!(dump(db, "writer", &["id", "name", "birth_year"])?, AUTHORS);
        // The foreign key follows the renamed table: still checked, still cascading.
        assert!(refused(
            db.execute(&db.sql("INSERT INTO volume (name, author_id, year) VALUES (?, ?, ?)"), &["x".into(), 9.into(), 1.into()]),
            ConstraintKind::ForeignKey
        ));
        db.execute(&db.sql("DELETE FROM writer WHERE id = ?"), &[2.into()])?;
        assert_eq!(dump(db, "volume", &["id"])?, ["1", "2"]);

        db.migrate(&project.files(), &MigrateOptions::new().target("0001"))?;
        db.check_schema::<V1>()?;
        assert_eq!(index_names(db, "book")?, ["book_author_id_idx", "book_title_idx"]);
        assert_eq!(book_rows(db)?, BOOKS[..2]);
        Ok(())
    }

    fn altered_columns_change_type_null_length_and_unique_with_the_rows(db) {
        let mut project = initial(db)?;
        project.then(
            "alter",
            vec![
                Operation::AlterColumn { table: "author".into(), column: column::<v::AuthorStrict>("name"), fill: None },
                Operation::AlterColumn {
                    table: "author".into(),
                    column: column::<v::AuthorStrict>("birth_year"),
                    fill: Some("0".into()),
                },
                Operation::AlterColumn { table: "book".into(), column: column::<v::BookWide>("year"), fill: None },
            ],
        );
        db.migrate(&project.files(), &MigrateOptions::new())?;
        db.check_schema::<(v::AuthorStrict, v::BookWide)>()?;
        assert_eq!(author_rows(db)?, ["1|Orwell|1903", "2|Anonymous|0"]);
        // Rebuilding `author` on SQLite dropped the table the books refer to, with
        // ON DELETE CASCADE: every book is still there.
        assert_eq!(book_rows(db)?, BOOKS);
        let duplicate = db.sql("INSERT INTO author (name, birth_year) VALUES (?, ?)");
        assert!(refused(db.execute(&duplicate, &["Orwell".into(), 1.into()]), ConstraintKind::Unique));
        let long = "x".repeat(150);
        db.execute(&duplicate, &[long.as_str().into(), 1.into()])?;
        db.execute(&db.sql("UPDATE book SET year = ? WHERE id = 3"), &[5_000_000_000_i64.into()])?;
        db.execute(&db.sql("UPDATE book SET year = ? WHERE id = 3"), &[1000.into()])?;
        // Going back to 100 characters would cut it: refused, nothing changed.
        let err = db.migrate(&project.files(), &MigrateOptions::new().target("0001")).unwrap_err();
        assert!(err.to_string().contains("unapplying 0002_alter failed"), "{err}");
        db.check_schema::<(v::AuthorStrict, v::BookWide)>()?;
        db.execute(&db.sql("DELETE FROM author WHERE name = ?"), &[long.as_str().into()])?;

        db.migrate(&project.files(), &MigrateOptions::new().target("0001"))?;
        db.check_schema::<V1>()?;
        assert_eq!(book_rows(db)?, BOOKS);
        assert_eq!(author_rows(db)?, ["1|Orwell|1903", "2|Anonymous|0"]);
        db.execute(&duplicate, &["Orwell".into(), Value::Null])?;
        Ok(())
    }

    fn altered_columns_change_on_delete_checks_and_defaults(db) {
        let mut project = initial(db)?;
        let mut protected = column::<v::Book>("author_id");
        protected.references.as_mut().unwrap().on_delete = orm::OnDelete::Restrict;
        let mut unsigned = column::<v::Author>("birth_year");
        unsigned.column_type = orm::ColumnType::UInt16;
        let mut defaulted = column::<v::Book>("year");
        defaulted.default = Some("2000".into());
        project.then(
            "constraints",
            vec![
                Operation::AlterColumn { table: "book".into(), column: protected, fill: None },
                Operation::AlterColumn { table: "author".into(), column: unsigned, fill: None },
                Operation::AlterColumn { table: "book".into(), column: defaulted, fill: None },
            ],
        );
        db.migrate(&project.files(), &MigrateOptions::new())?;
        assert_eq!((author_rows(db)?, book_rows(db)?), (AUTHORS.map(String::from).to_vec(), BOOKS.map(String::from).to_vec()));
        // (SQLite reports a RESTRICT action with SQLITE_CONSTRAINT_TRIGGER, 1811,
        // which the crate classifies as ConstraintKind::Other.)
        let restricted = db.execute("DELETE FROM author WHERE id = 2", &[]);
        assert!(matches!(&restricted, Err(Error::Integrity { .. })), "{restricted:?}");
        assert!(restricted.unwrap_err().to_string().contains("FOREIGN KEY"));
        let born = db.sql("INSERT INTO author (name, birth_year) VALUES (?, ?)");
        assert!(refused(db.execute(&born, &["Minus".into(), Value::Int32(-5)]), ConstraintKind::Check));
        db.execute("INSERT INTO book (title, author_id) VALUES ('Untimely', 1)", &[])?;
        assert_eq!(dump(db, "book", &["title", "year"])?[3], "Untimely|2000");
        db.execute("DELETE FROM book WHERE title = 'Untimely'", &[])?;

        db.migrate(&project.files(), &MigrateOptions::new().target("0001"))?;
        db.check_schema::<V1>()?;
        assert!(db.execute("INSERT INTO book (title, author_id) VALUES ('Untimely', 1)", &[]).is_err());
        db.execute(&born, &["Minus".into(), Value::Int32(-5)])?;
        db.execute("DELETE FROM author WHERE id = 2", &[])?;
        assert_eq!(book_rows(db)?, BOOKS[..2], "the delete cascades again");
        Ok(())
    }

    fn indexes_and_unique_together_come_and_go(db) {
        let mut project = initial(db)?;
        let groups = Table::from_model(<v::BookIndexed as Model>::META).unique_together;
        project.then(
            "book_indexes",
            vec![
                Operation::AddIndex { table: "book".into(), columns: vec!["author_id".into(), "year".into()] },
                Operation::RemoveIndex { table: "book".into(), columns: vec!["title".into()] },
                Operation::AlterUniqueTogether { table: "book".into(), groups },
            ],
        );
        db.migrate(&project.files(), &MigrateOptions::new())?;
        db.check_schema::<(v::Author, v::BookIndexed)>()?;
        assert_eq!(index_names(db, "book")?, ["book_author_id_idx", "book_author_id_year_idx"]);
        let insert = db.sql("INSERT INTO book (title, author_id, year) VALUES (?, ?, ?)");
        assert!(refused(db.execute(&insert, &["1984".into(), 1.into(), 2000.into()]), ConstraintKind::Unique));
        assert_eq!(book_rows(db)?, BOOKS);

        db.migrate(&project.files(), &MigrateOptions::new().target("0001"))?;
        db.check_schema::<V1>()?;
        assert_eq!(index_names(db, "book")?, ["book_author_id_idx", "book_title_idx"]);
        db.execute(&insert, &["1984".into(), 1.into(), 2000.into()])?;
        Ok(())
    }

    fn a_many_to_many_link_table_and_a_dropped_table(db) {
        let mut project = initial(db)?;
        let mut operations = vec![create::<v::Tag>()];
        operations.extend(Table::link_tables(<v::BookTagged as Model>::META).into_iter().map(Operation::CreateTable));
        project.then("tags", operations);
        db.migrate(&project.files(), &MigrateOptions::new())?;
        db.check_schema::<(v::Author, v::BookTagged, v::Tag)>()?;
        db.execute(&db.sql("INSERT INTO tag (name) VALUES (?)"), &["dystopia".into()])?;
        let links = Table::link_tables(<v::BookTagged as Model>::META);
        let (source, target) = (&links[0].columns[1].name, &links[0].columns[2].name);
        let link = db.sql(&format!("INSERT INTO book_tags ({source}, {target}) VALUES (?, ?)"));
        db.execute(&link, &[1.into(), 1.into()])?;
        assert!(refused(db.execute(&link, &[1.into(), 1.into()]), ConstraintKind::Unique));
        assert!(refused(db.execute(&link, &[9.into(), 1.into()]), ConstraintKind::ForeignKey));

        // Dropping the tables loses the tags: only with the flag, both ways.
        project.then("remove_tags", vec![
            Operation::DropTable { table: "book_tags".into() },
            Operation::DropTable { table: "tag".into() },
        ]);
        assert!(db.migrate(&project.files(), &MigrateOptions::new()).is_err());
        assert_eq!(dump(db, "book_tags", &[source, target])?, ["1|1"]);
        db.migrate(&project.files(), &destructive())?;
        db.check_schema::<V1>()?;
        assert!(db.check_schema::<(v::Tag,)>().is_err());
        // Backwards, the tables come back empty.
        db.migrate(&project.files(), &MigrateOptions::new().target("0002"))?;
        db.check_schema::<(v::Author, v::BookTagged, v::Tag)>()?;
        assert!(dump(db, "tag", &["id"])?.is_empty());
        assert_eq!(book_rows(db)?, BOOKS);
        Ok(())
    }

    fn the_rebuild_keeps_foreign_keys_indexes_triggers_and_the_key_counter(db) {
        let mut project = initial(db)?;
        match db.backend() {
            Backend::Sqlite => db.execute(
                "CREATE TRIGGER book_year_guard BEFORE INSERT ON book WHEN NEW.year < 0 \
                 BEGIN SELECT RAISE(ABORT, 'negative year'); END",
                &[],
            )?,
            Backend::Postgres => {
                db.execute(
                    "CREATE FUNCTION book_year_guard() RETURNS trigger LANGUAGE plpgsql AS \
                     $$BEGIN IF NEW.year < 0 THEN RAISE EXCEPTION 'negative year'; END IF; RETURN NEW; END$$",
                    &[],
                )?;
                db.execute(
                    "CREATE TRIGGER book_year_guard BEFORE INSERT ON book FOR EACH ROW EXECUTE FUNCTION book_year_guard()",
                    &[],
                )?
            }
        };
        // The highest key is deleted: a rebuilt table must not hand it out again.
        db.execute("DELETE FROM book WHERE id = 3", &[])?;
        let mut longer = column::<v::Book>("title");
        longer.max_length = Some(300);
        let mut author_name = column::<v::Author>("name");
        author_name.max_length = Some(120);
        project.then(
            "longer_names",
            vec![
                Operation::AlterColumn { table: "book".into(), column: longer, fill: None },
                Operation::AlterColumn { table: "author".into(), column: author_name, fill: None },
            ],
        );
        db.migrate(&project.files(), &MigrateOptions::new())?;
        assert_eq!(book_rows(db)?, BOOKS[..2]);
        assert_eq!(index_names(db, "book")?, ["book_author_id_idx", "book_title_idx"]);
        let insert = db.sql("INSERT INTO book (title, author_id, year) VALUES (?, ?, ?)");
        assert!(refused(db.execute(&insert, &["x".into(), 9.into(), 1.into()]), ConstraintKind::ForeignKey));
        let err = db.execute(&insert, &["x".into(), 1.into(), (-1).into()]).unwrap_err();
        assert!(err.to_string().contains("negative year"), "{err}");
        db.execute(&insert, &["Keep the Aspidistra Flying".into(), 1.into(), 1936.into()])?;
        // (A refused insert takes a key on PostgreSQL: the new one is 4 or more.)
        let ids = dump(db, "book", &["id"])?;
        assert_eq!(ids[..2], ["1", "2"]);
        assert!(ids[2].parse::<i64>().unwrap() >= 4, "{ids:?}");
        db.execute("DELETE FROM author WHERE id = 1", &[])?;
        assert!(dump(db, "book", &["id"])?.is_empty(), "the books of a deleted author cascade");
        Ok(())
    }

    fn a_large_rebuild_copies_its_rows_in_reported_blocks(db) {
        let mut project = initial(db)?;
        db.execute(
            &match db.backend() {
                Backend::Sqlite => "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25000) \
                                    INSERT INTO book (title, author_id, year) SELECT 'copy ' || i, 1, i FROM n",
                Backend::Postgres => "INSERT INTO book (title, author_id, year) \
                                      SELECT 'copy ' || i, 1, i FROM generate_series(1, 25000) AS i",
            },
            &[],
        )?;
        let before = book_rows(db)?;
        let mut year = column::<v::Book>("year");
        year.nullable = true;
        project.then("nullable_year", vec![Operation::AlterColumn { table: "book".into(), column: year, fill: None }]);
        let lines = std::cell::RefCell::new(Vec::new());
        let progress = |line: &str| lines.borrow_mut().push(line.to_owned());
        db.migrate(&project.files(), &MigrateOptions::new().progress(&progress))?;
        assert_eq!(book_rows(db)?, before);
        let lines = lines.into_inner();
        let copied: Vec<&String> = lines.iter().filter(|l| l.contains("rows copied")).collect();
        match db.backend() {
            Backend::Sqlite => {
                assert!(lines.contains(&"    copying 25003 rows of book".to_owned()), "{lines:#?}");
                assert_eq!(copied.len(), 3, "{lines:#?}");
                assert_eq!(copied[2].as_str(), "    book: 25003 of 25003 rows copied");
            }
            // ALTER COLUMN .. DROP NOT NULL copies nothing.
            Backend::Postgres => assert!(copied.is_empty(), "{lines:#?}"),
        }
        Ok(())
    }
}
