//! The bookshop of the N+1 articles: 20 authors, 100 books, and the three ways to list
//! them with their authors. Prints one `<scenario> queries=<N>` line per scenario.
//!
//! Run it with `cargo run --example seed_bookshop`, or on PostgreSQL with `cargo run --example
//! seed_bookshop -- postgres://root@127.0.0.1:5432/test` (the same counts).

use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model, Debug, Clone)]
pub struct Author {
    pub id: i64,
    pub name: String,
    #[orm(related = "author")]
    pub books: HasMany<Book>,
}

#[derive(Model, Debug, Clone)]
pub struct Book {
    pub id: i64,
    pub title: String,
    #[orm(on_delete = "cascade")]
    pub author: ForeignKey<Author>,
}

fn seed(db: &Db) -> orm::Result<()> {
    db.atomic(|db| {
        let authors = Author::objects().bulk_create(db, (1..=20).map(|i| NewAuthor { name: format!("Author {i}") }))?;
        Book::objects().bulk_create(
            db,
            (1..=100).map(|i| NewBook { title: format!("Book {i}"), author: (&authors[(i - 1) % 20]).into() }),
        )?;
        Ok(())
    })
}

/// Runs `f`, prints `<name> queries=<N>` and records the count.
fn scenario<T>(
    db: &Db,
    counts: &mut Vec<(&'static str, usize)>,
    name: &'static str,
    f: impl FnOnce() -> orm::Result<T>,
) -> orm::Result<T> {
    let captured = db.capture(f)?;
    println!("{name} queries={}", captured.queries.len());
    counts.push((name, captured.queries.len()));
    Ok(captured.value)
}

#[path = "support/database.rs"]
mod database;

fn main() -> orm::Result<()> {
    // An SQLite file, or the PostgreSQL server given as the first argument.
    let db = database::open("seed_bookshop")?;
    println!("database: {}", db.label);
    run(&db).map(drop)
}

/// Seeds `db` (empty), runs every scenario and returns their query counts (the tests
/// assert them, on every backend).
pub fn run(db: &Db) -> orm::Result<Vec<(&'static str, usize)>> {
    let mut counts = Vec::new();
    db.create_tables::<(Author, Book)>()?;
    seed(db)?;

    // One query for the books, then one per book for its author: the N+1.
    let lines = scenario(db, &mut counts, "book_list_slow", || {
        let mut lines = Vec::new();
        for book in Book::objects().all(db)? {
            lines.push(format!("{} by {}", book.title, book.author.fetch(db)?.name));
        }
        Ok(lines)
    })?;
    println!("  {} lines, first: {}", lines.len(), lines[0]);

    // select_related: one query with a JOIN.
    let lines = scenario(db, &mut counts, "book_list_fast", || {
        let books = Book::objects().select_related(|b| b.author()).all(db)?;
        books.iter().map(|b| Ok(format!("{} by {}", b.title, b.author.get()?.name))).collect::<orm::Result<Vec<_>>>()
    })?;
    println!("  {} lines, first: {}", lines.len(), lines[0]);

    // prefetch_related: the authors, then all their books in one more query.
    let authors = scenario(db, &mut counts, "author_list_with_books", || {
        let authors = Author::objects().prefetch_related(|a| a.books()).all(db)?;
        authors.iter().map(|a| Ok((a.name.clone(), a.books.get()?.len()))).collect::<orm::Result<Vec<_>>>()
    })?;
    println!("  {} authors, first: {} with {} books", authors.len(), authors[0].0, authors[0].1);
    Ok(counts)
}
