//! Subqueries: `is_in(queryset)` (Django's `__in=qs`), `Exists`/`!Exists`, `Subquery`
//! and `OuterRef`, each one statement. The expected rows are what Django 5.2 returns
//! on the same data (`seed_books`), on SQLite and PostgreSQL.

#[path = "support/backends.rs"]
mod backends;
#[path = "common/shop.rs"]
mod shop;
use orm::prelude::*;
use orm::Error;
use shop::*;

fn titles(books: Vec<Book>) -> Vec<String> {
    books.into_iter().map(|b| b.title).collect()
}

backend_tests! {
    fn is_in_a_queryset_of_a_model_selects_its_key_in_one_statement(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Book.objects.filter(author__in=Author.objects.filter(birth_year__gt=1900))
        let qs = Book::objects().filter(|b| b.author.is_in(Author::objects().filter(|a| a.birth_year.gt(1900))));
        let sql = qs.sql().text;
        assert!(
            sql.contains(r#""book"."author_id" IN (SELECT "U0"."id" FROM "author" "U0" WHERE "U0"."birth_year" > ?)"#),
            "{sql}"
        );
        let books = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        assert_eq!(titles(books), ["1984", "Animal Farm", "Homage to Catalonia"]);
        Ok(())
    }

    fn is_in_values_of_one_field_compares_that_field(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Author.objects.filter(id__in=Book.objects.filter(published_year__lt=1940).values("author"))
        let authors = Author::objects()
            .filter(|a| a.id.is_in(Book::objects().filter(|b| b.published_year.lt(1940)).values(|b| b.author)))
            .values(|a| a.name)
            .all(db)?;
        assert_eq!(authors, ["Aldous Huxley", "George Orwell"]);
        // Django: Book.objects.filter(title__in=Review.objects.filter(stars__gte=4).values("book__title"))
        let books = orm::assert_num_queries!(db, 1, {
            Book::objects()
                .filter(|b| b.title.is_in(Review::objects().filter(|r| r.stars.gte(4)).values(|r| r.book().title)))
                .all(db)?
        });
        assert_eq!(titles(books), ["1984"]);
        Ok(())
    }

    fn inner_parameters_are_numbered_in_text_order(db) {
        shop_setup(db)?;
        seed_books(db)?;
        let inner = Author::objects().filter(|a| a.name.startswith("G")).filter(|a| a.birth_year.gt(1900));
        let qs = Book::objects()
            .filter(|b| b.price_cents.gt(900))
            .filter(|b| b.author.is_in(inner))
            .filter(|b| b.published_year.lt(1948));
        let sql = qs.sql_for(db);
        assert_eq!(sql.params.len(), 4, "{sql}");
        assert_eq!(sql.params[0], orm::Value::from(900));
        assert_eq!(sql.params[3], orm::Value::Int32(1948));
        if db.backend() == backends::Backend::Postgres {
            let at = |p: &str| sql.text.find(p).unwrap_or_else(|| panic!("{p} in {}", sql.text));
            assert!(at("$1") < at("$2") && at("$2") < at("$3") && at("$3") < at("$4"), "{}", sql.text);
        }
        // Django: ['Animal Farm', 'Homage to Catalonia']
        assert_eq!(titles(qs.all(db)?), ["Animal Farm", "Homage to Catalonia"]);
        Ok(())
    }

    fn exclude_is_in_a_queryset(db) {
        shop_setup(db)?;
        seed_books(db)?;
        let books = Book::objects().exclude(|b| b.author.is_in(Author::objects().filter(|a| a.name.startswith("G")))).all(db)?;
        assert_eq!(titles(books), ["Brave New World"]);
        Ok(())
    }

    fn is_in_an_empty_queryset_matches_nothing_without_a_query(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django raises EmptyResultSet inside and sends nothing.
        let books = orm::assert_num_queries!(db, 0, {
            Book::objects().filter(|b| b.author.is_in(Author::objects().none())).all(db)?
        });
        assert!(books.is_empty());
        Ok(())
    }

    fn exists_with_an_outer_ref_is_a_correlated_condition(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Author.objects.filter(Exists(Book.objects.filter(author=OuterRef("pk"), published_year__lt=1940)))
        let qs = Author::objects().filter(|_| {
            Exists(Book::objects().filter(|b| b.author.eq(Author::outer_pk()) & b.published_year.lt(1940)))
        });
        let sql = qs.sql().text;
        assert!(sql.contains(r#"WHERE EXISTS(SELECT 1 FROM "book" "U0" WHERE "U0"."author_id" = "author"."id" AND "U0"."published_year" < ? LIMIT 1)"#), "{sql}");
        let names: Vec<String> = orm::assert_num_queries!(db, 1, { qs.all(db)? }).into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["Aldous Huxley", "George Orwell"]);
        assert_eq!(qs.count(db)?, 2);
        Ok(())
    }

    fn not_exists_keeps_the_rows_without_a_match(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Author.objects.filter(~Exists(Book.objects.filter(author=OuterRef("pk"))))
        let authors = orm::assert_num_queries!(db, 1, {
            Author::objects().filter(|_| !Exists(Book::objects().filter(|b| b.author.eq(Author::outer_pk())))).all(db)?
        });
        let names: Vec<String> = authors.into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["Émile Zola"]);
        Ok(())
    }

    fn subquery_in_values_reads_one_value_per_row(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Author.objects.annotate(n=Subquery(Book.objects.filter(author=OuterRef("pk"))
        //     .order_by("-published_year").values("title")[:1])).values_list("name", "n")
        let rows = orm::assert_num_queries!(db, 1, {
            Author::objects()
                .values(|a| {
                    let newest = Book::objects()
                        .filter(|b| b.author.eq(Author::outer_pk()))
                        .order_by(|b| b.published_year.desc())
                        .values(|b| b.title);
                    (a.name, Subquery(newest))
                })
                .all(db)?
        });
        assert_eq!(
            rows,
            [
                ("Aldous Huxley".to_owned(), Some("Brave New World".to_owned())),
                ("George Orwell".to_owned(), Some("1984".to_owned())),
                ("Émile Zola".to_owned(), None),
            ]
        );
        Ok(())
    }

    fn subquery_in_a_filter_compares_with_an_outer_column(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Book.objects.filter(published_year=Subquery(Book.objects.filter(author=OuterRef("author"))
        //     .order_by("-published_year").values("published_year")[:1]))
        let books = orm::assert_num_queries!(db, 1, {
            Book::objects()
                .filter(|b| {
                    b.published_year.eq(Subquery(
                        Book::objects()
                            .filter(|inner| inner.author.eq(Book::outer_ref(|outer| outer.author)))
                            .order_by(|inner| inner.published_year.desc())
                            .values(|inner| inner.published_year)
                            .slice(..1),
                    ))
                })
                .all(db)?
        });
        assert_eq!(titles(books), ["1984", "Brave New World"]);
        Ok(())
    }

    fn an_outer_ref_through_a_relation_joins_the_outer_query(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Book.objects.filter(Exists(Author.objects.filter(name=OuterRef("editor__name"))))
        let qs = Book::objects()
            .filter(|_| Exists(Author::objects().filter(|a| a.name.eq(Book::outer_ref(|b| b.editor().name)))));
        let sql = qs.sql().text;
        assert!(sql.contains(r#"LEFT OUTER JOIN "author" ON ("book"."editor_id" = "author"."id")"#), "{sql}");
        assert!(sql.contains(r#""U0"."name" = "author"."name""#), "{sql}");
        assert_eq!(titles(qs.all(db)?), ["Homage to Catalonia"]);
        Ok(())
    }

    fn nested_subqueries_reference_their_own_outer_query(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Author.objects.filter(Exists(Book.objects.filter(author=OuterRef("pk"))
        //     .filter(Exists(Review.objects.filter(book=OuterRef("pk"), stars=5)))))
        let qs = Author::objects().filter(|_| {
            Exists(Book::objects().filter(|b| b.author.eq(Author::outer_pk())).filter(|_| {
                Exists(Review::objects().filter(|r| r.book.eq(Book::outer_pk()) & r.stars.eq(5)))
            }))
        });
        let sql = qs.sql().text;
        assert!(sql.contains(r#""V0"."book_id" = "U0"."id""#), "{sql}");
        let names: Vec<String> = orm::assert_num_queries!(db, 1, { qs.all(db)? }).into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["George Orwell"]);
        Ok(())
    }

    fn a_queryset_with_an_outer_ref_does_not_run_alone(db) {
        shop_setup(db)?;
        // Django: ValueError "This queryset contains a reference to an outer query and may only be used in a subquery."
        let err = orm::assert_num_queries!(db, 0, {
            Book::objects().filter(|b| b.author.eq(Author::outer_pk())).all(db).unwrap_err()
        });
        assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
        assert!(err.to_string().contains("outer query"), "{err}");
        Ok(())
    }

    fn an_inner_queryset_error_is_the_outer_querys(db) {
        shop_setup(db)?;
        // A filter after a slice is refused inside as it is outside.
        let inner = Author::objects().slice(..2).filter(|a| a.name.eq("x"));
        let err = Book::objects().filter(|b| b.author.is_in(inner)).all(db).unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
        Ok(())
    }

    fn aggregate_over_grouped_values_runs_over_a_subquery(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Book.objects.values("author").annotate(n=Count("id")).aggregate(Avg("n"), Max("n"))
        //   == {"a": 2.0, "m": 3}, one query:
        //   SELECT AVG("n"), MAX("n") FROM (SELECT .. COUNT("x_book"."id") AS "n" .. GROUP BY 1) subquery
        let per_author = Book::objects().values(|b| b.author).annotate(|b| b.id.count());
        let captured = db.capture(|| per_author.aggregate(db, |(_, n)| (n.clone().avg(), n.max())))?;
        assert_eq!(captured.value, (Some(2.0), Some(3)));
        assert_eq!(captured.queries.len(), 1);
        let sql = &captured.queries[0].sql;
        assert!(sql.starts_with(r#"SELECT AVG("__col0")"#), "{sql}");
        assert!(sql.ends_with(r#"GROUP BY "book"."author_id") subquery"#), "{sql}");
        // Django: .filter(n__gte=2).aggregate(Sum("n"), Count("author")) == {"s": 3, "c": 1}
        let (sum, authors) = per_author.filter(|(_, n)| n.gte(2)).aggregate(db, |(b, n)| (n.sum(), b.author.count()))?;
        assert_eq!((sum, authors), (Some(3), 1));
        Ok(())
    }

    fn aggregate_over_annotated_instances_keeps_zero_counts(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Per author: 3, 1 and 0 books (Zola kept, as annotate keeps him).
        let (avg, max, oldest) = orm::assert_num_queries!(db, 1, {
            Author::objects()
                .annotate(|a| a.books().id.count())
                .aggregate(db, |(a, n)| (n.clone().avg(), n.max(), a.birth_year.min()))?
        });
        assert!((avg.unwrap() - 4.0 / 3.0).abs() < 1e-9, "{avg:?}");
        assert_eq!((max, oldest), (Some(3), Some(1894)));
        Ok(())
    }

    fn union_intersection_and_difference_are_one_compound_statement(db) {
        shop_setup(db)?;
        seed_books(db)?;
        let old = || Book::objects().filter(|b| b.published_year.lt(1940));
        let by_a = || Book::objects().filter(|b| b.author().name.startswith("A"));
        let new = || Book::objects().filter(|b| b.published_year.gt(1940));
        // Django: a.union(b).order_by("-title")
        let qs = old().union(by_a()).order_by(|b| b.title.desc());
        let sql = qs.sql().text;
        assert!(sql.contains(" UNION SELECT ") && sql.ends_with(" ORDER BY 2 DESC"), "{sql}");
        let books = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        assert_eq!(titles(books), ["Homage to Catalonia", "Brave New World"]);
        // Django: a.union(b, c).order_by("title")
        let all_three = old().union(by_a()).union(new()).order_by(|b| b.title.asc());
        assert_eq!(titles(all_three.all(db)?), ["1984", "Animal Farm", "Brave New World", "Homage to Catalonia"]);
        // Django: a.union(b, all=True).order_by("title")
        let both = old().union_all(by_a()).order_by(|b| b.title.asc()).all(db)?;
        assert_eq!(titles(both), ["Brave New World", "Brave New World", "Homage to Catalonia"]);
        // Django: Book.objects.difference(b).order_by("title"), .intersection(..)
        let rest = Book::objects().difference(by_a()).order_by(|b| b.title.asc()).all(db)?;
        assert_eq!(titles(rest), ["1984", "Animal Farm", "Homage to Catalonia"]);
        let orwell = Book::objects().filter(|b| b.author().name.startswith("G"));
        let common = new().intersection(orwell).order_by(|b| b.title.asc()).all(db)?;
        assert_eq!(titles(common), ["1984", "Animal Farm"]);
        // Django: c.union(a).intersection(Book.objects.filter(author__name__startswith="G"))
        let orwell = Book::objects().filter(|b| b.author().name.startswith("G"));
        let nested = new().union(old()).intersection(orwell).order_by(|b| b.title.asc());
        assert!(nested.sql().text.starts_with("SELECT * FROM (SELECT "), "{}", nested.sql());
        assert_eq!(titles(nested.all(db)?), ["1984", "Animal Farm", "Homage to Catalonia"]);
        Ok(())
    }

    fn a_compound_queryset_is_sliced_counted_and_selects_values(db) {
        shop_setup(db)?;
        seed_books(db)?;
        let old = || Book::objects().filter(|b| b.published_year.lt(1940));
        let new = || Book::objects().filter(|b| b.published_year.gt(1940));
        // Django: a.union(b, c).order_by("title")[1:3]
        let page = old().union(new()).order_by(|b| b.title.asc()).slice(1..3).all(db)?;
        assert_eq!(titles(page), ["Animal Farm", "Brave New World"]);
        // Django: a.values_list("title", "published_year").union(c.values_list(..)).order_by("-published_year")
        let rows = old()
            .values(|b| (b.title, b.published_year))
            .union(new().values(|b| (b.title, b.published_year)))
            .order_by(|b| b.published_year.desc())
            .all(db)?;
        let years: Vec<i32> = rows.iter().map(|(_, y)| *y).collect();
        assert_eq!(years, [1949, 1945, 1938, 1932]);
        // Django: a.union(c).count() == 4, .exists() is True; one query each.
        let both = old().union(new());
        assert_eq!(orm::assert_num_queries!(db, 1, { both.count(db)? }), 4);
        assert!(orm::assert_num_queries!(db, 1, { both.exists(db)? }));
        Ok(())
    }

    fn a_compound_queryset_refuses_what_django_refuses(db) {
        shop_setup(db)?;
        let old = || Book::objects().filter(|b| b.published_year.lt(1940));
        let new = || Book::objects().filter(|b| b.published_year.gt(1940));
        let refused = |err: Error, text: &str| matches!(&err, Error::InvalidQuery { message } if message.contains(text));
        // Django: NotSupportedError "Calling QuerySet.filter() after union() is not supported."
        let err = old().union(new()).filter(|b| b.title.eq("x")).all(db).unwrap_err();
        assert!(refused(err, "filter() after union()"));
        let err = old().union(new()).update(db, |b| b.price_cents.set(1)).unwrap_err();
        assert!(refused(err, "update() after union()"));
        let err = old().union(new()).delete(db).unwrap_err();
        assert!(refused(err, "delete() after union()"));
        // Django on SQLite: "ORDER BY not allowed in subqueries of compound statements."
        let err = old().order_by(|b| b.title.asc()).union(new()).all(db).unwrap_err();
        assert!(refused(err, "ORDER BY not allowed"));
        let err = old().slice(..1).union(new()).all(db).unwrap_err();
        assert!(refused(err, "LIMIT/OFFSET not allowed"));
        // Ordering by a column the values do not select.
        let err = old().values(|b| b.title).union(new().values(|b| b.title)).order_by(|b| b.id.asc()).all(db).unwrap_err();
        assert!(refused(err, "ORDER BY term does not match"));
        Ok(())
    }

    fn a_subquery_of_a_nullable_column_is_nullable_once(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Author.objects.annotate(y=Subquery(Author.objects.filter(pk=OuterRef("pk"))
        //     .values("birth_year")[:1])).values_list("name", "y"): Zola's NULL is None
        let rows: Vec<(String, Option<i32>)> = Author::objects()
            .values(|a| {
                (a.name, Subquery(Author::objects().filter(|x| x.id.eq(Author::outer_pk())).values(|x| x.birth_year)))
            })
            .all(db)?;
        assert_eq!(
            rows,
            [
                ("Aldous Huxley".to_owned(), Some(1894)),
                ("George Orwell".to_owned(), Some(1903)),
                ("Émile Zola".to_owned(), None),
            ]
        );
        Ok(())
    }

    fn update_sets_a_correlated_subquerys_value_per_row(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: Author.objects.update(birth_year=Subquery(Book.objects.filter(author=OuterRef("pk"))
        //     .order_by("published_year").values("published_year")[:1]))  # one UPDATE, 3 rows
        let updated = orm::assert_num_queries!(db, 1, {
            Author::objects().update(db, |a| {
                a.birth_year.set(Subquery(
                    Book::objects()
                        .filter(|b| b.author.eq(Author::outer_pk()))
                        .order_by(|b| b.published_year.asc())
                        .values(|b| b.published_year),
                ))
            })?
        });
        assert_eq!(updated, 3);
        let years = Author::objects().values(|a| (a.name, a.birth_year)).all(db)?;
        assert_eq!(
            years,
            [("Aldous Huxley".to_owned(), Some(1932)), ("George Orwell".to_owned(), Some(1938)), ("Émile Zola".to_owned(), None)]
        );
        Ok(())
    }
}
