use orm::prelude::*;

pub struct Plain;

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.on_post_save::<Plain>(|_, _, _| Ok(()));
    Ok(())
}
