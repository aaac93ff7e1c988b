use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub title: String,
}

fn main() {
    let _ = Book::objects().filter(|b| b.title == "1984");
}
