// A reverse or many-to-many field gets a method of the same name on the model; a
// method of the user's with that name clashes.
use orm::prelude::*;

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

impl Author {
    pub fn books(&self) -> usize {
        0
    }
}

fn main() {}
