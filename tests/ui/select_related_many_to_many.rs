// select_related over a ManyToMany is refused: it is many-valued.
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
    pub name: String,
}

fn main() {
    let _ = Developer::objects().select_related(|d| d.skills());
}
