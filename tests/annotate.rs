//! Annotations and grouping: annotate, values().annotate(), HAVING, ordering by an
//! annotation, Django's filter-before/after-annotate semantics.

#[path = "support/backends.rs"]
mod backends;
#[path = "common/shop.rs"]
mod shop;
use orm::prelude::*;
use shop::*;

backend_tests! {
    fn annotate_counts_related_rows_and_keeps_zero_counts(db) {
        shop_setup(db)?;
        seed_books(db)?;
        let captured = db.capture(|| Author::objects().annotate(|a| a.books().id.count()).all(db))?;
        assert_eq!(captured.queries.len(), 1);
        let sql = &captured.queries[0].sql;
        assert!(sql.contains("LEFT OUTER JOIN \"book\""), "{sql}");
        assert!(sql.contains("GROUP BY \"author\".\"id\""), "{sql}");
        let counts: Vec<(String, i64)> = captured.value.into_iter().map(|(a, n)| (a.name, n)).collect();
        assert_eq!(counts, [("Aldous Huxley".into(), 1), ("George Orwell".into(), 3), ("Émile Zola".into(), 0)]);
        Ok(())
    }

    fn several_annotations_are_typed_and_none_without_rows(db) {
        shop_setup(db)?;
        seed_books(db)?;
        let rows = Author::objects()
            .annotate(|a| (a.books().id.count(), a.books().price_cents.sum(), a.books().published_year.max()))
            .order_by(|(a, _)| a.name.asc())
            .all(db)?;
        let (zola, (n, sum, newest)) = &rows[2];
        assert_eq!(zola.name, "Émile Zola");
        assert_eq!((*n, *sum, *newest), (0, None, None));
        let (_, (n, sum, newest)) = &rows[1];
        assert_eq!((*n, *sum, *newest), (3, Some(3000), Some(1949)));
        Ok(())
    }

    fn order_and_filter_by_an_annotation(db) {
        shop_setup(db)?;
        seed_books(db)?;
        let ranked =
            Author::objects().annotate(|a| a.books().id.count()).order_by(|(a, n)| (n.desc(), a.name.asc())).all(db)?;
        let names: Vec<&str> = ranked.iter().map(|(a, _)| a.name.as_str()).collect();
        assert_eq!(names, ["George Orwell", "Aldous Huxley", "Émile Zola"]);
        // A condition on the annotation after annotate() is a HAVING.
        let qs = Author::objects().annotate(|a| a.books().id.count()).filter(|(_, n)| n.gte(1));
        let sql = qs.sql().text;
        assert!(sql.contains("HAVING COUNT(\"book\".\"id\") >= ?"), "{sql}");
        assert_eq!(qs.count(db)?, 2);
        assert!(qs.exists(db)?);
        // A plain condition after it stays a WHERE.
        let qs = Author::objects().annotate(|a| a.books().id.count()).filter(|(a, _)| a.name.startswith("G"));
        assert!(qs.sql().text.contains("WHERE"), "{}", qs.sql());
        assert_eq!(qs.all(db)?[0].1, 3);
        Ok(())
    }

    fn a_filter_before_annotate_restricts_what_is_aggregated(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Django: filter(books__year__gt=1940).annotate(Count("books")) counts the matching books only.
        let rows =
            Author::objects().filter(|a| a.books().published_year.gt(1940)).annotate(|a| a.books().id.count()).all(db)?;
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].0.name.as_str(), rows[0].1), ("George Orwell", 2));
        Ok(())
    }

    fn values_then_annotate_groups_by_the_values(db) {
        shop_setup(db)?;
        seed_books(db)?;
        let captured = db.capture(|| {
            Book::objects()
                .values(|b| b.author().name)
                .annotate(|b| (b.id.count(), b.price_cents.sum()))
                .order_by(|(b, _)| b.author().name.asc())
                .all(db)
        })?;
        assert_eq!(
            captured.value,
            [("Aldous Huxley".to_string(), 1, Some(1000)), ("George Orwell".to_string(), 3, Some(3000))]
        );
        let sql = &captured.queries[0].sql;
        assert!(sql.contains("GROUP BY \"author\".\"name\""), "{sql}");
        // Grouped rows are counted as rows of the grouped query.
        assert_eq!(Book::objects().values(|b| b.author().name).annotate(|b| b.id.count()).count(db)?, 2);
        // HAVING on a grouped values query.
        let prolific: Vec<(String, i64)> =
            Book::objects().values(|b| b.author().name).annotate(|b| b.id.count()).filter(|(_, n)| n.gt(1)).all(db)?;
        assert_eq!(prolific, [("George Orwell".to_string(), 3)]);
        Ok(())
    }

    fn annotating_an_empty_queryset_sends_no_query(db) {
        shop_setup(db)?;
        seed_books(db)?;
        orm::assert_num_queries!(db, 0, {
            let rows = Author::objects().filter(|a| a.id.is_in([0_i64; 0])).annotate(|a| a.books().id.count()).all(db)?;
            assert!(rows.is_empty());
        });
        Ok(())
    }

    fn annotate_with_loaders(db) {
        shop_setup(db)?;
        seed_books(db)?;
        let rows = orm::assert_num_queries!(db, 2, {
            Book::objects()
                .select_related(|b| b.author())
                .prefetch_related(|b| b.reviews())
                .annotate(|b| b.reviews().stars.avg())
                .order_by(|(b, _)| b.id.asc())
                .all(db)?
        });
        let (book, avg) = &rows[0];
        assert_eq!(book.title, "1984");
        assert_eq!(*avg, Some(4.5));
        assert_eq!(book.author.get()?.name, "George Orwell");
        assert_eq!(book.reviews.get()?.len(), 2);
        Ok(())
    }
}
