//! Three versions of a bookshop's models, as a project goes through them:
//!
//! - `v1`: authors and their books;
//! - `v2`: a field added (`Book.isbn`, NOT NULL: the books that exist get a one-off
//!   value) and one renamed (`price_cents` becomes `price`);
//! - `v3`: a ManyToMany added (`Book.tags`, a new model `Tag`) and a column dropped
//!   (`Book.blurb`, which needs `--allow-destructive` to apply).
//!
//! Every version keeps the table names, so one database goes through all three.
#![allow(dead_code)]

/// The first version.
pub mod v1 {
    use orm::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[orm(table = "author")]
    pub struct Author {
        pub id: i64,
        #[orm(max_length = 100)]
        pub name: String,
        #[orm(related = "author")]
        pub books: HasMany<Book>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "book")]
    pub struct Book {
        pub id: i64,
        #[orm(max_length = 200, index)]
        pub title: String,
        pub author: ForeignKey<Author>,
        pub price_cents: i64,
        pub blurb: Option<String>,
    }

    /// The models of this version.
    pub type Models = (Author, Book);
}

/// `Book.isbn` added, `Book.price_cents` renamed `price`.
pub mod v2 {
    use orm::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[orm(table = "author")]
    pub struct Author {
        pub id: i64,
        #[orm(max_length = 100)]
        pub name: String,
        #[orm(related = "author")]
        pub books: HasMany<Book>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "book")]
    pub struct Book {
        pub id: i64,
        #[orm(max_length = 200, index)]
        pub title: String,
        pub author: ForeignKey<Author>,
        pub price: i64,
        pub blurb: Option<String>,
        #[orm(max_length = 13)]
        pub isbn: String,
    }

    /// The models of this version.
    pub type Models = (Author, Book);
}

/// `Book.tags` (a ManyToMany to the new `Tag`) added, `Book.blurb` dropped.
pub mod v3 {
    use orm::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[orm(table = "author")]
    pub struct Author {
        pub id: i64,
        #[orm(max_length = 100)]
        pub name: String,
        #[orm(related = "author")]
        pub books: HasMany<Book>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "book")]
    pub struct Book {
        pub id: i64,
        #[orm(max_length = 200, index)]
        pub title: String,
        pub author: ForeignKey<Author>,
        pub price: i64,
        #[orm(max_length = 13)]
        pub isbn: String,
        pub tags: ManyToMany<Tag>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "tag")]
    pub struct Tag {
        pub id: i64,
        #[orm(max_length = 50, unique)]
        pub name: String,
        #[orm(related = "tags")]
        pub books: ManyToMany<Book>,
    }

    /// The models of this version.
    pub type Models = (Author, Book, Tag);
}
