//! The runtime for servers: a `Send` Db, open options, transaction modes, and a pool
//! whose signals and models are shared while its query counts are not.

#[path = "support/temp.rs"]
mod temp;

use orm::prelude::*;
use orm::{DatabaseErrorKind, Error, PooledDb};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use temp::TempDir;

#[derive(Model, Debug, Clone)]
struct Team {
    id: i64,
    #[orm(unique)]
    name: String,
}

#[derive(Model, Debug, Clone)]
struct Player {
    id: i64,
    name: String,
    #[orm(on_delete = "cascade")]
    team: ForeignKey<Team>,
}

fn assert_send<T: Send>() {}
fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn db_and_pooled_connections_are_send_and_the_pool_is_shared() {
    assert_send::<Db>();
    assert_send::<PooledDb>();
    assert_send_sync::<Pool>();
    assert_send_sync::<orm::Error>();
}

#[test]
fn a_db_moves_to_another_thread_and_keeps_its_state() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Team, Player)>()?;
    let before = db.query_count();
    let db = std::thread::spawn(move || -> orm::Result<Db> {
        Team::objects().create(&db, NewTeam { name: "moved".into() })?;
        Ok(db)
    })
    .join()
    .expect("the thread ran")?;
    assert_eq!(Team::objects().get(&db, |t| t.name.eq("moved"))?.name, "moved");
    // The insert (BEGIN, INSERT, COMMIT is not needed for one row) and the get.
    assert_eq!(db.query_count() - before, 2);
    Ok(())
}

fn begins_sent(db: &Db) -> orm::Result<Vec<String>> {
    let sent = db.capture(|| db.atomic(|db| db.atomic(|_| Ok(()))))?;
    Ok(sent.queries.into_iter().map(|q| q.sql).collect())
}

#[test]
fn each_transaction_mode_sends_its_begin_and_nests_with_savepoints() -> orm::Result<()> {
    let cases = [
        (TransactionMode::Deferred, "BEGIN"),
        (TransactionMode::Immediate, "BEGIN IMMEDIATE"),
        (TransactionMode::Exclusive, "BEGIN EXCLUSIVE"),
    ];
    for (mode, begin) in cases {
        let db = Db::open_in_memory_with(Options::new().transaction_mode(mode))?;
        assert_eq!(db.transaction_mode(), mode);
        assert_eq!(begins_sent(&db)?, [begin, "SAVEPOINT \"orm_sp_1\"", "RELEASE \"orm_sp_1\"", "COMMIT"], "{mode:?}");
    }
    Ok(())
}

#[test]
fn in_transaction_is_true_to_what_was_sent() -> orm::Result<()> {
    let dir = TempDir::new("in-transaction");
    let db = Db::open_with(dir.file("t.sqlite3"), Options::new().transaction_mode(TransactionMode::Immediate))?;
    db.create_tables::<(Team, Player)>()?;
    assert!(!db.in_transaction());
    db.atomic(|db| {
        assert!(db.in_transaction());
        db.atomic(|db| {
            assert!(db.in_transaction());
            Ok(())
        })?;
        assert!(db.in_transaction());
        Ok(())
    })?;
    assert!(!db.in_transaction());

    // A transaction begun by hand: the database is asked, and atomic() nests in it
    // with a savepoint instead of a BEGIN that SQLite would refuse.
    db.execute("BEGIN", &[])?;
    assert!(db.in_transaction());
    let sent = db.capture(|| db.atomic(|db| Team::objects().create(db, NewTeam { name: "inner".into() })))?;
    assert_eq!(sent.queries[0].sql, "SAVEPOINT \"orm_sp_0\"");
    assert_eq!(sent.queries.last().map(|q| q.sql.as_str()), Some("RELEASE \"orm_sp_0\""));
    assert!(db.in_transaction(), "the hand-begun transaction is still open");
    db.execute("ROLLBACK", &[])?;
    assert!(!db.in_transaction());
    assert_eq!(Team::objects().count(&db)?, 0, "rolled back with the outer transaction");

    // A failed atomic() inside it rolls back to its savepoint only.
    db.execute("BEGIN", &[])?;
    Team::objects().create(&db, NewTeam { name: "outer".into() })?;
    let failed: orm::Result<()> = db.atomic(|db| {
        Team::objects().create(db, NewTeam { name: "undone".into() })?;
        Err(Error::InvalidQuery { message: "undo" })
    });
    assert!(failed.is_err());
    db.execute("COMMIT", &[])?;
    let names: Vec<String> = Team::objects().values(|t| t.name).all(&db)?;
    assert_eq!(names, ["outer"]);
    Ok(())
}

