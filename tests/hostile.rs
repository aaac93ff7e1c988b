//! Hostile values: quotes, LIKE wildcards, backslashes, NUL, long and non-ASCII text
//! round-trip unchanged and match only themselves. Every value is a bound parameter.

#[path = "support/backends.rs"]
mod backends;
mod common;
use backends::{Backend, TestDb};
use common::*;
use orm::prelude::*;

const HOSTILE: &[&str] = &[
    "Robert'); DROP TABLE author;--",
    "\"double\" quotes",
    "100%",
    "100",
    "a_c",
    "abc",
    "back\\slash",
    "back\\\\slash",
    "nul\0byte",
    "nul",
    "",
    " ",
    "Ünïcödé ✓ 漢字 🦀",
    "ünïcödé ✓ 漢字 🦀",
    "%_%",
    "\\%",
];

/// The hostile strings this backend can store: PostgreSQL's text cannot hold a NUL
/// character at all (SQLSTATE 22021), so there they are the ones without NUL
/// (`refuses_nul` checks that those are refused).
fn hostile(db: &TestDb) -> Vec<&'static str> {
    HOSTILE.iter().copied().filter(|s| db.backend() == Backend::Sqlite || !s.contains('\0')).collect()
}

/// Whether `err` is PostgreSQL refusing a NUL character in a text (22021).
fn refuses_nul(err: &orm::Error) -> bool {
    matches!(err, orm::Error::Database { code: Some(code), .. } if code == "22021")
}

/// On PostgreSQL, every hostile string with a NUL is refused by the server as a
/// database error, not a panic, and nothing is written.
fn nul_strings_are_refused(db: &TestDb) -> orm::Result<()> {
    if db.backend() == Backend::Sqlite {
        return Ok(());
    }
    let before = Author::objects().count(db)?;
    for name in HOSTILE.iter().filter(|s| s.contains('\0')) {
        let err = Author::objects().create(db, NewAuthor { name: name.to_string(), birth_year: None }).unwrap_err();
        assert!(refuses_nul(&err), "{name:?}: {err}");
    }
    assert_eq!(Author::objects().count(db)?, before, "nothing was written");
    Ok(())
}

fn fill(db: &TestDb) -> orm::Result<Vec<Author>> {
    let mut rows: Vec<NewAuthor> =
        hostile(db).iter().map(|s| NewAuthor { name: s.to_string(), birth_year: None }).collect();
    rows.push(NewAuthor { name: "x".repeat(100), birth_year: None });
    Author::objects().bulk_create(db, rows)
}

#[test]
fn values_are_bound_never_inlined() -> orm::Result<()> {
    let qs = Author::objects().filter(|a| a.name.eq("Robert'); DROP TABLE author;--") | a.name.contains("%"));
    let sql = qs.sql();
    assert!(!sql.text.contains("DROP"), "{}", sql.text);
    assert!(!sql.text.contains('%'), "{}", sql.text);
    assert_eq!(sql.params.len(), 2);
    Ok(())
}

