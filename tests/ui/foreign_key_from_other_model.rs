// A ForeignKey<Author> is built from an &Author, not from an instance of another model.
use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model)]
pub struct Author {
    pub id: i64,
}

#[derive(Model)]
pub struct Publisher {
    pub id: i64,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn new_book(publisher: &Publisher) -> NewBook {
    NewBook { author: publisher.into() }
}

fn main() {}
