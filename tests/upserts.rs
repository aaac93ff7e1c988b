//! Upserts: `bulk_create_ignore_conflicts` (Django's `bulk_create(ignore_conflicts=True)`),
//! `bulk_create_update_conflicts` (`update_conflicts=True, update_fields, unique_fields`)
//! and `insert_or_update`, checked against what Django 5.2 does on the same rows (results,
//! stored rows and query counts), on SQLite and PostgreSQL.

#[path = "support/backends.rs"]
mod backends;
use backends::Backend;
use orm::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "ups_book")]
pub struct Book {
    pub id: i64,
    #[orm(unique, max_length = 20)]
    pub isbn: String,
    #[orm(max_length = 100)]
    pub title: String,
    pub price: i64,
}

/// A slot on a shelf: unique by (shelf, position), not by either alone.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "ups_slot", unique_together(shelf, position))]
pub struct Slot {
    pub id: i64,
    pub shelf: i32,
    pub position: i32,
    pub label: String,
}

/// A natural primary key and a unique column besides it.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "ups_country")]
pub struct Country {
    #[orm(primary_key, max_length = 2)]
    pub code: String,
    #[orm(unique)]
    pub name: String,
    pub population: i64,
}

fn setup(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Book, Slot, Country)>()
}

fn new_book(isbn: &str, title: &str, price: i64) -> NewBook {
    NewBook { isbn: isbn.into(), title: title.into(), price }
}

/// Every book as (isbn, title, price), by isbn.
fn stored(db: &Db) -> orm::Result<Vec<(String, String, i64)>> {
    Book::objects().order_by(|b| b.isbn.asc()).values(|b| (b.isbn, b.title, b.price)).all(db)
}

fn row(isbn: &str, title: &str, price: i64) -> (String, String, i64) {
    (isbn.into(), title.into(), price)
}

