use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub title: String,
    pub published_year: i32,
}

fn main() {}
