use orm::prelude::*;

#[derive(Model, Debug)]
struct Post {
    id: i64,
    #[orm(unique)]
    code: Option<String>,
    published_at: Option<i64>,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    // A nullable unique column does not name a row: several may be NULL.
    let _ = Post::objects().keyset_page(&db, |p| p.code.asc(), 20, None)?;
    // Nor can a nullable column come first.
    let _ = Post::objects().keyset_page(&db, |p| (p.published_at.desc(), p.id.desc()), 20, None)?;
    Ok(())
}
