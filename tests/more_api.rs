//! in_bulk, bulk_update, select_for_update, raw SQL.

#[path = "support/backends.rs"]
mod backends;
mod common;
use backends::Backend;
use common::*;
use orm::prelude::*;

backend_tests! {
    fn select_for_update_locks_rows_where_the_database_has_row_locks(db) {
        setup(db)?;
        seed(db)?;
        let qs = Book::objects().filter(|b| b.id.eq(1));
        match db.backend() {
            // SQLite has no row locks (Django ignores select_for_update there too):
            // the same SQL and rows.
            Backend::Sqlite => {
                assert_eq!(qs.clone().select_for_update().sql_for(db), qs.sql_for(db));
                assert_eq!(qs.clone().select_for_update().all(db)?, qs.all(db)?);
            }
            // PostgreSQL locks the rows: Django's SQL with FOR UPDATE appended, run in
            // a transaction (Django refuses it outside one); the same rows.
            Backend::Postgres => {
                let locked = qs.clone().select_for_update();
                assert_eq!(locked.sql_for(db).text, format!("{} FOR UPDATE", qs.sql_for(db).text));
                assert_eq!(locked.sql_for(db).params, qs.sql_for(db).params);
                assert_eq!(db.atomic(|db| locked.all(db))?, qs.all(db)?);
            }
        }
        Ok(())
    }

    fn in_bulk_maps_rows_by_key(db) {
        setup(db)?;
        seed(db)?;
        let found = orm::assert_num_queries!(db, 1, { Book::objects().in_bulk(db, [1, 3, 99])? });
        assert_eq!(found.len(), 2);
        assert_eq!(found[&3].title, "Homage to Catalonia");
        let none = orm::assert_num_queries!(db, 0, { Book::objects().in_bulk(db, Vec::new())? });
        assert!(none.is_empty());
        Ok(())
    }

    fn bulk_update_writes_chosen_fields_in_one_statement(db) {
        setup(db)?;
        seed(db)?;
        let mut books = Book::objects().order_by(|b| b.id.asc()).all(db)?;
        for b in &mut books {
            b.price_cents += 1;
            b.title.push('!');
            b.published_year = 0; // not in the chosen fields: not written
        }
        let captured = db.capture(|| Book::objects().bulk_update(db, &books, |b| (b.price_cents, b.title)))?;
        assert_eq!(captured.value, 5);
        assert_eq!(captured.queries.len(), 3, "BEGIN, one UPDATE, COMMIT");
        assert!(captured.queries[1].sql.contains(&db.sql("CASE \"id\" WHEN ? THEN ?")));
        let after = Book::objects().get(db, |b| b.id.eq(1))?;
        assert_eq!((after.title.as_str(), after.price_cents, after.published_year), ("1984!", 900, 1949));
        assert!(Book::objects().bulk_update(db, &books, |b| b.id).is_err());
        Ok(())
    }

    fn raw_sql_maps_columns_by_name_and_is_counted(db) {
        setup(db)?;
        seed(db)?;
        let before = db.query_count();
        let books: Vec<Book> = db.raw(
            &db.sql("SELECT price_cents, published_year, title, author_id, id, 1 AS extra FROM book WHERE price_cents > ? ORDER BY id"),
            &[1000.into()],
        )?;
        assert_eq!(db.query_count(), before + 1);
        assert_eq!(books.iter().map(|b| b.title.as_str()).collect::<Vec<_>>(), ["Homage to Catalonia", "Beowulf"]);
        // A missing column is a database error, not a panic.
        let err = db.raw::<Book>("SELECT id, title FROM book", &[]).unwrap_err();
        assert!(matches!(err, orm::Error::Database { .. }), "{err}");
        Ok(())
    }
}
