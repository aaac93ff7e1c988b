// A ForeignKey to a plain type such as String.
use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<String>,
}

fn main() {}
