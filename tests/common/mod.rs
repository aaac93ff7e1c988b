//! Models and fixtures shared by the integration tests.
#![allow(dead_code)]

use orm::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Author {
    pub id: i64,
    #[orm(max_length = 100)]
    pub name: String,
    pub birth_year: Option<i32>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "book", ordering = "-published_year")]
pub struct Book {
    pub id: i64,
    #[orm(max_length = 200, index)]
    pub title: String,
    pub author_id: i64,
    pub published_year: i32,
    pub price_cents: i64,
}

/// The tables of the shared models, on a test's database.
pub fn setup(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Author, Book)>()
}

pub fn db() -> orm::Result<Db> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Author, Book)>()?;
    Ok(db)
}

pub fn new_book(title: &str, author_id: i64, year: i32, price: i64) -> NewBook {
    NewBook { title: title.into(), author_id, published_year: year, price_cents: price }
}

/// Two authors and five books.
pub fn seed(db: &Db) -> orm::Result<(Author, Author)> {
    let orwell = Author::objects().create(db, NewAuthor { name: "George Orwell".into(), birth_year: Some(1903) })?;
    let anon = Author::objects().create(db, NewAuthor { name: "Anonymous".into(), birth_year: None })?;
    Book::objects().bulk_create(
        db,
        [
            new_book("1984", orwell.id, 1949, 899),
            new_book("Animal Farm", orwell.id, 1945, 599),
            new_book("Homage to Catalonia", orwell.id, 1938, 1099),
            new_book("Beowulf", anon.id, 1000, 1500),
            new_book("Draft notes", anon.id, 2021, 100),
        ],
    )?;
    Ok((orwell, anon))
}
