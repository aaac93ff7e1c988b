//! Conditional expressions (Case/When, Coalesce, NullIf, Greatest/Least), conditional
//! aggregation, casts and functions, NULL ordering and ordering by expressions, on
//! both backends. Each expected result is what Django 5.2 gives on the same rows
//! (checked on SQLite and PostgreSQL; where Django's backends differ, the test says
//! which one this crate follows on both).

#[path = "support/backends.rs"]
mod backends;
use orm::prelude::*;

#[derive(Model, Debug, Clone)]
pub struct Author {
    pub id: i64,
    pub name: String,
    pub birth_year: Option<i32>,
    #[orm(related = "author")]
    pub books: HasMany<Book>,
}

#[derive(Model, Debug, Clone)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub author: ForeignKey<Author>,
    #[orm(on_delete = "set_null")]
    pub editor: Option<ForeignKey<Author>>,
    pub published_year: i32,
    pub price_cents: i64,
    pub rating: Option<f64>,
    pub subtitle: Option<String>,
}

/// Django's script's rows: Orwell (three books), Huxley (one), Zola (none).
fn seed(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Author, Book)>()?;
    let author = |name: &str, year| Author::objects().create(db, NewAuthor { name: name.into(), birth_year: year });
    let orwell = author("George Orwell", Some(1903))?;
    let huxley = author("Aldous Huxley", Some(1894))?;
    author("Émile Zola", None)?;
    let book = |title: &str, author: &Author, year, price, rating, subtitle: Option<&str>| NewBook {
        title: title.into(),
        author: author.into(),
        editor: None,
        published_year: year,
        price_cents: price,
        rating,
        subtitle: subtitle.map(Into::into),
    };
    Book::objects().bulk_create(
        db,
        [
            book("1984", &orwell, 1949, 899, Some(4.5), None),
            book("Animal Farm", &orwell, 1945, 1200, None, Some("A Fairy Story")),
            NewBook {
                editor: Some((&huxley).into()),
                ..book("Homage to Catalonia", &orwell, 1938, 1500, Some(3.25), None)
            },
            book("Brave New World", &huxley, 1932, 1000, Some(4.0), None),
        ],
    )?;
    Ok(())
}

fn by_id() -> QuerySet<Book> {
    Book::objects().order_by(|b| b.id.asc())
}

fn titles(books: Vec<Book>) -> Vec<String> {
    books.into_iter().map(|b| b.title).collect()
}

