use orm::prelude::*;

#[derive(Model, Debug)]
struct Account {
    id: i64,
    email: Option<String>,
    name: String,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    let new = NewAccount { email: None, name: "Ada".into() };
    // Not unique, and NULL never conflicts with NULL.
    let _ = Account::objects().insert_or_update(&db, new, |a| a.email)?;
    Ok(())
}
