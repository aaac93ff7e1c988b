use orm::prelude::*;

#[derive(Model)]
#[orm(serde)]
struct Book {
    id: i64,
    title: String,
}

fn main() {}
