// A field, an expression or an aggregate can be an annotation (Django's
// `annotate(x=F("name"))` included: see tests/ui-pass/annotate_field.rs); a relation
// itself cannot: it is not one value per row.
use orm::prelude::*;

#[derive(Model)]
pub struct Author {
    pub id: i64,
    pub name: String,
    #[orm(related = "author")]
    pub books: HasMany<Book>,
}

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub author: ForeignKey<Author>,
}

fn main() {
    let _ = Author::objects().annotate(|a| a.books());
}
