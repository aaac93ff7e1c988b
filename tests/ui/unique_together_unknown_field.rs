use orm::prelude::*;

#[derive(Model)]
#[orm(unique_together(title, autor_id))]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub author_id: i64,
}

fn main() {}
