//! The ORM and hand-written rusqlite (cached statements, decoding by column index) on
//! the workloads of Diesel's benchmark suite. Prints `result <contender> <workload>
//! <n> <median_us>` lines; `benches/run` runs it with the Diesel contender and writes
//! BENCHMARKS.md. `--quick` for a short run.
//!
//! `orm-bench --postgres URL [--quick] [workload]`: the same workloads on a PostgreSQL
//! server, the ORM connected with `Db::connect` and the baseline hand-written with the
//! `postgres` crate (src/raw_pg.rs); each fixture gets a schema of its own, dropped
//! with it, and the contenders report as `orm_pg` and `raw_pg`. The benchmark and the
//! fixtures' server processes run pinned to one CPU (`BENCH_PG_CPU`, harness.rs).

mod harness;
mod pg;
mod raw;
mod raw_pg;

use harness::{both_orders, report, Args, INSERT_SIZES, PG_ANALYZE, PG_SCHEMA, QUERY_SIZES, SCHEMA};
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model, Debug, Clone)]
#[orm(table = "users")]
pub struct User {
    pub id: i64,
    pub name: String,
    pub hair_color: Option<String>,
    #[orm(related = "user")]
    pub posts: HasMany<Post>,
}

#[derive(Model, Debug, Clone)]
#[orm(table = "posts")]
pub struct Post {
    pub id: i64,
    pub user: ForeignKey<User>,
    pub title: String,
    pub body: Option<String>,
    #[orm(related = "post")]
    pub comments: HasMany<Comment>,
}

#[derive(Model, Debug, Clone)]
#[orm(table = "comments")]
pub struct Comment {
    pub id: i64,
    pub post: ForeignKey<Post>,
    pub text: String,
}

/// Where the ORM's fixtures live: in-memory SQLite, or a PostgreSQL server's URL.
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// One fixture's database: on PostgreSQL, a connection to a schema of its own, which
/// drops after the connection.
struct Fixture {
    db: Db,
    schema: Option<pg::Schema>,
}

/// A fresh database with Diesel's schema.
fn fixture(backend: &Backend) -> Fixture {
    let (db, schema, ddl) = match backend {
        Backend::Sqlite => (Db::open_in_memory().expect("in-memory database"), None, SCHEMA),
        Backend::Postgres(server) => {
            let mut schema = pg::Schema::create(server);
            let db = Db::connect(&schema.url).expect("connect to PostgreSQL");
            schema.pin_backends();
            (db, Some(schema), PG_SCHEMA)
        }
    };
    for stmt in ddl.split(';').filter(|s| !s.trim().is_empty()) {
        db.execute(stmt, &[]).expect("schema");
    }
    Fixture { db, schema }
}

impl Fixture {
    /// The database (a method, so that a closure using it captures the whole fixture,
    /// schema included, not just the `db` field).
    fn db(&self) -> &Db {
        &self.db
    }

    /// The rows are in: on PostgreSQL, the planner's statistics are gathered.
    fn seeded(self) -> Fixture {
        if self.schema.is_some() {
            self.db().execute(PG_ANALYZE, &[]).expect("analyze");
        }
        self
    }
}

fn hair(i: usize) -> Option<String> {
    Some(if i % 2 == 0 { "black" } else { "brown" }.to_owned())
}

fn seed_users(db: &Db, n: usize, colored: bool) {
    User::objects()
        .bulk_insert(
            db,
            (0..n).map(|i| NewUser { name: format!("User {i}"), hair_color: if colored { hair(i) } else { None } }),
        )
        .expect("seed users");
}

/// 9 users, 10 posts each, 10 comments per post.
fn seed_associations(db: &Db) {
    seed_users(db, 9, false);
    for user in 1..=9i64 {
        Post::objects()
            .bulk_insert(
                db,
                (0..10).map(|i| NewPost {
                    user: ForeignKey::new(user),
                    title: format!("Post {i} by {user}"),
                    body: None,
                }),
            )
            .expect("seed posts");
    }
    for post in 1..=90i64 {
        Comment::objects()
            .bulk_insert(
                db,
                (0..10).map(|i| NewComment { post: ForeignKey::new(post), text: format!("Comment {i} on {post}") }),
            )
            .expect("seed comments");
    }
}

/// `trivial_query`: all N users.
fn trivial_query(backend: &Backend, n: usize) -> impl FnMut() {
    let f = fixture(backend);
    seed_users(f.db(), n, false);
    let f = f.seeded();
    move || {
        let users = User::objects().all(f.db()).expect("query");
        assert_eq!(users.len(), n);
    }
}

/// `medium_complex_query`: users LEFT JOIN posts WHERE hair_color = 'black', as
/// `(User, Option<Post>)`.
fn medium_complex_query(backend: &Backend, n: usize) -> impl FnMut() {
    let f = fixture(backend);
    seed_users(f.db(), n, true);
    let f = f.seeded();
    if std::env::var("BENCH_SQL").is_ok() {
        println!("{}", medium_complex_sql(f.db()));
    }
    move || {
        let rows = User::objects()
            .filter(|u| u.hair_color.eq("black"))
            .order_by(|_| ())
            .values(|u| {
                (u.id, u.name, u.hair_color, u.posts().id.nullable(), u.posts().title.nullable(), u.posts().body)
            })
            .all(f.db())
            .expect("query");
        let pairs: Vec<(raw::User, Option<raw::Post>)> = rows
            .into_iter()
            .map(|(id, name, hair_color, post_id, title, body)| {
                let post =
                    post_id.map(|pid| raw::Post { id: pid, user_id: id, title: title.unwrap_or_default(), body });
                (raw::User { id, name, hair_color }, post)
            })
            .collect();
        assert_eq!(pairs.len(), n.div_ceil(2));
    }
}

