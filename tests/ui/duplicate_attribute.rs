use orm::prelude::*;

#[derive(Model)]
#[orm(table = "a", table = "b")]
pub struct Book {
    pub id: i64,
    #[orm(unique, unique)]
    pub title: String,
}

fn main() {}
