use orm::prelude::*;

pub struct Isbn {
    pub digits: String,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub isbn: Isbn,
}

fn main() {}
