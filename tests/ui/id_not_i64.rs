use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: String,
    pub title: String,
}

fn main() {}
