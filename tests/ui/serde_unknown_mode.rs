use orm::prelude::*;

#[derive(Model)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Model)]
struct Book {
    id: i64,
    #[orm(serde = "inline")]
    author: ForeignKey<Author>,
}

fn main() {}
