use orm::prelude::*;

#[derive(Model)]
#[orm(table)]
pub struct Book {
    pub id: i64,
}

fn main() {}
