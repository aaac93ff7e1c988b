use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub price_cents: i64,
}

fn main() {
    // The first `when` makes it a case of text; a number in another branch is refused.
    let _ = Book::objects().values(|b| {
        case().when(b.price_cents.gt(1000), "dear").when(b.price_cents.gt(500), 2).default("cheap")
    });
}
