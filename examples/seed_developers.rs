//! The developers of the N+1 articles: Company, Developer (ForeignKey company,
//! ManyToMany skills) and Skill; 50 developers serialized as nested
//! `{name, company, skills}`. Prints one `<scenario> queries=<N>` line per scenario.
//!
//! Run it with `cargo run --example seed_developers`, or on PostgreSQL with `cargo run --example
//! seed_developers -- postgres://root@127.0.0.1:5432/test` (the same counts).

use orm::prelude::*;
use orm::{ForeignKey, ManyToMany};

#[derive(Model, Debug, Clone)]
pub struct Company {
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone)]
pub struct Developer {
    pub id: i64,
    pub name: String,
    pub years_experience: i32,
    pub company: ForeignKey<Company>,
    pub skills: ManyToMany<Skill>,
}

#[derive(Model, Debug, Clone)]
#[orm(ordering = "name")]
pub struct Skill {
    pub id: i64,
    pub name: String,
    #[orm(related = "skills")]
    pub developers: ManyToMany<Developer>,
}

/// The nested form an API would return.
#[derive(Debug)]
pub struct DeveloperOut {
    pub name: String,
    pub company: String,
    pub skills: Vec<String>,
}

fn seed(db: &Db) -> orm::Result<()> {
    db.atomic(|db| {
        let companies = Company::objects()
            .bulk_create(db, ["Initech", "Hooli", "Pied Piper"].map(|n| NewCompany { name: n.into() }))?;
        let skills = Skill::objects()
            .bulk_create(db, ["Python", "Rust", "Go", "SQL", "Django"].map(|n| NewSkill { name: n.into() }))?;
        let devs = Developer::objects().bulk_create(
            db,
            (0..50).map(|i| NewDeveloper {
                name: format!("Developer {i}"),
                years_experience: i % 12,
                company: (&companies[i as usize % 3]).into(),
            }),
        )?;
        for (i, dev) in devs.iter().enumerate() {
            dev.skills().add(db, [&skills[i % 5], &skills[(i + 2) % 5]])?;
        }
        Ok(())
    })
}

/// Runs `f`, prints `<name> queries=<N>` and records the count.
fn scenario<T>(
    db: &Db,
    counts: &mut Vec<(&'static str, usize)>,
    name: &'static str,
    f: impl FnOnce() -> orm::Result<T>,
) -> orm::Result<T> {
    let captured = db.capture(f)?;
    println!("{name} queries={}", captured.queries.len());
    counts.push((name, captured.queries.len()));
    Ok(captured.value)
}

#[path = "support/database.rs"]
mod database;

fn main() -> orm::Result<()> {
    // An SQLite file, or the PostgreSQL server given as the first argument.
    let db = database::open("seed_developers")?;
    println!("database: {}", db.label);
    run(&db).map(drop)
}

/// Seeds `db` (empty), runs every scenario and returns their query counts (the tests
/// assert them, on every backend).
pub fn run(db: &Db) -> orm::Result<Vec<(&'static str, usize)>> {
    let mut counts = Vec::new();
    db.create_tables::<(Company, Developer, Skill)>()?;
    seed(db)?;

    // One query for the developers, then per developer one for the company and one for
    // the skills: 1 + 50 + 50.
    let naive = scenario(db, &mut counts, "developers_naive", || {
        let mut out = Vec::new();
        for dev in Developer::objects().all(db)? {
            out.push(DeveloperOut {
                company: dev.company.fetch(db)?.name,
                skills: dev.skills().all(db)?.into_iter().map(|s| s.name).collect(),
                name: dev.name,
            });
        }
        Ok(out)
    })?;
    println!("  {:?}", naive[0]);

    // select_related the company (JOIN) and prefetch_related the skills (one query
    // joining the through table): 2 queries, as Django sends.
    let optimized = scenario(db, &mut counts, "developers_optimized", || {
        let devs = Developer::objects().select_related(|d| d.company()).prefetch_related(|d| d.skills()).all(db)?;
        devs.into_iter()
            .map(|dev| {
                Ok(DeveloperOut {
                    company: dev.company.get()?.name.clone(),
                    skills: dev.skills.get()?.iter().map(|s| s.name.clone()).collect(),
                    name: dev.name,
                })
            })
            .collect::<orm::Result<Vec<_>>>()
    })?;
    println!("  {:?}", optimized[0]);
    assert_eq!(format!("{naive:?}"), format!("{optimized:?}"));
    Ok(counts)
}
