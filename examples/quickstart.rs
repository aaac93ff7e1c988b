//! The README's quick start: opens an embedded SQLite file, creates the tables, writes
//! and queries, and prints every query it ran with the count.
//!
//! Run it with `cargo run --example quickstart`, or on a PostgreSQL server with
//! `cargo run --example quickstart -- postgres://root@127.0.0.1:5432/test`: the same
//! statements (with `$1` placeholders) and the same count.

use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model, Debug, Clone)]
pub struct Author {
    pub id: i64,
    #[orm(max_length = 100, unique)]
    pub name: String,
    pub birth_year: Option<i32>,
    #[orm(related = "author")]
    pub books: HasMany<Book>,
}

#[derive(Model, Debug, Clone)]
#[orm(table = "book", ordering = "-published_year")]
pub struct Book {
    pub id: i64,
    #[orm(max_length = 200, index)]
    pub title: String,
    #[orm(on_delete = "cascade")]
    pub author: ForeignKey<Author>,
    pub published_year: i32,
    pub price_cents: i64,
}

#[path = "support/database.rs"]
mod database;

fn main() -> orm::Result<()> {
    // An SQLite file in a fresh directory of its own, or the PostgreSQL server given as
    // the first argument (a schema of its own); removed at the end either way.
    let db = database::open("quickstart")?;
    println!("database: {}", db.label);
    run(&db)
}

fn run(db: &Db) -> orm::Result<()> {
    let captured = db.capture(|| {
        db.create_tables::<(Author, Book)>()?;

        let orwell =
            Author::objects().create(db, NewAuthor { name: "George Orwell".into(), birth_year: Some(1903) })?;
        let huxley =
            Author::objects().create(db, NewAuthor { name: "Aldous Huxley".into(), birth_year: Some(1894) })?;
        Book::objects().bulk_create(
            db,
            [
                NewBook { title: "1984".into(), author: (&orwell).into(), published_year: 1949, price_cents: 899 },
                NewBook {
                    title: "Animal Farm".into(),
                    author: (&orwell).into(),
                    published_year: 1945,
                    price_cents: 599,
                },
                NewBook {
                    title: "Brave New World".into(),
                    author: (&huxley).into(),
                    published_year: 1932,
                    price_cents: 1099,
                },
                NewBook {
                    title: "Island (draft)".into(),
                    author: (&huxley).into(),
                    published_year: 1962,
                    price_cents: 100,
                },
            ],
        )?;

        // A lazy QuerySet: building it runs nothing.
        let classics = Book::objects()
            .filter(|b| b.published_year.lt(1950))
            .exclude(|b| b.title.icontains("DRAFT"))
            .order_by(|b| (b.published_year.desc(), b.title.asc()));
        println!("\nSQL of the classics query: {}", classics.sql());

        for book in classics.all(db)? {
            println!("  {} ({})", book.title, book.published_year);
        }

        let by_orwell = Book::objects().filter(|b| b.author().name.eq("George Orwell")).count(db)?;
        println!("books by Orwell: {by_orwell}");

        // Loaders: one JOIN query, then one extra query for every author's books.
        for book in Book::objects().select_related(|b| b.author()).all(db)? {
            println!("  {} by {}", book.title, book.author.get()?.name);
        }
        for author in Author::objects().prefetch_related(|a| a.books()).all(db)? {
            println!("  {} wrote {} book(s)", author.name, author.books.get()?.len());
        }

        let titles: Vec<(String, i32)> = Book::objects().values(|b| (b.title, b.published_year)).slice(..2).all(db)?;
        println!("newest two: {titles:?}");

        let (avg, newest) = Book::objects().aggregate(db, |b| (b.price_cents.avg(), b.published_year.max()))?;
        println!("average price: {:.2} cents, newest year: {newest:?}", avg.unwrap_or_default());

        let doubled = Book::objects()
            .filter(|b| b.published_year.lt(1940))
            .update(db, |b| b.price_cents.set(b.price_cents * 2))?;
        println!("repriced {doubled} book(s)");

        let mut book = Book::objects().get(db, |b| b.title.eq("1984"))?;
        book.price_cents = 999;
        book.save(db)?;

        let (deleted, per_model) = Book::objects().filter(|b| b.title.contains("(draft)")).delete(db)?;
        println!("deleted {deleted}: {per_model:?}");

        let (_, created) = Author::objects().get_or_create(
            db,
            |a| a.name.eq("George Orwell"),
            NewAuthor { name: "George Orwell".into(), birth_year: None },
        )?;
        println!("Orwell created again? {created}");
        Ok(())
    })?;

    println!("\n{} queries:", captured.queries.len());
    for (i, q) in captured.queries.iter().enumerate() {
        println!("{:>3}. {q}", i + 1);
    }
    println!("query_count={}", db.query_count());
    Ok(())
}
