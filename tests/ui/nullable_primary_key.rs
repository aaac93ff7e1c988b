use orm::prelude::*;

#[derive(Model)]
pub struct Country {
    #[orm(primary_key)]
    pub code: Option<String>,
    pub name: String,
}

fn main() {}
