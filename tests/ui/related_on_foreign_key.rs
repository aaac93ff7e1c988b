// `related` belongs on the reverse side (HasMany/HasOne), not on the ForeignKey.
use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model)]
pub struct Author {
    pub id: i64,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(related = "books")]
    pub author: ForeignKey<Author>,
}

fn main() {}
