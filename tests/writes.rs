//! Writes: create, save, delete, refresh, update, bulk_create, get_or_create,
//! update_or_create, and the errors constraints give.

#[path = "support/backends.rs"]
mod backends;
mod common;
use backends::Backend;
use common::*;
use orm::prelude::*;
use orm::{ConstraintKind, Error, Value};

#[derive(Model, Debug, Clone, PartialEq)]
#[orm(unique_together(country, code), index_together(country, name))]
struct Airport {
    #[orm(primary_key, max_length = 3)]
    iata: String,
    country: String,
    code: i32,
    name: String,
    #[orm(default = 1)]
    runways: i32,
    #[orm(column = "elevation_m", default = -5)]
    elevation: i32,
}

fn airport_setup(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Airport,)>()
}

fn airport(iata: &str, country: &str, code: i32) -> NewAirport {
    NewAirport {
        iata: iata.into(),
        country: country.into(),
        code,
        name: format!("{iata} airport"),
        runways: 2,
        elevation: 10,
    }
}

/// An iterator whose `size_hint` promises `promised` rows but yields `yields`.
struct Lying {
    promised: usize,
    yields: usize,
}

impl Iterator for Lying {
    type Item = NewBook;
    fn next(&mut self) -> Option<NewBook> {
        self.yields = self.yields.checked_sub(1)?;
        Some(new_book("lie", 1, 2000, 1))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.promised, Some(self.promised))
    }
}

