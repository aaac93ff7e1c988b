use orm::prelude::*;

#[derive(Model, Debug)]
pub struct Book {
    pub id: i64,
    pub title: String,
}

fn main() {
    for book in Book::objects() {
        println!("{}", book.title);
    }
}
