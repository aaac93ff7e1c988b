use orm::prelude::*;

#[derive(Model, Debug)]
struct Book {
    id: i64,
    title: String,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    let book = Book::objects().create(&db, NewBook { title: "1984".into() })?;
    // A row keeps its key: save(update_fields=["id"]) is an error in Django too.
    book.save_fields(&db, |b| b.id)?;
    Ok(())
}
