//! Custom chainable QuerySets (Django's custom QuerySet and `as_manager`): methods
//! such as `active()`, `senior()` and `by_skill()` chain with each other and with every
//! built-in method, and the whole chain is still one query.
//!
//! Run it with `cargo run --example custom_queryset`; it prints `chain queries=1`.

use orm::prelude::*;
use orm::{ForeignKey, ManyToMany};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Model, Debug, Clone)]
pub struct Company {
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone)]
#[orm(ordering = "name")]
pub struct Developer {
    pub id: i64,
    pub name: String,
    pub years_experience: i32,
    /// Unix seconds of the last login, if any.
    pub last_login: Option<i64>,
    pub company: ForeignKey<Company>,
    pub skills: ManyToMany<Skill>,
}

#[derive(Model, Debug, Clone)]
pub struct Skill {
    pub id: i64,
    pub name: String,
}

/// Unix seconds `days` days ago.
pub fn days_ago(days: i64) -> i64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    now - days * 86_400
}

/// The custom QuerySet methods of `Developer`: written once, chainable in any order.
#[orm::queryset(Developer)]
pub trait DeveloperQuerySet {
    /// Logged in within the last 30 days.
    fn active(self) -> Self {
        self.filter(|d| d.last_login.gte(days_ago(30)))
    }

    /// Five years of experience or more.
    fn senior(self) -> Self {
        self.filter(|d| d.years_experience.gte(5))
    }

    /// Knows `skill`.
    fn by_skill(self, skill: &str) -> Self {
        self.filter(|d| d.skills().name.eq(skill))
    }
}

/// Custom managers: named entry points with a default filter or loader, as Django's
/// custom `Manager` classes give.
impl Developer {
    /// The active developers, with their company loaded.
    pub fn active_objects() -> QuerySet<Developer> {
        Developer::objects().active().select_related(|d| d.company())
    }
}

fn seed(db: &Db) -> orm::Result<()> {
    db.atomic(|db| {
        let acme = Company::objects().create(db, NewCompany { name: "Acme".into() })?;
        let skills = Skill::objects().bulk_create(db, ["Python", "Rust"].map(|n| NewSkill { name: n.into() }))?;
        let dev = |name: &str, years, login| NewDeveloper {
            name: name.into(),
            years_experience: years,
            last_login: login,
            company: (&acme).into(),
        };
        let devs = Developer::objects().bulk_create(
            db,
            [
                dev("Ada", 12, Some(days_ago(1))),
                dev("Bob", 2, Some(days_ago(2))),
                dev("Cy", 9, Some(days_ago(90))),
                dev("Di", 7, None),
                dev("Eve", 6, Some(days_ago(3))),
            ],
        )?;
        devs[0].skills().add(db, [&skills[0], &skills[1]])?;
        devs[1].skills().add(db, [&skills[0]])?;
        devs[2].skills().add(db, [&skills[0]])?;
        devs[4].skills().add(db, [&skills[1]])?;
        Ok(())
    })
}

fn main() -> orm::Result<()> {
    run().map(drop)
}

/// Runs the chain and returns the names it found and the number of queries it sent.
pub fn run() -> orm::Result<(Vec<String>, usize)> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Company, Developer, Skill)>()?;
    seed(&db)?;

    let captured = db.capture(|| {
        Developer::objects().active().senior().by_skill("Python").select_related(|d| d.company()).all(&db)
    })?;
    println!("chain queries={}", captured.queries.len());
    let mut names = Vec::new();
    for dev in &captured.value {
        println!("  {} ({} years) at {}", dev.name, dev.years_experience, dev.company.get()?.name);
        names.push(dev.name.clone());
    }
    let active = Developer::active_objects().count(&db)?;
    println!("active developers: {active}");
    Ok((names, captured.queries.len()))
}
