// `related` names a ForeignKey of the target that points at another model.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model)]
pub struct Publisher {
    pub id: i64,
}

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(related = "publisher")]
    pub books: HasMany<Book>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
    pub publisher: ForeignKey<Publisher>,
}

fn main() {}
