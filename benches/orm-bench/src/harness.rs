//! A small timing harness shared by the contenders: median of per-iteration times,
//! iterations batched so that each sample lasts long enough to time.

use std::time::{Duration, Instant};

/// How long to measure each workload and size.
#[derive(Clone, Copy)]
pub struct Budget {
    pub samples: usize,
    pub min_sample: Duration,
}

impl Budget {
    pub fn from_args() -> Budget {
        if std::env::args().any(|a| a == "--quick") {
            Budget { samples: 15, min_sample: Duration::from_micros(300) }
        } else {
            Budget { samples: 60, min_sample: Duration::from_millis(2) }
        }
    }
}

/// Median microseconds of one call of `f` (for a contender measured alone).
#[allow(dead_code)] // used by diesel-bench, which shares this file
pub fn median_us(budget: Budget, mut f: impl FnMut()) -> f64 {
    let batch = calibrate(budget, &mut f);
    median((0..budget.samples).map(|_| sample(&mut f, batch)).collect())
}

/// Median microseconds of one call of `a` and of `b`, their samples interleaved so
/// that the noise of a shared machine falls on both alike.
///
/// With `BENCH_PROFILE=orm` (or `raw`) in the environment, runs only that contender,
/// for five seconds, so that a profiler sees nothing else.
pub fn median_pair(budget: Budget, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    if let Ok(which) = std::env::var("BENCH_PROFILE") {
        let f: &mut dyn FnMut() = if which == "raw" { &mut b } else { &mut a };
        let start = Instant::now();
        let mut calls = 0u64;
        let secs = std::env::var("BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(5.0);
        // `BENCH_CALLS=n`: exactly n calls, for instruction counts under a profiler.
        let limit: Option<u64> = std::env::var("BENCH_CALLS").ok().and_then(|s| s.parse().ok());
        while limit.map_or(start.elapsed() < Duration::from_secs_f64(secs), |n| calls < n) {
            f();
            calls += 1;
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / calls as f64;
        return (us, us);
    }
    let batch_a = calibrate(budget, &mut a);
    let batch_b = calibrate(budget, &mut b);
    let mut sa = Vec::with_capacity(budget.samples);
    let mut sb = Vec::with_capacity(budget.samples);
    for _ in 0..budget.samples {
        sa.push(sample(&mut a, batch_a));
        sb.push(sample(&mut b, batch_b));
    }
    (median(sa), median(sb))
}

/// [`median_pair`] twice, the fixtures built in one order and then the other, and the
/// mean of the two: which fixture's database and rows sit where in the heap changes a
/// contender's time by up to 10% at some sizes (measured at trivial_query N = 1000),
/// and this keeps that out of the ratio.
pub fn both_orders(budget: Budget, a: &dyn Fn() -> Box<dyn FnMut()>, b: &dyn Fn() -> Box<dyn FnMut()>) -> (f64, f64) {
    let (mut fa, mut fb) = (a(), b());
    let (a1, b1) = median_pair(budget, &mut fa, &mut fb);
    drop((fa, fb));
    let mut fb = b();
    let mut fa = a();
    let (a2, b2) = median_pair(budget, &mut fa, &mut fb);
    ((a1 + a2) / 2.0, (b1 + b2) / 2.0)
}

fn calibrate(budget: Budget, f: &mut impl FnMut()) -> usize {
    let mut batch = 1usize;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        if start.elapsed() >= budget.min_sample || batch >= 1 << 20 {
            return batch;
        }
        batch *= 2;
    }
}

fn sample(f: &mut impl FnMut(), batch: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..batch {
        f();
    }
    start.elapsed().as_secs_f64() * 1e6 / batch as f64
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    samples[samples.len() / 2]
}

/// One line of results, read by `benches/report.py`.
pub fn report(contender: &str, workload: &str, n: usize, us: f64) {
    println!("result {contender} {workload} {n} {us:.3}");
}

/// The schema of Diesel's benchmark suite.
pub const SCHEMA: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, hair_color TEXT);
    CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT);
    CREATE TABLE comments (id INTEGER PRIMARY KEY AUTOINCREMENT, post_id INTEGER NOT NULL, text TEXT NOT NULL);
";

pub const QUERY_SIZES: [usize; 5] = [1, 10, 100, 1000, 10_000];
pub const INSERT_SIZES: [usize; 5] = [1, 10, 25, 50, 100];
