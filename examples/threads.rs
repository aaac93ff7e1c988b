//! A pool shared by worker threads, as a web server's request handlers share one:
//! each worker takes a connection per "request" and runs a read-then-write
//! transaction (check stock, then place an order). Run once with SQLite's deferred
//! `BEGIN` and once with `BEGIN IMMEDIATE`, it prints what each measured: orders
//! placed, transactions that failed (and how), the queries each connection sent, and
//! whether the stock adds up.
//!
//! Run it with `cargo run --example threads`.

use orm::prelude::*;
use orm::{DatabaseErrorKind, Error};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Model, Debug, Clone)]
pub struct Product {
    pub id: i64,
    #[orm(max_length = 100)]
    pub name: String,
    pub stock: i64,
}

#[derive(Model, Debug, Clone)]
pub struct Order {
    pub id: i64,
    #[orm(on_delete = "cascade")]
    pub product: ForeignKey<Product>,
    pub quantity: i64,
}

const WORKERS: usize = 8;
const REQUESTS: usize = 50;
const STOCK: i64 = 1_000;

fn main() -> orm::Result<()> {
    let dir = std::env::temp_dir().join(format!("orm-threads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|_| Error::InvalidQuery { message: "cannot create a temp dir" })?;
    let result = [TransactionMode::Deferred, TransactionMode::Immediate]
        .into_iter()
        .try_for_each(|mode| run(&dir.join(format!("{mode:?}.sqlite3").to_lowercase()), mode));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// One request: read the stock, then write the order and the new stock.
fn place_order(db: &Db, quantity: i64) -> orm::Result<bool> {
    db.atomic(|db| {
        let mut product = Product::objects().get(db, |p| p.id.eq(1))?;
        if product.stock < quantity {
            return Ok(false);
        }
        product.stock -= quantity;
        product.save(db)?;
        Order::objects().create(db, NewOrder { product: ForeignKey::new(product.id), quantity })?;
        Ok(true)
    })
}

fn run(path: &std::path::Path, mode: TransactionMode) -> orm::Result<()> {
    let pool = Pool::open(path, PoolOptions::new().max_size(WORKERS as u32).transaction_mode(mode))?;
    pool.create_tables::<(Product, Order)>()?;
    Product::objects().create(&*pool.get()?, NewProduct { name: "widget".into(), stock: STOCK })?;

    // Registered once on the pool, run on whichever connection placed the order.
    let ordered = std::sync::Arc::new(AtomicU64::new(0));
    let seen = ordered.clone();
    pool.on_post_save::<Order>(move |_, order, created| {
        if created {
            seen.fetch_add(order.quantity as u64, Ordering::Relaxed);
        }
        Ok(())
    });

    let busy = AtomicU64::new(0);
    let queries = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for worker in 0..WORKERS {
            let (pool, busy, queries) = (&pool, &busy, &queries);
            s.spawn(move || -> orm::Result<()> {
                let db = pool.get()?;
                let start = db.query_count();
                for request in 0..REQUESTS {
                    match place_order(&db, ((worker + request) % 3 + 1) as i64) {
                        Ok(_) => {}
                        Err(Error::Database { kind: DatabaseErrorKind::Busy, .. }) => {
                            busy.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(other) => return Err(other),
                    }
                }
                queries.lock().unwrap().push(db.query_count() - start);
                Ok(())
            });
        }
    });

    let db = pool.get()?;
    let stock = Product::objects().get(&db, |p| p.id.eq(1))?.stock;
    let orders = Order::objects().count(&db)?;
    let sold: Option<i64> = Order::objects().aggregate(&db, |o| o.quantity.sum())?;
    let sold = sold.unwrap_or(0);
    let mut queries = queries.into_inner().unwrap();
    queries.sort_unstable();
    println!("{mode:?}: {WORKERS} workers x {REQUESTS} requests on one file");
    println!("  orders placed: {orders}, busy failures: {}", busy.load(Ordering::Relaxed));
    println!("  queries per connection: {queries:?}");
    println!(
        "  stock {STOCK} - sold {sold} = {stock}: {}; post_save saw {} sold",
        if STOCK - sold == stock { "adds up" } else { "DOES NOT ADD UP" },
        ordered.load(Ordering::Relaxed)
    );
    Ok(())
}
