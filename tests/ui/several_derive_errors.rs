// Every problem is reported at once, each at its own tokens.
use orm::prelude::*;

#[derive(Model)]
#[orm(tabel = "books", ordering = "titel")]
pub struct Book {
    #[orm(uniqe)]
    pub title: String,
    #[orm(max_length = 4)]
    pub published_year: i32,
}

fn main() {}