backend_tests! {
    fn create_returns_the_row_with_its_key_in_one_query(db) {
        setup(db)?;
        let captured = db.capture(|| Author::objects().create(db, NewAuthor { name: "Y".into(), birth_year: None }))?;
        assert_eq!(captured.queries.len(), 1);
        assert_eq!(
            captured.queries[0].sql,
            db.sql("INSERT INTO \"author\" (\"name\", \"birth_year\") VALUES (?, ?) RETURNING \"author\".\"id\"")
        );
        assert_eq!(captured.queries[0].params, [Value::Text("Y".into()), Value::Null]);
        let author = captured.value;
        assert_eq!(author, Author { id: 1, name: "Y".into(), birth_year: None });
        let second = Author::objects().create(db, NewAuthor { name: "Z".into(), birth_year: Some(1) })?;
        assert_eq!(second.id, 2);
        assert_eq!(Author::objects().get(db, |a| a.id.eq(2))?, second);
        Ok(())
    }

    fn save_updates_by_primary_key_or_inserts_a_missing_row(db) {
        setup(db)?;
        let mut author = Author::objects().create(db, NewAuthor { name: "X".into(), birth_year: None })?;
        author.birth_year = Some(1800);
        orm::assert_num_queries!(db, 1, { author.save(db)? });
        assert_eq!(Author::objects().get(db, |a| a.id.eq(author.id))?.birth_year, Some(1800));
        // A key no row has: UPDATE finds nothing, then INSERT with that key (Django's save()).
        let ghost = Author { id: 999, name: "Z".into(), birth_year: None };
        let captured = db.capture(|| ghost.save(db))?;
        assert_eq!(captured.queries.len(), 2);
        assert!(captured.queries[0].sql.starts_with("UPDATE"));
        assert_eq!(captured.queries[0].rows, Some(0));
        assert!(captured.queries[1].sql.starts_with("INSERT INTO \"author\" (\"id\", \"name\", \"birth_year\")"));
        assert_eq!(Author::objects().get(db, |a| a.id.eq(999))?, ghost);
        Ok(())
    }

    fn refresh_from_db_reloads_every_field(db) {
        setup(db)?;
        let mut author = Author::objects().create(db, NewAuthor { name: "X".into(), birth_year: None })?;
        Author::objects().update(db, |a| (a.name.set("Renamed"), a.birth_year.set(1950)))?;
        orm::assert_num_queries!(db, 1, { author.refresh_from_db(db)? });
        assert_eq!(author, Author { id: 1, name: "Renamed".into(), birth_year: Some(1950) });
        Author::objects().delete(db)?;
        assert!(matches!(author.refresh_from_db(db), Err(Error::DoesNotExist { model: "Author" })));
        Ok(())
    }

    fn instance_delete_is_one_query_and_returns_counts(db) {
        setup(db)?;
        seed(db)?;
        let book = Book::objects().get(db, |b| b.title.eq("1984"))?;
        let captured = db.capture(|| book.delete(db))?;
        assert_eq!(captured.queries.len(), 1);
        // A key list: IN (?, ..) on SQLite, one array parameter on PostgreSQL (= ANY($1)).
        let keys = match db.backend() {
            Backend::Sqlite => "IN (?)",
            Backend::Postgres => "= ANY(?)",
        };
        assert_eq!(captured.queries[0].sql, db.sql(&format!("DELETE FROM \"book\" WHERE \"book\".\"id\" {keys}")));
        let (total, per_model) = captured.value;
        assert_eq!(total, 1);
        assert_eq!(per_model.get("Book"), Some(&1));
        let (total, per_model) = book.delete(db)?;
        assert_eq!((total, per_model.len()), (0, 0));
        assert_eq!(Book::objects().count(db)?, 4);
        Ok(())
    }

    fn queryset_update_with_f_expressions_returns_rows_changed(db) {
        setup(db)?;
        seed(db)?;
        let captured = db.capture(|| {
            Book::objects().filter(|b| b.published_year.lt(1990)).update(db, |b| b.price_cents.set(b.price_cents * 2))
        })?;
        assert_eq!(captured.value, 4);
        assert_eq!(captured.queries.len(), 1);
        assert_eq!(
            captured.queries[0].sql,
            db.sql("UPDATE \"book\" SET \"price_cents\" = (\"book\".\"price_cents\" * ?) WHERE \"book\".\"published_year\" < ?")
        );
        let prices: Vec<i64> = Book::objects().order_by(|b| b.id.asc()).values(|b| b.price_cents).all(db)?;
        assert_eq!(prices, [1798, 1198, 2198, 3000, 100]);
        // Several columns at once, one a copy of another column.
        let n = Book::objects()
            .filter(|b| b.id.eq(5))
            .update(db, |b| (b.published_year.set(2022), b.price_cents.set(b.id)))?;
        assert_eq!(n, 1);
        assert_eq!(Book::objects().get(db, |b| b.id.eq(5))?.price_cents, 5);
        Ok(())
    }

    fn queryset_delete_runs_in_a_transaction_like_django(db) {
        setup(db)?;
        seed(db)?;
        let captured = db.capture(|| Book::objects().filter(|b| b.author_id.eq(2)).delete(db))?;
        let sql: Vec<&str> = captured.queries.iter().map(|q| q.sql.as_str()).collect();
        assert_eq!(sql, ["BEGIN", &db.sql("DELETE FROM \"book\" WHERE \"book\".\"author_id\" = ?"), "COMMIT"]);
        assert_eq!(captured.value.0, 2);
        assert_eq!(captured.value.1.get("Book"), Some(&2));
        // Inside a transaction: no savepoint of its own.
        let captured = db.capture(|| db.atomic(|db| Book::objects().delete(db)))?;
        assert_eq!(captured.queries.len(), 3);
        assert_eq!(captured.value.0, 3);
        Ok(())
    }

    fn bulk_create_is_one_insert_per_batch_and_returns_keys_in_order(db) {
        setup(db)?;
        let rows: Vec<NewBook> = (0..150).map(|i| new_book(&format!("b{i}"), 1, 2000, i)).collect();
        let captured = db.capture(|| Book::objects().bulk_create(db, rows))?;
        let sql: Vec<&str> = captured.queries.iter().map(|q| q.sql.as_str()).collect();
        assert_eq!(sql.len(), 3);
        assert_eq!((sql[0], sql[2]), ("BEGIN", "COMMIT"));
        assert!(sql[1].ends_with("RETURNING \"book\".\"id\""));
        let books = captured.value;
        assert_eq!(books.len(), 150);
        for (i, book) in books.iter().enumerate() {
            assert_eq!(book.id, i as i64 + 1);
            assert_eq!(book.price_cents, i as i64);
            assert_eq!(Book::objects().get(db, |b| b.id.eq(book.id))?.title, format!("b{i}"));
        }
        // Nothing to insert, nothing sent.
        orm::assert_num_queries!(db, 0, { Book::objects().bulk_create(db, Vec::new())? });
        Ok(())
    }

    fn bulk_create_splits_batches_at_the_backends_parameter_limit(db) {
        setup(db)?;
        // 4 columns a row: on SQLite 8191 rows fit in 32766 parameters; on PostgreSQL
        // (a 16-bit parameter count) 16383 rows fit in 65535. BEGIN and COMMIT around.
        let rows: Vec<NewBook> = (0..20_000).map(|i| new_book("t", 1, 2000, i)).collect();
        let captured = db.capture(|| Book::objects().bulk_create(db, rows))?;
        let inserts: Vec<usize> =
            captured.queries.iter().filter(|q| q.sql.starts_with("INSERT")).map(|q| q.params.len() / 4).collect();
        let batches: &[usize] = match db.backend() {
            Backend::Sqlite => &[8191, 8191, 3618],
            Backend::Postgres => &[16383, 3617],
        };
        assert_eq!(inserts, batches);
        assert_eq!(captured.queries.len(), batches.len() + 2);
        let ids: Vec<i64> = captured.value.iter().map(|b| b.id).collect();
        assert_eq!(ids, (1..=20_000).collect::<Vec<i64>>());
        assert_eq!(Book::objects().count(db)?, 20_000);
        Ok(())
    }

    fn bulk_insert_does_not_read_keys_back(db) {
        setup(db)?;
        let captured = db.capture(|| Book::objects().bulk_insert(db, (0..10).map(|i| new_book("t", 1, 2000, i))))?;
        assert_eq!(captured.value, 10);
        assert_eq!(captured.queries.len(), 1);
        assert!(!captured.queries[0].sql.contains("RETURNING"));
        Ok(())
    }

    fn bulk_insert_refuses_an_iterator_that_breaks_its_size_hint(db) {
        setup(db)?;
        for (promised, yields) in [(3, 2), (3, 4)] {
            let err = Book::objects().bulk_insert(db, Lying { promised, yields }).unwrap_err();
            assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
            assert_eq!(Book::objects().count(db)?, 0, "nothing is inserted");
        }
        // The statement is usable again afterwards.
        assert_eq!(Book::objects().bulk_insert(db, Lying { promised: 3, yields: 3 })?, 3);
        Ok(())
    }

    fn get_or_create_counts_match_django(db) {
        setup(db)?;
        let defaults = || NewAuthor { name: "X".into(), birth_year: Some(1900) };
        let captured = db.capture(|| Author::objects().get_or_create(db, |a| a.name.eq("X"), defaults()))?;
        let sql: Vec<&str> = captured.queries.iter().map(|q| q.sql.as_str()).collect();
        assert_eq!(sql.len(), 4, "{sql:?}");
        assert!(sql[0].starts_with("SELECT") && sql[0].ends_with("LIMIT 21"));
        assert_eq!((sql[1], sql[3]), ("BEGIN", "COMMIT"));
        assert!(sql[2].starts_with("INSERT"));
        assert!(captured.queries[1].transaction_control && !captured.queries[2].transaction_control);
        let (author, created) = captured.value;
        assert!(created);
        assert_eq!(author.birth_year, Some(1900));

        let (again, created) =
            orm::assert_num_queries!(db, 1, { Author::objects().get_or_create(db, |a| a.name.eq("X"), defaults())? });
        assert!(!created);
        assert_eq!(again, author);

        // Inside a transaction the insert gets a savepoint: SELECT, SAVEPOINT, INSERT, RELEASE.
        let captured = db.capture(|| {
            db.atomic(|db| {
                Author::objects().get_or_create(db, |a| a.name.eq("W"), NewAuthor { name: "W".into(), birth_year: None })
            })
        })?;
        let sql: Vec<&str> = captured.queries.iter().map(|q| q.sql.as_str()).collect();
        assert_eq!(sql.len(), 6);
        assert!(sql[2].starts_with("SAVEPOINT") && sql[4].starts_with("RELEASE"));
        Ok(())
    }

    fn update_or_create_counts_match_django(db) {
        setup(db)?;
        let defaults = |year| NewAuthor { name: "X".into(), birth_year: Some(year) };
        let captured = db.capture(|| Author::objects().update_or_create(db, |a| a.name.eq("X"), defaults(1901)))?;
        let sql: Vec<&str> = captured.queries.iter().map(|q| q.sql.as_str()).collect();
        assert_eq!(sql.len(), 6, "{sql:?}");
        assert_eq!((sql[0], sql[2], sql[4], sql[5]), ("BEGIN", "SAVEPOINT \"orm_sp_1\"", "RELEASE \"orm_sp_1\"", "COMMIT"));
        assert!(captured.value.1);

        let captured = db.capture(|| Author::objects().update_or_create(db, |a| a.name.eq("X"), defaults(1902)))?;
        let sql: Vec<&str> = captured.queries.iter().map(|q| q.sql.as_str()).collect();
        assert_eq!(sql.len(), 4, "{sql:?}");
        assert!(sql[1].starts_with("SELECT") && sql[2].starts_with("UPDATE"));
        let (author, created) = captured.value;
        assert!(!created);
        assert_eq!(author.birth_year, Some(1902));
        assert_eq!(Author::objects().get(db, |a| a.name.eq("X"))?.birth_year, Some(1902));
        assert_eq!(Author::objects().count(db)?, 1);
        Ok(())
    }

    fn bulk_insert_of_an_exact_size_iterator_is_one_counted_statement(db) {
        // Outside a capture, an exact-size iterator is bound into one statement row by row
        // (tests/streaming_memory.rs measures that it holds one row at a time).
        setup(db)?;
        let before = db.query_count();
        let n = Book::objects().bulk_insert(db, (0..7).map(|i| new_book(&format!("t{i}"), 1, 2000 + i as i32, i)))?;
        assert_eq!(n, 7);
        assert_eq!(db.query_count() - before, 1);
        let rows = Book::objects().order_by(|b| b.id).values(|b| (b.title, b.published_year, b.price_cents)).all(db)?;
        let expected: Vec<(String, i32, i64)> = (0..7).map(|i| (format!("t{i}"), 2000 + i as i32, i)).collect();
        assert_eq!(rows, expected);
        Ok(())
    }

    fn get_or_create_recovers_when_the_insert_hits_a_unique_row(db) {
        airport_setup(db)?;
        Airport::objects().create(db, airport("CDG", "FR", 1))?;
        // The condition misses, the insert collides with the existing key: Django then
        // re-runs the get; it still misses, so the integrity error is returned.
        let err = Airport::objects().get_or_create(db, |a| a.code.eq(99), airport("CDG", "FR", 2)).unwrap_err();
        assert!(matches!(err, Error::Integrity { kind: ConstraintKind::PrimaryKey, .. }), "{err}");
        Ok(())
    }

    fn constraint_violations_are_integrity_errors(db) {
        airport_setup(db)?;
        Airport::objects().create(db, airport("CDG", "FR", 1))?;
        let err = Airport::objects().create(db, airport("CDG", "DE", 7)).unwrap_err();
        assert!(matches!(err, Error::Integrity { kind: ConstraintKind::PrimaryKey, .. }), "{err}");
        let err = Airport::objects().create(db, airport("ORY", "FR", 1)).unwrap_err();
        match &err {
            Error::Integrity { kind: ConstraintKind::Unique, message } => {
                assert!(message.contains("airport.country, airport.code"), "{message}")
            }
            other => panic!("expected a unique violation, got {other}"),
        }
        // max_length is checked before writing; the table backs it for other writers:
        // SQLite with a CHECK, PostgreSQL with varchar(3), whose refusal is a data error
        // (SQLSTATE 22001, Django's DataError) rather than a constraint's.
        let err = Airport::objects().create(db, airport("TOOLONG", "FR", 3)).unwrap_err();
        assert!(matches!(err, Error::Validation { field: "iata", .. }), "{err}");
        let err = db
            .execute("INSERT INTO airport (iata, country, code, name) VALUES ('TOOLONG', 'FR', 3, 'n')", &[])
            .unwrap_err();
        match db.backend() {
            Backend::Sqlite => assert!(matches!(err, Error::Integrity { kind: ConstraintKind::Check, .. }), "{err}"),
            Backend::Postgres => {
                assert!(matches!(&err, Error::Database { code: Some(code), .. } if code == "22001"), "{err}")
            }
        }
        let err =
            db.execute("INSERT INTO airport (iata, country, code, name) VALUES ('X', NULL, 1, 'n')", &[]).unwrap_err();
        assert!(matches!(err, Error::Integrity { kind: ConstraintKind::NotNull, .. }), "{err}");
        // Nothing was half-written.
        assert_eq!(Airport::objects().count(db)?, 1);
        Ok(())
    }

    fn natural_keys_defaults_and_column_names(db) {
        airport_setup(db)?;
        let cdg = Airport::objects().create(db, airport("CDG", "FR", 1))?;
        assert_eq!(cdg.iata, "CDG");
        // SQL defaults apply to rows inserted without those columns.
        db.execute(
            &db.sql("INSERT INTO airport (iata, country, code, name) VALUES (?, ?, ?, ?)"),
            &[Value::Text("LHR".into()), Value::Text("GB".into()), Value::Integer(2), Value::Text("Heathrow".into())],
        )?;
        let lhr = Airport::objects().get(db, |a| a.iata.eq("LHR"))?;
        assert_eq!((lhr.runways, lhr.elevation), (1, -5));
        let mut lhr2 = lhr.clone();
        lhr2.runways = 3;
        lhr2.save(db)?;
        assert_eq!(Airport::objects().get(db, |a| a.iata.eq("LHR"))?.runways, 3);
        assert_eq!(lhr2.delete(db)?.0, 1);
        assert!(Airport::objects()
            .filter(|a| a.elevation.eq(10))
            .sql_for(db)
            .text
            .contains(&db.sql("\"airport\".\"elevation_m\" = ?")));
        Ok(())
    }

    fn a_model_of_an_auto_key_alone_can_be_created(db) {
        #[derive(Model, Debug, PartialEq)]
        struct Ticket {
            id: i64,
        }
        db.create_tables::<(Ticket,)>()?;
        let first = Ticket::objects().create(db, NewTicket {})?;
        let more = Ticket::objects().bulk_create(db, [NewTicket {}, NewTicket {}])?;
        assert_eq!(Ticket::objects().bulk_insert(db, [NewTicket {}])?, 1);
        assert_eq!((first.id, more[0].id, more[1].id), (1, 2, 3));
        assert_eq!(Ticket::objects().count(db)?, 4);
        Ok(())
    }
}
