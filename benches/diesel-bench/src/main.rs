//! Diesel 2.3 on the workloads of its own benchmark suite, with the harness of
//! orm-bench. Prints `result diesel <workload> <n> <median_us>` lines.
//!
//! `diesel-bench [--quick] [workload]` runs on in-memory SQLite; `diesel-bench
//! --postgres URL [--quick] [workload]` runs Diesel's PostgreSQL backend on that
//! server, each fixture in a schema of its own (dropped with it), the tables created
//! by the same DDL as orm-bench's, and reports as `diesel_pg`; the benchmark and the
//! fixtures' server processes run pinned to one CPU (`BENCH_PG_CPU`, harness.rs). The workloads are
//! written once, in `workloads!`, and expanded for each connection type.

#[allow(dead_code)]
#[path = "../../orm-bench/src/harness.rs"]
mod harness;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use harness::{
    median_us, pg_cpu, pg_schema_name, pg_schema_url, pin, report, Args, INSERT_SIZES, PG_ANALYZE, PG_SCHEMA,
    QUERY_SIZES, SCHEMA,
};

diesel::table! {
    users (id) {
        id -> BigInt,
        name -> Text,
        hair_color -> Nullable<Text>,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        user_id -> BigInt,
        title -> Text,
        body -> Nullable<Text>,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        post_id -> BigInt,
        text -> Text,
    }
}

diesel::joinable!(posts -> users (user_id));
diesel::joinable!(comments -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(users, posts, comments);

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = users)]
#[allow(dead_code)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug, Clone)]
#[diesel(belongs_to(User))]
#[diesel(table_name = posts)]
#[allow(dead_code)]
pub struct Post {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug, Clone)]
#[diesel(belongs_to(Post))]
#[diesel(table_name = comments)]
#[allow(dead_code)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub text: String,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = posts)]
pub struct NewPost {
    pub user_id: i64,
    pub title: String,
}

#[derive(Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment {
    pub post_id: i64,
    pub text: String,
}

/// One fixture: its connection, and on PostgreSQL the schema it lives in.
struct Fixture<C> {
    conn: C,
    schema: Option<Schema>,
}

/// A schema of its own on the server, dropped (with its tables) when it drops.
struct Schema {
    admin: PgConnection,
    name: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = self.admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

fn sqlite() -> Fixture<SqliteConnection> {
    let mut conn = SqliteConnection::establish(":memory:").expect("in-memory database");
    conn.batch_execute(SCHEMA).expect("schema");
    Fixture { conn, schema: None }
}

fn postgres(server: &str) -> Fixture<PgConnection> {
    let mut admin = PgConnection::establish(server).expect("connect to PostgreSQL");
    let name = pg_schema_name();
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")).expect("schema");
    let schema = Schema { admin, name };
    let mut conn = PgConnection::establish(&pg_schema_url(server, &schema.name)).expect("connect to PostgreSQL");
    if let Some(cpu) = pg_cpu() {
        // The fixture's server process, pinned with the benchmark (harness.rs).
        let backend: i32 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("pg_backend_pid()"))
            .get_result(&mut conn)
            .expect("pg_backend_pid");
        pin(backend as u32, cpu);
    }
    conn.batch_execute(PG_SCHEMA).expect("schema");
    Fixture { conn, schema: Some(schema) }
}

impl<C: SimpleConnection> Fixture<C> {
    /// The connection (a method, so that a closure using it captures the whole
    /// fixture, schema included).
    fn conn(&mut self) -> &mut C {
        &mut self.conn
    }

    /// The rows are in: on PostgreSQL, the planner's statistics are gathered.
    fn seeded(&mut self) {
        if self.schema.is_some() {
            self.conn.batch_execute(PG_ANALYZE).expect("analyze");
        }
    }
}

fn hair(i: usize) -> Option<String> {
    Some(if i % 2 == 0 { "black" } else { "brown" }.to_owned())
}

