// A misspelt on_delete value.
use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model)]
pub struct Author {
    pub id: i64,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(on_delete = "cascad")]
    pub author: ForeignKey<Author>,
}

fn main() {}