backend_tests! {
    fn ignore_conflicts_inserts_the_new_rows_skips_the_others_in_three_queries(db) {
        setup(db)?;
        Book::objects().create(db, new_book("a", "A", 1))?;
        // Django: BEGIN, INSERT .. (ON CONFLICT DO NOTHING | OR IGNORE), COMMIT.
        let captured = db.capture(|| {
            Book::objects().bulk_create_ignore_conflicts(db, [new_book("a", "A2", 2), new_book("b", "B", 3)])
        })?;
        assert_eq!(captured.value, 1, "one row inserted, one skipped");
        assert_eq!(captured.queries.len(), 3, "{:#?}", captured.queries);
        let insert = &captured.queries[1].sql;
        assert!(insert.ends_with(" ON CONFLICT DO NOTHING"), "{insert}");
        assert!(captured.queries[0].transaction_control && captured.queries[2].transaction_control);
        // The existing row is left as it was.
        assert_eq!(stored(db)?, [row("a", "A", 1), row("b", "B", 3)]);
        Ok(())
    }

    fn ignore_conflicts_of_no_rows_sends_no_query(db) {
        setup(db)?;
        let captured = db.capture(|| Book::objects().bulk_create_ignore_conflicts(db, Vec::new()))?;
        assert_eq!((captured.value, captured.queries.len()), (0, 0));
        Ok(())
    }

    fn update_conflicts_updates_only_the_update_fields_and_returns_every_key_in_order(db) {
        setup(db)?;
        let a = Book::objects().create(db, new_book("a", "A", 1))?;
        let b = Book::objects().create(db, new_book("b", "B", 3))?;
        // Django's rows: a new one between two that conflict.
        let rows = vec![new_book("c", "C", 5), new_book("a", "A3", 4), new_book("b", "B3", 6)];
        let captured =
            db.capture(|| Book::objects().bulk_create_update_conflicts(db, rows, |f| f.title, |f| f.isbn))?;
        assert_eq!(captured.queries.len(), 3, "BEGIN, INSERT .. ON CONFLICT .. RETURNING, COMMIT as in Django");
        let insert = &captured.queries[1].sql;
        assert!(
            insert.contains(r#"ON CONFLICT ("isbn") DO UPDATE SET "title" = EXCLUDED."title" RETURNING "ups_book"."id""#),
            "{insert}"
        );
        let books = captured.value;
        // Django: [(4, 'c', 'C', 5), (1, 'a', 'A3', 4), (3, 'b', 'B3', 6)]: the keys of the
        // rows written, the other fields as given.
        assert_eq!(books.iter().map(|b| b.isbn.as_str()).collect::<Vec<_>>(), ["c", "a", "b"]);
        assert_eq!((books[1].id, books[2].id), (a.id, b.id));
        assert!(books[0].id > b.id);
        assert_eq!((books[1].title.as_str(), books[1].price), ("A3", 4));
        assert_eq!(Book::objects().get(db, |f| f.isbn.eq("c"))?.id, books[0].id);
        // Stored: the title updated, the price kept (it is not in update_fields).
        assert_eq!(stored(db)?, [row("a", "A3", 1), row("b", "B3", 3), row("c", "C", 5)]);
        Ok(())
    }

    fn update_conflicts_several_update_fields(db) {
        setup(db)?;
        Book::objects().create(db, new_book("a", "A", 1))?;
        let rows = vec![new_book("a", "A2", 2)];
        Book::objects().bulk_create_update_conflicts(db, rows, |f| (f.title, f.price), |f| f.isbn)?;
        assert_eq!(stored(db)?, [row("a", "A2", 2)]);
        Ok(())
    }

    fn update_conflicts_without_update_fields_is_an_error_and_sends_nothing(db) {
        setup(db)?;
        let before = db.query_count();
        // Django: ValueError "Fields that will be updated when a row insertion fails on
        // conflicts must be provided."
        let err = Book::objects()
            .bulk_create_update_conflicts(db, vec![new_book("a", "A", 1)], |_| (), |f| f.isbn)
            .unwrap_err();
        assert!(matches!(err, orm::Error::InvalidQuery { .. }), "{err:?}");
        assert_eq!(db.query_count(), before);
        Ok(())
    }

    fn update_conflicts_on_a_unique_together_group(db) {
        setup(db)?;
        let first = Slot::objects().create(db, NewSlot { shelf: 1, position: 1, label: "old".into() })?;
        let rows = vec![
            NewSlot { shelf: 1, position: 1, label: "new".into() },
            NewSlot { shelf: 1, position: 2, label: "next".into() },
        ];
        let slots = Slot::objects().bulk_create_update_conflicts(db, rows, |s| s.label, |s| (s.shelf, s.position))?;
        assert_eq!(slots[0].id, first.id);
        let labels: Vec<String> = Slot::objects().order_by(|s| s.position.asc()).values(|s| s.label).all(db)?;
        assert_eq!(labels, ["new", "next"]);
        // Columns that are no unique_together group: an error before any query.
        let before = db.query_count();
        let err = Slot::objects()
            .bulk_create_update_conflicts(db, vec![NewSlot { shelf: 1, position: 1, label: "x".into() }], |s| s.label, |s| (s.shelf, s.label))
            .unwrap_err();
        assert!(matches!(err, orm::Error::InvalidQuery { .. }), "{err:?}");
        assert_eq!(db.query_count(), before);
        Ok(())
    }

    fn update_conflicts_with_the_same_key_twice_in_one_statement(db) {
        setup(db)?;
        let rows = vec![new_book("d", "D1", 1), new_book("d", "D2", 2)];
        let result = Book::objects().bulk_create_update_conflicts(db, rows, |f| f.title, |f| f.isbn);
        match db.backend() {
            // Django on SQLite: [(7, 'd', 'D1'), (7, 'd', 'D2')], the second applied.
            Backend::Sqlite => {
                let books = result?;
                assert_eq!(books[0].id, books[1].id);
                assert_eq!(stored(db)?, [row("d", "D2", 1)]);
            }
            // Django on PostgreSQL: "ON CONFLICT DO UPDATE command cannot affect row a
            // second time", and nothing written.
            Backend::Postgres => {
                assert!(matches!(result, Err(orm::Error::Database { .. })), "{result:?}");
                assert_eq!(Book::objects().count(db)?, 0);
            }
        }
        Ok(())
    }

    fn update_conflicts_of_a_natural_key_model_keeps_the_given_values(db) {
        setup(db)?;
        Country::objects().create(db, NewCountry { code: "FR".into(), name: "France".into(), population: 1 })?;
        let rows = vec![
            NewCountry { code: "FR".into(), name: "France".into(), population: 68 },
            NewCountry { code: "DE".into(), name: "Germany".into(), population: 84 },
        ];
        let countries = Country::objects().bulk_create_update_conflicts(db, rows, |c| c.population, |c| c.code)?;
        assert_eq!(countries.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["FR", "DE"]);
        let stored: Vec<(String, i64)> =
            Country::objects().order_by(|c| c.code.asc()).values(|c| (c.code, c.population)).all(db)?;
        assert_eq!(stored, [("DE".to_string(), 84), ("FR".to_string(), 68)]);
        Ok(())
    }

    fn insert_or_update_inserts_then_updates_in_one_query_each(db) {
        setup(db)?;
        let captured =
            db.capture(|| Book::objects().insert_or_update(db, new_book("a", "A", 1), |f| f.isbn))?;
        assert_eq!(captured.queries.len(), 1, "{:#?}", captured.queries);
        let first = captured.value;
        assert_eq!((first.isbn.as_str(), first.title.as_str(), first.price), ("a", "A", 1));
        let sql = &captured.queries[0].sql;
        assert!(sql.contains(r#"ON CONFLICT ("isbn") DO UPDATE SET "title" = EXCLUDED."title", "price" = EXCLUDED."price" RETURNING"#), "{sql}");

        let captured =
            db.capture(|| Book::objects().insert_or_update(db, new_book("a", "A2", 2), |f| f.isbn))?;
        assert_eq!(captured.queries.len(), 1);
        assert_eq!(captured.value, Book { id: first.id, isbn: "a".into(), title: "A2".into(), price: 2 });
        assert_eq!(stored(db)?, [row("a", "A2", 2)]);
        Ok(())
    }

    fn insert_or_update_returns_the_stored_key_of_a_natural_key_model(db) {
        setup(db)?;
        Country::objects().create(db, NewCountry { code: "FR".into(), name: "France".into(), population: 1 })?;
        // Conflicting on the name, the row keeps its key: what comes back is the row as
        // stored, not the key that was sent.
        let france = Country::objects()
            .insert_or_update(db, NewCountry { code: "XX".into(), name: "France".into(), population: 68 }, |c| c.name)?;
        assert_eq!(france, Country { code: "FR".into(), name: "France".into(), population: 68 });
        assert_eq!(Country::objects().count(db)?, 1);
        Ok(())
    }

    fn upserts_check_max_length_and_write_nothing(db) {
        setup(db)?;
        let before = db.query_count();
        let long = "x".repeat(21);
        let err = Book::objects().bulk_create_ignore_conflicts(db, [new_book(&long, "A", 1)]).unwrap_err();
        assert!(matches!(err, orm::Error::Validation { field: "isbn", .. }), "{err:?}");
        let err = Book::objects().insert_or_update(db, new_book(&long, "A", 1), |f| f.isbn).unwrap_err();
        assert!(matches!(err, orm::Error::Validation { field: "isbn", .. }), "{err:?}");
        // Checked inside bulk_create's transaction (BEGIN, ROLLBACK), before the
        // INSERT; insert_or_update checks before its one statement.
        assert_eq!(db.query_count() - before, 2);
        assert_eq!(Book::objects().count(db)?, 0);
        Ok(())
    }

    fn upserts_send_no_signals(db) {
        setup(db)?;
        let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (pre, post) = (sent.clone(), sent.clone());
        db.on_pre_save::<Book>(move |_, _| {
            pre.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        });
        db.on_post_save::<Book>(move |_, _, _| {
            post.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        });
        Book::objects().bulk_create_ignore_conflicts(db, [new_book("a", "A", 1)])?;
        Book::objects().bulk_create_update_conflicts(db, vec![new_book("a", "A2", 1)], |f| f.title, |f| f.isbn)?;
        Book::objects().insert_or_update(db, new_book("a", "A3", 1), |f| f.isbn)?;
        assert_eq!(sent.load(std::sync::atomic::Ordering::SeqCst), 0);
        Ok(())
    }

    fn many_rows_run_in_batches_inside_one_transaction(db) {
        setup(db)?;
        // Enough rows for several statements under SQLite's parameter limit (3 columns
        // a row): every row is written and every key returned.
        let rows: Vec<NewBook> = (0..12_000).map(|i| new_book(&format!("{i}"), "t", i)).collect();
        let books = Book::objects().bulk_create_update_conflicts(db, rows, |f| f.title, |f| f.isbn)?;
        assert_eq!(books.len(), 12_000);
        assert_eq!(Book::objects().count(db)?, 12_000);
        let last = &books[11_999];
        assert_eq!(Book::objects().get(db, |f| f.isbn.eq("11999"))?.id, last.id);
        Ok(())
    }
}