fn database_error_kind(err: &Error) -> Option<DatabaseErrorKind> {
    match err {
        Error::Database { kind, .. } => Some(*kind),
        _ => None,
    }
}

#[test]
fn a_read_only_database_reads_and_refuses_every_write() -> orm::Result<()> {
    let dir = TempDir::new("read-only");
    let path = dir.file("ro.sqlite3");
    {
        let db = Db::open(&path)?;
        db.create_tables::<(Team, Player)>()?;
        Team::objects().create(&db, NewTeam { name: "kept".into() })?;
    }
    let db = Db::open_with(&path, Options::new().read_only())?;
    assert_eq!(Team::objects().count(&db)?, 1);
    let err = Team::objects().create(&db, NewTeam { name: "refused".into() }).unwrap_err();
    assert_eq!(database_error_kind(&err), Some(DatabaseErrorKind::ReadOnly), "{err}");
    let err = Team::objects().update(&db, |t| t.name.set("renamed")).unwrap_err();
    assert_eq!(database_error_kind(&err), Some(DatabaseErrorKind::ReadOnly), "{err}");
    assert!(!db.in_transaction());
    let names: Vec<String> = Team::objects().values(|t| t.name).all(&db)?;
    assert_eq!(names, ["kept"], "nothing was written");

    // Read-only does not create a missing file.
    let err = Db::open_with(dir.file("missing.sqlite3"), Options::new().read_only()).unwrap_err();
    assert_eq!(database_error_kind(&err), Some(DatabaseErrorKind::Connection), "{err}");
    assert!(!dir.file("missing.sqlite3").exists());
    Ok(())
}

#[test]
fn pragmas_run_at_open_after_the_defaults() -> orm::Result<()> {
    let dir = TempDir::new("pragmas");
    let path = dir.file("p.sqlite3");
    let db = Db::open_with(&path, Options::new().pragma("user_version", "42").pragma("journal_mode", "DELETE"))?;
    db.create_tables::<(Team,)>()?;
    drop(db);
    let raw = rusqlite::Connection::open(&path).expect("open");
    let version: i64 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("user_version");
    let journal: String = raw.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("journal_mode");
    assert_eq!((version, journal.as_str()), (42, "delete"));

    // A hostile value is a quoted string, not SQL.
    let db = Db::open_with(&path, Options::new().pragma("user_version", "1; DROP TABLE team"))?;
    assert_eq!(Team::objects().count(&db)?, 0, "the table is still there");
    Ok(())
}

#[test]
fn a_busy_timeout_bounds_the_wait_and_the_error_says_busy() -> orm::Result<()> {
    let dir = TempDir::new("busy");
    let path = dir.file("b.sqlite3");
    let holder = Db::open(&path)?;
    holder.create_tables::<(Team,)>()?;
    let waiter = Db::open_with(&path, Options::new().busy_timeout(Duration::from_millis(20)))?;
    holder.atomic(|holder| {
        Team::objects().create(holder, NewTeam { name: "holding the lock".into() })?;
        let err = Team::objects().create(&waiter, NewTeam { name: "blocked".into() }).unwrap_err();
        assert_eq!(database_error_kind(&err), Some(DatabaseErrorKind::Busy), "{err}");
        assert!(matches!(&err, Error::Database { kind, .. } if kind.is_retryable()));
        Ok(())
    })?;
    let names: Vec<String> = Team::objects().values(|t| t.name).all(&waiter)?;
    assert_eq!(names, ["holding the lock"]);
    Ok(())
}

fn pool(dir: &TempDir, options: PoolOptions) -> orm::Result<Pool> {
    let pool = Pool::open(dir.file("pool.sqlite3"), options)?;
    pool.create_tables::<(Team, Player)>()?;
    Ok(pool)
}

#[test]
fn pooled_connections_count_their_own_queries() -> orm::Result<()> {
    let dir = TempDir::new("pool-counts");
    let pool = pool(&dir, PoolOptions::new().max_size(2))?;
    let a = pool.get()?;
    let b = pool.get()?;
    let (a_before, b_before) = (a.query_count(), b.query_count());
    orm::assert_num_queries!(a, 1, {
        Team::objects().create(&a, NewTeam { name: "a".into() })?;
    });
    orm::assert_num_queries!(b, 2, {
        assert_eq!(Team::objects().count(&b)?, 1);
        assert!(Team::objects().filter(|t| t.name.eq("a")).exists(&b)?);
    });
    assert_eq!((a.query_count() - a_before, b.query_count() - b_before), (1, 2));
    assert_eq!(pool.state(), (2, 0));
    drop(a);
    assert_eq!(pool.state(), (2, 1));
    Ok(())
}