/// `insert`: N users in one statement, keys not read back.
fn insert(backend: &Backend, n: usize) -> impl FnMut() {
    let f = fixture(backend);
    move || {
        let rows = (0..n).map(|i| NewUser { name: format!("User {i}"), hair_color: hair(i) });
        assert_eq!(User::objects().bulk_insert(f.db(), rows).expect("insert"), n);
    }
}

/// `loading_associations`: users, their posts and the posts' comments (3 queries).
fn loading_associations(backend: &Backend) -> impl FnMut() {
    let f = fixture(backend);
    seed_associations(f.db());
    let f = f.seeded();
    let db = f.db();
    if std::env::var("BENCH_SQL").is_ok() {
        let captured =
            db.capture(|| User::objects().prefetch_related(|u| u.posts().comments()).all(db)).expect("query");
        for q in &captured.queries {
            println!("{}", q.sql);
        }
    }
    move || {
        let users = User::objects().prefetch_related(|u| u.posts().comments()).all(f.db()).expect("query");
        let comments: usize = users
            .iter()
            .flat_map(|u| u.posts.get().expect("loaded"))
            .map(|p| p.comments.get().expect("loaded").len())
            .sum();
        assert_eq!(comments, 900);
    }
}

/// `select_related`: n posts by `users` users, each with its user, one JOIN.
fn select_related(backend: &Backend, n: usize, users: usize) -> impl FnMut() {
    let f = fixture(backend);
    seed_users(f.db(), users, false);
    Post::objects()
        .bulk_insert(
            f.db(),
            (0..n).map(|i| NewPost {
                user: ForeignKey::new(1 + (i % users) as i64),
                title: format!("Post {i}"),
                body: None,
            }),
        )
        .expect("seed posts");
    let f = f.seeded();
    move || {
        let posts = Post::objects().select_related(|p| p.user()).all(f.db()).expect("query");
        assert_eq!(posts.len(), n);
    }
}

/// The SQL the ORM sends for `medium_complex_query` (printed with `BENCH_SQL`).
fn medium_complex_sql(db: &Db) -> String {
    let captured = db
        .capture(|| {
            User::objects()
                .filter(|u| u.hair_color.eq("black"))
                .order_by(|_| ())
                .values(|u| {
                    (u.id, u.name, u.hair_color, u.posts().id.nullable(), u.posts().title.nullable(), u.posts().body)
                })
                .all(db)
        })
        .expect("query");
    captured.queries.iter().map(|q| q.sql.clone()).collect::<Vec<_>>().join("\n")
}

fn main() {
    let args = Args::parse();
    let budget = args.budget;
    if let (Some(_), Some(cpu)) = (&args.postgres, harness::pg_cpu()) {
        harness::pin(std::process::id(), cpu);
    }
    let backend = match &args.postgres {
        Some(url) => Backend::Postgres(url.clone()),
        None => Backend::Sqlite,
    };
    let b = &backend;
    // `BENCH_N=100`: only that size (with `BENCH_PROFILE`, to profile one case).
    let size: Option<usize> = std::env::var("BENCH_N").ok().and_then(|n| n.parse().ok());
    let sizes = |all: [usize; 5]| all.into_iter().filter(move |n| size.is_none_or(|s| s == *n));
    let (orm_name, raw_name) = (args.contender("orm"), args.contender("raw"));
    let measure = |workload: &str, n: usize, orm: &dyn Fn() -> Box<dyn FnMut()>, raw: &dyn Fn() -> Box<dyn FnMut()>| {
        let (us, raw_us) = both_orders(budget, orm, raw);
        report(&orm_name, workload, n, us);
        report(&raw_name, workload, n, raw_us);
    };
    // The baseline of the backend: `raw!(f(args))` is `raw::f(args)` on SQLite and
    // `raw_pg::f(url, args)` on PostgreSQL.
    macro_rules! raw {
        ($f:ident($($arg:expr),*)) => {
            match &args.postgres {
                None => Box::new(raw::$f($($arg),*)) as Box<dyn FnMut()>,
                Some(url) => Box::new(raw_pg::$f(url, $($arg),*)),
            }
        };
    }

    if args.runs("trivial_query") {
        for n in sizes(QUERY_SIZES) {
            measure("trivial_query", n, &|| Box::new(trivial_query(b, n)), &|| raw!(trivial_query(n)));
        }
    }
    if args.runs("medium_complex_query") {
        for n in sizes(QUERY_SIZES) {
            measure("medium_complex_query", n, &|| Box::new(medium_complex_query(b, n)), &|| {
                raw!(medium_complex_query(n))
            });
        }
    }
    if args.runs("insert") {
        for n in sizes(INSERT_SIZES) {
            measure("insert", n, &|| Box::new(insert(b, n)), &|| raw!(insert(n)));
        }
    }
    if args.runs("loading_associations") {
        measure("loading_associations", 9, &|| Box::new(loading_associations(b)), &|| raw!(loading_associations()));
    }
    // 10,000 posts with their user: by 100 users (each user row shared by 100 posts),
    // and by 10,000 users (no two posts share one).
    for (workload, users) in [("select_related", 100), ("select_related_distinct", 10_000)] {
        if args.runs(workload) {
            let n = 10_000;
            measure(workload, n, &|| Box::new(select_related(b, n, users)), &|| raw!(select_related(n, users)));
        }
    }
}
