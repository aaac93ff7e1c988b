// A HasMany must name a model.
use orm::prelude::*;
use orm::HasMany;

pub struct Book {
    pub id: i64,
}

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(related)]
    pub books: HasMany<Book>,
}

fn main() {}
