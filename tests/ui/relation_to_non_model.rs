// A ForeignKey must point at a model.
use orm::prelude::*;
use orm::ForeignKey;

pub struct Author {
    pub id: i64,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn main() {}
