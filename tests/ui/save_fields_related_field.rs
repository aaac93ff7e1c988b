use orm::prelude::*;

#[derive(Model, Debug)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Model, Debug)]
struct Book {
    id: i64,
    title: String,
    author: ForeignKey<Author>,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    let book = Book::objects().get(&db, |b| b.id.eq(1))?;
    // The author's name is a column of another table: save the author instead.
    book.save_fields(&db, |b| b.author().name)?;
    Ok(())
}
