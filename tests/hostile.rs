//! Hostile values: quotes, LIKE wildcards, backslashes, NUL, long and non-ASCII text
//! round-trip unchanged and match only themselves. Every value is a bound parameter.

mod common;
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

fn fill(db: &Db) -> orm::Result<Vec<Author>> {
    let mut rows: Vec<NewAuthor> =
        HOSTILE.iter().map(|s| NewAuthor { name: s.to_string(), birth_year: None }).collect();
    rows.push(NewAuthor { name: "x".repeat(100), birth_year: None });
    Author::objects().bulk_create(db, rows)
}

#[test]
fn hostile_strings_round_trip_unchanged() -> orm::Result<()> {
    let db = db()?;
    let created = fill(&db)?;
    let read = Author::objects().order_by(|a| a.id.asc()).all(&db)?;
    assert_eq!(read, created);
    for (author, name) in read.iter().zip(HOSTILE) {
        assert_eq!(author.name, *name);
    }
    // The injection attempt did nothing: the table is still there.
    assert_eq!(Author::objects().count(&db)?, HOSTILE.len() as i64 + 1);
    Ok(())
}

#[test]
fn long_strings_round_trip() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    #[derive(Model, Debug)]
    struct Note {
        id: i64,
        body: String,
        data: Vec<u8>,
    }
    db.create_tables::<(Note,)>()?;
    let body = "é🦀\0'%_".repeat(200_000);
    let data: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    let note = Note::objects().create(&db, NewNote { body: body.clone(), data: data.clone() })?;
    let read = Note::objects().get(&db, |n| n.id.eq(note.id))?;
    assert_eq!(read.body, body);
    assert_eq!(read.data, data);
    assert_eq!(Note::objects().filter(|n| n.body.eq(&body)).count(&db)?, 1);
    Ok(())
}

#[test]
fn each_hostile_string_matches_only_itself() -> orm::Result<()> {
    let db = db()?;
    fill(&db)?;
    for name in HOSTILE {
        let exact = Author::objects().filter(|a| a.name.eq(*name)).values(|a| a.name).all(&db)?;
        assert_eq!(exact, [name.to_string()], "eq({name:?})");
        let reference: Vec<&str> = HOSTILE.iter().copied().filter(|h| h.contains(name)).collect();
        let contains = Author::objects()
            .filter(|a| a.name.contains(*name))
            .order_by(|a| a.id.asc())
            .values(|a| a.name)
            .all(&db)?;
        let mut expected: Vec<String> = reference.iter().map(|s| s.to_string()).collect();
        if "x".repeat(100).contains(name) {
            expected.push("x".repeat(100));
        }
        assert_eq!(contains, expected, "contains({name:?})");
        let starts: Vec<String> = Author::objects()
            .filter(|a| a.name.startswith(*name))
            .order_by(|a| a.id.asc())
            .values(|a| a.name)
            .all(&db)?;
        let expected: Vec<String> =
            HOSTILE.iter().map(|s| s.to_string()).chain(["x".repeat(100)]).filter(|h| h.starts_with(name)).collect();
        assert_eq!(starts, expected, "startswith({name:?})");
        let ends: Vec<String> = Author::objects()
            .filter(|a| a.name.iendswith(*name))
            .order_by(|a| a.id.asc())
            .values(|a| a.name)
            .all(&db)?;
        let expected: Vec<String> = HOSTILE
            .iter()
            .map(|s| s.to_string())
            .chain(["x".repeat(100)])
            .filter(|h| h.to_lowercase().ends_with(&name.to_lowercase()))
            .collect();
        assert_eq!(ends, expected, "iendswith({name:?})");
    }
    // Wildcards are literal: "100%" does not match "100" and "a_c" does not match "abc".
    assert_eq!(Author::objects().filter(|a| a.name.contains("%")).count(&db)?, 3);
    assert_eq!(Author::objects().filter(|a| a.name.startswith("a_")).count(&db)?, 1);
    Ok(())
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

#[test]
fn max_length_is_checked_before_writing_and_a_nul_cannot_hide_characters() -> orm::Result<()> {
    let db = db()?;
    let long = "é".repeat(101); // Author.name has max_length = 100
    let err = Author::objects().create(&db, NewAuthor { name: long.clone(), birth_year: None }).unwrap_err();
    assert!(
        matches!(&err, orm::Error::Validation { model: "Author", field: "name", message } if message.contains("101 characters")),
        "{err}"
    );
    // SQLite's length() stops at NUL: "x\0" + 500 characters would pass a length CHECK.
    let hidden = format!("x\0{}", "y".repeat(500));
    for name in [long.clone(), hidden.clone()] {
        assert!(Author::objects().create(&db, NewAuthor { name: name.clone(), birth_year: None }).is_err());
        assert!(Author::objects().bulk_insert(&db, [NewAuthor { name: name.clone(), birth_year: None }]).is_err());
        assert!(Author::objects().bulk_create(&db, [NewAuthor { name: name.clone(), birth_year: None }]).is_err());
    }
    assert_eq!(Author::objects().count(&db)?, 0, "nothing was written");
    let mut ok = Author::objects().create(&db, NewAuthor { name: "é".repeat(100), birth_year: None })?;
    ok.name = hidden.clone();
    assert!(matches!(ok.save(&db), Err(orm::Error::Validation { .. })));
    assert!(matches!(
        Author::objects().update(&db, |a| a.name.set(hidden.as_str())),
        Err(orm::Error::Validation { .. })
    ));
    assert_eq!(Author::objects().get(&db, |a| a.id.eq(ok.id))?.name, "é".repeat(100));
    // The table's CHECK refuses the same values from any other writer.
    for name in [long, hidden] {
        let err = db.execute("INSERT INTO author (name) VALUES (?)", &[name.into()]).unwrap_err();
        assert!(matches!(err, orm::Error::Integrity { kind: orm::ConstraintKind::Check, .. }), "{err}");
    }
    // A short text with a NUL is fine, and so is one at the limit.
    Author::objects().create(&db, NewAuthor { name: "a\0b".into(), birth_year: None })?;
    Ok(())
}

#[test]
fn integrity_errors_say_their_kind_once() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    #[derive(Model, Debug)]
    #[orm(table = "auth_user")]
    struct User {
        id: i64,
        #[orm(unique)]
        username: String,
    }
    db.create_tables::<(User,)>()?;
    User::objects().create(&db, NewUser { username: "ada".into() })?;
    let err = User::objects().create(&db, NewUser { username: "ada".into() }).unwrap_err();
    assert_eq!(err.to_string(), "UNIQUE constraint failed: auth_user.username");
    assert!(
        matches!(&err, orm::Error::Integrity { kind: orm::ConstraintKind::Unique, message } if message == "auth_user.username")
    );
    Ok(())
}
