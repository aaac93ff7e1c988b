use orm::prelude::*;

#[derive(Model)]
#[orm(ordering = "-yeer")]
pub struct Book {
    pub id: i64,
    pub year: i32,
}

fn main() {}
