//! Offset and keyset pagination.

#[path = "support/backends.rs"]
mod backends;
mod common;
use common::*;
use orm::prelude::*;

fn fill(db: &Db, n: i64) -> orm::Result<()> {
    Book::objects().bulk_insert(db, (1..=n).map(|i| new_book(&format!("b{i:02}"), 1, 2000, i)))?;
    Ok(())
}

/// Posts with a non-unique timestamp, as the articles' `CursorPagination(ordering="-created_at")`.
#[derive(Model, Debug, Clone)]
struct Post {
    id: i64,
    created_at: i64,
    #[orm(unique)]
    slug: String,
    #[orm(unique)]
    code: Option<String>,
}

fn post(created_at: i64, slug: &str) -> NewPost {
    NewPost { created_at, slug: slug.into(), code: None }
}

backend_tests! {
    fn offset_pages_count_then_slice(db) {
        setup(db)?;
        fill(db, 23)?;
        let qs = Book::objects().order_by(|b| b.id.asc());
        let page = orm::assert_num_queries!(db, 2, { qs.paginate(db, 3, 10)? });
        assert_eq!((page.number, page.per_page, page.total, page.num_pages), (3, 10, 23, 3));
        assert_eq!(page.items.iter().map(|b| b.id).collect::<Vec<_>>(), [21, 22, 23]);
        assert!(!page.has_next() && page.has_previous());
        let first = qs.paginate(db, 1, 10)?;
        assert!(first.has_next() && !first.has_previous());
        assert!(matches!(qs.paginate(db, 4, 10), Err(orm::Error::InvalidQuery { .. })));
        // An empty table still has a first, empty page (Django's allow_empty_first_page).
        let empty = Book::objects().filter(|b| b.id.lt(0)).paginate(db, 1, 10)?;
        assert_eq!((empty.items.len(), empty.num_pages), (0, 1));
        Ok(())
    }

    fn keyset_pages_walk_forward_and_back_without_counting(db) {
        setup(db)?;
        fill(db, 7)?;
        let qs = Book::objects().filter(|b| b.price_cents.gt(0));
        let ids = |p: &orm::KeysetPage<Book>| p.items.iter().map(|b| b.id).collect::<Vec<_>>();
        let p1 = orm::assert_num_queries!(db, 1, { qs.keyset_page(db, |b| b.id.asc(), 3, None)? });
        assert_eq!(ids(&p1), [1, 2, 3]);
        assert!(p1.previous.is_none());
        let p2 = qs.keyset_page(db, |b| b.id.asc(), 3, p1.next.as_deref())?;
        assert_eq!(ids(&p2), [4, 5, 6]);
        let p3 = qs.keyset_page(db, |b| b.id.asc(), 3, p2.next.as_deref())?;
        assert_eq!(ids(&p3), [7]);
        assert!(p3.next.is_none());
        let back = qs.keyset_page(db, |b| b.id.asc(), 3, p3.previous.as_deref())?;
        assert_eq!(ids(&back), [4, 5, 6]);
        let back = qs.keyset_page(db, |b| b.id.asc(), 3, back.previous.as_deref())?;
        assert_eq!(ids(&back), [1, 2, 3]);
        assert!(back.previous.is_none());
        // Descending order works the same way.
        let d1 = qs.keyset_page(db, |b| b.id.desc(), 4, None)?;
        assert_eq!(ids(&d1), [7, 6, 5, 4]);
        let d2 = qs.keyset_page(db, |b| b.id.desc(), 4, d1.next.as_deref())?;
        assert_eq!(ids(&d2), [3, 2, 1]);
        Ok(())
    }

    fn keyset_pages_are_stable_while_rows_are_inserted(db) {
        setup(db)?;
        fill(db, 6)?;
        let p1 = Book::objects().keyset_page(db, |b| b.id.asc(), 3, None)?;
        // New rows arrive: an offset page 2 would shift; the keyset page does not repeat rows.
        fill(db, 2)?;
        let p2 = Book::objects().keyset_page(db, |b| b.id.asc(), 3, p1.next.as_deref())?;
        assert_eq!(p2.items.iter().map(|b| b.id).collect::<Vec<_>>(), [4, 5, 6]);
        Ok(())
    }

    fn keyset_pagination_refuses_foreign_cursors(db) {
        // A non-unique or nullable order is a compile error (tests/ui/keyset_*.rs).
        setup(db)?;
        fill(db, 3)?;
        let err = Book::objects().keyset_page(db, |b| b.id.asc(), 2, Some("not a cursor")).unwrap_err();
        assert!(err.to_string().contains("cursor"), "{err}");
        // A cursor of another order (two columns) does not fit a one-column order.
        let two = Book::objects().keyset_page(db, |b| (b.published_year.asc(), b.id.asc()), 2, None)?;
        let err = Book::objects().keyset_page(db, |b| b.id.asc(), 2, two.next.as_deref()).unwrap_err();
        assert!(err.to_string().contains("cursor"), "{err}");
        Ok(())
    }

    fn keyset_pages_over_a_non_unique_column_with_the_key_as_tie_breaker(db) {
        db.create_tables::<(Post,)>()?;
        // Ten posts at five timestamps, two each, inserted out of order.
        let times = [3, 1, 5, 2, 4, 1, 3, 5, 2, 4];
        Post::objects().bulk_insert(db, times.iter().enumerate().map(|(i, &t)| post(t, &format!("p{i}"))))?;
        let mut expected: Vec<(i64, i64)> = Post::objects().values(|p| (p.created_at, p.id)).all(db)?;
        expected.sort_by(|a, b| b.cmp(a)); // newest first, then the higher id
        let key = |p: PostFields| (p.created_at.desc(), p.id.desc());
        let pairs = |page: &orm::KeysetPage<Post>| page.items.iter().map(|p| (p.created_at, p.id)).collect::<Vec<_>>();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = Vec::new();
        loop {
            let page = orm::assert_num_queries!(db, 1, { Post::objects().keyset_page(db, key, 3, cursor.as_deref())? });
            seen.extend(pairs(&page));
            pages.push(page.clone());
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, expected, "every row once, in the order");
        assert_eq!(pages.len(), 4);
        // Back from the last page gives the third again.
        let back = Post::objects().keyset_page(db, key, 3, pages[3].previous.as_deref())?;
        assert_eq!(pairs(&back), pairs(&pages[2]));
        // A row inserted at an existing timestamp, before the cursor, does not shift later pages.
        Post::objects().create(db, post(5, "late"))?;
        let again = Post::objects().keyset_page(db, key, 3, pages[0].next.as_deref())?;
        assert_eq!(pairs(&again), pairs(&pages[1]));
        // Ascending, on a unique text column, works the same way.
        let by_slug = Post::objects().keyset_page(db, |p| p.slug.asc(), 4, None)?;
        let next = Post::objects().keyset_page(db, |p| p.slug.asc(), 4, by_slug.next.as_deref())?;
        assert_eq!(next.items[0].slug, "p3");
        Ok(())
    }
}
