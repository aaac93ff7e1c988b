use orm::prelude::*;

#[derive(Model)]
#[orm(tabel = "books")]
pub struct Book {
    pub id: i64,
}

fn main() {}
