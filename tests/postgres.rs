//! What PostgreSQL adds, proven with several connections to one schema: row locks
//! (`select_for_update` with `nowait`, `skip_locked`, `of`), isolation levels, a
//! serialization failure reported as retryable and retried, `distinct_on`, and a pool
//! of server connections under concurrent read-then-write transactions.
//!
//! Each test runs when `ORM_TEST_POSTGRES` names a server; the SQLite side of each
//! feature (a no-op lock, an error for `distinct_on`) is asserted without one.

#[path = "support/backends.rs"]
mod backends;

use orm::prelude::*;
use orm::{DatabaseErrorKind, Error, ForUpdate, IsolationLevel};
use std::cell::Cell;
use std::time::Duration;

#[derive(Model, Debug, Clone, PartialEq)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Book {
    id: i64,
    title: String,
    #[orm(on_delete = "cascade")]
    author: ForeignKey<Author>,
    year: i32,
}

#[derive(Model, Debug, Clone)]
struct Counter {
    id: i64,
    value: i64,
}

/// A schema with two authors, their books and a counter; `None` without a server.
fn schema(name: &str) -> orm::Result<Option<backends::TestDb>> {
    let Some(db) = backends::postgres(name)? else { return Ok(None) };
    db.create_tables::<(Author, Book, Counter)>()?;
    let orwell = Author::objects().create(&db, NewAuthor { name: "Orwell".into() })?;
    let austen = Author::objects().create(&db, NewAuthor { name: "Austen".into() })?;
    for (title, author, year) in [("1984", &orwell, 1949), ("Animal Farm", &orwell, 1945), ("Emma", &austen, 1815)] {
        Book::objects().create(&db, NewBook { title: title.into(), author: ForeignKey::new(author.id), year })?;
    }
    Counter::objects().create(&db, NewCounter { value: 0 })?;
    Ok(Some(db))
}

fn other(db: &backends::TestDb, options: Options) -> orm::Result<Db> {
    Db::connect_with(&db.url().expect("a server"), options)
}

fn kind(err: &Error) -> Option<DatabaseErrorKind> {
    match err {
        Error::Database { kind, .. } => Some(*kind),
        _ => None,
    }
}

#[test]
fn select_for_update_locks_rows_until_the_transaction_ends() -> orm::Result<()> {
    let Some(db) = schema("for_update")? else { return Ok(()) };
    let waiter = other(&db, Options::new().busy_timeout(Duration::from_millis(50)))?;
    db.atomic(|db| {
        let locked = Book::objects().filter(|b| b.title.eq("1984")).select_for_update().all(db)?;
        assert_eq!(locked.len(), 1);
        // Another connection cannot lock or write the row meanwhile...
        let err = waiter
            .atomic(|w| {
                Book::objects().filter(|b| b.title.eq("1984")).select_for_update_with(ForUpdate::new().nowait()).all(w)
            })
            .unwrap_err();
        assert_eq!(kind(&err), Some(DatabaseErrorKind::Busy), "{err}");
        let err = Book::objects().filter(|b| b.title.eq("1984")).update(&waiter, |b| b.year.set(1950)).unwrap_err();
        assert_eq!(kind(&err), Some(DatabaseErrorKind::Busy), "waited for the lock, then gave up: {err}");
        // ...SKIP LOCKED leaves it out...
        let free: Vec<String> = waiter.atomic(|w| {
            Ok(Book::objects()
                .select_for_update_with(ForUpdate::new().skip_locked())
                .order_by(|b| b.id.asc())
                .all(w)?
                .into_iter()
                .map(|b| b.title)
                .collect())
        })?;
        assert_eq!(free, ["Animal Farm", "Emma"]);
        Ok(())
    })?;
    // ...and once the transaction ended, the row is free.
    assert_eq!(Book::objects().filter(|b| b.title.eq("1984")).update(&waiter, |b| b.year.set(1950))?, 1);
    Ok(())
}

