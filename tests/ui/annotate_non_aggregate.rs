use orm::prelude::*;

#[derive(Model)]
pub struct Author {
    pub id: i64,
    pub name: String,
}

fn main() {
    let _ = Author::objects().annotate(|a| a.name);
}