#[test]
fn pool_signals_reach_every_connection_and_a_connections_own_stay_with_it() -> orm::Result<()> {
    let dir = TempDir::new("pool-signals");
    let pool = pool(&dir, PoolOptions::new().max_size(3))?;
    let first = pool.get()?; // open before the receiver is registered
    let from_pool = Arc::new(AtomicUsize::new(0));
    let seen = from_pool.clone();
    pool.on_post_save::<Team>(move |_, _, created| {
        assert!(created);
        seen.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    let own = Arc::new(AtomicUsize::new(0));
    let seen = own.clone();
    first.on_post_save::<Team>(move |_, _, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    let second = pool.get()?;
    Team::objects().create(&first, NewTeam { name: "one".into() })?;
    Team::objects().create(&second, NewTeam { name: "two".into() })?;
    std::thread::scope(|s| {
        s.spawn(|| Team::objects().create(&pool.get().expect("a third"), NewTeam { name: "three".into() }))
            .join()
            .expect("the thread ran")
    })?;
    assert_eq!(from_pool.load(Ordering::SeqCst), 3, "the pool's receiver ran on every connection");
    assert_eq!(own.load(Ordering::SeqCst), 1, "the connection's own receiver ran on it only");
    Ok(())
}

#[test]
fn models_registered_on_the_pool_cascade_on_every_connection() -> orm::Result<()> {
    let dir = TempDir::new("pool-models");
    let path = dir.file("pool.sqlite3");
    Db::open(&path)?.create_tables::<(Team, Player)>()?;
    let pool = Pool::open(&path, PoolOptions::new().max_size(2))?;
    let a = pool.get()?;
    let b = pool.get()?;
    // Without the models, a delete does not know that players point at teams: the
    // database's ON DELETE CASCADE removes the player, but the count misses it.
    let team = Team::objects().create(&a, NewTeam { name: "t".into() })?;
    Player::objects().create(&a, NewPlayer { name: "p".into(), team: ForeignKey::new(team.id) })?;
    assert_eq!(team.delete(&b)?.0, 1);
    pool.register::<(Team, Player)>();
    for (i, db) in [&a, &b].into_iter().enumerate() {
        let team = Team::objects().create(db, NewTeam { name: format!("team {i}") })?;
        Player::objects().create(db, NewPlayer { name: "p".into(), team: ForeignKey::new(team.id) })?;
        assert_eq!(team.delete(db)?.0, 2, "the player was found through the pool's models");
    }
    assert_eq!(Player::objects().count(&a)?, 0);
    Ok(())
}

#[test]
fn a_pool_that_runs_out_times_out_with_a_clear_error() -> orm::Result<()> {
    let dir = TempDir::new("pool-timeout");
    let pool = pool(&dir, PoolOptions::new().max_size(1).checkout_timeout(Duration::from_millis(30)))?;
    let held = pool.get()?;
    let err = pool.get().unwrap_err();
    assert_eq!(database_error_kind(&err), Some(DatabaseErrorKind::PoolTimeout), "{err}");
    assert!(matches!(&err, Error::Database { kind, .. } if kind.is_retryable()));
    drop(held);
    assert!(pool.get().is_ok());
    Ok(())
}

#[test]
fn a_connection_returned_inside_a_transaction_is_closed_and_rolled_back() -> orm::Result<()> {
    let dir = TempDir::new("pool-open-tx");
    let pool = pool(&dir, PoolOptions::new().max_size(2))?;
    let db = pool.get()?;
    db.execute("BEGIN", &[])?;
    Team::objects().create(&db, NewTeam { name: "never committed".into() })?;
    let open = pool.state().0;
    drop(db);
    assert_eq!(pool.state().0, open - 1, "the connection was not given back");
    let db = pool.get()?;
    assert_eq!(Team::objects().count(&db)?, 0);
    Ok(())
}

#[test]
fn a_pool_refuses_what_it_cannot_serve() {
    let err = Pool::open(":memory:", PoolOptions::new()).unwrap_err();
    assert!(err.to_string().contains("needs a database file"), "{err}");
    let dir = TempDir::new("pool-refuses");
    let err = Pool::open(dir.file("x.sqlite3"), PoolOptions::new().max_size(0)).unwrap_err();
    assert!(err.to_string().contains("max_size"), "{err}");
    let err = Pool::open(dir.file("no/such/dir/x.sqlite3"), PoolOptions::new()).unwrap_err();
    assert_eq!(database_error_kind(&err), Some(DatabaseErrorKind::Connection), "{err}");
    let err = Pool::open(dir.file("missing.sqlite3"), PoolOptions::new().read_only()).unwrap_err();
    assert_eq!(database_error_kind(&err), Some(DatabaseErrorKind::Connection), "{err}");
}
