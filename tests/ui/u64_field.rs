use orm::prelude::*;

#[derive(Model)]
pub struct Download {
    pub id: i64,
    pub bytes: u64,
}

fn main() {}
