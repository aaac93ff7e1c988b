use orm::prelude::*;

#[derive(Model)]
#[orm(unique_together(title), index_together(title, title))]
pub struct Book {
    pub id: i64,
    pub title: String,
}

fn main() {}
