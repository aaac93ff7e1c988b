// A Subquery of an integer column compared with a text column.
use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub published_year: i32,
}

fn main() {
    let _ = Book::objects().filter(|b| b.title.eq(Subquery(Book::objects().values(|b| b.published_year))));
}
