// A ForeignKey to a type that is not a model, on a model another model points back at.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

pub struct Person {
    pub id: i64,
}

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(related = "author")]
    pub books: HasMany<Book>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
    pub owner: ForeignKey<Person>,
}

fn main() {}
