use orm::prelude::*;

#[derive(Model)]
pub struct Book;

fn main() {}
