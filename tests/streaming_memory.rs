//! `iter()` streams a million rows in bounded memory. Measured with a counting global
//! allocator in this test binary; it asserts memory, never time.

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

/// Peak bytes allocated above the level when `f` started.
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

#[test]
fn iter_streams_a_million_rows_in_bounded_memory() -> orm::Result<()> {
    const ROWS: i64 = 1_000_000;
    let db = Db::open_in_memory()?;
    db.create_tables::<(Reading,)>()?;
    db.execute(
        "INSERT INTO reading (sensor, value) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
         SELECT 'sensor-' || (i % 100), i * 0.5 FROM n",
        &[ROWS.into()],
    )?;
    // Warm SQLite's page cache so that both measurements below see the same cache.
    Reading::objects().count(&db)?;

    let (streamed, stream_peak) = peak_during(|| -> orm::Result<(i64, f64)> {
        let (mut count, mut sum) = (0, 0.0);
        for reading in Reading::objects().iter(&db)?.rows() {
            let reading = reading?;
            count += 1;
            sum += reading.value;
        }
        Ok((count, sum))
    });
    let (count, sum) = streamed?;
    assert_eq!(count, ROWS);
    assert!(sum > 0.0);

    let (collected, collect_peak) = peak_during(|| Reading::objects().all(&db));
    assert_eq!(collected?.len() as i64, ROWS);

    println!("peak heap above baseline: iter() {stream_peak} bytes, all() {collect_peak} bytes");
    // Streaming holds one row at a time: a few KiB, whatever the row count; collecting
    // holds them all (tens of MB here).
    assert!(stream_peak < 1 << 20, "iter() peaked at {stream_peak} bytes");
    assert!(collect_peak > 40 * stream_peak, "all() {collect_peak} vs iter() {stream_peak}");
    Ok(())
}
