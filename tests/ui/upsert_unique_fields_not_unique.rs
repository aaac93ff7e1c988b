use orm::prelude::*;

#[derive(Model, Debug)]
struct Book {
    id: i64,
    #[orm(unique)]
    isbn: String,
    title: String,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    let rows = vec![NewBook { isbn: "1".into(), title: "A".into() }];
    // Two books may share a title: no unique constraint can conflict on it.
    let _ = Book::objects().bulk_create_update_conflicts(&db, rows, |b| b.isbn, |b| b.title)?;
    Ok(())
}
