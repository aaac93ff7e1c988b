use orm::prelude::*;

#[derive(Model)]
pub struct Author {
    pub id: i64,
    pub birth_year: Option<i32>,
}

fn main() {
    let _ = Author::objects().values(|a| a.birth_year.coalesce("unknown"));
}
