// A single-valued hop after a many-valued one is still many-valued.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model)]
pub struct Publisher {
    pub id: i64,
}

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
    pub publisher: ForeignKey<Publisher>,
}

fn main() {
    let _ = Author::objects().select_related(|a| a.books().publisher());
}
