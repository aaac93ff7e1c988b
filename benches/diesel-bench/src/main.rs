//! Diesel 2.3 (SQLite backend) on the workloads of its own benchmark suite, with the
//! harness of orm-bench. Prints `result diesel <workload> <n> <median_us>` lines.

#[allow(dead_code)]
#[path = "../../orm-bench/src/harness.rs"]
mod harness;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use harness::{median_us, report, Budget, INSERT_SIZES, QUERY_SIZES, SCHEMA};

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

fn conn() -> SqliteConnection {
    let mut conn = SqliteConnection::establish(":memory:").expect("in-memory database");
    conn.batch_execute(SCHEMA).expect("schema");
    conn
}

fn hair(i: usize) -> Option<String> {
    Some(if i % 2 == 0 { "black" } else { "brown" }.to_owned())
}

fn seed_users(conn: &mut SqliteConnection, n: usize, colored: bool) {
    let rows: Vec<NewUser> = (0..n)
        .map(|i| NewUser { name: format!("User {i}"), hair_color: if colored { hair(i) } else { None } })
        .collect();
    for chunk in rows.chunks(1000) {
        diesel::insert_into(users::table).values(chunk).execute(conn).expect("seed users");
    }
}

fn main() {
    let budget = Budget::from_args();
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let run = |name: &str| only.as_deref().is_none_or(|o| o == name);

    if run("trivial_query") {
        for n in QUERY_SIZES {
            let mut conn = conn();
            seed_users(&mut conn, n, false);
            let us = median_us(budget, || {
                let users = users::table.load::<User>(&mut conn).expect("query");
                assert_eq!(users.len(), n);
            });
            report("diesel", "trivial_query", n, us);
        }
    }

    if run("medium_complex_query") {
        for n in QUERY_SIZES {
            let mut conn = conn();
            seed_users(&mut conn, n, true);
            let us = median_us(budget, || {
                let rows = users::table
                    .left_outer_join(posts::table)
                    .filter(users::hair_color.eq("black"))
                    .load::<(User, Option<Post>)>(&mut conn)
                    .expect("query");
                assert_eq!(rows.len(), n.div_ceil(2));
            });
            report("diesel", "medium_complex_query", n, us);
        }
    }

    if run("insert") {
        for n in INSERT_SIZES {
            let mut conn = conn();
            let us = median_us(budget, || {
                let rows: Vec<NewUser> =
                    (0..n).map(|i| NewUser { name: format!("User {i}"), hair_color: hair(i) }).collect();
                let inserted = diesel::insert_into(users::table).values(&rows).execute(&mut conn).expect("insert");
                assert_eq!(inserted, n);
            });
            report("diesel", "insert", n, us);
        }
    }

    if run("loading_associations") {
        let mut conn = conn();
        seed_users(&mut conn, 9, false);
        for user in 1..=9i64 {
            let rows: Vec<NewPost> =
                (0..10).map(|i| NewPost { user_id: user, title: format!("Post {i} by {user}") }).collect();
            diesel::insert_into(posts::table).values(&rows).execute(&mut conn).expect("posts");
        }
        for post in 1..=90i64 {
            let rows: Vec<NewComment> =
                (0..10).map(|i| NewComment { post_id: post, text: format!("Comment {i} on {post}") }).collect();
            diesel::insert_into(comments::table).values(&rows).execute(&mut conn).expect("comments");
        }
        let us = median_us(budget, || {
            let users = users::table.load::<User>(&mut conn).expect("users");
            let posts = Post::belonging_to(&users).load::<Post>(&mut conn).expect("posts");
            let comments = Comment::belonging_to(&posts).load::<Comment>(&mut conn).expect("comments");
            let comments = comments.grouped_by(&posts);
            let posts_and_comments: Vec<Vec<(Post, Vec<Comment>)>> = posts.into_iter().zip(comments).grouped_by(&users);
            let loaded: Vec<(User, Vec<(Post, Vec<Comment>)>)> = users.into_iter().zip(posts_and_comments).collect();
            let total: usize = loaded.iter().flat_map(|(_, ps)| ps).map(|(_, cs)| cs.len()).sum();
            assert_eq!(total, 900);
        });
        report("diesel", "loading_associations", 9, us);
    }

    // 10,000 posts with their user: by 100 users, and by 10,000 users.
    for (workload, users) in [("select_related", 100), ("select_related_distinct", 10_000)] {
        if !run(workload) {
            continue;
        }
        let n = 10_000usize;
        let mut conn = conn();
        seed_users(&mut conn, users, false);
        let rows: Vec<NewPost> =
            (0..n).map(|i| NewPost { user_id: 1 + (i % users) as i64, title: format!("Post {i}") }).collect();
        for chunk in rows.chunks(1000) {
            diesel::insert_into(posts::table).values(chunk).execute(&mut conn).expect("posts");
        }
        let us = median_us(budget, || {
            let rows = posts::table.inner_join(users::table).load::<(Post, User)>(&mut conn).expect("query");
            assert_eq!(rows.len(), n);
        });
        report("diesel", workload, n, us);
    }
}
