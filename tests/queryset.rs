//! QuerySet reads: laziness, lookups, Q and F, ordering, slicing, values, evaluation.

#[path = "support/backends.rs"]
mod backends;
mod common;
use backends::Backend;
use common::*;
use orm::prelude::*;
use orm::{Error, Value};

fn titles(books: &[Book]) -> Vec<&str> {
    books.iter().map(|b| b.title.as_str()).collect()
}

#[test]
fn sql_shows_text_and_parameters_without_running() -> orm::Result<()> {
    let qs = Book::objects().filter(|b| b.published_year.gte(2020)).order_by(|b| b.title.asc()).slice(5..10);
    let sql = qs.sql();
    assert_eq!(
        sql.text,
        "SELECT \"book\".\"id\", \"book\".\"title\", \"book\".\"author_id\", \"book\".\"published_year\", \
         \"book\".\"price_cents\" FROM \"book\" WHERE \"book\".\"published_year\" >= ? \
         ORDER BY \"book\".\"title\" ASC LIMIT 5 OFFSET 5"
    );
    assert_eq!(sql.params, [Value::Int32(2020)]);
    assert!(format!("{qs:?}").contains("QuerySet<Book>(SELECT"));
    Ok(())
}

/// A second model over the `book` table with fewer columns.
#[derive(Model, Debug, Clone)]
#[orm(table = "book")]
struct BookLite {
    id: i64,
    title: String,
}

