use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub published_year: i32,
}

fn main() {
    // Cast converts between numeric types only.
    let _ = Book::objects().values(|b| b.published_year.cast::<String>());
}
