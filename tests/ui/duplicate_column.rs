use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(column = "name")]
    pub title: String,
    #[orm(column = "name")]
    pub subtitle: String,
}

fn main() {}
