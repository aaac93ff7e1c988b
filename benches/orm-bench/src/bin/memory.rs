//! Peak heap while `iter()` streams a million rows, against `all()` collecting them,
//! measured with a counting global allocator (only in this binary). Prints one line of
//! Markdown for BENCHMARKS.md.

use orm::prelude::*;
#[path = "../../../../tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::peak_during;

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
