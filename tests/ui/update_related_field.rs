use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model, Debug)]
struct Company {
    id: i64,
    name: String,
}

#[derive(Model, Debug)]
struct Developer {
    id: i64,
    name: String,
    company: ForeignKey<Company>,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    Developer::objects().update(&db, |d| d.company().name.set("Initech"))?;
    Ok(())
}
