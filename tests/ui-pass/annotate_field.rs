// Django allows a field as an annotation (`annotate(author_name=F("author__name"))`),
// so annotate() takes a field too, alone or next to aggregates and expressions.
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
    pub title: String,
    pub author: ForeignKey<Author>,
}

fn main() {
    let _: QuerySet<Author, orm::Annotated<_>> = Author::objects().annotate(|a| a.name);
    let by_author = Book::objects().annotate(|b| (b.author().name, b.title.lower(), b.id.count()));
    let _ = by_author.filter(|(_, (author, _, n))| author.eq("Orwell") & n.gt(1));
}
