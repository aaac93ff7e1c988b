// A ForeignKey<Author> compared with a QuerySet of another model (its keys are not authors').
use orm::prelude::*;

#[derive(Model)]
pub struct Author {
    pub id: i64,
}

#[derive(Model)]
pub struct Publisher {
    pub id: i64,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn main() {
    let _ = Book::objects().filter(|b| b.author.is_in(Publisher::objects()));
}
