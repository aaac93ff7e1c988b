use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(default = "x")]
    pub year: i32,
    #[orm(default = 3)]
    pub title: String,
}

fn main() {}
