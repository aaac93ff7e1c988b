use orm::prelude::*;

#[derive(Model)]
struct Book {
    id: i64,
    #[orm(serde = "nested")]
    title: String,
}

fn main() {}
