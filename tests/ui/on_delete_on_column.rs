// on_delete on a plain integer column (a key held by hand, not a ForeignKey).
use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(on_delete = "cascade")]
    pub author_id: i64,
}

fn main() {}
