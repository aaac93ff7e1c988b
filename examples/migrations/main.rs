//! A bookshop's models through three versions, and its database with them, by the
//! `manage` command line a project gets from `orm::migrate::command_line`:
//!
//! 1. `v1`, authors and books: `makemigrations` writes `0001_initial`, `migrate`
//!    creates the tables, and the shop sells two books;
//! 2. `v2` adds `Book.isbn` and renames `price_cents` to `price`: makemigrations asks
//!    whether it is a rename and what ISBN the books that exist get (answered here by
//!    `--rename` and `--fill`), and the prices survive the rename;
//! 3. `v3` adds tags (a ManyToMany) and drops `Book.blurb`: `migrate` refuses to drop
//!    the column until given `--allow-destructive`.
//!
//! Each step prints the file written, the SQL `sqlmigrate` shows for each database, and
//! the rows read back through that version's models. Last, the files checked in beside
//! this example (`migrations/`) are compiled in with `embed_migrations!` and applied to
//! a new database, as a program does at start-up.
//!
//! Run it with `cargo run --example migrations` (SQLite), or with a PostgreSQL server
//! too: `cargo run --example migrations -- postgres://root@127.0.0.1:5432/test` (in a
//! schema of its own, dropped at the end).

#[path = "models.rs"]
mod models;

use models::{v1, v2, v3};
use orm::migrate::cli::{self, Console};
use orm::migrate::{MigrateOptions, Migrations};
use orm::prelude::*;
use orm::ModelList;
use std::path::{Path, PathBuf};

/// One database the example migrates: what `manage` is given, and a connection of its
/// own to read the rows.
struct Target {
    name: &'static str,
    url: String,
    db: Db,
}

/// Runs `manage ARGS` for the models `L`, printed as a shell would show it, and checks
/// its exit code.
fn manage<L: ModelList>(dir: &Path, args: &[&str], expected: u8) -> orm::Result<()> {
    println!("$ manage {}", args.join(" "));
    let (mut input, mut output, mut errors) = (std::io::empty(), std::io::stdout(), std::io::stdout());
    let mut console =
        Console { input: &mut input, output: &mut output, errors: &mut errors, interactive: false, database_url: None };
    let argv = std::iter::once("manage").chain(args.iter().copied());
    let code = cli::run::<L, _, _>(dir.to_str().unwrap_or("migrations"), argv, &mut console);
    println!("(exit code {code})\n");
    if code != expected {
        return Err(orm::Error::Migration { message: format!("manage {} exited {code}", args.join(" ")) });
    }
    Ok(())
}

/// Prints the migration file `name` as makemigrations wrote it.
fn show_file(dir: &Path, name: &str) -> orm::Result<()> {
    let migrations = Migrations::from_dir(dir)?;
    let text = migrations.text(name).unwrap_or_default();
    println!("--- {}/{name}.mig ---\n{text}---\n", dir.display());
    Ok(())
}

fn heading(text: &str) {
    println!("\n=== {text} ===\n");
}

