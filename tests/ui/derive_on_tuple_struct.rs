use orm::prelude::*;

#[derive(Model)]
pub struct Book(i64, String);

fn main() {}
