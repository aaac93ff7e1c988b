use orm::prelude::*;

#[derive(Model, Debug)]
struct Post {
    id: i64,
    created_at: i64,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    // A timestamp is not unique: two posts of the same second would be skipped or repeated.
    let _ = Post::objects().keyset_page(&db, |p| p.created_at.desc(), 20, None)?;
    Ok(())
}
