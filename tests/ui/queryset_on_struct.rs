use orm::prelude::*;

#[derive(Model)]
pub struct Developer {
    pub id: i64,
}

#[orm::queryset(Developer)]
pub struct NotATrait;

fn main() {}
