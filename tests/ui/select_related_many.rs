// select_related follows single-valued relations only; a HasMany needs prefetch_related.
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
    let _ = Author::objects().select_related(|a| a.books());
}
