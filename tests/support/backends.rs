//! Every behaviour test runs on every backend from one source: `backend_tests!` turns
//! each `fn name(db) { .. }` into a module with a `sqlite` and a `postgres` test.
//!
//! SQLite: a private in-memory database. PostgreSQL: a schema of its own on the server
//! named by `ORM_TEST_POSTGRES` (`postgres://root@127.0.0.1:5432/test`), dropped at
//! the end, so tests run in parallel. Without that variable the PostgreSQL variants
//! pass without running, and the first one of a `cargo test` run says so.
#![allow(dead_code)]

use orm::Db;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The environment variable that names the PostgreSQL server of the tests.
pub const POSTGRES_ENV: &str = "ORM_TEST_POSTGRES";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database for one test; a PostgreSQL schema is dropped when it drops.
pub struct TestDb {
    db: Option<Db>,
    backend: Backend,
    schema: Option<Schema>,
}

struct Schema {
    server: String,
    name: String,
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SQL text written with SQLite's `?` placeholders, as this backend writes it
    /// (`$1, $2, ..` on PostgreSQL).
    pub fn sql(&self, text: &str) -> String {
        if self.backend == Backend::Sqlite {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len() + 8);
        let mut n = 0;
        for ch in text.chars() {
            if ch == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(ch);
            }
        }
        out
    }

    /// A URL (PostgreSQL) or nothing (SQLite in memory) for another connection to the
    /// same database.
    pub fn url(&self) -> Option<String> {
        self.schema.as_ref().map(|s| schema_url(&s.server, &s.name))
    }
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db.as_ref().expect("open until dropped")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop(self.db.take());
        if let Some(schema) = &self.schema {
            if let Ok(admin) = Db::connect(&schema.server) {
                let _ = admin.execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", schema.name), &[]);
            }
        }
    }
}

/// A private in-memory SQLite database.
pub fn sqlite() -> orm::Result<TestDb> {
    Ok(TestDb { db: Some(Db::open_in_memory()?), backend: Backend::Sqlite, schema: None })
}

/// The PostgreSQL server's URL, if the tests were given one.
pub fn postgres_server() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            announce_skip();
            None
        }
    }
}

/// A fresh schema for test `name` on the server, and a connection whose
/// `search_path` is it; `None` without a server.
pub fn postgres(name: &str) -> orm::Result<Option<TestDb>> {
    let Some(server) = postgres_server() else { return Ok(None) };
    let schema = schema_name(name);
    let admin = Db::connect(&server)?;
    admin.execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"), &[])?;
    admin.execute(&format!("CREATE SCHEMA \"{schema}\""), &[])?;
    let db = Db::connect(&schema_url(&server, &schema))?;
    Ok(Some(TestDb { db: Some(db), backend: Backend::Postgres, schema: Some(Schema { server, name: schema }) }))
}

/// `server` with `search_path` set to `schema` for every connection opened with it.
pub fn schema_url(server: &str, schema: &str) -> String {
    let sep = if server.contains('?') { '&' } else { '?' };
    format!("{server}{sep}options=-csearch_path%3D{schema}")
}

/// `t_<name>_<pid>_<n>`, within PostgreSQL's 63 bytes.
fn schema_name(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let clean: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let suffix = format!("_{}_{n}", std::process::id());
    let keep = 63 - 2 - suffix.len();
    let tail: String = clean.chars().rev().take(keep).collect::<Vec<_>>().into_iter().rev().collect();
    format!("t_{tail}{suffix}")
}

/// Says once per `cargo test` run (every test binary is a child of the same cargo)
/// that the PostgreSQL variants were skipped, and how to run them. Written to the
/// terminal's stderr directly: libtest captures only `print!`/`eprint!`.
fn announce_skip() {
    #[cfg(unix)]
    let run = std::os::unix::process::parent_id();
    #[cfg(not(unix))]
    let run = 0;
    let marker = std::env::temp_dir().join(format!("orm-tests-postgres-skipped-{run}"));
    if std::fs::OpenOptions::new().write(true).create_new(true).open(&marker).is_ok() {
        let _ = writeln!(
            std::io::stderr(),
            "note: the PostgreSQL variants of the tests were skipped; to run them, give a server: \
             {POSTGRES_ENV}=postgres://root@127.0.0.1:5432/test cargo test --workspace"
        );
    }
}

/// Each `fn name(db) { body }` becomes `mod name { #[test] fn sqlite(); #[test] fn
/// postgres() }`, the body run with `db: &TestDb` (it derefs to `&Db`) and returning
/// `orm::Result<()>`.
#[macro_export]
macro_rules! backend_tests {
    ($($(#[$attr:meta])* fn $name:ident($db:ident) $body:block)*) => {$(
        $(#[$attr])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            // The bodies were written for an owned `Db`: `&db` is a `&&TestDb` here.
            #[allow(unused_variables, clippy::needless_borrow, clippy::needless_borrows_for_generic_args)]
            fn body($db: &$crate::backends::TestDb) -> orm::Result<()> $body

            #[test]
            fn sqlite() -> orm::Result<()> {
                body(&$crate::backends::sqlite()?)
            }

            #[test]
            fn postgres() -> orm::Result<()> {
                match $crate::backends::postgres(module_path!())? {
                    Some(db) => body(&db),
                    None => Ok(()),
                }
            }
        }
    )*};
}
