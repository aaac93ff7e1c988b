use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub published_year: i32,
}

fn main() {
    let _ = Book::objects().values(|b| b.published_year.lower());
}
