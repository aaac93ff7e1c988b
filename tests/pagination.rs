//! Offset and keyset pagination.

mod common;
use common::*;
use orm::prelude::*;

fn fill(db: &Db, n: i64) -> orm::Result<()> {
    Book::objects().bulk_insert(db, (1..=n).map(|i| new_book(&format!("b{i:02}"), 1, 2000, i)))?;
    Ok(())
}

#[test]
fn offset_pages_count_then_slice() -> orm::Result<()> {
    let db = db()?;
    fill(&db, 23)?;
    let qs = Book::objects().order_by(|b| b.id.asc());
    let page = orm::assert_num_queries!(db, 2, { qs.paginate(&db, 3, 10)? });
    assert_eq!((page.number, page.per_page, page.total, page.num_pages), (3, 10, 23, 3));
    assert_eq!(page.items.iter().map(|b| b.id).collect::<Vec<_>>(), [21, 22, 23]);
    assert!(!page.has_next() && page.has_previous());
    let first = qs.paginate(&db, 1, 10)?;
    assert!(first.has_next() && !first.has_previous());
    assert!(matches!(qs.paginate(&db, 4, 10), Err(orm::Error::InvalidQuery { .. })));
    // An empty table still has a first, empty page (Django's allow_empty_first_page).
    let empty = Book::objects().filter(|b| b.id.lt(0)).paginate(&db, 1, 10)?;
    assert_eq!((empty.items.len(), empty.num_pages), (0, 1));
    Ok(())
}

#[test]
fn keyset_pages_walk_forward_and_back_without_counting() -> orm::Result<()> {
    let db = db()?;
    fill(&db, 7)?;
    let qs = Book::objects().filter(|b| b.price_cents.gt(0));
    let ids = |p: &orm::KeysetPage<Book>| p.items.iter().map(|b| b.id).collect::<Vec<_>>();
    let p1 = orm::assert_num_queries!(db, 1, { qs.keyset_page(&db, |b| b.id.asc(), 3, None)? });
    assert_eq!(ids(&p1), [1, 2, 3]);
    assert!(p1.previous.is_none());
    let p2 = qs.keyset_page(&db, |b| b.id.asc(), 3, p1.next.as_deref())?;
    assert_eq!(ids(&p2), [4, 5, 6]);
    let p3 = qs.keyset_page(&db, |b| b.id.asc(), 3, p2.next.as_deref())?;
    assert_eq!(ids(&p3), [7]);
    assert!(p3.next.is_none());
    let back = qs.keyset_page(&db, |b| b.id.asc(), 3, p3.previous.as_deref())?;
    assert_eq!(ids(&back), [4, 5, 6]);
    let back = qs.keyset_page(&db, |b| b.id.asc(), 3, back.previous.as_deref())?;
    assert_eq!(ids(&back), [1, 2, 3]);
    assert!(back.previous.is_none());
    // Descending order works the same way.
    let d1 = qs.keyset_page(&db, |b| b.id.desc(), 4, None)?;
    assert_eq!(ids(&d1), [7, 6, 5, 4]);
    let d2 = qs.keyset_page(&db, |b| b.id.desc(), 4, d1.next.as_deref())?;
    assert_eq!(ids(&d2), [3, 2, 1]);
    Ok(())
}

#[test]
fn keyset_pages_are_stable_while_rows_are_inserted() -> orm::Result<()> {
    let db = db()?;
    fill(&db, 6)?;
    let p1 = Book::objects().keyset_page(&db, |b| b.id.asc(), 3, None)?;
    // New rows arrive: an offset page 2 would shift; the keyset page does not repeat rows.
    fill(&db, 2)?;
    let p2 = Book::objects().keyset_page(&db, |b| b.id.asc(), 3, p1.next.as_deref())?;
    assert_eq!(p2.items.iter().map(|b| b.id).collect::<Vec<_>>(), [4, 5, 6]);
    Ok(())
}

#[test]
fn keyset_pagination_refuses_non_unique_keys_and_foreign_cursors() -> orm::Result<()> {
    let db = db()?;
    fill(&db, 3)?;
    let err = Book::objects().keyset_page(&db, |b| b.published_year.asc(), 2, None).unwrap_err();
    assert!(err.to_string().contains("unique column"), "{err}");
    let err = Book::objects().keyset_page(&db, |b| b.id.asc(), 2, Some("not a cursor")).unwrap_err();
    assert!(err.to_string().contains("cursor"), "{err}");
    Ok(())
}
