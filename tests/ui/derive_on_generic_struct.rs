use orm::prelude::*;

#[derive(Model)]
pub struct Book<T> {
    pub id: i64,
    pub extra: T,
}

fn main() {}
