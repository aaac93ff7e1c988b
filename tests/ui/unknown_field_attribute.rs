use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(uniqe)]
    pub isbn: String,
}

fn main() {}