/// The workloads, for the connection `$fixture()` opens; results reported as
/// `$contender`.
macro_rules! workloads {
    ($args:expr, $contender:expr, $fixture:expr) => {{
        let args: &Args = $args;
        let contender: &str = $contender;
        let budget = args.budget;
        let fixture = $fixture;
        let seed_users = |f: &mut Fixture<_>, n: usize, colored: bool| {
            let rows: Vec<NewUser> = (0..n)
                .map(|i| NewUser { name: format!("User {i}"), hair_color: if colored { hair(i) } else { None } })
                .collect();
            for chunk in rows.chunks(1000) {
                diesel::insert_into(users::table).values(chunk).execute(f.conn()).expect("seed users");
            }
        };

        if args.runs("trivial_query") {
            for n in QUERY_SIZES {
                let mut f = fixture();
                seed_users(&mut f, n, false);
                f.seeded();
                let us = median_us(budget, || {
                    let users = users::table.load::<User>(f.conn()).expect("query");
                    assert_eq!(users.len(), n);
                });
                report(contender, "trivial_query", n, us);
            }
        }

        if args.runs("medium_complex_query") {
            for n in QUERY_SIZES {
                let mut f = fixture();
                seed_users(&mut f, n, true);
                f.seeded();
                let us = median_us(budget, || {
                    let rows = users::table
                        .left_outer_join(posts::table)
                        .filter(users::hair_color.eq("black"))
                        .load::<(User, Option<Post>)>(f.conn())
                        .expect("query");
                    assert_eq!(rows.len(), n.div_ceil(2));
                });
                report(contender, "medium_complex_query", n, us);
            }
        }

        if args.runs("insert") {
            for n in INSERT_SIZES {
                let mut f = fixture();
                let us = median_us(budget, || {
                    let rows: Vec<NewUser> =
                        (0..n).map(|i| NewUser { name: format!("User {i}"), hair_color: hair(i) }).collect();
                    let inserted = diesel::insert_into(users::table).values(&rows).execute(f.conn()).expect("insert");
                    assert_eq!(inserted, n);
                });
                report(contender, "insert", n, us);
            }
        }

        if args.runs("loading_associations") {
            let mut f = fixture();
            seed_users(&mut f, 9, false);
            for user in 1..=9i64 {
                let rows: Vec<NewPost> =
                    (0..10).map(|i| NewPost { user_id: user, title: format!("Post {i} by {user}") }).collect();
                diesel::insert_into(posts::table).values(&rows).execute(f.conn()).expect("posts");
            }
            for post in 1..=90i64 {
                let rows: Vec<NewComment> =
                    (0..10).map(|i| NewComment { post_id: post, text: format!("Comment {i} on {post}") }).collect();
                diesel::insert_into(comments::table).values(&rows).execute(f.conn()).expect("comments");
            }
            f.seeded();
            let us = median_us(budget, || {
                let users = users::table.load::<User>(f.conn()).expect("users");
                let posts = Post::belonging_to(&users).load::<Post>(f.conn()).expect("posts");
                let comments = Comment::belonging_to(&posts).load::<Comment>(f.conn()).expect("comments");
                let comments = comments.grouped_by(&posts);
                let posts_and_comments: Vec<Vec<(Post, Vec<Comment>)>> =
                    posts.into_iter().zip(comments).grouped_by(&users);
                let loaded: Vec<(User, Vec<(Post, Vec<Comment>)>)> =
                    users.into_iter().zip(posts_and_comments).collect();
                let total: usize = loaded.iter().flat_map(|(_, ps)| ps).map(|(_, cs)| cs.len()).sum();
                assert_eq!(total, 900);
            });
            report(contender, "loading_associations", 9, us);
        }

        // 10,000 posts with their user: by 100 users, and by 10,000 users.
        for (workload, users) in [("select_related", 100), ("select_related_distinct", 10_000)] {
            if !args.runs(workload) {
                continue;
            }
            let n = 10_000usize;
            let mut f = fixture();
            seed_users(&mut f, users, false);
            let rows: Vec<NewPost> =
                (0..n).map(|i| NewPost { user_id: 1 + (i % users) as i64, title: format!("Post {i}") }).collect();
            for chunk in rows.chunks(1000) {
                diesel::insert_into(posts::table).values(chunk).execute(f.conn()).expect("posts");
            }
            f.seeded();
            let us = median_us(budget, || {
                let rows = posts::table.inner_join(users::table).load::<(Post, User)>(f.conn()).expect("query");
                assert_eq!(rows.len(), n);
            });
            report(contender, workload, n, us);
        }
    }};
}

fn main() {
    let args = Args::parse();
    let contender = args.contender("diesel");
    if let (Some(_), Some(cpu)) = (&args.postgres, pg_cpu()) {
        pin(std::process::id(), cpu);
    }
    match &args.postgres {
        None => workloads!(&args, &contender, sqlite),
        Some(server) => workloads!(&args, &contender, || postgres(server)),
    }
}
