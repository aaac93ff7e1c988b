//! A process killed in the middle of a transaction leaves the file with that
//! transaction wholly there or wholly absent, and everything committed before it.
//!
//! This test runs without libtest's harness (`harness = false`): it starts itself again
//! as a child process (with `ORM_CRASH_CHILD` set) that writes to a database file, and
//! kills it with SIGKILL: no destructor, no rollback, no flush runs in the child.

#[path = "support/temp.rs"]
mod temp;

use orm::prelude::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Duration;

#[derive(Model, Debug)]
struct Entry {
    id: i64,
    batch: i64,
}

#[derive(Model, Debug)]
struct Total {
    id: i64,
    rows: i64,
}

const ROWS_PER_BATCH: i64 = 20;

/// A case of this test: `Err` says what went wrong.
type Case = fn() -> Result<(), String>;

fn main() -> ExitCode {
    if let Ok(path) = std::env::var("ORM_CRASH_CHILD") {
        let mode = std::env::var("ORM_CRASH_MODE").unwrap_or_default();
        child(&path, &mode);
        return ExitCode::SUCCESS;
    }
    let cases: [(&str, Case); 2] = [
        ("killed_while_a_transaction_is_open_leaves_none_of_it", killed_while_open),
        ("killed_at_any_moment_leaves_only_whole_transactions", killed_at_any_moment),
    ];
    let mut failed = 0;
    for (name, case) in cases {
        match case() {
            Ok(()) => println!("test {name} ... ok"),
            Err(message) => {
                failed += 1;
                println!("test {name} ... FAILED\n  {message}");
            }
        }
    }
    println!("test result: {}. {} passed; {failed} failed", if failed == 0 { "ok" } else { "FAILED" }, 2 - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One batch: its rows and the running total, in one transaction.
fn write_batch(db: &Db, batch: i64) -> orm::Result<()> {
    let rows = (0..ROWS_PER_BATCH).map(|_| NewEntry { batch });
    Entry::objects().bulk_insert(db, rows)?;
    let mut total = Total::objects().get(db, |t| t.id.eq(1))?;
    total.rows += ROWS_PER_BATCH;
    total.save(db)
}

/// The child: `hold` commits batch 1, writes batch 2 and waits inside the
/// transaction; `loop` commits batch after batch until it is killed. Both say READY
/// on stdout once batch 1 is committed.
fn child(path: &str, mode: &str) {
    let db = Db::open(path).expect("open");
    db.atomic(|db| write_batch(db, 1)).expect("batch 1");
    let ready = || {
        let mut out = std::io::stdout();
        writeln!(out, "READY").and_then(|_| out.flush()).expect("stdout");
    };
    if mode == "hold" {
        db.atomic(|db| -> orm::Result<()> {
            write_batch(db, 2)?;
            ready();
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        })
        .expect("never returns");
    }
    ready();
    for batch in 2.. {
        db.atomic(|db| write_batch(db, batch)).expect("a batch");
    }
}

fn fresh_database(dir: &temp::TempDir) -> Result<std::path::PathBuf, String> {
    let path = dir.file("crash.sqlite3");
    let db = Db::open(&path).map_err(|e| e.to_string())?;
    db.create_tables::<(Entry, Total)>().map_err(|e| e.to_string())?;
    Total::objects().create(&db, NewTotal { rows: 0 }).map_err(|e| e.to_string())?;
    Ok(path)
}

fn spawn(path: &std::path::Path, mode: &str) -> Result<Child, String> {
    let mut child = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .env("ORM_CRASH_CHILD", path)
        .env("ORM_CRASH_MODE", mode)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn the child: {e}"))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line).map_err(|e| e.to_string())?;
    if line.trim() != "READY" {
        let _ = child.kill();
        return Err(format!("the child did not get ready: {line:?}"));
    }
    Ok(child)
}

fn kill(mut child: Child) -> Result<(), String> {
    child.kill().map_err(|e| format!("kill: {e}"))?;
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        return Err("the child finished instead of being killed".into());
    }
    Ok(())
}

/// What the file holds: rows per batch, in batch order, and the running total.
fn contents(path: &std::path::Path) -> Result<(Vec<(i64, i64)>, i64), String> {
    let raw = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
    let check: String = raw.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    if check != "ok" {
        return Err(format!("integrity_check: {check}"));
    }
    drop(raw);
    let db = Db::open(path).map_err(|e| e.to_string())?;
    let batches: Vec<i64> =
        Entry::objects().order_by(|e| e.batch.asc()).values(|e| e.batch).all(&db).map_err(|e| e.to_string())?;
    let mut counts: Vec<(i64, i64)> = Vec::new();
    for batch in batches {
        match counts.last_mut() {
            Some((b, n)) if *b == batch => *n += 1,
            _ => counts.push((batch, 1)),
        }
    }
    let total = Total::objects().get(&db, |t| t.id.eq(1)).map_err(|e| e.to_string())?.rows;
    Ok((counts, total))
}

fn killed_while_open() -> Result<(), String> {
    let dir = temp::TempDir::new("crash-hold");
    let path = fresh_database(&dir)?;
    kill(spawn(&path, "hold")?)?;
    let (counts, total) = contents(&path)?;
    if counts != [(1, ROWS_PER_BATCH)] || total != ROWS_PER_BATCH {
        return Err(format!("expected batch 1 only, found {counts:?} with total {total}"));
    }
    Ok(())
}

fn killed_at_any_moment() -> Result<(), String> {
    for delay_ms in [0, 2, 7, 15, 40] {
        let dir = temp::TempDir::new("crash-loop");
        let path = fresh_database(&dir)?;
        let child = spawn(&path, "loop")?;
        std::thread::sleep(Duration::from_millis(delay_ms));
        kill(child)?;
        let (counts, total) = contents(&path)?;
        let whole = counts.iter().enumerate().all(|(i, (batch, n))| *batch == i as i64 + 1 && *n == ROWS_PER_BATCH);
        let rows: i64 = counts.iter().map(|(_, n)| n).sum();
        if !whole || total != rows || counts.is_empty() {
            return Err(format!("killed after {delay_ms} ms: batches {counts:?}, total {total}"));
        }
    }
    Ok(())
}
