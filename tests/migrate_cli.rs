//! The `manage` command line (`orm::migrate::cli`, feature `cli`): makemigrations with
//! its questions answered by flags or a person, `--check`, migrate forwards and
//! backwards with the rows kept, showmigrations, sqlmigrate, the exit codes, and
//! `embed_migrations!`; the database commands on SQLite and PostgreSQL.
//!
//! The models are the example's three versions of a bookshop
//! (`examples/migrations/models.rs`); `examples/migrations/migrations/` holds the files
//! makemigrations writes for them, checked here (`ORM_BLESS=1` rewrites them).

#[path = "support/backends.rs"]
mod backends;
#[path = "../examples/migrations/models.rs"]
mod models;

use backends::{Backend, TestDb};
use models::{v1, v2, v3};
use orm::migrate::cli::{run, Console, CHANGES, FAILED, OK};
use orm::migrate::{MigrateOptions, Migrations};
use orm::prelude::*;
use orm::{Error, ModelList};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The answers makemigrations needs for v1 -> v2.
const V2_FLAGS: &[&str] = &["--rename", "book.price_cents=price", "--fill", "book.isbn=''"];

/// What one run printed and returned.
struct Ran {
    code: u8,
    out: String,
    err: String,
}

/// A folder of its own for a test's files (and SQLite database), emptied.
fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("orm-cli-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Runs `manage ARGS` for the models `L` on the migrations folder `dir`.
fn manage_with<L: ModelList>(dir: &Path, args: &[&str], input: Option<&str>, database_url: Option<&str>) -> Ran {
    let mut answers = std::io::Cursor::new(input.unwrap_or_default().as_bytes().to_vec());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut console = Console {
        input: &mut answers,
        output: &mut out,
        errors: &mut err,
        interactive: input.is_some(),
        database_url: database_url.map(str::to_owned),
    };
    let argv = std::iter::once("manage").chain(args.iter().copied());
    let code = run::<L, _, _>(dir.to_str().expect("a UTF-8 path"), argv, &mut console);
    Ran { code, out: String::from_utf8(out).expect("UTF-8"), err: String::from_utf8(err).expect("UTF-8") }
}

/// Runs `manage ARGS` without a person to answer and without `DATABASE_URL`.
fn manage<L: ModelList>(dir: &Path, args: &[&str]) -> Ran {
    manage_with::<L>(dir, args, None, None)
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The migration files of the three versions, written by makemigrations into `dir`.
fn write_history(dir: &Path) {
    assert_eq!(manage::<v1::Models>(dir, &["makemigrations"]).code, OK);
    assert_eq!(manage::<v2::Models>(dir, &[&["makemigrations"], V2_FLAGS].concat()).code, OK);
    assert_eq!(manage::<v3::Models>(dir, &["makemigrations"]).code, OK);
}

/// The database the command line is given for a test, and a `Db` on it: a file beside
/// the migrations on SQLite, the test's schema on PostgreSQL.
fn database(db: &TestDb, dir: &Path) -> orm::Result<(String, Option<Db>)> {
    Ok(match db.backend() {
        Backend::Sqlite => {
            let path = dir.join("shop.sqlite3");
            let url = path.to_str().expect("a UTF-8 path").to_owned();
            (url, Some(Db::open(&path)?))
        }
        Backend::Postgres => (db.url().expect("a PostgreSQL test has a URL"), None),
    })
}

#[test]
fn makemigrations_writes_the_initial_migration_then_finds_no_changes() {
    let dir = scratch("initial").join("migrations");
    let ran = manage::<v1::Models>(&dir, &["makemigrations"]);
    assert_eq!(ran.code, OK, "{}", ran.err);
    assert!(ran.out.contains("0001_initial.mig"), "{}", ran.out);
    assert!(ran.out.contains("- Create table author\n    - Create table book\n"), "{}", ran.out);
    assert_eq!(files(&dir), ["0001_initial.mig"]);
    let written = Migrations::from_dir(&dir).expect("the file reads back");
    assert_eq!(written.migrations()[0].operations.len(), 2);
    let again = manage::<v1::Models>(&dir, &["makemigrations"]);
    assert_eq!((again.code, again.out.as_str()), (OK, "No changes detected\n"));
    assert_eq!(files(&dir), ["0001_initial.mig"]);
}

#[test]
fn check_exits_1_listing_the_changes_without_writing_and_0_in_step() {
    let dir = scratch("check");
    assert_eq!(manage::<v2::Models>(&dir, &[&["makemigrations"], V2_FLAGS].concat()).code, OK);
    assert_eq!(manage::<v2::Models>(&dir, &["makemigrations", "--check"]).code, OK);
    let ran = manage::<v3::Models>(&dir, &["makemigrations", "--check"]);
    assert_eq!(ran.code, CHANGES);
    assert!(ran.out.contains("0002_tag_book_tags_remove_book_blurb.mig"), "{}", ran.out);
    assert!(ran.out.contains("- Create table tag\n"), "{}", ran.out);
    assert!(ran.out.contains("- Drop column blurb from book\n"), "{}", ran.out);
    assert_eq!(files(&dir), ["0001_initial.mig"]);
}

#[test]
fn an_unanswered_question_exits_1_naming_the_flag_that_answers_it() {
    let dir = scratch("questions");
    assert_eq!(manage::<v1::Models>(&dir, &["makemigrations"]).code, OK);
    let ran = manage::<v2::Models>(&dir, &["makemigrations", "--noinput"]);
    assert_eq!(ran.code, CHANGES);
    assert!(ran.err.contains("--rename book.price_cents=price"), "{}", ran.err);
    let ran = manage::<v2::Models>(&dir, &["makemigrations", "--rename", "book.price_cents=price"]);
    assert_eq!(ran.code, CHANGES);
    assert!(ran.err.contains("--fill book.isbn=VALUE"), "{}", ran.err);
    assert_eq!(files(&dir), ["0001_initial.mig"]);
    // Answered: a rename (not a drop and an add) and the one-off value, in the file.
    let ran = manage::<v2::Models>(&dir, &[&["makemigrations", "--noinput"], V2_FLAGS].concat());
    assert_eq!(ran.code, OK, "{}", ran.err);
    let name = "0002_rename_price_cents_book_price_book_isbn.mig";
    assert_eq!(files(&dir), ["0001_initial.mig", name]);
    let text = std::fs::read_to_string(dir.join(name)).expect("the file");
    assert!(text.contains("rename column book.price_cents to price\n"), "{text}");
    assert!(text.contains("add column book.isbn text max_length 13 fill \"''\"\n"), "{text}");
}

#[test]
fn a_person_answers_the_questions_on_the_input() {
    let dir = scratch("interactive");
    assert_eq!(manage::<v1::Models>(&dir, &["makemigrations"]).code, OK);
    let ran = manage_with::<v2::Models>(&dir, &["makemigrations", "--name", "price_and_isbn"], Some("y\n''\n"), None);
    assert_eq!(ran.code, OK, "{}", ran.err);
    assert!(ran.out.contains("Was book.price_cents renamed to book.price? [y/N]"), "{}", ran.out);
    assert!(ran.out.contains("book.isbn is NOT NULL without a default"), "{}", ran.out);
    let text = std::fs::read_to_string(dir.join("0002_price_and_isbn.mig")).expect("the file --name names");
    assert!(text.contains("rename column book.price_cents to price\n"), "{text}");
    // The input ending before an answer is a question unanswered.
    let dir = scratch("interactive-eof");
    assert_eq!(manage::<v1::Models>(&dir, &["makemigrations"]).code, OK);
    let ran = manage_with::<v2::Models>(&dir, &["makemigrations"], Some(""), None);
    assert_eq!(ran.code, CHANGES, "{}", ran.err);
    assert_eq!(files(&dir), ["0001_initial.mig"]);
}

#[test]
fn flags_answer_before_the_person_is_asked_and_unused_ones_are_warned_of() {
    let dir = scratch("flags-first");
    assert_eq!(manage::<v1::Models>(&dir, &["makemigrations"]).code, OK);
    let args = [&["makemigrations", "--rename", "book.title=name"], V2_FLAGS].concat();
    let ran = manage_with::<v2::Models>(&dir, &args, Some(""), None);
    assert_eq!(ran.code, OK, "{}", ran.err);
    assert!(!ran.out.contains("[y/N]"), "asked although the flags answer: {}", ran.out);
    assert!(ran.err.contains("warning: --rename book.title=name answered no question"), "{}", ran.err);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let dir = scratch("usage");
    let ran = manage::<v1::Models>(&dir, &["frobnicate"]);
    assert_eq!(ran.code, FAILED);
    assert!(ran.err.contains("unrecognized subcommand 'frobnicate'"), "{}", ran.err);
    assert_eq!(manage::<v1::Models>(&dir, &["makemigrations", "--bogus"]).code, FAILED);
    assert_eq!(manage::<v1::Models>(&dir, &["sqlmigrate"]).code, FAILED);
    let ran = manage::<v1::Models>(&dir, &["makemigrations", "--fill", "book.isbn"]);
    assert_eq!(ran.code, FAILED);
    assert!(ran.err.contains("--fill book.isbn: expected TABLE.COLUMN=VALUE"), "{}", ran.err);
    let ran = manage::<v1::Models>(&dir, &["migrate"]);
    assert_eq!(ran.code, FAILED);
    assert!(ran.err.contains("no database: give DATABASE"), "{}", ran.err);
    let ran = manage::<v1::Models>(&dir, &["showmigrations", "no-such.sqlite3"]);
    assert_eq!(ran.code, FAILED);
    assert!(ran.err.contains("no SQLite database at no-such.sqlite3"), "{}", ran.err);
    assert!(!Path::new("no-such.sqlite3").exists());
    let help = manage::<v1::Models>(&dir, &["--help"]);
    assert_eq!(help.code, OK);
    for command in ["makemigrations", "migrate", "showmigrations", "sqlmigrate"] {
        assert!(help.out.contains(command), "{}", help.out);
    }
    assert!(manage::<v1::Models>(&dir, &["migrate", "--help"]).out.contains("--allow-destructive"));
    assert!(files(&dir).is_empty());
}

#[test]
fn a_file_that_does_not_read_is_exit_2_with_its_line() {
    let dir = scratch("bad-file");
    std::fs::write(dir.join("0001_initial.mig"), "create table author\n    column id int64 auto\nbogus\n")
        .expect("a file");
    let ran = manage::<v1::Models>(&dir, &["makemigrations"]);
    assert_eq!(ran.code, FAILED);
    assert!(ran.err.contains("0001_initial"), "{}", ran.err);
}

#[test]
fn sqlmigrate_without_a_database_prints_sqlites_sql_and_the_reverse() {
    let dir = scratch("sqlmigrate");
    write_history(&dir);
    let ran = manage::<v3::Models>(&dir, &["sqlmigrate", "0002"]);
    assert_eq!(ran.code, OK, "{}", ran.err);
    assert!(ran.out.starts_with("ALTER TABLE \"book\" RENAME COLUMN \"price_cents\" TO \"price\";\n"), "{}", ran.out);
    let back = manage::<v3::Models>(&dir, &["sqlmigrate", "0003", "--backwards"]);
    assert_eq!(back.code, OK, "{}", back.err);
    assert!(back.out.contains("DROP TABLE \"tag\";\n"), "{}", back.out);
    let ran = manage::<v3::Models>(&dir, &["sqlmigrate", "0009"]);
    assert_eq!(ran.code, FAILED);
}

#[test]
fn the_checked_in_example_files_are_what_makemigrations_writes() {
    let dir = scratch("example-files");
    write_history(&dir);
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/migrations/migrations");
    if std::env::var_os("ORM_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&checked_in);
        std::fs::create_dir_all(&checked_in).expect("the folder");
        for name in files(&dir) {
            std::fs::copy(dir.join(&name), checked_in.join(&name)).expect("a copy");
        }
    }
    assert_eq!(files(&checked_in), files(&dir), "ORM_BLESS=1 cargo test --test migrate_cli rewrites them");
    for name in files(&dir) {
        let want = std::fs::read_to_string(dir.join(&name)).expect("written");
        let have = std::fs::read_to_string(checked_in.join(&name)).expect("checked in");
        assert_eq!(have, want, "{name} differs: ORM_BLESS=1 cargo test --test migrate_cli rewrites it");
    }
    // And the models of the last version are in step with them.
    assert_eq!(manage::<v3::Models>(&checked_in, &["makemigrations", "--check"]).code, OK);
}

#[test]
fn embed_migrations_compiles_the_folder_in() -> orm::Result<()> {
    let embedded = orm::embed_migrations!("examples/migrations/migrations");
    let read = Migrations::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/migrations/migrations"))?;
    let names = |m: &Migrations| m.migrations().iter().map(|m| m.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&embedded), names(&read));
    assert_eq!(embedded.len(), 3);
    for migration in read.migrations() {
        assert_eq!(embedded.text(&migration.name), read.text(&migration.name));
        assert_eq!(embedded.checksum(&migration.name), read.checksum(&migration.name));
    }
    Ok(())
}

backend_tests! {
    fn migrate_takes_the_rows_through_every_version(db) {
        let dir = scratch("versions");
        let (url, file) = database(db, &dir)?;
        let live: &Db = file.as_ref().unwrap_or(db);
        assert_eq!(manage::<v1::Models>(&dir, &["makemigrations"]).code, OK);
        let ran = manage::<v1::Models>(&dir, &["migrate", &url]);
        assert_eq!(ran.code, OK, "{}", ran.err);
        assert!(ran.out.contains("Applied 0001_initial."), "{}", ran.out);
        assert_eq!(ran.err, "");
        live.check_schema::<v1::Models>()?;
        let orwell = v1::Author::objects().create(live, v1::NewAuthor { name: "George Orwell".into() })?;
        for (title, price) in [("1984", 899), ("Animal Farm", 599)] {
            let blurb = Some(format!("{title}, a blurb"));
            v1::Book::objects().create(live, v1::NewBook { title: title.into(), author: (&orwell).into(), price_cents: price, blurb })?;
        }

        // v2: the renamed column keeps its values, the new one gets the one-off value.
        assert_eq!(manage::<v2::Models>(&dir, &[&["makemigrations"], V2_FLAGS].concat()).code, OK);
        let ran = manage::<v2::Models>(&dir, &["migrate", &url]);
        assert_eq!(ran.code, OK, "{}", ran.err);
        assert_eq!(ran.err, "");
        live.check_schema::<v2::Models>()?;
        let books = v2::Book::objects().order_by(|b| b.id.asc()).all(live)?;
        let rows: Vec<_> = books.iter().map(|b| (b.title.as_str(), b.price, b.isbn.as_str(), b.blurb.as_deref())).collect();
        assert_eq!(rows, [("1984", 899, "", Some("1984, a blurb")), ("Animal Farm", 599, "", Some("Animal Farm, a blurb"))]);

        // v3: the dropped column needs the flag; refused, nothing changes.
        assert_eq!(manage::<v3::Models>(&dir, &["makemigrations"]).code, OK);
        let refused = manage::<v3::Models>(&dir, &["migrate", &url]);
        assert_eq!(refused.code, FAILED);
        assert!(refused.err.contains("--allow-destructive"), "{}", refused.err);
        live.check_schema::<v2::Models>()?;
        let ran = manage::<v3::Models>(&dir, &["migrate", &url, "--allow-destructive"]);
        assert_eq!(ran.code, OK, "{}", ran.err);
        assert_eq!(ran.err, "");
        live.check_schema::<v3::Models>()?;
        let books = v3::Book::objects().order_by(|b| b.id.asc()).all(live)?;
        let rows: Vec<_> = books.iter().map(|b| (b.title.as_str(), b.price)).collect();
        assert_eq!(rows, [("1984", 899), ("Animal Farm", 599)]);
        let dystopia = v3::Tag::objects().create(live, v3::NewTag { name: "dystopia".into() })?;
        books[0].tags().add(live, [&dystopia])?;
        assert_eq!(books[0].tags().all(live)?.len(), 1);

        let shown = manage::<v3::Models>(&dir, &["showmigrations", &url]);
        assert_eq!(
            shown.out,
            "[X] 0001_initial\n[X] 0002_rename_price_cents_book_price_book_isbn\n[X] 0003_tag_book_tags_remove_book_blurb\n"
        );
        Ok(())
    }

    fn migrate_goes_backwards_to_a_target_and_to_zero(db) {
        let dir = scratch("backwards");
        let (url, file) = database(db, &dir)?;
        let live: &Db = file.as_ref().unwrap_or(db);
        write_history(&dir);
        assert_eq!(manage::<v3::Models>(&dir, &["migrate", &url, "--allow-destructive"]).code, OK);
        // One argument that names a migration is the target, the database from DATABASE_URL.
        let ran = manage_with::<v3::Models>(&dir, &["migrate", "0001", "--allow-destructive"], None, Some(&url));
        assert_eq!(ran.code, OK, "{}", ran.err);
        assert!(
            ran.out.contains("Unapplied 0003_tag_book_tags_remove_book_blurb, 0002_rename_price_cents_book_price_book_isbn."),
            "{}",
            ran.out
        );
        live.check_schema::<v1::Models>()?;
        let shown = manage_with::<v3::Models>(&dir, &["showmigrations"], None, Some(&url));
        assert_eq!(
            shown.out,
            "[X] 0001_initial\n[ ] 0002_rename_price_cents_book_price_book_isbn\n[ ] 0003_tag_book_tags_remove_book_blurb\n"
        );
        assert_eq!(manage::<v3::Models>(&dir, &["migrate", &url, "zero", "--allow-destructive"]).code, OK);
        match live.check_schema::<v1::Models>() {
            Err(Error::SchemaMismatch { differences }) => assert_eq!(
                differences,
                ["missing table author (model Author)", "missing table book (model Book)"]
            ),
            other => panic!("expected the tables gone, got {other:?}"),
        }
        Ok(())
    }

    fn migrate_warns_when_the_models_are_ahead_of_the_files(db) {
        let dir = scratch("ahead");
        let (url, _file) = database(db, &dir)?;
        assert_eq!(manage::<v1::Models>(&dir, &["makemigrations"]).code, OK);
        let ran = manage::<v2::Models>(&dir, &["migrate", &url]);
        assert_eq!(ran.code, OK, "{}", ran.err);
        assert!(ran.err.contains("warning: the models have changes that no migration has yet"), "{}", ran.err);
        Ok(())
    }

    fn sqlmigrate_prints_the_sql_of_the_databases_backend(db) {
        let dir = scratch("sqlmigrate-db");
        let (url, _file) = database(db, &dir)?;
        write_history(&dir);
        let ran = manage::<v3::Models>(&dir, &["sqlmigrate", "0003", &url]);
        assert_eq!(ran.code, OK, "{}", ran.err);
        let tag = match db.backend() {
            Backend::Sqlite => "CREATE TABLE \"tag\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, ",
            Backend::Postgres => "CREATE TABLE \"tag\" (\"id\" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, ",
        };
        assert!(ran.out.starts_with(tag), "{}", ran.out);
        // Nothing ran: no table, and the record shows nothing applied.
        assert_eq!(manage::<v3::Models>(&dir, &["showmigrations", &url]).out.matches("[ ]").count(), 3);
        Ok(())
    }

    fn embedded_migrations_migrate_at_start_up(db) {
        let migrations = orm::embed_migrations!("examples/migrations/migrations");
        let report = db.migrate(&migrations, &MigrateOptions::new().allow_destructive(true))?;
        assert_eq!(report.applied.len(), 3);
        db.check_schema::<v3::Models>()?;
        assert!(db.migrate(&migrations, &MigrateOptions::new())?.is_empty());
        Ok(())
    }
}
