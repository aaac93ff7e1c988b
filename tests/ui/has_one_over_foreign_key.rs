// A HasOne reverses a OneToOne; Book.author is a (non-unique) ForeignKey.
use orm::prelude::*;
use orm::{ForeignKey, HasOne};

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(related = "author")]
    pub book: HasOne<Book>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn main() {}
