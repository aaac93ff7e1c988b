use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub published_year: i32,
    pub price_cents: i64,
    pub in_print: bool,
}

fn main() {
    let db = Db::open_in_memory().unwrap();
    let _ = Book::objects().aggregate(&db, |b| b.in_print.max());
}
