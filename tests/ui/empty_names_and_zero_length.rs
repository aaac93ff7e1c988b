use orm::prelude::*;

#[derive(Model)]
#[orm(table = "")]
pub struct Book {
    pub id: i64,
    #[orm(column = "", max_length = 0)]
    pub title: String,
}

fn main() {}
