// on_delete = "set_null" needs a nullable key.
use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model)]
pub struct Author {
    pub id: i64,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(on_delete = "set_null")]
    pub author: ForeignKey<Author>,
}

fn main() {}
