// prefetch_with takes a QuerySet of the relation's model.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(related)]
    pub books: HasMany<Book>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn main() {
    let _ = Author::objects().prefetch_with(|a| a.books(), Author::objects());
}
