//! The runtime: query counting, capture, assert_num_queries, transactions, files and
//! decode errors.

#[path = "support/backends.rs"]
mod backends;
mod common;
use backends::Backend;
use common::*;
use orm::prelude::*;
use orm::{Error, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// About SQLite's files (WAL journal, foreign keys turned on per connection): SQLite only.
#[test]
fn file_databases_persist_use_wal_and_enforce_foreign_keys() -> orm::Result<()> {
    let dir = std::env::temp_dir().join(format!("orm-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shop.sqlite3");
    {
        let db = Db::open(&path)?;
        db.create_tables::<(Author, Book)>()?;
        seed(&db)?;
        assert!(dir.join("shop.sqlite3-wal").exists(), "WAL journal expected");
        db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)", &[])?;
        db.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))", &[])?;
        let err = db.execute("INSERT INTO child (parent_id) VALUES (42)", &[]).unwrap_err();
        assert!(matches!(err, Error::Integrity { kind: orm::ConstraintKind::ForeignKey, .. }), "{err}");
    }
    let db = Db::open(&path)?;
    assert_eq!(Book::objects().count(&db)?, 5);
    drop(db);
    std::fs::remove_dir_all(&dir).unwrap();
    Ok(())
}

mod many_models {
    use orm::prelude::*;

    macro_rules! models {
        ($($name:ident)*) => {$(
            #[derive(Model, Debug)]
            pub struct $name {
                pub id: i64,
            }
        )*};
    }
    models!(M1 M2 M3 M4 M5 M6 M7 M8 M9 M10 M11 M12 M13 M14);
}

