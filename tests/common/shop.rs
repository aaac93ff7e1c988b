//! Models with relations, shared by the relation tests.
#![allow(dead_code)]

use orm::prelude::*;
use orm::{ForeignKey, HasMany, HasOne, ManyToMany, OneToOne};

#[derive(Model, Debug, Clone)]
#[orm(table = "publisher")]
pub struct Publisher {
    pub id: i64,
    pub name: String,
    #[orm(related = "publisher")]
    pub books: HasMany<Book>,
}

#[derive(Model, Debug, Clone)]
#[orm(ordering = "name")]
pub struct Author {
    pub id: i64,
    pub name: String,
    pub birth_year: Option<i32>,
    #[orm(related = "author")]
    pub books: HasMany<Book>,
    #[orm(related = "author")]
    pub recent_books: HasMany<Book>,
    #[orm(related = "editor")]
    pub edited: HasMany<Book>,
    #[orm(related)]
    pub profile: HasOne<Profile>,
}

#[derive(Model, Debug, Clone)]
#[orm(ordering = "-published_year")]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub author: ForeignKey<Author>,
    #[orm(on_delete = "set_null")]
    pub editor: Option<ForeignKey<Author>>,
    #[orm(on_delete = "protect")]
    pub publisher: Option<ForeignKey<Publisher>>,
    pub published_year: i32,
    pub price_cents: i64,
    #[orm(related)]
    pub reviews: HasMany<Review>,
}

#[derive(Model, Debug, Clone)]
pub struct Review {
    pub id: i64,
    pub book: ForeignKey<Book>,
    pub stars: i32,
}

#[derive(Model, Debug, Clone)]
pub struct Profile {
    pub id: i64,
    pub author: OneToOne<Author>,
    pub bio: String,
}

#[derive(Model, Debug, Clone)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub parent: Option<ForeignKey<Category>>,
    #[orm(related = "parent")]
    pub children: HasMany<Category>,
}

#[derive(Model, Debug, Clone)]
pub struct Company {
    pub id: i64,
    pub name: String,
    #[orm(related)]
    pub developers: HasMany<Developer>,
}

#[derive(Model, Debug, Clone)]
pub struct Developer {
    pub id: i64,
    pub name: String,
    pub years_experience: i32,
    pub company: ForeignKey<Company>,
    pub skills: ManyToMany<Skill>,
}

#[derive(Model, Debug, Clone)]
#[orm(ordering = "name")]
pub struct Skill {
    pub id: i64,
    pub name: String,
    #[orm(related = "skills")]
    pub developers: ManyToMany<Developer>,
}

/// The tables of the shop's models, on a test's database.
pub fn shop_setup(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Publisher, Author, Book, Review, Profile, Category, Company, Developer, Skill)>()
}

pub fn shop_db() -> orm::Result<Db> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Publisher, Author, Book, Review, Profile, Category, Company, Developer, Skill)>()?;
    Ok(db)
}

pub fn book(title: &str, author: &Author, year: i32) -> NewBook {
    NewBook {
        title: title.into(),
        author: author.into(),
        editor: None,
        publisher: None,
        published_year: year,
        price_cents: 1000,
    }
}

/// Orwell (3 books), Huxley (1 book), Zola (no books); reviews on 1984.
pub fn seed_books(db: &Db) -> orm::Result<(Author, Author, Author)> {
    let author = |name: &str, year| Author::objects().create(db, NewAuthor { name: name.into(), birth_year: year });
    let orwell = author("George Orwell", Some(1903))?;
    let huxley = author("Aldous Huxley", Some(1894))?;
    let zola = author("Émile Zola", None)?;
    let books = Book::objects().bulk_create(
        db,
        [
            book("1984", &orwell, 1949),
            book("Animal Farm", &orwell, 1945),
            NewBook { editor: Some((&huxley).into()), ..book("Homage to Catalonia", &orwell, 1938) },
            book("Brave New World", &huxley, 1932),
        ],
    )?;
    Review::objects().bulk_create(
        db,
        [
            NewReview { book: (&books[0]).into(), stars: 5 },
            NewReview { book: (&books[0]).into(), stars: 4 },
            NewReview { book: (&books[3]).into(), stars: 3 },
        ],
    )?;
    Ok((orwell, huxley, zola))
}
