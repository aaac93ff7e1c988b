use orm::prelude::*;

#[derive(Model)]
pub struct Developer {
    pub id: i64,
    pub years_experience: i32,
}

#[orm::queryset(Developer)]
pub trait DeveloperQuerySet {
    fn senior(self) -> Self {
        self.filter(|d| d.years.gte(5))
    }
}

fn main() {}
