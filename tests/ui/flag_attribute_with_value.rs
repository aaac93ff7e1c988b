use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(unique = true)]
    pub isbn: String,
}

fn main() {}
