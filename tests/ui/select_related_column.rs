// select_related takes a relation method (`b.author()`), not the key column (`b.author`).
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

fn main() {
    let _ = Book::objects().select_related(|b| b.author);
}
