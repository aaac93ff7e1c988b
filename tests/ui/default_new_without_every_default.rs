use orm::prelude::*;

#[derive(Model, Debug)]
struct Book {
    id: i64,
    title: String,
    #[orm(default = 0)]
    price_cents: i64,
}

fn main() {
    // `title` has no default, so `NewBook` has no `Default`: name it.
    let _ = NewBook { price_cents: 100, ..Default::default() };
}
