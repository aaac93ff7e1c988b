// The error is the derive's own: Author's valid reverse side reports nothing more.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(related = "author")]
    pub books: HasMany<Book>,
    #[orm(related)]
    pub edited: HasMany<Edition>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(on_delete = "set_null")]
    pub author: ForeignKey<Author>,
}

#[derive(Model)]
pub struct Edition {
    pub id: i64,
    #[orm(on_delete = "set_null")]
    pub editor: ForeignKey<Author>,
}

fn main() {}
