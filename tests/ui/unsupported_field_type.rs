use orm::prelude::*;
use std::collections::HashMap;

#[derive(Model)]
pub struct Book {
    pub id: i64,
    pub tags: HashMap<String, String>,
}

fn main() {}