#[test]
fn select_for_update_of_self_leaves_the_related_rows_free() -> orm::Result<()> {
    let Some(db) = schema("for_update_of")? else { return Ok(()) };
    let waiter = other(&db, Options::new().busy_timeout(Duration::from_millis(50)))?;
    let qs = Book::objects()
        .filter(|b| b.title.eq("Emma"))
        .select_related(|b| b.author())
        .select_for_update_with(ForUpdate::new().of_self());
    assert!(qs.sql_for(&db).text.ends_with(r#"FOR UPDATE OF "book""#), "{}", qs.sql_for(&db).text);
    db.atomic(|db| {
        assert_eq!(qs.all(db)?.len(), 1);
        // The book is locked, its author is not.
        assert_eq!(Author::objects().filter(|a| a.name.eq("Austen")).update(&waiter, |a| a.name.set("J. Austen"))?, 1);
        let err = Book::objects().filter(|b| b.title.eq("Emma")).update(&waiter, |b| b.year.set(1816)).unwrap_err();
        assert_eq!(kind(&err), Some(DatabaseErrorKind::Busy), "{err}");
        Ok(())
    })?;
    // `of` a relation the query does not follow is refused before any query.
    let before = db.query_count();
    let err = db.atomic(|db| Book::objects().select_for_update_of(|b| b.author()).all(db)).unwrap_err();
    assert!(err.to_string().contains("select_related"), "{err}");
    assert_eq!(db.query_count() - before, 2, "BEGIN and ROLLBACK only");
    Ok(())
}

#[test]
fn select_for_update_outside_a_transaction_is_refused_on_postgres_and_free_on_sqlite() -> orm::Result<()> {
    let sqlite = Db::open_in_memory()?;
    sqlite.create_tables::<(Author, Book, Counter)>()?;
    assert!(Book::objects().select_for_update().all(&sqlite)?.is_empty(), "no row locks on SQLite: a no-op");
    assert!(!Book::objects().select_for_update().sql_for(&sqlite).text.contains("FOR UPDATE"));
    let Some(db) = schema("for_update_outside")? else { return Ok(()) };
    let err = Book::objects().select_for_update().all(&db).unwrap_err();
    assert_eq!(err.to_string(), "invalid query: select_for_update cannot be used outside of a transaction.");
    Ok(())
}

#[test]
fn a_serialization_failure_is_retryable_and_atomic_retrying_runs_it_again() -> orm::Result<()> {
    let Some(db) = schema("serializable")? else { return Ok(()) };
    let rival = other(&db, Options::new())?;
    // Both read the counter, both write it: the second to commit fails (40001).
    let interfere = Cell::new(true);
    let attempts = Cell::new(0);
    let sent = db.capture(|| {
        db.atomic_retrying(3, Some(IsolationLevel::Serializable), |db| {
            attempts.set(attempts.get() + 1);
            let mut mine = Counter::objects().get(db, |c| c.id.eq(1))?;
            if interfere.replace(false) {
                rival.atomic_with(IsolationLevel::Serializable, |rival| {
                    let mut theirs = Counter::objects().get(rival, |c| c.id.eq(1))?;
                    theirs.value += 10;
                    theirs.save(rival)
                })?;
            }
            mine.value += 1;
            mine.save(db)
        })
    })?;
    assert_eq!(attempts.get(), 2, "the first attempt failed and was run again");
    assert_eq!(sent.queries[0].sql, "BEGIN ISOLATION LEVEL SERIALIZABLE");
    assert_eq!(Counter::objects().get(&db, |c| c.id.eq(1))?.value, 11, "both increments kept");

    // Without retrying, the failure says what it is.
    let err = db
        .atomic_with(IsolationLevel::Serializable, |db| {
            let mut mine = Counter::objects().get(db, |c| c.id.eq(1))?;
            rival.atomic(|rival| Counter::objects().update(rival, |c| c.value.set(c.value + 100)))?;
            mine.value += 1;
            mine.save(db)
        })
        .unwrap_err();
    assert_eq!(kind(&err), Some(DatabaseErrorKind::Serialization), "{err}");
    assert!(matches!(&err, Error::Database { kind, code: Some(code), .. } if kind.is_retryable() && code == "40001"));
    assert_eq!(Counter::objects().get(&db, |c| c.id.eq(1))?.value, 111, "the failed one wrote nothing");
    // An isolation level is the outermost block's to choose.
    let err = db.atomic(|db| db.atomic_with(IsolationLevel::Serializable, |_| Ok(()))).unwrap_err();
    assert!(err.to_string().contains("outermost"), "{err}");
    Ok(())
}

#[test]
fn the_connection_isolation_level_begins_every_transaction() -> orm::Result<()> {
    let Some(db) = schema("isolation_option")? else { return Ok(()) };
    let repeatable = other(&db, Options::new().isolation_level(IsolationLevel::RepeatableRead))?;
    let sent = repeatable.capture(|| repeatable.atomic(|db| Counter::objects().count(db)))?;
    assert_eq!(sent.queries[0].sql, "BEGIN ISOLATION LEVEL REPEATABLE READ");
    // A snapshot: a commit made meanwhile is not seen inside.
    repeatable.atomic(|r| {
        let before = Counter::objects().get(r, |c| c.id.eq(1))?.value;
        Counter::objects().update(&db, |c| c.value.set(c.value + 5))?;
        assert_eq!(Counter::objects().get(r, |c| c.id.eq(1))?.value, before);
        Ok(())
    })?;
    Ok(())
}

#[test]
fn distinct_on_keeps_the_first_row_of_each_group() -> orm::Result<()> {
    let sqlite = Db::open_in_memory()?;
    sqlite.create_tables::<(Author, Book, Counter)>()?;
    let err = Book::objects().distinct_on(|b| b.author()).all(&sqlite).unwrap_err();
    assert_eq!(err.to_string(), "invalid query: DISTINCT ON fields is not supported by this database backend");
    let Some(db) = schema("distinct_on")? else { return Ok(()) };
    // The newest book of each author: ordered by the DISTINCT ON key first.
    let newest: Vec<(String, i32)> = Book::objects()
        .distinct_on(|b| b.author())
        .order_by(|b| (b.author().asc(), b.year.desc()))
        .values(|b| (b.title, b.year))
        .all(&db)?;
    assert_eq!(newest, [("1984".to_owned(), 1949), ("Emma".to_owned(), 1815)]);
    assert_eq!(Book::objects().distinct_on(|b| b.author()).count(&db)?, 2);
    Ok(())
}

/// 8 threads × 25 read-then-write increments through a pool of server connections:
/// with `select_for_update` (READ COMMITTED) no update is lost and none fails; as
/// serializable transactions, some fail with a serialization error, are retried by
/// `atomic_retrying`, and again none is lost.
#[test]
fn a_pool_of_server_connections_loses_no_increment() -> orm::Result<()> {
    let Some(db) = schema("pool_increments")? else { return Ok(()) };
    const THREADS: usize = 8;
    const OPS: usize = 25;
    let pool = Pool::connect(&db.url().expect("a server"), PoolOptions::new().max_size(THREADS as u32))?;
    let run = |op: &(dyn Fn(&Db) -> orm::Result<()> + Sync)| -> orm::Result<()> {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    s.spawn(|| -> orm::Result<()> {
                        let conn = pool.get()?;
                        for _ in 0..OPS {
                            op(&conn)?;
                        }
                        Ok(())
                    })
                })
                .collect();
            handles.into_iter().try_for_each(|h| h.join().expect("a worker"))
        })
    };
    run(&|conn| {
        conn.atomic(|conn| {
            let mut counter = Counter::objects().filter(|c| c.id.eq(1)).select_for_update().all(conn)?.remove(0);
            counter.value += 1;
            counter.save(conn)
        })
    })?;
    assert_eq!(Counter::objects().get(&db, |c| c.id.eq(1))?.value, (THREADS * OPS) as i64);

    let attempts = std::sync::atomic::AtomicUsize::new(0);
    run(&|conn| {
        conn.atomic_retrying(100, Some(IsolationLevel::Serializable), |conn| {
            attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut counter = Counter::objects().get(conn, |c| c.id.eq(1))?;
            counter.value += 1;
            counter.save(conn)
        })
    })?;
    assert_eq!(Counter::objects().get(&db, |c| c.id.eq(1))?.value, (2 * THREADS * OPS) as i64);
    let attempts = attempts.into_inner();
    assert!(attempts >= THREADS * OPS, "{attempts}");
    eprintln!("serializable increments: {} attempts for {} transactions", attempts, THREADS * OPS);
    Ok(())
}

