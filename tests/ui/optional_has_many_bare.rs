// A HasMany is never nullable, even without attributes.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model)]
pub struct Author {
    pub id: i64,
    pub books: Option<HasMany<Book>>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn main() {}
