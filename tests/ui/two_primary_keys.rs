use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    #[orm(primary_key)]
    pub isbn: String,
    #[orm(primary_key)]
    pub ean: String,
    pub title: String,
}

fn main() {}
