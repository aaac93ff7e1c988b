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
    // Django: "bulk_create() cannot be used with primary keys in update_fields."
    let _ = Book::objects().bulk_create_update_conflicts(&db, rows, |b| (b.title, b.id), |b| b.isbn)?;
    Ok(())
}
