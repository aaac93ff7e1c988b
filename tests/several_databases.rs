//! Several databases: every evaluation names its Db; related rows can be prefetched
//! from another database, which a JOIN cannot do.

#[path = "support/backends.rs"]
mod backends;
#[path = "common/shop.rs"]
mod shop;
use backends::{Backend, TestDb};
use orm::prelude::*;
use shop::*;

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("orm-{name}-{}.sqlite3", std::process::id()))
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// The authors live in `main`; their books (with the same author keys) in `archive`.
/// `db` writes the raw SQL for its backend.
fn prefetch_across(db: &TestDb, main: &Db, archive: &Db) -> orm::Result<()> {
    main.create_tables::<(Publisher, Author, Book, Review, Profile)>()?;
    archive.create_tables::<(Publisher, Author, Book, Review, Profile)>()?;
    let (orwell, ..) = seed_books(main)?;
    Book::objects().delete(main)?;
    archive.execute(&db.sql("INSERT INTO author (id, name) VALUES (?, 'placeholder')"), &[orwell.id.into()])?;
    Book::objects().create(archive, book("Archived", &orwell, 1940))?;

    let mut authors = Author::objects().all(main)?;
    let captured_main = main.query_count();
    let captured = archive.capture(|| orm::prefetch_related_objects(archive, &mut authors, |a| a.books()))?;
    assert_eq!(captured.queries.len(), 1, "one query, on the archive");
    assert_eq!(main.query_count(), captured_main, "nothing on the main database");
    let orwell = authors.iter().find(|a| a.name == "George Orwell").unwrap();
    assert_eq!(orwell.books.get()?.iter().map(|b| b.title.as_str()).collect::<Vec<_>>(), ["Archived"]);
    // With a QuerySet of its own, as Django's Prefetch(queryset=..).using(..).
    let mut authors = Author::objects().all(main)?;
    orm::prefetch_related_objects_with(
        archive,
        &mut authors,
        |a| a.books(),
        Book::objects().filter(|b| b.published_year.gt(1945)),
    )?;
    assert!(authors.iter().all(|a| a.books.get().unwrap().is_empty()));
    Ok(())
}

backend_tests! {
    /// SQLite: two database files. PostgreSQL: the test's schema and a second schema
    /// of its own on the same server (another database as far as each Db knows).
    fn prefetch_loads_related_rows_from_another_database(db) {
        match db.backend() {
            Backend::Sqlite => {
                let (main_path, archive_path) = (temp_path("main"), temp_path("archive"));
                remove(&main_path);
                remove(&archive_path);
                let main = Db::open(&main_path)?;
                let archive = Db::open(&archive_path)?;
                let result = prefetch_across(db, &main, &archive);
                drop((main, archive));
                remove(&main_path);
                remove(&archive_path);
                result
            }
            Backend::Postgres => {
                let archive = backends::postgres("several_databases_archive")?.expect("a server");
                prefetch_across(db, db, &archive)
            }
        }
    }
}