backend_tests! {
    fn case_when_gives_the_first_branch_that_holds_else_the_default(db) {
        seed(db)?;
        let rows = orm::assert_num_queries!(db, 1, {
            by_id()
                .values(|b| {
                    (b.title, case().when(b.price_cents.gt(1000), "dear").when(b.price_cents.gt(900), "fair").default("cheap"))
                })
                .all(db)?
        });
        let expected = [("1984", "cheap"), ("Animal Farm", "dear"), ("Homage to Catalonia", "dear"), ("Brave New World", "fair")];
        assert_eq!(rows, expected.map(|(t, c)| (t.to_string(), c.to_string())));
        Ok(())
    }

    fn case_without_a_default_is_null_where_no_branch_holds(db) {
        seed(db)?;
        let rows: Vec<Option<String>> = by_id().values(|b| case().when(b.price_cents.gt(1000), "dear").end()).all(db)?;
        assert_eq!(rows, [None, Some("dear".into()), Some("dear".into()), None]);
        // A branch may be a field: its value, typed as the field.
        let rows: Vec<Option<i64>> = by_id().values(|b| case().when(b.rating.is_null(true), b.price_cents).end()).all(db)?;
        assert_eq!(rows, [None, Some(1200), None, None]);
        Ok(())
    }

    fn case_in_filter_and_exclude(db) {
        seed(db)?;
        let label = |b: BookFields| case().when(b.price_cents.gt(1000), "dear").default("cheap");
        assert_eq!(titles(by_id().filter(|b| label(b).eq("dear")).all(db)?), ["Animal Farm", "Homage to Catalonia"]);
        assert_eq!(titles(by_id().exclude(|b| label(b).eq("dear")).all(db)?), ["1984", "Brave New World"]);
        // Without a default the case is NULL for cheap books: exclude keeps them, as
        // it keeps the rows where a compared column is NULL (here and in Django).
        // Django's exclude on an *annotation* drops them instead (it gives [] here):
        // this crate treats every nullable expression as it treats a nullable column.
        let dear = |b: BookFields| case().when(b.price_cents.gt(1000), "dear").end();
        assert_eq!(titles(by_id().exclude(|b| dear(b).eq("dear")).all(db)?), ["1984", "Brave New World"]);
        Ok(())
    }

    fn expressions_over_a_nullable_relation_keep_rows_without_the_related_row(db) {
        seed(db)?;
        // LEFT OUTER joins, as Django's: a case or coalesce can turn the missing row's
        // NULL into a value that matches.
        let rows = by_id()
            .values(|b| case().when(b.editor().name.eq("Aldous Huxley"), "edited").default("plain"))
            .all(db)?;
        assert_eq!(rows, ["plain", "plain", "edited", "plain"]);
        let unedited = by_id().filter(|b| case().when(b.editor().name.eq("Aldous Huxley"), 1).default(0).eq(0));
        assert!(unedited.sql().text.contains("LEFT OUTER JOIN"), "{}", unedited.sql());
        assert_eq!(titles(unedited.all(db)?), ["1984", "Animal Farm", "Brave New World"]);
        let nobody = by_id().filter(|b| b.editor().name.coalesce("nobody").eq("nobody")).all(db)?;
        assert_eq!(titles(nobody), ["1984", "Animal Farm", "Brave New World"]);
        Ok(())
    }

    fn case_in_order_by_and_update(db) {
        seed(db)?;
        let huxley_first = by_id()
            .order_by(|b| (case().when(b.author().name.eq("Aldous Huxley"), 0).default(1).asc(), b.title.asc()))
            .all(db)?;
        assert_eq!(titles(huxley_first), ["Brave New World", "1984", "Animal Farm", "Homage to Catalonia"]);
        let changed = Book::objects()
            .update(db, |b| b.price_cents.set(case().when(b.rating.is_null(true), b.price_cents + 1).default(b.price_cents)))?;
        assert_eq!(changed, 4);
        assert_eq!(by_id().values(|b| b.price_cents).all(db)?, [899, 1201, 1500, 1000]);
        Ok(())
    }

    fn a_sum_of_a_case_counts_conditionally(db) {
        seed(db)?;
        let (dear, weighted) = Book::objects().aggregate(db, |b| {
            (case().when(b.price_cents.gt(1000), 1).default(0).sum(), case().when(b.rating.gte(4.0), b.price_cents).default(0).sum())
        })?;
        assert_eq!((dear, weighted), (Some(2_i64), Some(1899_i64)));
        // Per author, over the LEFT OUTER join: Zola's one NULL row takes the default.
        let per_author: Vec<(String, Option<i64>)> = Author::objects()
            .annotate(|a| case().when(a.books().price_cents.gt(1000), 1).default(0).sum())
            .order_by(|(a, _)| a.id.asc())
            .all(db)?
            .into_iter()
            .map(|(a, n)| (a.name, n))
            .collect();
        assert_eq!(per_author, [("George Orwell".into(), Some(2)), ("Aldous Huxley".into(), Some(0)), ("Émile Zola".into(), Some(0))]);
        Ok(())
    }

    fn coalesce_takes_the_first_value_that_is_not_null(db) {
        seed(db)?;
        let rows: Vec<String> = by_id().values(|b| b.subtitle.coalesce(b.title)).all(db)?;
        assert_eq!(rows, ["1984", "A Fairy Story", "Homage to Catalonia", "Brave New World"]);
        let rows: Vec<f64> = by_id().values(|b| b.rating.coalesce(0.0)).all(db)?;
        assert_eq!(rows, [4.5, 0.0, 3.25, 4.0]);
        // Three arguments: one COALESCE.
        let qs = by_id().values(|b| b.subtitle.coalesce(b.subtitle).coalesce("none"));
        assert!(qs.sql().text.contains(r#"COALESCE("book"."subtitle", "book"."subtitle", ?)"#), "{}", qs.sql());
        let names: Vec<String> =
            Author::objects().order_by(|a| a.birth_year.coalesce(0).asc()).values(|a| a.name).all(db)?;
        assert_eq!(names, ["Émile Zola", "Aldous Huxley", "George Orwell"]);
        Ok(())
    }

    fn coalesce_of_an_annotation_in_order_by_and_having(db) {
        seed(db)?;
        // Django: annotate(s=Sum(..)).order_by(Coalesce("s", 0)), and
        // annotate(s=Coalesce(Sum(..), 0)).filter(s__lt=2000).
        let rows: Vec<(String, Option<i64>)> = Author::objects()
            .annotate(|a| a.books().price_cents.sum())
            .order_by(|(_, s)| s.coalesce(0).asc())
            .all(db)?
            .into_iter()
            .map(|(a, s)| (a.name, s))
            .collect();
        assert_eq!(rows, [("Émile Zola".into(), None), ("Aldous Huxley".into(), Some(1000)), ("George Orwell".into(), Some(3599))]);
        let cheap: Vec<String> = Author::objects()
            .annotate(|a| a.books().price_cents.sum())
            .filter(|(_, s)| s.coalesce(0).lt(2000))
            .order_by(|(a, _)| a.id.asc())
            .all(db)?
            .into_iter()
            .map(|(a, _)| a.name)
            .collect();
        assert_eq!(cheap, ["Aldous Huxley", "Émile Zola"]);
        Ok(())
    }

    fn nullif_is_null_where_the_values_are_equal(db) {
        seed(db)?;
        let rows: Vec<Option<i32>> = by_id().values(|b| b.published_year.nullif(1949)).all(db)?;
        assert_eq!(rows, [None, Some(1945), Some(1938), Some(1932)]);
        Ok(())
    }

    fn greatest_and_least_ignore_nulls_on_both_backends(db) {
        seed(db)?;
        // Django on PostgreSQL: [4.5, 4.0, 4.0, 4.0]; Django on SQLite (MAX(a, b))
        // gives None for Animal Farm's NULL rating. Both backends follow PostgreSQL.
        let rows: Vec<f64> = by_id().values(|b| b.rating.greatest(4.0)).all(db)?;
        assert_eq!(rows, [4.5, 4.0, 4.0, 4.0]);
        let rows: Vec<f64> = by_id().values(|b| b.rating.least(4.0)).all(db)?;
        assert_eq!(rows, [4.0, 4.0, 3.25, 4.0]);
        // NULL only when every argument is.
        let rows: Vec<Option<f64>> = by_id().values(|b| b.rating.least(b.rating)).all(db)?;
        assert_eq!(rows, [Some(4.5), None, Some(3.25), Some(4.0)]);
        let rows: Vec<i32> = by_id().values(|b| b.published_year.greatest(1940).least(1946)).all(db)?;
        assert_eq!(rows, [1946, 1945, 1940, 1940]);
        Ok(())
    }

    fn count_and_sum_with_a_filter_aggregate_the_matching_rows(db) {
        seed(db)?;
        let captured = db.capture(|| {
            Book::objects()
                .values(|b| b.author().name)
                .annotate(|b| (b.id.count().filter(b.price_cents.gt(1000)), b.price_cents.sum().filter(b.published_year.gt(1940))))
                .order_by(|(b, _)| b.author().name.asc())
                .all(db)
        })?;
        assert_eq!(captured.value, [("Aldous Huxley".to_string(), 0, None), ("George Orwell".to_string(), 2, Some(2099))]);
        let sql = &captured.queries[0].sql;
        assert!(sql.contains(&db.sql(r#"COUNT("book"."id") FILTER (WHERE "book"."price_cents" > ?)"#)), "{sql}");
        let totals = Book::objects().aggregate(db, |b| {
            (b.id.count().filter(b.price_cents.gt(1000)), b.price_cents.sum().filter(b.rating.is_null(true)), orm::count_all().filter(Q::none()))
        })?;
        assert_eq!(totals, (2, Some(1200), 0));
        // Over a relation: every author, those without a matching book counted 0.
        let counts: Vec<(String, i64)> = Author::objects()
            .annotate(|a| a.books().id.count().filter(a.books().price_cents.gt(1000) & a.books().published_year.lt(1950)))
            .order_by(|(a, _)| a.id.asc())
            .all(db)?
            .into_iter()
            .map(|(a, n)| (a.name, n))
            .collect();
        assert_eq!(counts, [("George Orwell".to_string(), 2), ("Aldous Huxley".to_string(), 0), ("Émile Zola".to_string(), 0)]);
        // A negation in the filter is of each aggregated row, with Django's IS NOT NULL
        // guard (not the subquery of an exclude across the relation).
        let counts: Vec<i64> = Author::objects()
            .annotate(|a| a.books().id.count().filter(!a.books().title.eq("1984")))
            .order_by(|(a, _)| a.id.asc())
            .all(db)?
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(counts, [2, 1, 0]);
        let counts: Vec<i64> = Author::objects()
            .annotate(|a| a.books().id.count().filter(!a.books().rating.gt(4.0)))
            .order_by(|(a, _)| a.id.asc())
            .all(db)?
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(counts, [2, 1, 0]);
        // An average with a filter, and a HAVING on a filtered count.
        let avg = Book::objects().aggregate(db, |b| b.price_cents.avg().filter(b.author().name.eq("George Orwell")))?;
        assert!((avg.expect("rows") - 1199.6666666666667).abs() < 1e-9, "{avg:?}");
        let prolific: Vec<(String, i64)> = Book::objects()
            .values(|b| b.author().name)
            .annotate(|b| b.id.count().filter(b.price_cents.gte(1000)))
            .filter(|(_, n)| n.gte(1))
            .order_by(|(b, _)| b.author().name.asc())
            .all(db)?;
        assert_eq!(prolific, [("Aldous Huxley".to_string(), 1), ("George Orwell".to_string(), 2)]);
        Ok(())
    }

    fn cast_compares_columns_of_different_integer_types(db) {
        seed(db)?;
        let rows = by_id().filter(|b| (b.published_year.cast::<i64>() - b.price_cents).gt(900)).all(db)?;
        assert_eq!(titles(rows), ["1984", "Brave New World"]);
        let rows: Vec<f64> = by_id().values(|b| b.published_year.cast::<f64>()).all(db)?;
        assert_eq!(rows, [1949.0, 1945.0, 1938.0, 1932.0]);
        let rows: Vec<Option<i32>> = by_id().values(|b| b.rating.cast::<i32>()).all(db)?;
        assert_eq!(rows, [Some(4), None, Some(3), Some(4)]);
        Ok(())
    }

    fn text_functions_lower_upper_length_concat(db) {
        seed(db)?;
        let rows = by_id().values(|b| (b.title.lower(), b.title.upper(), b.title.length(), b.subtitle.length())).all(db)?;
        assert_eq!(rows[1], ("animal farm".to_string(), "ANIMAL FARM".to_string(), 11, Some(13)));
        assert_eq!(rows[0].3, None);
        assert_eq!(rows.iter().map(|r| r.2).collect::<Vec<_>>(), [4, 11, 19, 15]);
        // All of Unicode on both backends (Django's SQLite LOWER() leaves "É").
        let names: Vec<(String, String)> =
            Author::objects().order_by(|a| a.id.asc()).values(|a| (a.name.lower(), a.name.upper())).all(db)?;
        assert_eq!(names[2], ("émile zola".to_string(), "ÉMILE ZOLA".to_string()));
        // Concat reads a NULL part as '' (Django's COALESCE(.., '')).
        let rows: Vec<String> = by_id().values(|b| b.title.concat(" / ").concat(b.subtitle)).all(db)?;
        assert_eq!(rows, ["1984 / ", "Animal Farm / A Fairy Story", "Homage to Catalonia / ", "Brave New World / "]);
        // In a lookup: titles whose lower case starts with "b".
        assert_eq!(titles(by_id().filter(|b| b.title.lower().startswith("b")).all(db)?), ["Brave New World"]);
        // Across a relation: an INNER join, as Django's filter(Lower("author__name")=..).
        let huxley = by_id().filter(|b| b.author().name.lower().eq("aldous huxley"));
        assert!(huxley.sql().text.contains("INNER JOIN"), "{}", huxley.sql());
        assert_eq!(titles(huxley.all(db)?), ["Brave New World"]);
        Ok(())
    }

    fn abs_and_round(db) {
        seed(db)?;
        let rows: Vec<i32> = by_id().values(|b| (b.published_year - 1945).abs()).all(db)?;
        assert_eq!(rows, [4, 0, 7, 13]);
        // Halves away from zero on both backends (4.5 -> 5), the input's type kept.
        let rows: Vec<Option<f64>> = by_id().values(|b| b.rating.round()).all(db)?;
        assert_eq!(rows, [Some(5.0), None, Some(3.0), Some(4.0)]);
        let rows: Vec<Option<f64>> = by_id().values(|b| b.rating.round_to(1)).all(db)?;
        assert_eq!(rows, [Some(4.5), None, Some(3.3), Some(4.0)]);
        let rows: Vec<i32> = by_id().values(|b| b.published_year.round()).all(db)?;
        assert_eq!(rows, [1949, 1945, 1938, 1932]);
        let rows: Vec<f64> = by_id().values(|b| (b.price_cents.cast::<f64>() / 7.0).round_to(2)).all(db)?;
        assert_eq!(rows, [128.43, 171.43, 214.29, 142.86]);
        Ok(())
    }

    fn nulls_first_and_last_are_the_same_on_both_backends(db) {
        seed(db)?;
        let last = Book::objects().order_by(|b| b.rating.desc().nulls_last()).all(db)?;
        assert_eq!(titles(last), ["1984", "Brave New World", "Homage to Catalonia", "Animal Farm"]);
        let first = Book::objects().order_by(|b| b.rating.asc().nulls_first());
        assert!(first.sql().text.ends_with(r#"ORDER BY "book"."rating" ASC NULLS FIRST"#), "{}", first.sql());
        assert_eq!(titles(first.all(db)?), ["Animal Farm", "Homage to Catalonia", "Brave New World", "1984"]);
        // reverse() swaps NULLS FIRST and NULLS LAST, as Django's does.
        assert_eq!(titles(first.reverse().all(db)?), ["1984", "Brave New World", "Homage to Catalonia", "Animal Farm"]);
        // On a relation's ordering: each of its terms (here the key, Author having no
        // ordering; Django's order_by(F("editor").asc(nulls_last=True), "id")).
        let rows = Book::objects().order_by(|b| (b.editor().asc().nulls_last(), b.id.asc())).all(db)?;
        assert_eq!(titles(rows), ["Homage to Catalonia", "1984", "Animal Farm", "Brave New World"]);
        let rows = Book::objects().order_by(|b| (b.editor().asc().nulls_first(), b.id.asc())).all(db)?;
        assert_eq!(titles(rows), ["1984", "Animal Farm", "Brave New World", "Homage to Catalonia"]);
        // On an expression's ordering too.
        let by_expr = Book::objects().order_by(|b| ((b.rating * 2.0).desc().nulls_last(), b.id.asc())).all(db)?;
        assert_eq!(titles(by_expr), ["1984", "Brave New World", "Homage to Catalonia", "Animal Farm"]);
        Ok(())
    }

    fn ordering_by_any_expression(db) {
        seed(db)?;
        let rows = Book::objects().order_by(|b| (b.price_cents * 2).desc()).all(db)?;
        assert_eq!(titles(rows), ["Homage to Catalonia", "Animal Farm", "Brave New World", "1984"]);
        // A bare expression orders ascending.
        let rows = Book::objects().order_by(|b| b.price_cents * -1).all(db)?;
        assert_eq!(titles(rows), ["Homage to Catalonia", "Animal Farm", "Brave New World", "1984"]);
        let rows = Book::objects().order_by(|b| (b.subtitle.coalesce(b.title).asc(), b.id.asc())).all(db)?;
        assert_eq!(titles(rows), ["1984", "Animal Farm", "Brave New World", "Homage to Catalonia"]);
        Ok(())
    }
}

#[cfg(feature = "chrono")]
backend_tests! {
    fn now_is_the_current_time_in_utc(db) {
        seed(db)?;
        use orm::chrono::{Duration, Utc};
        let before = Utc::now() - Duration::seconds(5);
        let now = by_id().values(|_| orm::now()).first(db)?.expect("a row");
        assert!(now > before && now < Utc::now() + Duration::seconds(5), "{now}");
        // In a lookup: every book was published before now.
        assert_eq!(Book::objects().filter(|b| b.id.gt(0) & orm::now().gt(before)).count(db)?, 4);
        Ok(())
    }
}
