// Date parts apply to date and datetime columns only.
use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub published_year: i32,
}

fn main() {
    let _ = Book::objects().filter(|b| b.published_year.year().eq(2024));
}
