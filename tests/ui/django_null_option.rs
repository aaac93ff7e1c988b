// Django's `null=True` is an `Option<..>` field here.
use orm::prelude::*;

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(null)]
    pub birth_year: i32,
}

fn main() {}
