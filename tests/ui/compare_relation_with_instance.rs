// Compare the key column (`b.author`), not the relation (`b.author()`), with an instance.
use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model)]
pub struct Author {
    pub id: i64,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn books_of(author: &Author) {
    let _ = Book::objects().filter(|b| b.author().eq(author));
}

fn main() {}