backend_tests! {
    fn every_statement_counts_once_transaction_control_included(db) {
        assert_eq!(db.query_count(), 0);
        db.create_tables::<(Author, Book)>()?;
        // BEGIN, two CREATE TABLE, one CREATE INDEX, COMMIT.
        assert_eq!(db.query_count(), 5);
        db.atomic(|db| Author::objects().create(db, NewAuthor { name: "a".into(), birth_year: None }))?;
        assert_eq!(db.query_count(), 8);
        db.execute("UPDATE author SET name = 'b'", &[])?;
        assert_eq!(db.query_count(), 9);
        // A statement that fails still reached the database, and counts.
        assert!(db.execute("SELECT * FROM no_such_table", &[]).is_err());
        assert_eq!(db.query_count(), 10);
        Ok(())
    }

    fn capture_records_sql_params_rows_and_kind(db) {
        setup(db)?;
        seed(db)?;
        let captured =
            db.capture(|| db.atomic(|db| Book::objects().filter(|b| b.author_id.eq(1)).values(|b| b.title).all(db)))?;
        assert_eq!(captured.value.len(), 3);
        let q = &captured.queries;
        assert_eq!(q.len(), 3);
        assert_eq!((q[0].sql.as_str(), q[0].transaction_control), ("BEGIN", true));
        assert!(!q[1].transaction_control);
        assert_eq!(q[1].params, [Value::Integer(1)]);
        assert_eq!(q[1].rows, Some(3));
        assert_eq!((q[2].sql.as_str(), q[2].transaction_control), ("COMMIT", true));
        assert!(q.iter().all(|q| q.duration.as_nanos() > 0));
        assert_eq!(
            q[1].to_string(),
            db.sql("SELECT \"book\".\"title\" FROM \"book\" WHERE \"book\".\"author_id\" = ? ORDER BY \"book\".\"published_year\" DESC -- params: [1]")
        );
        // Nested captures each see their own statements.
        let outer = db.capture(|| {
            Book::objects().count(db)?;
            let inner = db.capture(|| Author::objects().count(db))?;
            assert_eq!(inner.queries.len(), 1);
            Ok(())
        })?;
        assert_eq!(outer.queries.len(), 2);
        Ok(())
    }

    fn assert_num_queries_passes_returns_the_value_and_supports_question_mark(db) {
        setup(db)?;
        seed(db)?;
        let n = orm::assert_num_queries!(db, 2, {
            let a = Book::objects().count(db)?;
            let b = Author::objects().count(db)?;
            a + b
        });
        assert_eq!(n, 7);
        Ok(())
    }

    fn assert_num_queries_failure_lists_every_statement_numbered(db) {
        setup(db)?;
        seed(db)?;
        let result = catch_unwind(AssertUnwindSafe(|| -> orm::Result<()> {
            orm::assert_num_queries!(db, 1, {
                Book::objects().filter(|b| b.title.eq("1984")).count(db)?;
                Author::objects().exists(db)?;
            });
            Ok(())
        }));
        let panic = result.expect_err("two queries against an expected one must fail");
        let message = panic.downcast_ref::<String>().expect("a formatted message");
        assert!(message.starts_with("2 queries executed, 1 expected\nCaptured queries were:\n"), "{message}");
        assert!(
            message.contains(&db.sql("1. SELECT COUNT(*) FROM \"book\" WHERE \"book\".\"title\" = ? -- params: [\"1984\"]\n")),
            "{message}"
        );
        assert!(message.contains("2. SELECT 1 FROM \"author\" LIMIT 1\n"), "{message}");
        Ok(())
    }

    fn atomic_commits_on_ok_and_rolls_back_on_err(db) {
        setup(db)?;
        db.atomic(|db| Author::objects().create(db, NewAuthor { name: "kept".into(), birth_year: None }).map(drop))?;
        let captured = db.capture(|| {
            Ok(db.atomic(|db| -> orm::Result<()> {
                Author::objects().create(db, NewAuthor { name: "lost".into(), birth_year: None })?;
                Err(Error::InvalidQuery { message: "abort" })
            }))
        })?;
        assert!(captured.value.is_err());
        assert_eq!(captured.queries.last().unwrap().sql, "ROLLBACK");
        assert_eq!(Author::objects().values(|a| a.name).all(db)?, ["kept"]);
        assert!(!db.in_transaction());
        Ok(())
    }

    fn atomic_rolls_back_on_panic(db) {
        setup(db)?;
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _ = db.atomic(|db| -> orm::Result<()> {
                Author::objects().create(db, NewAuthor { name: "lost".into(), birth_year: None })?;
                panic!("boom");
            });
        }));
        assert!(result.is_err());
        assert!(!db.in_transaction());
        assert_eq!(Author::objects().count(db)?, 0);
        // The connection is usable afterwards.
        db.atomic(|db| Author::objects().create(db, NewAuthor { name: "ok".into(), birth_year: None }))?;
        assert_eq!(Author::objects().count(db)?, 1);
        Ok(())
    }

    fn nested_atomic_is_a_savepoint(db) {
        setup(db)?;
        let captured = db.capture(|| {
            db.atomic(|db| {
                Author::objects().create(db, NewAuthor { name: "outer".into(), birth_year: None })?;
                let inner: orm::Result<()> = db.atomic(|db| {
                    Author::objects().create(db, NewAuthor { name: "inner".into(), birth_year: None })?;
                    Err(Error::InvalidQuery { message: "undo the inner block only" })
                });
                assert!(inner.is_err());
                db.atomic(|db| Author::objects().create(db, NewAuthor { name: "inner2".into(), birth_year: None }))
            })
        })?;
        let sql: Vec<&str> = captured.queries.iter().filter(|q| q.transaction_control).map(|q| q.sql.as_str()).collect();
        assert_eq!(
            sql,
            [
                "BEGIN",
                "SAVEPOINT \"orm_sp_1\"",
                "ROLLBACK TO \"orm_sp_1\"",
                "RELEASE \"orm_sp_1\"",
                "SAVEPOINT \"orm_sp_1\"",
                "RELEASE \"orm_sp_1\"",
                "COMMIT"
            ]
        );
        let names = Author::objects().order_by(|a| a.id.asc()).values(|a| a.name).all(db)?;
        assert_eq!(names, ["outer", "inner2"]);
        Ok(())
    }

    fn bad_data_in_the_file_is_a_decode_error_not_a_panic(db) {
        // A table written by someone else, looser than the model. PostgreSQL refuses a
        // text in an integer column: there published_year is a text column at first,
        // and a bigint (still wider than the model's i32) from the NULL title on.
        let year_type = match db.backend() {
            Backend::Sqlite => "INTEGER",
            Backend::Postgres => "TEXT",
        };
        db.execute(&format!("CREATE TABLE book (id INTEGER PRIMARY KEY, title TEXT, author_id INTEGER, published_year {year_type}, price_cents INTEGER)"), &[])?;
        db.execute("INSERT INTO book VALUES (1, 'ok', 1, 'nineteen', 5)", &[])?;
        let err = Book::objects().all(db).unwrap_err();
        match &err {
            Error::Decode { model, column, expected, found, expression: None } => {
                assert_eq!((*model, *column, *expected), ("Book", "published_year", "i32"));
                assert_eq!(found, "TEXT \"nineteen\"");
            }
            other => panic!("expected a decode error, got {other}"),
        }
        assert_eq!(err.to_string(), "cannot decode Book.published_year: expected i32, found TEXT \"nineteen\"");
        if db.backend() == Backend::Postgres {
            db.execute("ALTER TABLE book ALTER COLUMN published_year TYPE bigint USING 0", &[])?;
        }
        db.execute("UPDATE book SET published_year = 1949, title = NULL", &[])?;
        let err = Book::objects().all(db).unwrap_err();
        assert!(matches!(err, Error::Decode { column: "title", ref found, .. } if found == "NULL"), "{err}");
        db.execute("UPDATE book SET title = 't', published_year = 99999999999", &[])?;
        let err = Book::objects().values(|b| b.published_year).all(db).unwrap_err();
        assert!(err.to_string().contains("out of range for i32"), "{err}");
        db.execute("UPDATE book SET published_year = 1949", &[])?;
        assert_eq!(Book::objects().all(db)?.len(), 1);
        Ok(())
    }

    fn try_atomic_accepts_the_callers_error_type(db) {
        #[derive(Debug)]
        enum AppError {
            Db(Error),
            Rejected,
        }
        impl From<Error> for AppError {
            fn from(e: Error) -> Self {
                AppError::Db(e)
            }
        }
        setup(db)?;
        let result: Result<(), AppError> = db.try_atomic(|db| {
            Author::objects().create(db, NewAuthor { name: "x".into(), birth_year: None })?;
            Err(AppError::Rejected)
        });
        assert!(matches!(result, Err(AppError::Rejected)));
        let result: Result<(), AppError> = db.try_atomic(|db| {
            db.execute("bogus sql", &[])?;
            Ok(())
        });
        assert!(matches!(result, Err(AppError::Db(Error::Database { kind: orm::DatabaseErrorKind::Statement, .. }))));
        assert_eq!(Author::objects().count(db)?, 0);
        Ok(())
    }

    fn create_tables_takes_more_than_twelve_models_as_nested_tuples(db) {
        use many_models::*;
        db.create_tables::<((M1, M2, M3, M4, M5, M6, M7, M8, M9, M10, M11, M12), (M13, M14))>()?;
        assert_eq!(M14::objects().count(db)?, 0);
        assert_eq!(M1::objects().count(db)?, 0);
        Ok(())
    }
}
