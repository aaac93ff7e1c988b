use orm::prelude::*;

#[derive(Model)]
#[orm(verbose_name = "book")]
pub struct Book {
    pub id: i64,
}

fn main() {}
