//! Where an example runs: an SQLite file in a fresh temporary directory, or, when the
//! first argument is a PostgreSQL URL (`cargo run --example quickstart --
//! postgres://root@127.0.0.1:5432/test`), a schema of its own on that server. Either
//! is removed when the example ends.

use orm::Db;

/// The example's database, removed on drop.
pub struct ExampleDb {
    db: Option<Db>,
    /// What to remove: the temporary directory, or the schema and its server.
    cleanup: Cleanup,
    /// What the example prints as its database.
    pub label: String,
}

enum Cleanup {
    Directory(std::path::PathBuf),
    Schema { server: String, schema: String },
}

impl std::ops::Deref for ExampleDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db.as_ref().expect("open until dropped")
    }
}

impl Drop for ExampleDb {
    fn drop(&mut self) {
        drop(self.db.take());
        match &self.cleanup {
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Schema { server, schema } => drop_schema(server, schema),
        }
    }
}

/// Opens the database the command line names (see the module documentation).
pub fn open(example: &str) -> orm::Result<ExampleDb> {
    match std::env::args().nth(1) {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => connect(example, &url),
        _ => {
            let dir = std::env::temp_dir().join(format!("orm-{example}-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .map_err(|_| orm::Error::InvalidQuery { message: "cannot create a temp dir" })?;
            let path = dir.join("shop.sqlite3");
            let db = Db::open(&path)?;
            Ok(ExampleDb { db: Some(db), cleanup: Cleanup::Directory(dir), label: path.display().to_string() })
        }
    }
}

fn connect(example: &str, server: &str) -> orm::Result<ExampleDb> {
    let schema = format!("orm_example_{example}_{}", std::process::id());
    let admin = Db::connect(server)?;
    admin.execute(&format!("CREATE SCHEMA \"{schema}\""), &[])?;
    let sep = if server.contains('?') { '&' } else { '?' };
    let db = Db::connect(&format!("{server}{sep}options=-csearch_path%3D{schema}"))?;
    let label = format!("{} (schema {schema})", server);
    Ok(ExampleDb { db: Some(db), cleanup: Cleanup::Schema { server: server.to_owned(), schema }, label })
}

fn drop_schema(server: &str, schema: &str) {
    if let Ok(admin) = Db::connect(server) {
        let _ = admin.execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"), &[]);
    }
}
