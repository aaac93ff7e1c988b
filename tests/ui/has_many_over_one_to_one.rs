// A HasMany cannot reverse a OneToOne: at most one row points back, so use HasOne.
use orm::prelude::*;
use orm::{HasMany, OneToOne};

#[derive(Model)]
pub struct Author {
    pub id: i64,
    #[orm(related = "author")]
    pub profiles: HasMany<Profile>,
}

#[derive(Model)]
pub struct Profile {
    pub id: i64,
    pub author: OneToOne<Author>,
}

fn main() {}
