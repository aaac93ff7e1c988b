//! The floor: hand-written rusqlite with `prepare_cached` and decoding by column index.

use crate::harness::SCHEMA;
use rusqlite::Connection;

#[derive(Debug)]
#[allow(dead_code)] // decoded as an application would; not all fields are read back
pub struct User {
    pub id: i64,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Debug)]
#[allow(dead_code)] // decoded as an application would; not all fields are read back
pub struct Post {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Debug)]
#[allow(dead_code)] // decoded as an application would; not all fields are read back
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub text: String,
}

fn conn() -> Connection {
    let conn = Connection::open_in_memory().expect("in-memory database");
    conn.execute_batch(SCHEMA).expect("schema");
    conn
}

fn hair(i: usize) -> Option<&'static str> {
    Some(if i % 2 == 0 { "black" } else { "brown" })
}

fn seed_users(conn: &Connection, n: usize, colored: bool) {
    let tx = conn.unchecked_transaction().expect("tx");
    {
        let mut stmt = tx.prepare("INSERT INTO users (name, hair_color) VALUES (?, ?)").expect("prepare");
        for i in 0..n {
            stmt.execute((format!("User {i}"), if colored { hair(i) } else { None })).expect("insert");
        }
    }
    tx.commit().expect("commit");
}

fn user(row: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User { id: row.get(0)?, name: row.get(1)?, hair_color: row.get(2)? })
}

pub fn trivial_query(n: usize) -> impl FnMut() {
    let conn = conn();
    seed_users(&conn, n, false);
    move || {
        let mut stmt = conn.prepare_cached("SELECT id, name, hair_color FROM users").expect("prepare");
        let users: Vec<User> = stmt.query_map([], user).expect("query").collect::<Result<_, _>>().expect("rows");
        assert_eq!(users.len(), n);
    }
}

pub fn medium_complex_query(n: usize) -> impl FnMut() {
    let conn = conn();
    seed_users(&conn, n, true);
    move || {
        let mut stmt = conn
            .prepare_cached(
                "SELECT users.id, users.name, users.hair_color, posts.id, posts.user_id, posts.title, posts.body \
                 FROM users LEFT OUTER JOIN posts ON users.id = posts.user_id WHERE users.hair_color = ?",
            )
            .expect("prepare");
        let rows: Vec<(User, Option<Post>)> = stmt
            .query_map(["black"], |row| {
                let post = match row.get::<_, Option<i64>>(3)? {
                    Some(id) => Some(Post { id, user_id: row.get(4)?, title: row.get(5)?, body: row.get(6)? }),
                    None => None,
                };
                Ok((user(row)?, post))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(rows.len(), n.div_ceil(2));
    }
}

pub fn insert(n: usize) -> impl FnMut() {
    let conn = conn();
    let sql = format!("INSERT INTO users (name, hair_color) VALUES {}", vec!["(?, ?)"; n].join(", "));
    move || {
        let mut stmt = conn.prepare_cached(&sql).expect("prepare");
        for i in 0..n {
            stmt.raw_bind_parameter(2 * i + 1, format!("User {i}")).expect("bind");
            stmt.raw_bind_parameter(2 * i + 2, hair(i)).expect("bind");
        }
        assert_eq!(stmt.raw_execute().expect("insert"), n);
    }
}

fn in_list(n: usize) -> String {
    vec!["?"; n].join(", ")
}

pub fn loading_associations() -> impl FnMut() {
    let conn = conn();
    seed_users(&conn, 9, false);
    for user in 1..=9 {
        for i in 0..10 {
            conn.execute("INSERT INTO posts (user_id, title) VALUES (?, ?)", (user, format!("Post {i} by {user}")))
                .expect("post");
        }
    }
    for post in 1..=90 {
        for i in 0..10 {
            conn.execute(
                "INSERT INTO comments (post_id, text) VALUES (?, ?)",
                (post, format!("Comment {i} on {post}")),
            )
            .expect("c");
        }
    }
    move || {
        let mut stmt = conn.prepare_cached("SELECT id, name, hair_color FROM users").expect("prepare");
        let users: Vec<User> = stmt.query_map([], user).expect("query").collect::<Result<_, _>>().expect("rows");
        let user_ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let sql = format!("SELECT id, user_id, title, body FROM posts WHERE user_id IN ({})", in_list(user_ids.len()));
        let mut stmt = conn.prepare_cached(&sql).expect("prepare");
        let posts: Vec<Post> = stmt
            .query_map(rusqlite::params_from_iter(&user_ids), |r| {
                Ok(Post { id: r.get(0)?, user_id: r.get(1)?, title: r.get(2)?, body: r.get(3)? })
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let post_ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
        let sql = format!("SELECT id, post_id, text FROM comments WHERE post_id IN ({})", in_list(post_ids.len()));
        let mut stmt = conn.prepare_cached(&sql).expect("prepare");
        let comments: Vec<Comment> = stmt
            .query_map(rusqlite::params_from_iter(&post_ids), |r| {
                Ok(Comment { id: r.get(0)?, post_id: r.get(1)?, text: r.get(2)? })
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let loaded = group(users, posts, comments);
        let total: usize = loaded.iter().flat_map(|(_, ps)| ps).map(|(_, cs)| cs.len()).sum();
        assert_eq!(total, 900);
    }
}

/// Users with their posts, and each post with its comments.
pub type Loaded = Vec<(User, Vec<(Post, Vec<Comment>)>)>;

/// Groups as the ORM does: users with their posts, posts with their comments (the
/// PostgreSQL baseline groups the same way).
pub fn group(users: Vec<User>, posts: Vec<Post>, comments: Vec<Comment>) -> Loaded {
    let mut by_post: std::collections::HashMap<i64, Vec<Comment>> = std::collections::HashMap::new();
    for c in comments {
        by_post.entry(c.post_id).or_default().push(c);
    }
    let mut by_user: std::collections::HashMap<i64, Vec<(Post, Vec<Comment>)>> = std::collections::HashMap::new();
    for p in posts {
        let cs = by_post.remove(&p.id).unwrap_or_default();
        by_user.entry(p.user_id).or_default().push((p, cs));
    }
    users
        .into_iter()
        .map(|u| {
            let ps = by_user.remove(&u.id).unwrap_or_default();
            (u, ps)
        })
        .collect()
}

pub fn select_related(n: usize, users: usize) -> impl FnMut() {
    let conn = conn();
    seed_users(&conn, users, false);
    {
        let tx = conn.unchecked_transaction().expect("tx");
        {
            let mut stmt = tx.prepare("INSERT INTO posts (user_id, title) VALUES (?, ?)").expect("prepare");
            for i in 0..n {
                stmt.execute((1 + (i % users) as i64, format!("Post {i}"))).expect("post");
            }
        }
        tx.commit().expect("commit");
    }
    move || {
        let mut stmt = conn
            .prepare_cached(
                "SELECT posts.id, posts.user_id, posts.title, posts.body, users.id, users.name, users.hair_color \
                 FROM posts INNER JOIN users ON posts.user_id = users.id",
            )
            .expect("prepare");
        let rows: Vec<(Post, User)> = stmt
            .query_map([], |r| {
                Ok((
                    Post { id: r.get(0)?, user_id: r.get(1)?, title: r.get(2)?, body: r.get(3)? },
                    User { id: r.get(4)?, name: r.get(5)?, hair_color: r.get(6)? },
                ))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(rows.len(), n);
    }
}
