//! The `manage` command line of migrations and `embed_migrations!`.
//!
//! `examples/migrations/migrations/` holds the files makemigrations writes for the
//! example's three versions of a bookshop (`examples/migrations/models.rs`).

use orm::migrate::Migrations;
use std::path::Path;

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
