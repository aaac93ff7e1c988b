// `unique` applies to columns, and a HasMany is not one.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(unique, related)]
    pub books: HasMany<Book>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn main() {}
