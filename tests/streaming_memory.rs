//! `iter()` streams a million rows in bounded memory, and `bulk_insert` binds rows as
//! they come. Measured with a counting global allocator in this test binary; it
//! asserts memory, never time. The tests take a lock: the counter is global.

use orm::prelude::*;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::peak_during;
use std::sync::Mutex;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[derive(Model, Debug)]
struct Reading {
    id: i64,
    sensor: String,
    value: f64,
}

#[test]
fn iter_streams_a_million_rows_in_bounded_memory() -> orm::Result<()> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
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

#[test]
fn bulk_insert_binds_each_row_as_the_iterator_yields_it() -> orm::Result<()> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    const ROWS: usize = 2_000;
    const TEXT: usize = 4_096;
    let db = Db::open_in_memory()?;
    db.create_tables::<(Reading,)>()?;
    let rows = || (0..ROWS).map(|i| NewReading { sensor: "s".repeat(TEXT), value: i as f64 });
    // An exact-size iterator is bound into one statement row by row: each row's text is
    // dropped once SQLite has copied it (into its own memory, not counted here).
    let (inserted, streamed_peak) = peak_during(|| Reading::objects().bulk_insert(&db, rows()));
    assert_eq!(inserted?, ROWS);
    // Under a capture the parameters are recorded, so the rows are collected first.
    let (captured, collected_peak) = peak_during(|| db.capture(|| Reading::objects().bulk_insert(&db, rows())));
    assert_eq!(captured?.queries.len(), 1);
    assert_eq!(Reading::objects().count(&db)?, 2 * ROWS as i64);
    println!("peak heap: streamed {streamed_peak} bytes, collected {collected_peak} bytes");
    assert!(streamed_peak < 64 * TEXT, "bulk_insert held {streamed_peak} bytes");
    assert!(collected_peak > ROWS * TEXT, "the collecting path held only {collected_peak} bytes");
    Ok(())
}
