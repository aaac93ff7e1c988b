//! The floor on PostgreSQL: hand-written `postgres` (the sync client), every statement
//! prepared once when the fixture is built and reused, each result read with `query`
//! and its rows decoded by column index into the same structs as the rusqlite
//! baseline.

use crate::harness::{PG_ANALYZE, PG_SCHEMA};
use crate::pg::Schema;
use crate::raw::{group, Comment, Post, User};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A connection to a fresh schema of its own, with Diesel's tables; the schema drops
/// after the connection.
/// (Closures call its methods, so that they capture all of it, schema included.)
struct Conn {
    client: Client,
    _schema: Schema,
}

fn conn(server: &str) -> Conn {
    let mut schema = Schema::create(server);
    let mut client = Client::connect(&schema.url, NoTls).expect("connect to PostgreSQL");
    schema.pin_backends();
    client.batch_execute(PG_SCHEMA).expect("schema");
    Conn { client, _schema: schema }
}

impl Conn {
    fn prepare(&mut self, sql: &str) -> Statement {
        self.client.prepare(sql).expect("prepare")
    }

    /// Runs `stmt`; the number of rows it changed.
    fn execute(&mut self, stmt: &Statement, params: Params<'_>) -> u64 {
        self.client.execute(stmt, params).expect("execute")
    }

    /// The rows of `stmt`, each decoded by `decode`. `query` reads them all in one
    /// call into the client's runtime; streaming them with `query_raw` costs a
    /// `block_on` per row, which made `trivial_query` at N = 10,000 twice as slow
    /// (4.4 ms against 2.1 ms).
    fn load<T>(&mut self, stmt: &Statement, params: Params<'_>, decode: impl Fn(&Row) -> T) -> Vec<T> {
        self.client.query(stmt, params).expect("query").iter().map(decode).collect()
    }

    /// Seeding (not timed): one statement per table, the rows in array parameters,
    /// keys assigned in the arrays' order as the other contenders' inserts assign them.
    fn seed_users(&mut self, n: usize, colored: bool) {
        let names: Vec<String> = (0..n).map(|i| format!("User {i}")).collect();
        let hair: Vec<Option<&str>> = (0..n).map(|i| if colored { HAIR[i % 2] } else { None }).collect();
        self.client
            .execute(
                "INSERT INTO users (name, hair_color) SELECT * FROM unnest($1::text[], $2::text[])",
                &[&names, &hair],
            )
            .expect("seed users");
    }

    fn seed_posts(&mut self, user_ids: &[i64], titles: &[String]) {
        self.client
            .execute(
                "INSERT INTO posts (user_id, title) SELECT * FROM unnest($1::bigint[], $2::text[])",
                &[&user_ids, &titles],
            )
            .expect("seed posts");
    }

    /// The rows are in: the planner's statistics, as every contender gathers them.
    fn seeded(&mut self) {
        self.client.batch_execute(PG_ANALYZE).expect("analyze");
    }
}

static HAIR: [Option<&str>; 2] = [Some("black"), Some("brown")];

fn user(r: &Row) -> User {
    User { id: r.get(0), name: r.get(1), hair_color: r.get(2) }
}

pub fn trivial_query(server: &str, n: usize) -> impl FnMut() {
    let mut c = conn(server);
    c.seed_users(n, false);
    c.seeded();
    let stmt = c.prepare("SELECT id, name, hair_color FROM users");
    move || {
        let users = c.load(&stmt, &[], user);
        assert_eq!(users.len(), n);
    }
}

pub fn medium_complex_query(server: &str, n: usize) -> impl FnMut() {
    let mut c = conn(server);
    c.seed_users(n, true);
    c.seeded();
    let stmt = c.prepare(
        "SELECT users.id, users.name, users.hair_color, posts.id, posts.user_id, posts.title, posts.body \
         FROM users LEFT OUTER JOIN posts ON users.id = posts.user_id WHERE users.hair_color = $1",
    );
    move || {
        let rows: Vec<(User, Option<Post>)> = c.load(&stmt, &[&"black"], |r| {
            let post =
                r.get::<_, Option<i64>>(3).map(|id| Post { id, user_id: r.get(4), title: r.get(5), body: r.get(6) });
            (user(r), post)
        });
        assert_eq!(rows.len(), n.div_ceil(2));
    }
}

pub fn insert(server: &str, n: usize) -> impl FnMut() {
    let mut c = conn(server);
    let values: Vec<String> = (0..n).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect();
    let stmt = c.prepare(&format!("INSERT INTO users (name, hair_color) VALUES {}", values.join(", ")));
    move || {
        let names: Vec<String> = (0..n).map(|i| format!("User {i}")).collect();
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(2 * n);
        for (i, name) in names.iter().enumerate() {
            params.push(name);
            params.push(&HAIR[i % 2]);
        }
        assert_eq!(c.execute(&stmt, &params), n as u64);
    }
}

pub fn loading_associations(server: &str) -> impl FnMut() {
    let mut c = conn(server);
    c.seed_users(9, false);
    let (user_ids, titles): (Vec<i64>, Vec<String>) =
        (1..=9i64).flat_map(|user| (0..10).map(move |i| (user, format!("Post {i} by {user}")))).unzip();
    c.seed_posts(&user_ids, &titles);
    let (post_ids, texts): (Vec<i64>, Vec<String>) =
        (1..=90i64).flat_map(|post| (0..10).map(move |i| (post, format!("Comment {i} on {post}")))).unzip();
    c.client
        .execute(
            "INSERT INTO comments (post_id, text) SELECT * FROM unnest($1::bigint[], $2::text[])",
            &[&post_ids, &texts],
        )
        .expect("seed comments");
    c.seeded();
    let users_stmt = c.prepare("SELECT id, name, hair_color FROM users");
    let posts_stmt = c.prepare("SELECT id, user_id, title, body FROM posts WHERE user_id = ANY($1)");
    let comments_stmt = c.prepare("SELECT id, post_id, text FROM comments WHERE post_id = ANY($1)");
    move || {
        let users = c.load(&users_stmt, &[], user);
        let user_ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let posts = c.load(&posts_stmt, &[&user_ids], |r| Post {
            id: r.get(0),
            user_id: r.get(1),
            title: r.get(2),
            body: r.get(3),
        });
        let post_ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
        let comments =
            c.load(&comments_stmt, &[&post_ids], |r| Comment { id: r.get(0), post_id: r.get(1), text: r.get(2) });
        let loaded = group(users, posts, comments);
        let total: usize = loaded.iter().flat_map(|(_, ps)| ps).map(|(_, cs)| cs.len()).sum();
        assert_eq!(total, 900);
    }
}

pub fn select_related(server: &str, n: usize, users: usize) -> impl FnMut() {
    let mut c = conn(server);
    c.seed_users(users, false);
    let (user_ids, titles): (Vec<i64>, Vec<String>) =
        (0..n).map(|i| (1 + (i % users) as i64, format!("Post {i}"))).unzip();
    c.seed_posts(&user_ids, &titles);
    c.seeded();
    let stmt = c.prepare(
        "SELECT posts.id, posts.user_id, posts.title, posts.body, users.id, users.name, users.hair_color \
         FROM posts INNER JOIN users ON posts.user_id = users.id",
    );
    move || {
        let rows: Vec<(Post, User)> = c.load(&stmt, &[], |r| {
            (
                Post { id: r.get(0), user_id: r.get(1), title: r.get(2), body: r.get(3) },
                User { id: r.get(4), name: r.get(5), hair_color: r.get(6) },
            )
        });
        assert_eq!(rows.len(), n);
    }
}
