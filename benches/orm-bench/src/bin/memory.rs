//! Peak heap while `iter()` streams a million rows, against `all()` collecting them,
//! measured with a counting global allocator (only in this binary). Prints one line of
//! Markdown for BENCHMARKS.md.

use orm::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let value = f();
    (value, PEAK.load(Ordering::Relaxed) - base)
}

#[derive(Model, Debug)]
struct Reading {
    id: i64,
    sensor: String,
    value: f64,
}

fn main() -> orm::Result<()> {
    const ROWS: i64 = 1_000_000;
    let db = Db::open_in_memory()?;
    db.create_tables::<(Reading,)>()?;
    db.execute(
        "INSERT INTO reading (sensor, value) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
         SELECT 'sensor-' || (i % 100), i * 0.5 FROM n",
        &[ROWS.into()],
    )?;
    Reading::objects().count(&db)?;
    let (count, streamed) = peak_during(|| -> orm::Result<i64> {
        let mut count = 0;
        for reading in Reading::objects().iter(&db)?.rows() {
            reading?;
            count += 1;
        }
        Ok(count)
    });
    assert_eq!(count?, ROWS);
    let (rows, collected) = peak_during(|| Reading::objects().all(&db));
    assert_eq!(rows?.len() as i64, ROWS);
    println!(
        "Streaming {ROWS} rows with `iter()` peaked at {streamed} bytes of Rust heap above the baseline; \
         collecting them with `all()` peaked at {collected} bytes ({:.1} MB). SQLite's own page cache is \
         allocated by SQLite, outside these figures, and bounded by its `cache_size`.",
        collected as f64 / 1e6
    );
    Ok(())
}
