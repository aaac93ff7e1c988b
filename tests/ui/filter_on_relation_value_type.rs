// A ForeignKey column compares with a key or an instance, not a string.
use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model)]
pub struct Author {
    pub id: i64,
    pub name: String,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn main() {
    let _ = Book::objects().filter(|b| b.author.eq("x"));
}
