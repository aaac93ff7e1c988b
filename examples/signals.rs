//! Lifecycle signals: a user profile created automatically when a user is created,
//! and the same flow written as a direct call.
//!
//! Run it with `cargo run --example signals`.

use orm::prelude::*;
use orm::{HasOne, OneToOne};

#[derive(Model, Debug, Clone)]
pub struct User {
    pub id: i64,
    #[orm(unique)]
    pub username: String,
    #[orm(related)]
    pub profile: HasOne<Profile>,
}

#[derive(Model, Debug, Clone)]
pub struct Profile {
    pub id: i64,
    pub user: OneToOne<User>,
    pub bio: String,
}

/// The signal version: every way a `User` gets created, in any part of the program,
/// gets a profile. Better when the rule must hold whoever creates users (an admin
/// tool, an import, a test fixture) and the profile is a detail the callers should not
/// know about.
fn connect_profile_receiver(db: &Db) {
    db.on_post_save::<User>(|db, user, created| {
        if created {
            Profile::objects().create(db, NewProfile { user: user.into(), bio: String::new() })?;
        }
        Ok(())
    });
}

/// The direct version: one function that does both, in one transaction. Better when
/// there is one place that creates users: the flow is visible where it runs, it is
/// all-or-nothing, and bulk loads (which skip signals) cannot silently miss it.
pub fn create_user_with_profile(db: &Db, username: &str) -> orm::Result<(User, Profile)> {
    db.atomic(|db| {
        let user = User::objects().create(db, NewUser { username: username.into() })?;
        let profile = Profile::objects().create(db, NewProfile { user: (&user).into(), bio: String::new() })?;
        Ok((user, profile))
    })
}

fn main() -> orm::Result<()> {
    run().map(drop)
}

/// Runs both versions and returns `(signal queries, direct queries, profiles)`.
pub fn run() -> orm::Result<(usize, usize, i64)> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(User, Profile)>()?;
    connect_profile_receiver(&db);

    let signal = db.capture(|| User::objects().create(&db, NewUser { username: "ada".into() }))?;
    println!("signal queries={}", signal.queries.len());

    // The direct call on a connection without the receiver (a second Db: receivers
    // belong to the Db they were registered on).
    let plain = Db::open_in_memory()?;
    plain.create_tables::<(User, Profile)>()?;
    let direct = plain.capture(|| create_user_with_profile(&plain, "grace"))?;
    println!("direct queries={}", direct.queries.len());

    let ada = User::objects().select_related(|u| u.profile()).get(&db, |u| u.username.eq("ada"))?;
    println!("ada has a profile: {}", ada.profile.get()?.is_some());
    let profiles = Profile::objects().count(&db)? + Profile::objects().count(&plain)?;
    Ok((signal.queries.len(), direct.queries.len(), profiles))
}