backend_tests! {
    fn hostile_strings_round_trip_unchanged(db) {
        setup(db)?;
        let hostile = hostile(db);
        let created = fill(db)?;
        let read = Author::objects().order_by(|a| a.id.asc()).all(db)?;
        assert_eq!(read, created);
        for (author, name) in read.iter().zip(&hostile) {
            assert_eq!(author.name, *name);
        }
        // The injection attempt did nothing: the table is still there.
        assert_eq!(Author::objects().count(db)?, hostile.len() as i64 + 1);
        nul_strings_are_refused(db)?;
        Ok(())
    }

    fn long_strings_round_trip(db) {
        #[derive(Model, Debug)]
        struct Note {
            id: i64,
            body: String,
            data: Vec<u8>,
        }
        db.create_tables::<(Note,)>()?;
        let data: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        // PostgreSQL's text cannot hold a NUL: it refuses the long text with one, and
        // the same text without the NUL round-trips.
        let body = "é🦀\0'%_".repeat(200_000);
        let body = match db.backend() {
            Backend::Sqlite => body,
            Backend::Postgres => {
                let err = Note::objects().create(db, NewNote { body, data: data.clone() }).unwrap_err();
                assert!(refuses_nul(&err), "{err}");
                assert_eq!(Note::objects().count(db)?, 0, "nothing was written");
                "é🦀'%_".repeat(200_000)
            }
        };
        let note = Note::objects().create(db, NewNote { body: body.clone(), data: data.clone() })?;
        let read = Note::objects().get(db, |n| n.id.eq(note.id))?;
        assert_eq!(read.body, body);
        assert_eq!(read.data, data);
        assert_eq!(Note::objects().filter(|n| n.body.eq(&body)).count(db)?, 1);
        Ok(())
    }

    fn each_hostile_string_matches_only_itself(db) {
        setup(db)?;
        let hostile = hostile(db);
        fill(db)?;
        for name in &hostile {
            let exact = Author::objects().filter(|a| a.name.eq(*name)).values(|a| a.name).all(db)?;
            assert_eq!(exact, [name.to_string()], "eq({name:?})");
            let reference: Vec<&str> = hostile.iter().copied().filter(|h| h.contains(name)).collect();
            let contains = Author::objects()
                .filter(|a| a.name.contains(*name))
                .order_by(|a| a.id.asc())
                .values(|a| a.name)
                .all(db)?;
            let mut expected: Vec<String> = reference.iter().map(|s| s.to_string()).collect();
            if "x".repeat(100).contains(name) {
                expected.push("x".repeat(100));
            }
            assert_eq!(contains, expected, "contains({name:?})");
            let starts: Vec<String> = Author::objects()
                .filter(|a| a.name.startswith(*name))
                .order_by(|a| a.id.asc())
                .values(|a| a.name)
                .all(db)?;
            let expected: Vec<String> =
                hostile.iter().map(|s| s.to_string()).chain(["x".repeat(100)]).filter(|h| h.starts_with(name)).collect();
            assert_eq!(starts, expected, "startswith({name:?})");
            let ends: Vec<String> = Author::objects()
                .filter(|a| a.name.iendswith(*name))
                .order_by(|a| a.id.asc())
                .values(|a| a.name)
                .all(db)?;
            let expected: Vec<String> = hostile
                .iter()
                .map(|s| s.to_string())
                .chain(["x".repeat(100)])
                .filter(|h| h.to_lowercase().ends_with(&name.to_lowercase()))
                .collect();
            assert_eq!(ends, expected, "iendswith({name:?})");
        }
        // Wildcards are literal: "100%" does not match "100" and "a_c" does not match "abc".
        assert_eq!(Author::objects().filter(|a| a.name.contains("%")).count(db)?, 3);
        assert_eq!(Author::objects().filter(|a| a.name.startswith("a_")).count(db)?, 1);
        Ok(())
    }

    fn max_length_is_checked_before_writing_and_a_nul_cannot_hide_characters(db) {
        setup(db)?;
        let long = "é".repeat(101); // Author.name has max_length = 100
        let err = Author::objects().create(db, NewAuthor { name: long.clone(), birth_year: None }).unwrap_err();
        assert!(
            matches!(&err, orm::Error::Validation { model: "Author", field: "name", message } if message.contains("101 characters")),
            "{err}"
        );
        // SQLite's length() stops at NUL: "x\0" + 500 characters would pass a length CHECK.
        let hidden = format!("x\0{}", "y".repeat(500));
        for name in [long.clone(), hidden.clone()] {
            assert!(Author::objects().create(db, NewAuthor { name: name.clone(), birth_year: None }).is_err());
            assert!(Author::objects().bulk_insert(db, [NewAuthor { name: name.clone(), birth_year: None }]).is_err());
            assert!(Author::objects().bulk_create(db, [NewAuthor { name: name.clone(), birth_year: None }]).is_err());
        }
        assert_eq!(Author::objects().count(db)?, 0, "nothing was written");
        let mut ok = Author::objects().create(db, NewAuthor { name: "é".repeat(100), birth_year: None })?;
        ok.name = hidden.clone();
        assert!(matches!(ok.save(db), Err(orm::Error::Validation { .. })));
        assert!(matches!(
            Author::objects().update(db, |a| a.name.set(hidden.as_str())),
            Err(orm::Error::Validation { .. })
        ));
        assert_eq!(Author::objects().get(db, |a| a.id.eq(ok.id))?.name, "é".repeat(100));
        // The table refuses the same values from any other writer: SQLite's CHECK;
        // PostgreSQL's varchar(100) refuses the long text (22001, Django's DataError)
        // and its text refuses a NUL wherever it is (22021).
        for name in [long, hidden] {
            let has_nul = name.contains('\0');
            let err = db.execute(&db.sql("INSERT INTO author (name) VALUES (?)"), &[name.into()]).unwrap_err();
            match db.backend() {
                Backend::Sqlite => {
                    assert!(matches!(err, orm::Error::Integrity { kind: orm::ConstraintKind::Check, .. }), "{err}")
                }
                Backend::Postgres if has_nul => assert!(refuses_nul(&err), "{err}"),
                Backend::Postgres => assert!(
                    matches!(&err, orm::Error::Database { code: Some(code), .. } if code == "22001"),
                    "{err}"
                ),
            }
        }
        assert_eq!(Author::objects().count(db)?, 1, "nothing was written");
        // A short text with a NUL is fine on SQLite (PostgreSQL refuses any NUL), and so
        // is one at the limit.
        let short = Author::objects().create(db, NewAuthor { name: "a\0b".into(), birth_year: None });
        match db.backend() {
            Backend::Sqlite => assert_eq!(short?.name, "a\0b"),
            Backend::Postgres => assert!(refuses_nul(&short.unwrap_err())),
        }
        Ok(())
    }

    fn integrity_errors_say_their_kind_once(db) {
        #[derive(Model, Debug)]
        #[orm(table = "auth_user")]
        struct User {
            id: i64,
            #[orm(unique)]
            username: String,
        }
        db.create_tables::<(User,)>()?;
        User::objects().create(db, NewUser { username: "ada".into() })?;
        let err = User::objects().create(db, NewUser { username: "ada".into() }).unwrap_err();
        assert_eq!(err.to_string(), "UNIQUE constraint failed: auth_user.username");
        assert!(
            matches!(&err, orm::Error::Integrity { kind: orm::ConstraintKind::Unique, message } if message == "auth_user.username")
        );
        Ok(())
    }
}
