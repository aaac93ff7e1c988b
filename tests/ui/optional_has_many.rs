// A HasMany is never nullable: an Author with no books has an empty HasMany.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(related)]
    pub books: Option<HasMany<Book>>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn main() {}
