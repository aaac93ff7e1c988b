//! Expressions in `annotate()`: `case()`, `Subquery`, `Exists`, functions, fields and
//! conditions, alone (no GROUP BY) or next to aggregates (then grouped by, as Django
//! does), and filter/order_by on them afterwards. Each expected result is what Django
//! 5.2 returns on the same rows (`seed_books`, prices 899/1299/1000/1500), on SQLite
//! and PostgreSQL, and each query count is Django's (one statement).

#[path = "support/backends.rs"]
mod backends;
#[path = "common/shop.rs"]
mod shop;
use backends::TestDb;
use orm::prelude::*;
use shop::*;

/// `seed_books`, with Django's script's prices: 1984 899, Animal Farm 1299, Homage to
/// Catalonia 1000, Brave New World 1500.
fn seed(db: &TestDb) -> orm::Result<()> {
    shop_setup(db)?;
    seed_books(db)?;
    for (title, price) in [("1984", 899_i64), ("Animal Farm", 1299), ("Brave New World", 1500)] {
        Book::objects().filter(|b| b.title.eq(title)).update(db, |b| b.price_cents.set(price))?;
    }
    Ok(())
}

/// The part of a statement after `from` (up to the next clause keyword `until`).
fn clause<'a>(sql: &'a str, from: &str, until: &str) -> &'a str {
    let Some(start) = sql.find(from) else { return "" };
    let rest = &sql[start..];
    match rest[from.len()..].find(until) {
        Some(end) => &rest[..from.len() + end],
        None => rest,
    }
}

/// `COUNT(*)`.
fn b_count() -> orm::Aggregate<i64> {
    orm::count_all()
}

/// How the backend names a text function: SQLite's are orm's own (`orm_lower`).
fn function(db: &TestDb, name: &str) -> String {
    match db.backend() {
        backends::Backend::Sqlite => format!("orm_{}", name.to_lowercase()),
        backends::Backend::Postgres => name.to_owned(),
    }
}

