use orm::prelude::*;

#[derive(Model)]
pub struct Book {
    pub id: i64,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    let _ = Book::objects().keyset_page(&db, |b| b.id, 10, None)?;
    Ok(())
}
