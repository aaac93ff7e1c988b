//! Threads sharing one SQLite file through a pool, each running read-then-write
//! transactions. With `BEGIN IMMEDIATE` none fails and the final state is exactly what
//! the operations imply; with SQLite's deferred `BEGIN`, a transaction may fail, but
//! only with a `busy` error, and nothing it wrote remains.
//!
//! The counts are bounded (8 threads, 25 operations each) and nothing is timed.

#[path = "support/temp.rs"]
mod temp;

use orm::prelude::*;
use orm::{DatabaseErrorKind, Error};
use std::sync::Mutex;
use temp::TempDir;

#[derive(Model, Debug, Clone)]
struct Counter {
    id: i64,
    value: i64,
}

#[derive(Model, Debug, Clone)]
struct Tag {
    id: i64,
    #[orm(unique)]
    name: String,
}

#[derive(Model, Debug, Clone)]
struct Account {
    id: i64,
    balance: i64,
}

const THREADS: usize = 8;
const OPS: usize = 25;

/// Runs `op(db, thread, op)` `OPS` times on each of `THREADS` threads, each on a
/// connection of its own; returns the failures.
fn run(pool: &Pool, op: impl Fn(&Db, usize, usize) -> orm::Result<()> + Sync) -> Vec<Error> {
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let (op, failures) = (&op, &failures);
            s.spawn(move || {
                let db = pool.get().expect("a connection");
                for i in 0..OPS {
                    if let Err(err) = op(&db, thread, i) {
                        failures.lock().unwrap().push(err);
                    }
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

fn pool(dir: &TempDir, mode: TransactionMode) -> orm::Result<Pool> {
    let pool =
        Pool::open(dir.file("shared.sqlite3"), PoolOptions::new().max_size(THREADS as u32).transaction_mode(mode))?;
    pool.create_tables::<(Counter, Tag, Account)>()?;
    Ok(pool)
}

/// Every failure is a busy error, retryable, that names the lock.
fn assert_all_busy(failures: &[Error]) {
    for err in failures {
        match err {
            Error::Database { kind: DatabaseErrorKind::Busy, message, .. } => {
                assert!(err.to_string().starts_with("database busy"), "{err}");
                assert!(message.contains("locked") || message.contains("busy"), "{message}");
            }
            other => panic!("a failure that is not busy: {other:?}"),
        }
    }
}

/// Reads the counter, then writes it plus one: a lost update if two interleave.
fn increment(db: &Db) -> orm::Result<()> {
    db.atomic(|db| {
        let mut counter = Counter::objects().get(db, |c| c.id.eq(1))?;
        counter.value += 1;
        counter.save(db)
    })
}

fn counter_value(pool: &Pool) -> orm::Result<i64> {
    let db = pool.get()?;
    Ok(Counter::objects().get(&db, |c| c.id.eq(1))?.value)
}

#[test]
fn immediate_increments_never_fail_and_none_is_lost() -> orm::Result<()> {
    let dir = TempDir::new("increment-immediate");
    let pool = pool(&dir, TransactionMode::Immediate)?;
    Counter::objects().create(&*pool.get()?, NewCounter { value: 0 })?;
    let failures = run(&pool, |db, _, _| increment(db));
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(counter_value(&pool)?, (THREADS * OPS) as i64);
    Ok(())
}

#[test]
fn deferred_increments_fail_only_as_busy_and_lose_nothing() -> orm::Result<()> {
    let dir = TempDir::new("increment-deferred");
    let pool = pool(&dir, TransactionMode::Deferred)?;
    Counter::objects().create(&*pool.get()?, NewCounter { value: 0 })?;
    let failures = run(&pool, |db, _, _| increment(db));
    assert_all_busy(&failures);
    // Each transaction that succeeded added exactly one; each that failed added none.
    assert_eq!(counter_value(&pool)?, (THREADS * OPS - failures.len()) as i64);
    Ok(())
}

/// Every thread asks for the same few tags: each is created exactly once.
fn tags_race(mode: TransactionMode) -> orm::Result<()> {
    let dir = TempDir::new("get-or-create");
    let pool = pool(&dir, mode)?;
    let created = Mutex::new(Vec::new());
    let failures = run(&pool, |db, _, i| {
        let name = format!("tag-{}", i % 5);
        let (tag, was_created) =
            Tag::objects().get_or_create(db, |t| t.name.eq(name.as_str()), NewTag { name: name.clone() })?;
        assert_eq!(tag.name, name);
        if was_created {
            created.lock().unwrap().push(name);
        }
        Ok(())
    });
    if mode == TransactionMode::Immediate {
        assert!(failures.is_empty(), "{failures:?}");
    }
    assert_all_busy(&failures);
    let mut created = created.into_inner().unwrap();
    created.sort();
    let db = pool.get()?;
    let mut names: Vec<String> = Tag::objects().values(|t| t.name).all(&db)?;
    names.sort();
    assert_eq!(created, names, "each row was reported created by exactly one caller");
    assert_eq!(names, ["tag-0", "tag-1", "tag-2", "tag-3", "tag-4"]);
    Ok(())
}

#[test]
fn get_or_create_races_create_each_row_once_immediate() -> orm::Result<()> {
    tags_race(TransactionMode::Immediate)
}

#[test]
fn get_or_create_races_create_each_row_once_deferred() -> orm::Result<()> {
    tags_race(TransactionMode::Deferred)
}

/// Moves money between two accounts, refusing an overdraft: the total never changes
/// and each account ends exactly where the applied transfers put it.
fn transfers(mode: TransactionMode) -> orm::Result<()> {
    let dir = TempDir::new("transfer");
    let pool = pool(&dir, mode)?;
    {
        let db = pool.get()?;
        Account::objects().create(&db, NewAccount { balance: 100 })?;
        Account::objects().create(&db, NewAccount { balance: 100 })?;
    }
    // Net amount moved from account 1 to account 2 by transfers that committed.
    let moved = Mutex::new(0i64);
    let failures = run(&pool, |db, thread, i| {
        let amount = ((thread * 7 + i * 3) % 40 + 1) as i64;
        let (from, to) = if (thread + i) % 2 == 0 { (1, 2) } else { (2, 1) };
        let applied = db.atomic(|db| {
            let mut source = Account::objects().get(db, |a| a.id.eq(from))?;
            if source.balance < amount {
                return Ok(0);
            }
            let mut target = Account::objects().get(db, |a| a.id.eq(to))?;
            source.balance -= amount;
            source.save(db)?;
            target.balance += amount;
            target.save(db)?;
            Ok(if from == 1 { amount } else { -amount })
        })?;
        *moved.lock().unwrap() += applied;
        Ok(())
    });
    if mode == TransactionMode::Immediate {
        assert!(failures.is_empty(), "{failures:?}");
    }
    assert_all_busy(&failures);
    let db = pool.get()?;
    let balances: Vec<i64> = Account::objects().order_by(|a| a.id.asc()).values(|a| a.balance).all(&db)?;
    let moved = moved.into_inner().unwrap();
    assert_eq!(balances, [100 - moved, 100 + moved]);
    assert!(balances.iter().all(|b| *b >= 0), "{balances:?}");
    Ok(())
}

#[test]
fn immediate_transfers_never_fail_and_balance_exactly() -> orm::Result<()> {
    transfers(TransactionMode::Immediate)
}

#[test]
fn deferred_transfers_fail_only_as_busy_and_leave_nothing_half_written() -> orm::Result<()> {
    transfers(TransactionMode::Deferred)
}
