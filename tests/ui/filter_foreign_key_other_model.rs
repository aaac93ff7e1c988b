// A ForeignKey<Author> column compared with an instance of another model.
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

fn check(publisher: &Publisher) {
    let _ = Book::objects().filter(|b| b.author.eq(publisher));
}

fn main() {}
