// Two ForeignKeys to Author: a HasMany without `related = ".."` cannot pick one.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model)]
pub struct Author {
    pub id: i64,
    pub books: HasMany<Book>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
    pub editor: Option<ForeignKey<Author>>,
}

fn main() {}
