// `is_in` with a QuerySet that selects a column of another type.
use orm::prelude::*;

#[derive(Model)]
pub struct Author {
    pub id: i64,
    pub name: String,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub author: ForeignKey<Author>,
}

fn main() {
    let _ = Book::objects().filter(|b| b.title.is_in(Author::objects().values(|a| a.id)));
}