backend_tests! {
    fn building_a_queryset_runs_no_query(db) {
        setup(db)?;
        seed(&db)?;
        let before = db.query_count();
        let qs = Book::objects()
            .filter(|b| b.published_year.gte(1940))
            .exclude(|b| b.title.icontains("draft"))
            .order_by(|b| (b.published_year.desc(), b.title.asc()))
            .slice(0..10);
        let _clone = qs.clone();
        let _sql = qs.sql();
        let _debug = format!("{qs:?}");
        assert_eq!(db.query_count(), before);
        let books = qs.all(&db)?;
        assert_eq!(db.query_count(), before + 1);
        assert_eq!(titles(&books), ["1984", "Animal Farm"]);
        Ok(())
    }

    fn comparison_lookups(db) {
        setup(db)?;
        seed(&db)?;
        let count = |q: fn(BookFields) -> Q| Book::objects().filter(q).count(&db);
        assert_eq!(count(|b| b.published_year.eq(1949))?, 1);
        assert_eq!(count(|b| b.published_year.ne(1949))?, 4);
        assert_eq!(count(|b| b.published_year.gt(1945))?, 2);
        assert_eq!(count(|b| b.published_year.gte(1945))?, 3);
        assert_eq!(count(|b| b.published_year.lt(1945))?, 2);
        assert_eq!(count(|b| b.published_year.lte(1945))?, 3);
        assert_eq!(count(|b| b.published_year.range(1938, 1949))?, 3);
        assert_eq!(count(|b| b.published_year.is_in([1000, 2021, 3000]))?, 2);
        assert_eq!(count(|b| b.title.gt("B"))?, 3);
        Ok(())
    }

    fn text_lookups_are_case_sensitive_and_i_lookups_fold_unicode(db) {
        setup(db)?;
        for name in ["Émile Zola", "émile", "EMILE", "Straße", "STRASSE"] {
            Author::objects().create(&db, NewAuthor { name: name.into(), birth_year: None })?;
        }
        let names = |q: fn(AuthorFields) -> Q| -> orm::Result<Vec<String>> {
            Author::objects().filter(q).order_by(|a| a.id.asc()).values(|a| a.name).all(&db)
        };
        assert_eq!(names(|a| a.name.contains("mile"))?, ["Émile Zola", "émile"]);
        assert_eq!(names(|a| a.name.contains("MILE"))?, ["EMILE"]);
        assert_eq!(names(|a| a.name.icontains("ÉMILE"))?, ["Émile Zola", "émile"]);
        assert_eq!(names(|a| a.name.icontains("emile"))?, ["EMILE"]);
        assert_eq!(names(|a| a.name.iexact("émile zola"))?, ["Émile Zola"]);
        assert_eq!(names(|a| a.name.iexact("émile"))?, ["émile"]);
        assert_eq!(names(|a| a.name.startswith("É"))?, ["Émile Zola"]);
        assert_eq!(names(|a| a.name.istartswith("é"))?, ["Émile Zola", "émile"]);
        assert_eq!(names(|a| a.name.endswith("ZOLA"))?, Vec::<String>::new());
        assert_eq!(names(|a| a.name.iendswith("ZOLA"))?, ["Émile Zola"]);
        assert_eq!(names(|a| a.name.icontains("straße"))?, ["Straße"]);
        Ok(())
    }

    fn is_null_and_eq_none(db) {
        setup(db)?;
        seed(&db)?;
        let one = Author::objects().filter(|a| a.birth_year.eq(None)).values(|a| a.name).all(&db)?;
        assert_eq!(one, ["Anonymous"]);
        assert_eq!(Author::objects().filter(|a| a.birth_year.is_null(true)).count(&db)?, 1);
        assert_eq!(Author::objects().filter(|a| a.birth_year.is_null(false)).count(&db)?, 1);
        assert_eq!(Author::objects().filter(|a| a.birth_year.eq(Some(1903))).count(&db)?, 1);
        assert!(Author::objects().filter(|a| a.birth_year.eq(None)).sql().text.ends_with("\"birth_year\" IS NULL"));
        Ok(())
    }

    fn exclude_keeps_null_rows_like_django(db) {
        setup(db)?;
        seed(&db)?;
        let qs = Author::objects().exclude(|a| a.birth_year.eq(1903));
        assert!(qs
            .sql()
            .text
            .ends_with("WHERE NOT (\"author\".\"birth_year\" = ? AND \"author\".\"birth_year\" IS NOT NULL)"));
        assert_eq!(qs.values(|a| a.name).all(&db)?, ["Anonymous"]);
        // ne() is the negation of eq(), NULLs included.
        assert_eq!(Author::objects().filter(|a| a.birth_year.ne(1903)).count(&db)?, 1);
        // A plain filter never matches NULL.
        assert_eq!(Author::objects().filter(|a| a.birth_year.lt(3000)).count(&db)?, 1);
        assert_eq!(Author::objects().filter(|a| !a.birth_year.lt(3000)).count(&db)?, 1);
        Ok(())
    }

    fn q_objects_combine_with_and_or_not(db) {
        setup(db)?;
        seed(&db)?;
        let books = Book::objects()
            .filter(|b| (b.title.startswith("A") | b.published_year.lt(1940)) & !b.title.contains("Cat"))
            .all(&db)?;
        assert_eq!(titles(&books), ["Animal Farm", "Beowulf"]);
        let any = Q::none() | Q::all();
        assert_eq!(Book::objects().filter(|_| any).count(&db)?, 5);
        // Building a filter dynamically from a list.
        let wanted = ["1984", "Beowulf"];
        let books = Book::objects()
            .filter(|b| wanted.iter().fold(Q::none(), |q, t| q | b.title.eq(*t)))
            .order_by(|b| b.title.asc())
            .all(&db)?;
        assert_eq!(titles(&books), ["1984", "Beowulf"]);
        Ok(())
    }

    fn f_expressions_compare_columns_and_arithmetic(db) {
        setup(db)?;
        seed(&db)?;
        // Ids 1..=5 priced 899, 599, 1099, 1500, 100.
        let books = Book::objects().filter(|b| b.price_cents.gt(b.id * 300)).all(&db)?;
        assert_eq!(titles(&books), ["1984", "Homage to Catalonia", "Beowulf"]);
        let books = Book::objects().filter(|b| b.price_cents.lt((b.id + 1000) / 2)).all(&db)?;
        assert_eq!(titles(&books), ["Draft notes"]);
        let books = Book::objects().filter(|b| (b.price_cents * 2 - 100).eq(1698)).all(&db)?;
        assert_eq!(titles(&books), ["1984"]);
        Ok(())
    }

    fn empty_in_list_returns_nothing_without_a_query(db) {
        setup(db)?;
        seed(&db)?;
        let qs = Book::objects().filter(|b| b.id.is_in(Vec::<i64>::new()));
        orm::assert_num_queries!(db, 0, {
            assert!(qs.all(&db)?.is_empty());
            assert_eq!(qs.count(&db)?, 0);
            assert!(!qs.exists(&db)?);
            assert_eq!(qs.aggregate(&db, |b| (b.id.count(), b.price_cents.sum()))?, (0, None));
            assert_eq!(qs.update(&db, |b| b.price_cents.set(0))?, 0);
            assert_eq!(qs.delete(&db)?.0, 0);
        });
        // OR with an empty list keeps the other branch.
        assert_eq!(Book::objects().filter(|b| b.id.is_in([0_i64; 0]) | b.title.eq("1984")).count(&db)?, 1);
        // NOT of an empty list matches everything.
        assert_eq!(Book::objects().exclude(|b| b.id.is_in([0_i64; 0])).count(&db)?, 5);
        Ok(())
    }

    fn default_ordering_explicit_ordering_and_reverse(db) {
        setup(db)?;
        seed(&db)?;
        let all = Book::objects().all(&db)?;
        assert_eq!(titles(&all), ["Draft notes", "1984", "Animal Farm", "Homage to Catalonia", "Beowulf"]);
        let rev = Book::objects().reverse().all(&db)?;
        assert_eq!(titles(&rev), ["Beowulf", "Homage to Catalonia", "Animal Farm", "1984", "Draft notes"]);
        let by_title = Book::objects().order_by(|b| b.title.asc()).all(&db)?;
        assert_eq!(titles(&by_title)[0], "1984");
        let two_keys = Book::objects().order_by(|b| (b.author_id.desc(), b.price_cents.asc())).all(&db)?;
        assert_eq!(titles(&two_keys), ["Draft notes", "Beowulf", "Animal Farm", "1984", "Homage to Catalonia"]);
        // order_by(()) clears the default ordering: no ORDER BY at all.
        assert!(!Book::objects().order_by(|_| ()).sql().text.contains("ORDER BY"));
        // reverse() without any ordering does nothing, as in Django.
        assert!(!Author::objects().reverse().sql().text.contains("ORDER BY"));
        Ok(())
    }

    fn slicing_follows_djangos_limit_offset_rules(db) {
        setup(db)?;
        seed(&db)?;
        let ordered = Book::objects().order_by(|b| b.id.asc());
        let ids = |qs: QuerySet<Book>| -> orm::Result<Vec<i64>> { Ok(qs.all(&db)?.iter().map(|b| b.id).collect()) };
        assert_eq!(ids(ordered.clone().slice(1..3))?, [2, 3]);
        assert_eq!(ids(ordered.clone().slice(..2))?, [1, 2]);
        assert_eq!(ids(ordered.clone().slice(3..))?, [4, 5]);
        assert_eq!(ids(ordered.clone().slice(1..=2))?, [2, 3]);
        // A slice of a slice is relative to the first.
        assert_eq!(ids(ordered.clone().slice(1..4).slice(1..))?, [3, 4]);
        assert_eq!(ids(ordered.clone().slice(1..4).slice(..10))?, [2, 3, 4]);
        assert!(ordered.clone().slice(3..).sql().text.ends_with("LIMIT -1 OFFSET 3"));
        // An empty slice sends no query.
        orm::assert_num_queries!(db, 0, {
            assert!(ids(ordered.clone().slice(5..5))?.is_empty());
            assert!(ids(ordered.clone().slice(2..4).slice(3..))?.is_empty());
        });
        // Count of a slice counts the slice, through a subquery as Django does.
        assert_eq!(ordered.clone().slice(2..8).count(&db)?, 3);
        assert!(ordered.clone().slice(2..8).exists(&db)?);
        assert!(!ordered.clone().slice(5..8).exists(&db)?);
        Ok(())
    }

    fn filtering_or_reordering_a_slice_is_an_error(db) {
        setup(db)?;
        let err = Book::objects().slice(..2).filter(|b| b.id.eq(1)).all(&db).unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
        let err = Book::objects().slice(..2).order_by(|b| b.id.asc()).count(&db).unwrap_err();
        assert!(err.to_string().contains("cannot reorder a query once a slice has been taken"));
        let err = Book::objects().slice(1..2).last(&db).unwrap_err();
        assert!(err.to_string().contains("cannot reverse"));
        let err = Book::objects().slice(1..2).update(&db, |b| b.price_cents.set(1)).unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }));
        Ok(())
    }

    fn first_and_last(db) {
        setup(db)?;
        assert_eq!(Book::objects().first(&db)?, None);
        let (orwell, _) = seed(&db)?;
        assert_eq!(Book::objects().first(&db)?.unwrap().title, "Draft notes");
        assert_eq!(Book::objects().last(&db)?.unwrap().title, "Beowulf");
        // Without ordering: by primary key.
        assert_eq!(Author::objects().first(&db)?.unwrap().id, orwell.id);
        let captured = db.capture(|| Author::objects().last(&db))?;
        assert!(captured.queries[0].sql.ends_with("ORDER BY \"author\".\"id\" DESC LIMIT 1"));
        assert_eq!(captured.value.unwrap().name, "Anonymous");
        Ok(())
    }

    fn get_reports_none_or_many_with_the_model_name(db) {
        setup(db)?;
        seed(&db)?;
        let book = orm::assert_num_queries!(db, 1, { Book::objects().get(&db, |b| b.title.eq("1984"))? });
        assert_eq!(book.published_year, 1949);
        let err = Book::objects().get(&db, |b| b.title.eq("Missing")).unwrap_err();
        assert!(matches!(err, Error::DoesNotExist { model: "Book" }));
        assert_eq!(err.to_string(), "Book matching query does not exist");
        let err = Book::objects().get(&db, |b| b.author_id.eq(1)).unwrap_err();
        assert!(matches!(err, Error::MultipleObjectsReturned { model: "Book", count: Some(3) }));
        assert_eq!(err.to_string(), "get() returned more than one Book -- it returned 3!");
        // get() reads at most 21 rows, as Django does.
        let many: Vec<NewBook> = (0..25).map(|i| new_book(&format!("copy {i}"), 1, 2000, 1)).collect();
        Book::objects().bulk_create(&db, many)?;
        let err = Book::objects().get(&db, |b| b.title.startswith("copy")).unwrap_err();
        assert_eq!(err.to_string(), "get() returned more than one Book -- it returned more than 20!");
        Ok(())
    }

    fn values_returns_typed_tuples_or_flat_values(db) {
        setup(db)?;
        seed(&db)?;
        let pairs: Vec<(String, i32)> =
            Book::objects().filter(|b| b.author_id.eq(1)).values(|b| (b.title, b.published_year)).all(&db)?;
        assert_eq!(pairs[0], ("1984".to_string(), 1949));
        let years: Vec<i32> = Book::objects().order_by(|b| b.published_year.asc()).values(|b| b.published_year).all(&db)?;
        assert_eq!(years, [1000, 1938, 1945, 1949, 2021]);
        let births: Vec<Option<i32>> = Author::objects().order_by(|a| a.id.asc()).values(|a| a.birth_year).all(&db)?;
        assert_eq!(births, [Some(1903), None]);
        let computed: Vec<i64> =
            Book::objects().order_by(|b| b.id.asc()).values(|b| b.price_cents * 2).slice(..1).all(&db)?;
        assert_eq!(computed, [1798]);
        assert_eq!(Book::objects().values(|b| b.title).first(&db)?, Some("Draft notes".to_string()));
        Ok(())
    }

    fn distinct_values_and_counts(db) {
        setup(db)?;
        seed(&db)?;
        let authors: Vec<i64> =
            Book::objects().order_by(|b| b.author_id.asc()).values(|b| b.author_id).distinct().all(&db)?;
        assert_eq!(authors, [1, 2]);
        assert_eq!(Book::objects().values(|b| b.author_id).distinct().order_by(|_| ()).count(&db)?, 2);
        // As in Django, the default ordering's columns join a DISTINCT select list.
        let sql = Book::objects().values(|b| b.author_id).distinct().sql().text;
        assert!(sql.starts_with("SELECT DISTINCT \"book\".\"author_id\", \"book\".\"published_year\" FROM"), "{sql}");
        Ok(())
    }

    fn count_and_exists(db) {
        setup(db)?;
        assert_eq!(Book::objects().count(&db)?, 0);
        assert!(!Book::objects().exists(&db)?);
        seed(&db)?;
        let captured = db.capture(|| Book::objects().filter(|b| b.published_year.gt(1985)).exists(&db))?;
        assert!(captured.value);
        assert_eq!(captured.queries[0].sql, db.sql("SELECT 1 FROM \"book\" WHERE \"book\".\"published_year\" > ? LIMIT 1"));
        let captured = db.capture(|| Book::objects().count(&db))?;
        assert_eq!(captured.value, 5);
        assert_eq!(captured.queries[0].sql, "SELECT COUNT(*) FROM \"book\"");
        Ok(())
    }

    fn aggregates_are_typed_and_none_over_no_rows(db) {
        setup(db)?;
        let empty = Book::objects().aggregate(&db, |b| {
            (b.price_cents.avg(), b.published_year.max(), b.price_cents.sum(), b.id.count(), b.title.min())
        })?;
        assert_eq!(empty, (None, None, None, 0, None));
        seed(&db)?;
        let (avg, max, sum, count, min_title) = Book::objects().aggregate(&db, |b| {
            (b.price_cents.avg(), b.published_year.max(), b.price_cents.sum(), b.id.count(), b.title.min())
        })?;
        assert_eq!(avg, Some((899.0 + 599.0 + 1099.0 + 1500.0 + 100.0) / 5.0));
        assert_eq!(max, Some(2021));
        assert_eq!(sum, Some(4197));
        assert_eq!(count, 5);
        assert_eq!(min_title.as_deref(), Some("1984"));
        let (births, distinct) =
            Author::objects().aggregate(&db, |a| (a.birth_year.max(), a.birth_year.count_distinct()))?;
        assert_eq!((births, distinct), (Some(1903), 1));
        let (n,) = Book::objects().aggregate(&db, |_| (orm::count_all(),))?;
        assert_eq!(n, 5);
        // Over a slice: the aggregate covers the slice only.
        let top2 = Book::objects().order_by(|b| b.price_cents.desc()).slice(..2).aggregate(&db, |b| b.price_cents.sum())?;
        assert_eq!(top2, Some(1500 + 1099));
        Ok(())
    }

    fn iter_decodes_rows_one_at_a_time_from_one_query(db) {
        setup(db)?;
        seed(&db)?;
        let before = db.query_count();
        let mut seen = Vec::new();
        for book in Book::objects().order_by(|b| b.id.asc()).iter(&db)?.rows() {
            seen.push(book?.id);
        }
        assert_eq!(seen, [1, 2, 3, 4, 5]);
        assert_eq!(db.query_count(), before + 1);
        let mut cursor = Book::objects().values(|b| b.title).filter(|b| b.title.eq("1984")).iter(&db)?;
        assert_eq!(cursor.rows().collect::<orm::Result<Vec<_>>>()?, ["1984"]);
        let mut empty = Book::objects().none().iter(&db)?;
        assert_eq!(empty.rows().count(), 0);
        assert_eq!(db.query_count(), before + 2);
        // Each row is decoded when the iterator reaches it: a bad third row spoils the
        // third item only, where all() fails as a whole.
        match db.backend() {
            Backend::Sqlite => db.execute("UPDATE book SET published_year = 'not a year' WHERE id = 3", &[])?,
            Backend::Postgres => {
                db.execute("ALTER TABLE book ALTER COLUMN published_year DROP NOT NULL", &[])?;
                db.execute("UPDATE book SET published_year = NULL WHERE id = 3", &[])?
            }
        };
        let ordered = Book::objects().order_by(|b| b.id.asc());
        let mut cursor = ordered.iter(&db)?;
        let items: Vec<orm::Result<Book>> = cursor.rows().collect();
        assert_eq!(items.len(), 3, "the iterator stops after the error");
        assert!(items[0].is_ok() && items[1].is_ok());
        assert!(matches!(items[2], Err(Error::Decode { column: "published_year", .. })));
        assert!(ordered.all(&db).is_err());
        Ok(())
    }

    fn two_models_on_one_table_keep_their_own_statements(db) {
        setup(db)?;
        seed(&db)?;
        assert_eq!(BookLite::objects().all(&db)?.len(), 5);
        let books = Book::objects().all(&db)?;
        assert_eq!(books.len(), 5);
        assert_eq!(books[0].title, "Draft notes");
        assert_eq!(BookLite::objects().all(&db)?.len(), 5);
        Ok(())
    }
}
