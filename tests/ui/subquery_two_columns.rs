// A Subquery selects one column, not a tuple.
use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub published_year: i32,
}

fn main() {
    let _ = Book::objects().values(|_| Subquery(Book::objects().values(|b| (b.title, b.published_year))));
}
