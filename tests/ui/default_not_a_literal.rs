use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(default = CURRENT_YEAR)]
    pub published_year: i32,
}

fn main() {}
