//! A small timing harness shared by the contenders: median of per-iteration times,
//! iterations batched so that each sample lasts long enough to time; the command line
//! both benchmark binaries take; the schema of Diesel's suite for SQLite and for
//! PostgreSQL.
//!
//! Command line: `[--quick] [--postgres URL] [workload]`. Without `--postgres` the
//! contenders run on in-memory SQLite; with it, on that PostgreSQL server, each
//! fixture in a schema of its own (created for it, reached through the connection's
//! `search_path`, dropped with the fixture), and the contenders report themselves as
//! `<name>_pg`.

use std::time::{Duration, Instant};

/// How long to measure each workload and size.
#[derive(Clone, Copy)]
pub struct Budget {
    pub samples: usize,
    pub min_sample: Duration,
}

impl Budget {
    pub fn new(quick: bool) -> Budget {
        if quick {
            Budget { samples: 15, min_sample: Duration::from_micros(300) }
        } else {
            Budget { samples: 60, min_sample: Duration::from_millis(2) }
        }
    }
}

/// The parsed command line.
pub struct Args {
    pub budget: Budget,
    /// `--postgres URL`: the server to run on instead of in-memory SQLite.
    pub postgres: Option<String>,
    /// The one workload to run (all of them without).
    pub workload: Option<String>,
}

impl Args {
    pub fn parse() -> Args {
        let mut quick = false;
        let mut postgres = None;
        let mut workload = None;
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => quick = true,
                "--postgres" => postgres = Some(args.next().expect("--postgres needs a URL")),
                other if other.starts_with("--") => panic!("unknown option {other}"),
                other => workload = Some(other.to_owned()),
            }
        }
        Args { budget: Budget::new(quick), postgres, workload }
    }

    /// Whether to run `workload`.
    pub fn runs(&self, workload: &str) -> bool {
        self.workload.as_deref().is_none_or(|w| w == workload)
    }

    /// The name `contender` reports its results under: `orm`, or `orm_pg` on
    /// PostgreSQL.
    pub fn contender(&self, contender: &str) -> String {
        match self.postgres {
            Some(_) => format!("{contender}_pg"),
            None => contender.to_owned(),
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

/// The same schema in PostgreSQL's terms: `bigint` identity keys, `text` columns, and
/// no index but the primary keys' (as in SQLite's, where `INTEGER PRIMARY KEY` is the
/// rowid).
pub const PG_SCHEMA: &str = "
    CREATE TABLE users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, hair_color text);
    CREATE TABLE posts (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, user_id bigint NOT NULL, title text NOT NULL, body text);
    CREATE TABLE comments (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, post_id bigint NOT NULL, text text NOT NULL);
";

/// Run by every contender once its fixture's rows are in, so that the planner has the
/// same statistics for all (the server's autovacuum may be off, or late).
pub const PG_ANALYZE: &str = "ANALYZE users, posts, comments";

/// A schema name no other fixture of this run uses.
pub fn pg_schema_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("bench_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// `server` with every connection's `search_path` set to `schema`, and its
/// `application_name` too, so that the fixture's server processes can be found (and
/// pinned, [`pg_cpu`]).
pub fn pg_schema_url(server: &str, schema: &str) -> String {
    let sep = if server.contains('?') { '&' } else { '?' };
    format!("{server}{sep}options=-csearch_path%3D{schema}&application_name={schema}")
}

/// The CPU that the PostgreSQL runs pin the benchmark and each fixture's server
/// process to: `BENCH_PG_CPU=<n>`, by default the last CPU; `BENCH_PG_CPU=none` leaves
/// them to the scheduler.
///
/// Why: on this 2-core VM a round trip took about 15 µs when the server process ran
/// on the client's CPU and about 85 µs when it ran on the other one (each wake-up of
/// an idle virtual CPU goes through the host), and where the scheduler put each
/// connection's server process stayed put for the connection's life: with two
/// fixtures alive, one contender could be measured at 15 µs and the other at 85 µs
/// for the same query. On one CPU, client and server take turns, and every
/// contender's time is its client work plus the same server work.
pub fn pg_cpu() -> Option<usize> {
    // Decided once: after the benchmark pinned itself, it sees one CPU available.
    static CPU: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *CPU.get_or_init(|| match std::env::var("BENCH_PG_CPU") {
        Ok(v) if v == "none" => None,
        Ok(v) => Some(v.parse().expect("BENCH_PG_CPU: a CPU number or none")),
        Err(_) => Some(std::thread::available_parallelism().map_or(1, |n| n.get()) - 1),
    })
}

/// Pins process (or thread) `pid` to `cpu` with `taskset`; says once when it cannot
/// (a server on another machine, no `taskset`), and the run goes on unpinned.
pub fn pin(pid: u32, cpu: usize) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static WARNED: AtomicBool = AtomicBool::new(false);
    let ok = std::process::Command::new("taskset")
        .args(["-pc", &cpu.to_string(), &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok && !WARNED.swap(true, Ordering::Relaxed) {
        eprintln!("warning: could not pin process {pid} to CPU {cpu}: the PostgreSQL timings are not pinned");
    }
}

pub const QUERY_SIZES: [usize; 5] = [1, 10, 100, 1000, 10_000];
pub const INSERT_SIZES: [usize; 5] = [1, 10, 25, 50, 100];
