// F expressions across nullable and non-null columns, eq(None), is_null, Option values.
use orm::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub subtitle: Option<String>,
    pub published_year: i32,
    pub written_year: Option<i32>,
    pub price_cents: i64,
    pub discount_cents: Option<i64>,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Book,)>()?;
    let new = |title: &str, published_year, written_year, discount_cents| NewBook {
        title: title.into(),
        subtitle: None,
        published_year,
        written_year,
        price_cents: 1000,
        discount_cents,
    };
    Book::objects().bulk_create(
        &db,
        [new("late", 1990, Some(1950), Some(100)), new("prompt", 1951, Some(1950), None), new("unknown", 2000, None, None)],
    )?;

    // Non-null column against an expression over a nullable one, and the reverse.
    assert_eq!(Book::objects().filter(|b| b.published_year.gt(b.written_year + 30)).count(&db)?, 1);
    assert_eq!(Book::objects().filter(|b| b.written_year.lt(b.published_year - 30)).count(&db)?, 1);
    assert_eq!(Book::objects().filter(|b| b.written_year.eq(b.published_year)).count(&db)?, 0);
    assert_eq!(Book::objects().filter(|b| (b.price_cents - b.discount_cents).lt(1000)).count(&db)?, 1);

    // eq(None) is IS NULL; plain values and Some(..) both fit an Option column.
    assert_eq!(Book::objects().filter(|b| b.written_year.eq(None)).count(&db)?, 1);
    assert_eq!(Book::objects().filter(|b| b.subtitle.eq(None)).count(&db)?, 3);
    assert_eq!(Book::objects().filter(|b| b.written_year.eq(1950)).count(&db)?, 2);
    assert_eq!(Book::objects().filter(|b| b.written_year.eq(Some(1950))).count(&db)?, 2);
    assert_eq!(Book::objects().filter(|b| b.discount_cents.is_null(false)).count(&db)?, 1);
    assert_eq!(Book::objects().filter(|b| b.subtitle.iexact(None)).count(&db)?, 3);

    // Text lookups take &str, &String and String, on nullable columns too.
    let needle = String::from("LATE");
    assert_eq!(Book::objects().filter(|b| b.title.icontains(&needle)).count(&db)?, 1);
    assert_eq!(Book::objects().filter(|b| b.subtitle.contains("x") | b.title.eq(needle.to_lowercase())).count(&db)?, 1);

    // Updates: F expressions, setting NULL, setting a nullable column from a non-null one.
    Book::objects().update(&db, |b| (b.price_cents.set(b.price_cents * 2 + 1), b.discount_cents.set(None)))?;
    Book::objects().filter(|b| b.written_year.eq(None)).update(&db, |b| b.written_year.set(b.published_year))?;
    assert_eq!(Book::objects().filter(|b| b.written_year.eq(None)).count(&db)?, 0);
    let (sum, avg) = Book::objects().aggregate(&db, |b| (b.price_cents.sum(), b.written_year.avg()))?;
    assert_eq!(sum, Some(6003));
    assert!(avg.is_some());
    let values: Vec<(String, Option<i32>, i64)> =
        Book::objects().order_by(|b| b.title).values(|b| (b.title, b.written_year, b.price_cents + 1)).all(&db)?;
    assert_eq!(values[0], ("late".to_owned(), Some(1950), 2002));
    Ok(())
}