fn main() -> orm::Result<()> {
    let work = std::env::temp_dir().join(format!("orm-example-migrations-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| orm::Error::Migration { message: format!("a temp dir: {e}") })?;
    let server =
        std::env::args().nth(1).filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"));
    let schema = format!("orm_example_migrations_{}", std::process::id());
    let result = steps(&work, server.as_deref(), &schema);
    let _ = std::fs::remove_dir_all(&work);
    if let Some(server) = &server {
        drop_schema(server, &schema);
    }
    result
}

fn steps(work: &Path, server: Option<&str>, schema: &str) -> orm::Result<()> {
    let dir: PathBuf = work.join("migrations");
    let sqlite = work.join("shop.sqlite3");
    let mut targets = vec![Target { name: "SQLite", url: sqlite.display().to_string(), db: Db::open(&sqlite)? }];
    if let Some(server) = server {
        targets.push(postgres(server, schema)?);
    }

    heading("1. Authors and books (v1)");
    manage::<v1::Models>(&dir, &["makemigrations"], cli::OK)?;
    show_file(&dir, "0001_initial")?;
    for t in &targets {
        println!("[{}]", t.name);
        manage::<v1::Models>(&dir, &["sqlmigrate", "0001", &t.url], cli::OK)?;
        manage::<v1::Models>(&dir, &["migrate", &t.url], cli::OK)?;
        let orwell = v1::Author::objects().create(&t.db, v1::NewAuthor { name: "George Orwell".into() })?;
        for (title, price_cents) in [("1984", 899), ("Animal Farm", 599)] {
            let blurb = Some(format!("{title}: a blurb"));
            v1::Book::objects()
                .create(&t.db, v1::NewBook { title: title.into(), author: (&orwell).into(), price_cents, blurb })?;
        }
        for b in v1::Book::objects().order_by(|b| b.id.asc()).all(&t.db)? {
            println!("  book {}: {:?}, price_cents {}, blurb {:?}", b.id, b.title, b.price_cents, b.blurb);
        }
        println!();
    }

    heading("2. An ISBN added, price_cents renamed price (v2)");
    // Without answers, makemigrations stops and says which flag answers its question.
    manage::<v2::Models>(&dir, &["makemigrations", "--noinput"], cli::CHANGES)?;
    let answers = ["makemigrations", "--noinput", "--rename", "book.price_cents=price", "--fill", "book.isbn=''"];
    manage::<v2::Models>(&dir, &answers, cli::OK)?;
    show_file(&dir, "0002_rename_price_cents_book_price_book_isbn")?;
    for t in &targets {
        println!("[{}]", t.name);
        manage::<v2::Models>(&dir, &["sqlmigrate", "0002", &t.url], cli::OK)?;
        manage::<v2::Models>(&dir, &["migrate", &t.url], cli::OK)?;
        for b in v2::Book::objects().order_by(|b| b.id.asc()).all(&t.db)? {
            println!("  book {}: {:?}, price {}, isbn {:?}, blurb {:?}", b.id, b.title, b.price, b.isbn, b.blurb);
        }
        println!();
    }

    heading("3. Tags added, the blurb dropped (v3)");
    manage::<v3::Models>(&dir, &["makemigrations", "--check"], cli::CHANGES)?;
    manage::<v3::Models>(&dir, &["makemigrations"], cli::OK)?;
    show_file(&dir, "0003_tag_book_tags_remove_book_blurb")?;
    for t in &targets {
        println!("[{}]", t.name);
        manage::<v3::Models>(&dir, &["sqlmigrate", "0003", &t.url], cli::OK)?;
        manage::<v3::Models>(&dir, &["migrate", &t.url], cli::FAILED)?;
        manage::<v3::Models>(&dir, &["migrate", &t.url, "--allow-destructive"], cli::OK)?;
        manage::<v3::Models>(&dir, &["showmigrations", &t.url], cli::OK)?;
        let dystopia = v3::Tag::objects().create(&t.db, v3::NewTag { name: "dystopia".into() })?;
        for b in v3::Book::objects().order_by(|b| b.id.asc()).all(&t.db)? {
            b.tags().add(&t.db, [&dystopia])?;
            let tags: Vec<String> = b.tags().all(&t.db)?.into_iter().map(|tag| tag.name).collect();
            println!("  book {}: {:?}, price {}, isbn {:?}, tags {tags:?}", b.id, b.title, b.price, b.isbn);
        }
        t.db.check_schema::<v3::Models>()?;
        println!("  check_schema::<v3::Models>(): the tables match the models\n");
    }

    heading("4. At start-up: the files compiled in");
    let embedded = orm::embed_migrations!("examples/migrations/migrations");
    let fresh = Db::open_in_memory()?;
    let progress = |line: &str| println!("  {line}");
    let report = fresh.migrate(&embedded, &MigrateOptions::new().allow_destructive(true).progress(&progress))?;
    fresh.check_schema::<v3::Models>()?;
    println!("applied {} migrations from embed_migrations!; check_schema passes", report.applied.len());
    let written = Migrations::from_dir(&dir)?;
    let same = written.migrations().iter().all(|m| written.text(&m.name) == embedded.text(&m.name));
    println!("the files written above are the ones checked in: {same}");
    Ok(())
}

/// The server, in a schema of the example's own.
fn postgres(server: &str, schema: &str) -> orm::Result<Target> {
    Db::connect(server)?.execute(&format!("CREATE SCHEMA \"{schema}\""), &[])?;
    let sep = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{sep}options=-csearch_path%3D{schema}");
    Ok(Target { name: "PostgreSQL", db: Db::connect(&url)?, url })
}

fn drop_schema(server: &str, schema: &str) {
    if let Ok(admin) = Db::connect(server) {
        let _ = admin.execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"), &[]);
    }
}
