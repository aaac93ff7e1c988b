// `through` names a type that is not a model.
use orm::prelude::*;
use orm::ManyToMany;

pub struct Membership;

#[derive(Model)]
pub struct Developer {
    pub id: i64,
    #[orm(through = "Membership")]
    pub skills: ManyToMany<Skill>,
}

#[derive(Model)]
pub struct Skill {
    pub id: i64,
}

fn main() {}
