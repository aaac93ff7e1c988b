// `through` applies only to a forward ManyToMany.
use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model)]
pub struct Author {
    pub id: i64,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    #[orm(through = "Author")]
    pub author: ForeignKey<Author>,
}

fn main() {}
