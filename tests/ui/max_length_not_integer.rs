use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(max_length = "200")]
    pub title: String,
}

fn main() {}