backend_tests! {
    fn a_case_annotation_labels_each_instance_without_group_by(db) {
        seed(db)?;
        // Django: Book.objects.annotate(label=Case(When(price_cents__gt=1000, then=Value("dear")),
        //     default=Value("cheap"))).order_by("title"): no GROUP BY, one query.
        let qs = Book::objects()
            .annotate(|b| case().when(b.price_cents.gt(1000), "dear").default("cheap"))
            .order_by(|(b, _)| b.title.asc());
        let sql = qs.sql_for(db).text;
        assert!(sql.contains("CASE WHEN \"book\".\"price_cents\" > "), "{sql}");
        assert!(!sql.contains("GROUP BY"), "{sql}");
        let rows: Vec<(Book, String)> = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        let rows: Vec<(String, String)> = rows.into_iter().map(|(b, l)| (b.title, l)).collect();
        assert_eq!(
            rows,
            [
                ("1984".into(), "cheap".into()),
                ("Animal Farm".into(), "dear".into()),
                ("Brave New World".into(), "dear".into()),
                ("Homage to Catalonia".into(), "cheap".into()),
            ]
        );
        Ok(())
    }

    fn a_filter_on_an_expression_annotation_is_a_where(db) {
        seed(db)?;
        // Django: .filter(label="dear"): WHERE CASE WHEN .. END = 'dear', no HAVING.
        let qs = Book::objects()
            .annotate(|b| case().when(b.price_cents.gt(1000), "dear").default("cheap"))
            .filter(|(_, label)| label.eq("dear"))
            .order_by(|(b, _)| b.title.asc());
        let sql = qs.sql_for(db).text;
        assert!(sql.contains("WHERE CASE WHEN"), "{sql}");
        assert!(!sql.contains("HAVING") && !sql.contains("GROUP BY"), "{sql}");
        let titles: Vec<String> = qs.all(db)?.into_iter().map(|(b, _)| b.title).collect();
        assert_eq!(titles, ["Animal Farm", "Brave New World"]);
        assert_eq!(qs.count(db)?, 2);
        Ok(())
    }

    fn order_by_an_expression_annotation(db) {
        seed(db)?;
        // Django: .order_by("-label", "title")
        let rows = Book::objects()
            .annotate(|b| case().when(b.price_cents.gt(1000), "dear").default("cheap"))
            .order_by(|(b, label)| (label.desc(), b.title.asc()))
            .all(db)?;
        let titles: Vec<&str> = rows.iter().map(|(b, _)| b.title.as_str()).collect();
        assert_eq!(titles, ["Animal Farm", "Brave New World", "1984", "Homage to Catalonia"]);
        Ok(())
    }

    fn a_subquery_annotation_is_an_option_and_none_without_a_row(db) {
        seed(db)?;
        // Django: Author.objects.annotate(newest=Subquery(Book.objects.filter(author=OuterRef("pk"))
        //     .order_by("-published_year").values("title")[:1]))
        let qs = Author::objects().annotate(|_| {
            Subquery(
                Book::objects()
                    .filter(|b| b.author.eq(Author::outer_pk()))
                    .order_by(|b| b.published_year.desc())
                    .values(|b| b.title),
            )
        });
        let sql = qs.sql_for(db).text;
        assert!(!sql.contains("GROUP BY"), "{sql}");
        let rows: Vec<(Author, Option<String>)> = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        let rows: Vec<(String, Option<String>)> = rows.into_iter().map(|(a, t)| (a.name, t)).collect();
        assert_eq!(
            rows,
            [
                ("Aldous Huxley".into(), Some("Brave New World".into())),
                ("George Orwell".into(), Some("1984".into())),
                ("Émile Zola".into(), None),
            ]
        );
        Ok(())
    }

    fn an_exists_annotation_reads_as_bool_and_filters(db) {
        seed(db)?;
        // Django: Author.objects.annotate(has_old=Exists(Book.objects.filter(author=OuterRef("pk"),
        //     published_year__lt=1935)))
        let qs = Author::objects().annotate(|_| {
            Exists(Book::objects().filter(|b| b.author.eq(Author::outer_pk()) & b.published_year.lt(1935)))
        });
        let sql = qs.sql_for(db).text;
        assert!(sql.contains("EXISTS(SELECT 1 FROM \"book\""), "{sql}");
        let rows: Vec<(Author, bool)> = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        let rows: Vec<(String, bool)> = rows.into_iter().map(|(a, old)| (a.name, old)).collect();
        assert_eq!(
            rows,
            [("Aldous Huxley".into(), true), ("George Orwell".into(), false), ("Émile Zola".into(), false)]
        );
        // Django: .filter(has_old=True)
        let old: Vec<String> = qs.filter(|(_, old)| old.eq(true)).all(db)?.into_iter().map(|(a, _)| a.name).collect();
        assert_eq!(old, ["Aldous Huxley"]);
        Ok(())
    }

    fn a_condition_annotation_reads_as_bool(db) {
        seed(db)?;
        // Django: Book.objects.annotate(dear=Q(price_cents__gt=1000)).order_by("title")
        let rows = Book::objects().annotate(|b| b.price_cents.gt(1000)).order_by(|(b, _)| b.title.asc()).all(db)?;
        let rows: Vec<(String, bool)> = rows.into_iter().map(|(b, d)| (b.title, d)).collect();
        assert_eq!(
            rows,
            [
                ("1984".into(), false),
                ("Animal Farm".into(), true),
                ("Brave New World".into(), true),
                ("Homage to Catalonia".into(), false),
            ]
        );
        Ok(())
    }

    fn a_function_and_a_related_field_annotate_each_row(db) {
        seed(db)?;
        // Django: Book.objects.annotate(lower=Lower("title"), an=F("author__name")).order_by("title")
        let qs = Book::objects().annotate(|b| (b.title.lower(), b.author().name)).order_by(|(b, _)| b.title.asc());
        let sql = qs.sql_for(db).text;
        // SQLite's LOWER folds ASCII only: orm registers a Unicode one, `orm_lower`.
        assert!(sql.contains(&format!("{}(\"book\".\"title\")", function(db, "LOWER"))), "{sql}");
        assert!(sql.contains("INNER JOIN \"author\""), "{sql}");
        assert!(!sql.contains("GROUP BY"), "{sql}");
        let rows: Vec<(Book, (String, String))> = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        let rows: Vec<(String, String)> = rows.into_iter().map(|(_, (l, a))| (l, a)).collect();
        assert_eq!(
            rows,
            [
                ("1984".into(), "George Orwell".into()),
                ("animal farm".into(), "George Orwell".into()),
                ("brave new world".into(), "Aldous Huxley".into()),
                ("homage to catalonia".into(), "George Orwell".into()),
            ]
        );
        Ok(())
    }

    fn an_expression_next_to_an_aggregate_joins_the_group_by(db) {
        seed(db)?;
        // Django: Author.objects.annotate(n=Count("books"), lower=Lower("name")):
        // GROUP BY "author"."id", .., LOWER("author"."name") (as `5`).
        let qs = Author::objects().annotate(|a| (a.books().id.count(), a.name.upper()));
        let sql = qs.sql_for(db).text;
        let group = clause(&sql, "GROUP BY", " ORDER BY");
        assert_eq!(group, format!("GROUP BY \"author\".\"id\", {}(\"author\".\"name\")", function(db, "UPPER")), "{sql}");
        let rows: Vec<(Author, (i64, String))> = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        let rows: Vec<(i64, String)> = rows.into_iter().map(|(_, r)| r).collect();
        assert_eq!(rows[..2], [(1, "ALDOUS HUXLEY".to_owned()), (3, "GEORGE ORWELL".to_owned())]);
        assert_eq!(rows[2].0, 0);
        Ok(())
    }

    fn subquery_and_exists_next_to_an_aggregate_are_not_grouped_by(db) {
        seed(db)?;
        // Django: Author.objects.annotate(n=Count("books"), newest=Subquery(..), has_old=Exists(..)):
        // GROUP BY the author only (the subqueries read its key).
        let qs = Author::objects().annotate(|a| {
            (
                a.books().id.count(),
                Subquery(
                    Book::objects()
                        .filter(|b| b.author.eq(Author::outer_pk()))
                        .order_by(|b| b.published_year.desc())
                        .values(|b| b.title),
                ),
                Exists(Book::objects().filter(|b| b.author.eq(Author::outer_pk()) & b.published_year.lt(1935))),
            )
        });
        let sql = qs.sql_for(db).text;
        assert_eq!(clause(&sql, "GROUP BY", " ORDER BY"), "GROUP BY \"author\".\"id\"", "{sql}");
        let rows = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        let rows: Vec<(String, i64, Option<String>, bool)> =
            rows.into_iter().map(|(a, (n, newest, old))| (a.name, n, newest, old)).collect();
        assert_eq!(
            rows,
            [
                ("Aldous Huxley".into(), 1, Some("Brave New World".into()), true),
                ("George Orwell".into(), 3, Some("1984".into()), false),
                ("Émile Zola".into(), 0, None, false),
            ]
        );
        Ok(())
    }

    fn a_filter_after_a_mixed_annotate_splits_into_where_and_having(db) {
        seed(db)?;
        // Django: Author.objects.annotate(n=Count("books"), lbl=Case(When(birth_year__lt=1900,
        //     then=Value("old")), default=Value("young"))).filter(n__gt=0, lbl="young")
        let qs = Author::objects()
            .annotate(|a| (a.books().id.count(), case().when(a.birth_year.lt(1900), "old").default("young")))
            .filter(|(_, (n, label))| n.gt(0) & label.eq("young"));
        let sql = qs.sql_for(db).text;
        assert!(sql.contains("WHERE CASE WHEN"), "{sql}");
        assert!(sql.contains("HAVING COUNT(\"book\".\"id\") > "), "{sql}");
        // The CASE binds parameters: grouped by its position, as Django writes it (`5`).
        assert_eq!(clause(&sql, "GROUP BY", " HAVING"), "GROUP BY \"author\".\"id\", 5", "{sql}");
        let rows: Vec<(String, i64, String)> = qs.all(db)?.into_iter().map(|(a, (n, l))| (a.name, n, l)).collect();
        assert_eq!(rows, [("George Orwell".into(), 3, "young".into())]);
        // Django: .order_by("lbl", "-n")
        let ordered = Author::objects()
            .annotate(|a| (a.books().id.count(), case().when(a.birth_year.lt(1900), "old").default("young")))
            .order_by(|(_, (n, label))| (label.asc(), n.desc()))
            .all(db)?;
        let names: Vec<&str> = ordered.iter().map(|(a, _)| a.name.as_str()).collect();
        assert_eq!(names, ["Aldous Huxley", "George Orwell", "Émile Zola"]);
        Ok(())
    }

    fn values_with_an_expression_annotation_are_not_grouped(db) {
        seed(db)?;
        // Django: Book.objects.values_list("author__name").annotate(lower=Lower("title")):
        // one row per book, no GROUP BY, the model's ordering (-published_year) kept.
        let qs = Book::objects().values(|b| b.author().name).annotate(|b| b.title.lower());
        let sql = qs.sql_for(db).text;
        assert!(!sql.contains("GROUP BY"), "{sql}");
        let rows: Vec<(String, String)> = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        assert_eq!(
            rows,
            [
                ("George Orwell".into(), "1984".into()),
                ("George Orwell".into(), "animal farm".into()),
                ("George Orwell".into(), "homage to catalonia".into()),
                ("Aldous Huxley".into(), "brave new world".into()),
            ]
        );
        Ok(())
    }

    fn values_with_an_aggregate_and_an_expression_group_by_both(db) {
        seed(db)?;
        // Django: Book.objects.values_list("author__name").annotate(n=Count("id"), lbl=Case(..))
        //     .order_by("author__name", "lbl"): GROUP BY the name and the CASE.
        let qs = Book::objects()
            .values(|b| b.author().name)
            .annotate(|b| (b.id.count(), case().when(b.price_cents.gt(1000), "dear").default("cheap")))
            .order_by(|(b, (_, label))| (b.author().name.asc(), label.asc()));
        let sql = qs.sql_for(db).text;
        // Django: GROUP BY 1, 3 ORDER BY 1 ASC, 3 ASC (the CASE by its position).
        assert_eq!(clause(&sql, "GROUP BY", " ORDER BY"), "GROUP BY \"author\".\"name\", 3", "{sql}");
        assert!(sql.ends_with("ORDER BY \"author\".\"name\" ASC, 3 ASC"), "{sql}");
        let rows: Vec<(String, i64, String)> = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        assert_eq!(
            rows,
            [
                ("Aldous Huxley".into(), 1, "dear".into()),
                ("George Orwell".into(), 2, "cheap".into()),
                ("George Orwell".into(), 1, "dear".into()),
            ]
        );
        Ok(())
    }

    fn an_exists_next_to_an_aggregate_filters_as_a_where(db) {
        seed(db)?;
        // Django: Author.objects.annotate(n=Count("books"), edits=Exists(Book.objects.filter(
        //     editor=OuterRef("pk")))).filter(edits=True): WHERE EXISTS(..), GROUP BY the author.
        let qs = Author::objects()
            .annotate(|a| (a.books().id.count(), Exists(Book::objects().filter(|b| b.editor.eq(Author::outer_pk())))))
            .filter(|(_, (_, edits))| edits.eq(true));
        let sql = qs.sql_for(db).text;
        assert!(sql.contains("WHERE CASE WHEN EXISTS("), "{sql}");
        assert_eq!(clause(&sql, "GROUP BY", " ORDER BY"), "GROUP BY \"author\".\"id\"", "{sql}");
        let rows: Vec<(String, i64, bool)> = orm::assert_num_queries!(db, 1, { qs.all(db)? })
            .into_iter()
            .map(|(a, (n, edits))| (a.name, n, edits))
            .collect();
        assert_eq!(rows, [("Aldous Huxley".into(), 1, true)]);
        Ok(())
    }

    fn values_with_an_aggregate_group_by_an_exists_by_its_position(db) {
        seed(db)?;
        // Django: Book.objects.values_list("author__name").annotate(n=Count("id"),
        //     edits=Exists(Book.objects.filter(editor=OuterRef("author")))).order_by("author__name")
        // groups by the Exists itself, by its position: GROUP BY 1, 3.
        let qs = Book::objects()
            .values(|b| b.author().name)
            .annotate(|_| {
                (b_count(), Exists(Book::objects().filter(|inner| inner.editor.eq(Book::outer_ref(|outer| outer.author)))))
            })
            .order_by(|(b, _)| b.author().name.asc());
        let sql = qs.sql_for(db).text;
        assert_eq!(
            clause(&sql, "GROUP BY", " ORDER BY"),
            "GROUP BY \"author\".\"name\", 3",
            "{sql}"
        );
        let rows: Vec<(String, i64, bool)> = orm::assert_num_queries!(db, 1, { qs.all(db)? });
        assert_eq!(rows, [("Aldous Huxley".into(), 1, true), ("George Orwell".into(), 3, false)]);
        Ok(())
    }

    fn count_and_aggregate_over_expression_annotations(db) {
        seed(db)?;
        let labelled = Book::objects().annotate(|b| case().when(b.price_cents.gt(1000), "dear").default("cheap"));
        // Django: .count() is a plain COUNT(*) without an aggregate among the annotations ..
        let captured = db.capture(|| labelled.count(db))?;
        assert_eq!(captured.value, 4);
        assert_eq!(captured.queries.len(), 1);
        assert!(!captured.queries[0].sql.contains("GROUP BY"), "{}", captured.queries[0].sql);
        // .. and .aggregate(m=Max("label")) is MAX(CASE ..) over the rows.
        let max = labelled.aggregate(db, |(_, label)| label.max())?;
        assert_eq!(max, Some("dear".to_owned()));
        // With an aggregate, count() counts the groups (Django: 3, through a subquery).
        let grouped = Author::objects().annotate(|a| (a.books().id.count(), a.name.upper()));
        assert_eq!(grouped.count(db)?, 3);
        Ok(())
    }
}
