use orm::prelude::*;
use std::time::Instant;

#[derive(Model, Debug, Clone)]
struct User {
    id: i64,
    name: String,
    hair_color: Option<String>,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(User,)>()?;
    User::objects().bulk_insert(&db, (0..100).map(|i| NewUser { name: format!("User {i}"), hair_color: None }))?;
    let n = 200_000;
    // compile only
    let t = Instant::now();
    let mut len = 0;
    for i in 0..n {
        len += User::objects().filter(|u| u.id.eq(i % 100 + 1)).sql().text.len();
    }
    println!("compile get-by-id sql: {:.3} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let t = Instant::now();
    for i in 0..n {
        let _ = User::objects().get(&db, |u| u.id.eq(i % 100 + 1))?;
    }
    println!("orm get by id: {:.3} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let t = Instant::now();
    for i in 0..n {
        let _ = User::objects().filter(|u| u.id.eq(i % 100 + 1)).all(&db)?;
    }
    println!("orm filter id all: {:.3} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let t = Instant::now();
    for i in 0..n {
        let _ = User::objects().filter(|u| u.id.eq(i % 100 + 1)).slice(..21).all(&db)?;
    }
    println!("orm filter id slice all: {:.3} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let t = Instant::now();
    for i in 0..n {
        let _ = User::objects().filter(|u| u.id.eq(i % 100 + 1)).order_by(|_| ()).all(&db)?;
    }
    println!("orm filter id noorder all: {:.3} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE user (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, hair_color TEXT)")
        .unwrap();
    for i in 0..100 {
        conn.execute("INSERT INTO user (name) VALUES (?)", [format!("User {i}")]).unwrap();
    }
    let t = Instant::now();
    for i in 0..n {
        let mut st = conn.prepare_cached("SELECT \"user\".\"id\", \"user\".\"name\", \"user\".\"hair_color\" FROM \"user\" WHERE \"user\".\"id\" = ?").unwrap();
        let v: Vec<(i64, String, Option<String>)> = st
            .query_map([i % 100 + 1], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        len += v.len();
    }
    println!("raw filter id: {:.3} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    for sql in ["SELECT \"user\".\"id\", \"user\".\"name\", \"user\".\"hair_color\" FROM \"user\" WHERE \"user\".\"id\" = ?1 LIMIT ?2", "SELECT \"user\".\"id\", \"user\".\"name\", \"user\".\"hair_color\" FROM \"user\" WHERE \"user\".\"id\" = ?1 LIMIT 21", "SELECT \"user\".\"id\", \"user\".\"name\", \"user\".\"hair_color\" FROM \"user\" WHERE \"user\".\"name\" = ?1 LIMIT ?2", "SELECT \"user\".\"id\" FROM \"user\" LIMIT ?2"] {
        let t = Instant::now();
        for i in 0..n {
            let mut st = conn.prepare_cached(sql).unwrap();
            st.raw_bind_parameter(1, i % 100 + 1).unwrap();
            if sql.contains("?2") { st.raw_bind_parameter(2, 21).unwrap(); }
            let mut rows = st.raw_query();
            while let Some(_r) = rows.next().unwrap() { len += 1; }
        }
        println!("raw {}: {:.3} us", &sql[sql.len()-30..], t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    let n2 = 20_000;
    let t = Instant::now();
    for _ in 0..n2 {
        let _ = User::objects().order_by(|_| ()).all(&db)?;
    }
    println!("orm all 100: {:.3} us", t.elapsed().as_secs_f64() * 1e6 / n2 as f64);
    let t = Instant::now();
    for _ in 0..n2 {
        let mut st = conn
            .prepare_cached("SELECT \"user\".\"id\", \"user\".\"name\", \"user\".\"hair_color\" FROM \"user\"")
            .unwrap();
        let v: Vec<(i64, String, Option<String>)> =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap();
        len += v.len();
    }
    println!("raw all 100: {:.3} us", t.elapsed().as_secs_f64() * 1e6 / n2 as f64);
    println!("{len}");
    Ok(())
}
