//! Lifecycle signals registered on a Db.

#[allow(dead_code)]
#[path = "../examples/signals.rs"]
mod example;

#[path = "support/backends.rs"]
mod backends;
#[path = "common/shop.rs"]
mod shop;

use orm::prelude::*;
use orm::Saving;
use shop::*;
use std::sync::{Arc, Mutex};

/// The example opens its own in-memory SQLite databases: it runs on SQLite only.
#[test]
fn the_example_creates_profiles_both_ways() -> orm::Result<()> {
    assert_eq!(example::run()?, (2, 4, 2));
    Ok(())
}

type Log = Arc<Mutex<Vec<String>>>;

/// The shop's tables on `db`, and receivers on it that log every signal of `Author`.
fn logging(db: &Db) -> orm::Result<Log> {
    shop_setup(db)?;
    let log: Log = Arc::default();
    let l = log.clone();
    db.on_pre_save::<Author>(move |_, saving| {
        l.lock().unwrap().push(match saving {
            Saving::New(new) => format!("pre_save new {}", new.name),
            Saving::Existing(a) => format!("pre_save {}", a.name),
        });
        Ok(())
    });
    let l = log.clone();
    db.on_post_save::<Author>(move |_, a, created| {
        l.lock().unwrap().push(format!("post_save {} created={created}", a.name));
        Ok(())
    });
    let l = log.clone();
    db.on_pre_delete::<Author>(move |_, a| {
        l.lock().unwrap().push(format!("pre_delete {}", a.name));
        Ok(())
    });
    let l = log.clone();
    db.on_post_delete::<Author>(move |_, a| {
        l.lock().unwrap().push(format!("post_delete {}", a.name));
        Ok(())
    });
    Ok(log)
}

backend_tests! {
    fn save_and_delete_send_their_signals_in_order(db) {
        let log = logging(db)?;
        let mut a = Author::objects().create(db, NewAuthor { name: "A".into(), birth_year: None })?;
        a.name = "B".into();
        a.save(db)?;
        a.delete(db)?;
        assert_eq!(
            *log.lock().unwrap(),
            [
                "pre_save new A",
                "post_save A created=true",
                "pre_save B",
                "post_save B created=false",
                "pre_delete B",
                "post_delete B"
            ]
        );
        Ok(())
    }

    fn get_or_create_update_or_create_and_queryset_delete_send_signals(db) {
        let log = logging(db)?;
        Author::objects().get_or_create(db, |a| a.name.eq("X"), NewAuthor { name: "X".into(), birth_year: None })?;
        Author::objects().update_or_create(db, |a| a.name.eq("X"), NewAuthor { name: "X".into(), birth_year: Some(1) })?;
        Author::objects().filter(|a| a.name.eq("X")).delete(db)?;
        assert_eq!(
            *log.lock().unwrap(),
            [
                "pre_save new X",
                "post_save X created=true",
                "pre_save X",
                "post_save X created=false",
                "pre_delete X",
                "post_delete X"
            ]
        );
        Ok(())
    }

    fn bulk_operations_skip_signals(db) {
        let log = logging(db)?;
        Author::objects().bulk_create(db, [NewAuthor { name: "A".into(), birth_year: None }])?;
        Author::objects().bulk_insert(db, [NewAuthor { name: "B".into(), birth_year: None }])?;
        Author::objects().update(db, |a| a.birth_year.set(1900))?;
        assert!(log.lock().unwrap().is_empty());
        Ok(())
    }

    fn receivers_query_in_the_same_transaction_and_errors_abort(db) {
        shop_setup(db)?;
        db.on_post_save::<Author>(|db, a, created| {
            if created {
                Profile::objects().create(db, NewProfile { author: a.into(), bio: "auto".into() })?;
            }
            if a.name == "Forbidden" {
                return Err(orm::Error::InvalidQuery { message: "rejected by a receiver" });
            }
            Ok(())
        });
        Author::objects().create(db, NewAuthor { name: "A".into(), birth_year: None })?;
        assert_eq!(Profile::objects().count(db)?, 1);
        // Inside atomic, the receiver's error rolls back the insert and its own writes.
        let result = db.atomic(|db| Author::objects().create(db, NewAuthor { name: "Forbidden".into(), birth_year: None }));
        assert!(matches!(result, Err(orm::Error::InvalidQuery { message: "rejected by a receiver" })));
        assert_eq!(Author::objects().count(db)?, 1);
        assert_eq!(Profile::objects().count(db)?, 1);
        Ok(())
    }

    fn receivers_belong_to_their_db(db) {
        let log = logging(db)?;
        // Another Db: on SQLite a database of its own, on PostgreSQL a second connection to
        // the same schema (receivers belong to the Db, not to the database).
        let other = match db.url() {
            Some(url) => Db::connect(&url)?,
            None => shop_db()?,
        };
        Author::objects().create(&other, NewAuthor { name: "elsewhere".into(), birth_year: None })?;
        assert!(log.lock().unwrap().is_empty());
        Ok(())
    }
}
