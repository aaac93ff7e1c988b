// A HasMany (bare `related`) whose target has no ForeignKey back at all.
use orm::prelude::*;
use orm::HasMany;

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(related)]
    pub books: HasMany<Book>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub title: String,
}

fn main() {}
