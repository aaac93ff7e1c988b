use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(max_length = 4)]
    pub published_year: i32,
}

fn main() {}