/// A statement prepared before another connection changed the table is prepared again
/// (PostgreSQL refuses a cached plan whose result type changed), once, outside a
/// transaction.
#[test]
fn a_schema_change_by_another_connection_does_not_break_cached_statements() -> orm::Result<()> {
    let Some(db) = schema("stale_plan")? else { return Ok(()) };
    let before: Vec<i32> = Book::objects().order_by(|b| b.id.asc()).values(|b| b.year).all(&db)?;
    other(&db, Options::new())?.execute("ALTER TABLE book ALTER COLUMN year TYPE bigint", &[])?;
    let sent = db.capture(|| Book::objects().order_by(|b| b.id.asc()).values(|b| b.year).all(&db))?;
    assert_eq!(sent.value, before);
    assert_eq!(sent.queries.len(), 1, "one query, as counted: the retry is the driver's");
    Ok(())
}

/// The server's TLS status of this connection, read through a model (`raw` maps
/// columns by name).
#[cfg(feature = "postgres-tls")]
#[derive(Model, Debug)]
struct SslStatus {
    id: i64,
    ssl: bool,
}

/// TLS (feature `postgres-tls`, run by CI as its own command): `sslmode=require`
/// encrypts; with a root certificate the server is verified as libpq's
/// `verify-full` (its certificate and its name: `localhost` matches the test server's
/// certificate, `127.0.0.1` does not). The CA is the server's own self-signed
/// certificate, `ORM_TEST_POSTGRES_CA` (default: Debian's snakeoil certificate).
#[cfg(feature = "postgres-tls")]
#[test]
fn tls_encrypts_and_verifies_the_server_against_a_root_certificate() -> orm::Result<()> {
    let Some(server) = backends::postgres_server() else { return Ok(()) };
    let with = |url: &str, param: &str| format!("{url}{}{param}", if url.contains('?') { '&' } else { '?' });
    let status = |db: &Db| -> orm::Result<bool> {
        let rows: Vec<SslStatus> =
            db.raw("SELECT pid::bigint AS id, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])?;
        Ok(rows[0].ssl)
    };
    assert!(status(&Db::connect(&with(&server, "sslmode=require"))?)?, "encrypted");
    assert!(!status(&Db::connect(&with(&server, "sslmode=disable"))?)?, "plain when asked");
    let ca = std::env::var("ORM_TEST_POSTGRES_CA").unwrap_or_else(|_| "/etc/ssl/certs/ssl-cert-snakeoil.pem".into());
    if !std::path::Path::new(&ca).exists() {
        return Ok(());
    }
    let local = with(&server.replace("127.0.0.1", "localhost"), "sslmode=require");
    let verified = Db::connect_with(&local, Options::new().tls_root_certificate(&ca))?;
    assert!(status(&verified)?);
    let wrong_name = Db::connect_with(&with(&server, "sslmode=require"), Options::new().tls_root_certificate(&ca));
    let err = wrong_name.unwrap_err();
    assert_eq!(kind(&err), Some(DatabaseErrorKind::Connection), "{err}");
    Ok(())
}

#[test]
fn no_server_is_a_connection_error() {
    let err = Db::connect("postgres://root@127.0.0.1:1/test").unwrap_err();
    assert_eq!(kind(&err), Some(DatabaseErrorKind::Connection), "{err}");
    let err = Db::connect("not a url").unwrap_err();
    assert!(matches!(err, Error::Database { .. }), "{err}");
}

/// A server process id, read through a model.
#[derive(Model, Debug)]
struct ServerProcess {
    id: i64,
}

#[test]
fn a_pool_replaces_a_connection_the_server_closed() -> orm::Result<()> {
    let Some(db) = schema("pool_broken")? else { return Ok(()) };
    let pool = Pool::connect(&db.url().expect("a server"), PoolOptions::new().max_size(1))?;
    {
        let conn = pool.get()?;
        let me: Vec<ServerProcess> = conn.raw("SELECT pg_backend_pid()::bigint AS id", &[])?;
        db.execute("SELECT pg_terminate_backend($1::integer)", &[me[0].id.into()])?;
        let err = Counter::objects().count(&conn).unwrap_err();
        assert_eq!(kind(&err), Some(DatabaseErrorKind::Connection), "{err}");
    }
    let conn = pool.get()?;
    assert_eq!(Counter::objects().count(&conn)?, 1, "a new connection");
    Ok(())
}
