// A reverse ManyToMany names a ManyToMany field of the target that does not exist.
use orm::prelude::*;
use orm::ManyToMany;

#[derive(Model)]
pub struct Developer {
    pub id: i64,
    pub skills: ManyToMany<Skill>,
}

#[derive(Model)]
pub struct Skill {
    pub id: i64,
    #[orm(related = "skils")]
    pub developers: ManyToMany<Developer>,
}

fn main() {}
