use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    #[orm(default = 1)]
    pub id: i64,
}

fn main() {}
