//! Writes of chosen fields (Django's `save(update_fields=..)`), `db.on_commit` (Django's
//! `transaction.on_commit`) and `latest`/`earliest`, checked against what Django 5.2
//! does on the same rows, on SQLite and PostgreSQL.

#[path = "support/backends.rs"]
mod backends;
use backends::Backend;
use orm::prelude::*;
use std::sync::{Arc, Mutex};

#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "wc_book")]
pub struct Book {
    pub id: i64,
    #[orm(unique)]
    pub isbn: String,
    #[orm(max_length = 10)]
    pub title: String,
    pub price: i64,
    pub published: Option<i32>,
}

/// Every insert field has a default: `NewSetting` implements `Default`.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "wc_setting")]
pub struct Setting {
    pub id: i64,
    #[orm(default = "it's dark")]
    pub theme: String,
    #[orm(default = -12)]
    pub offset: i32,
    #[orm(default = 1.5)]
    pub ratio: f64,
    #[orm(default = 2)]
    pub scale: f64,
    #[orm(default = true)]
    pub enabled: bool,
    pub note: Option<String>,
    #[orm(default = 3)]
    pub level: Option<i64>,
}

fn setup(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Book, Setting)>()
}

fn new_book(isbn: &str, title: &str, price: i64, published: Option<i32>) -> NewBook {
    NewBook { isbn: isbn.into(), title: title.into(), price, published }
}

/// Django's rows for latest/earliest: two NULL dates around two known ones.
fn seed(db: &Db) -> orm::Result<()> {
    for (isbn, price, published) in [("a", 1, None), ("b", 2, Some(2020)), ("c", 2, Some(2021)), ("d", 3, None)] {
        Book::objects().create(db, new_book(isbn, &isbn.to_uppercase(), price, published))?;
    }
    Ok(())
}

type Log = Arc<Mutex<Vec<String>>>;

fn log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

fn push(log: &Log, entry: &str) -> impl FnOnce() + Send + 'static {
    let (log, entry) = (log.clone(), entry.to_owned());
    move || log.lock().unwrap().push(entry)
}

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

backend_tests! {
    // save_fields

    fn save_fields_writes_only_those_columns_in_one_update(db) {
        setup(db)?;
        let mut book = Book::objects().create(db, new_book("a", "A", 1, None))?;
        book.title = "T".into();
        book.price = 9;
        book.isbn = "changed".into(); // not saved: not named
        let captured = db.capture(|| book.save_fields(db, |b| (b.title, b.price)))?;
        // Django: UPDATE "book" SET "title" = 'T', "price" = 9 WHERE "book"."id" = 1
        assert_eq!(captured.queries.len(), 1);
        assert_eq!(
            captured.queries[0].sql,
            db.sql(r#"UPDATE "wc_book" SET "title" = ?, "price" = ? WHERE "wc_book"."id" = ?"#)
        );
        let stored = Book::objects().get(db, |b| b.id.eq(book.id))?;
        assert_eq!((stored.isbn.as_str(), stored.title.as_str(), stored.price), ("a", "T", 9));
        Ok(())
    }

    fn save_fields_sends_pre_and_post_save_with_the_update_fields(db) {
        setup(db)?;
        let sent = log();
        let (pre, post) = (sent.clone(), sent.clone());
        db.on_pre_save::<Book>(move |db, _| {
            pre.lock().unwrap().push(format!("pre_save update_fields={:?}", db.update_fields()));
            Ok(())
        });
        db.on_post_save::<Book>(move |db, _, created| {
            post.lock().unwrap().push(format!("post_save created={created} update_fields={:?}", db.update_fields()));
            Ok(())
        });
        let mut book = Book::objects().create(db, new_book("a", "A", 1, None))?;
        book.title = "T".into();
        book.save_fields(db, |b| (b.title, b.price, b.title))?;
        // Django: update_fields=None for the create, frozenset({'title', 'price'}) then.
        assert_eq!(
            entries(&sent),
            [
                "pre_save update_fields=None",
                "post_save created=true update_fields=None",
                r#"pre_save update_fields=Some(["title", "price"])"#,
                r#"post_save created=false update_fields=Some(["title", "price"])"#,
            ]
        );
        assert_eq!(db.update_fields(), None);
        Ok(())
    }

    fn a_save_inside_a_save_fields_receiver_sees_no_update_fields(db) {
        setup(db)?;
        let sent = log();
        let seen = sent.clone();
        db.on_post_save::<Book>(move |db, _, _| {
            seen.lock().unwrap().push(format!("book {:?}", db.update_fields()));
            Setting::objects().create(db, NewSetting::default())?;
            Ok(())
        });
        let seen = sent.clone();
        db.on_post_save::<Setting>(move |db, _, _| {
            seen.lock().unwrap().push(format!("setting {:?}", db.update_fields()));
            Ok(())
        });
        let book = Book::objects().create(db, new_book("a", "A", 1, None))?;
        sent.lock().unwrap().clear();
        book.save_fields(db, |b| b.price)?;
        assert_eq!(entries(&sent), [r#"book Some(["price"])"#, "setting None"]);
        Ok(())
    }

    fn save_fields_of_a_row_that_is_gone_is_does_not_exist_and_inserts_nothing(db) {
        setup(db)?;
        let book = Book::objects().create(db, new_book("a", "A", 1, None))?;
        Book::objects().delete(db)?;
        let sent = log();
        let pre = sent.clone();
        db.on_pre_save::<Book>(move |_, _| {
            pre.lock().unwrap().push("pre_save".into());
            Ok(())
        });
        let post = sent.clone();
        db.on_post_save::<Book>(move |_, _, _| {
            post.lock().unwrap().push("post_save".into());
            Ok(())
        });
        // Django: pre_save, then DatabaseError "Save with update_fields did not affect
        // any rows."; no post_save, no INSERT.
        let err = book.save_fields(db, |b| b.title).unwrap_err();
        assert!(matches!(err, orm::Error::DoesNotExist { model: "Book" }), "{err:?}");
        assert_eq!(entries(&sent), ["pre_save"]);
        assert_eq!(Book::objects().count(db)?, 0);
        Ok(())
    }

    fn save_fields_of_no_field_sends_nothing(db) {
        setup(db)?;
        let book = Book::objects().create(db, new_book("a", "A", 1, None))?;
        let sent = log();
        let pre = sent.clone();
        db.on_pre_save::<Book>(move |_, _| {
            pre.lock().unwrap().push("pre_save".into());
            Ok(())
        });
        // Django: save(update_fields=[]) runs no query and sends no signal.
        let captured = db.capture(|| book.save_fields(db, |_| ()))?;
        assert!(captured.queries.is_empty());
        assert!(entries(&sent).is_empty());
        Ok(())
    }

    fn save_fields_checks_max_length(db) {
        setup(db)?;
        let mut book = Book::objects().create(db, new_book("a", "A", 1, None))?;
        book.title = "far too long".into();
        let before = db.query_count();
        let err = book.save_fields(db, |b| b.title).unwrap_err();
        assert!(matches!(err, orm::Error::Validation { field: "title", .. }), "{err:?}");
        assert_eq!(db.query_count(), before);
        Ok(())
    }

    // on_commit

    fn on_commit_outside_a_transaction_runs_at_once(db) {
        let sent = log();
        db.on_commit(push(&sent, "outside"))?;
        assert_eq!(entries(&sent), ["outside"]);
        Ok(())
    }

    fn on_commit_runs_after_the_outermost_commit_without_the_rolled_back_savepoints(db) {
        setup(db)?;
        let sent = log();
        // Django: ['outer1', 'released', 'outer2'], all after the COMMIT.
        db.atomic(|db| {
            db.on_commit(push(&sent, "outer1"))?;
            db.atomic(|db| db.on_commit(push(&sent, "released")))?;
            let rolled_back: orm::Result<()> = db.atomic(|db| {
                db.on_commit(push(&sent, "rolled back"))?;
                db.atomic(|db| db.on_commit(push(&sent, "inner of rolled back")))?;
                Err(orm::Error::InvalidQuery { message: "roll this savepoint back" })
            });
            assert!(rolled_back.is_err());
            db.on_commit(push(&sent, "outer2"))?;
            assert!(entries(&sent).is_empty(), "nothing runs before the COMMIT");
            Ok(())
        })?;
        assert_eq!(entries(&sent), ["outer1", "released", "outer2"]);
        Ok(())
    }

    fn on_commit_callbacks_are_dropped_when_the_transaction_rolls_back(db) {
        setup(db)?;
        let sent = log();
        let result: orm::Result<()> = db.atomic(|db| {
            db.on_commit(push(&sent, "x"))?;
            Book::objects().create(db, new_book("a", "A", 1, None))?;
            Err(orm::Error::InvalidQuery { message: "roll back" })
        });
        assert!(result.is_err());
        // The next transaction does not run them either.
        db.atomic(|db| db.on_commit(push(&sent, "next")))?;
        assert_eq!(entries(&sent), ["next"]);
        Ok(())
    }

    fn on_commit_callbacks_are_dropped_when_the_transaction_panics(db) {
        let sent = log();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = db.atomic(|db| -> orm::Result<()> {
                db.on_commit(push(&sent, "x"))?;
                panic!("in the transaction");
            });
        }));
        assert!(panicked.is_err());
        assert!(!db.in_transaction());
        db.atomic(|_| Ok(()))?;
        assert!(entries(&sent).is_empty());
        Ok(())
    }

    fn on_commit_runs_after_a_transaction_that_wrote_and_sees_the_rows(db) {
        setup(db)?;
        let sent = log();
        let url = db.url();
        db.atomic(|db| {
            Book::objects().create(db, new_book("a", "A", 1, None))?;
            db.on_commit(push(&sent, "committed"))
        })?;
        assert_eq!(entries(&sent), ["committed"]);
        // What the callback would read on another connection is committed.
        if let Some(url) = url {
            let other = Db::connect(&url)?;
            assert_eq!(Book::objects().count(&other)?, 1);
        }
        Ok(())
    }

    fn on_commit_in_a_transaction_begun_by_hand_is_an_error(db) {
        db.execute("BEGIN", &[])?;
        let sent = log();
        let err = db.on_commit(push(&sent, "x")).unwrap_err();
        assert!(matches!(err, orm::Error::InvalidQuery { .. }), "{err:?}");
        db.execute("ROLLBACK", &[])?;
        assert!(entries(&sent).is_empty());
        Ok(())
    }

    // latest / earliest

    fn latest_and_earliest_order_by_the_field_and_take_one_row(db) {
        setup(db)?;
        seed(db)?;
        let captured = db.capture(|| Book::objects().latest(db, |b| b.price))?;
        assert_eq!(captured.value.isbn, "d");
        assert_eq!(captured.queries.len(), 1);
        let sql = &captured.queries[0].sql;
        assert!(sql.ends_with(r#"ORDER BY "wc_book"."price" DESC LIMIT 1"#), "{sql}");
        assert_eq!(Book::objects().earliest(db, |b| b.price)?.isbn, "a");
        Ok(())
    }

    fn latest_of_no_row_is_does_not_exist(db) {
        setup(db)?;
        let err = Book::objects().latest(db, |b| b.published).unwrap_err();
        assert!(matches!(err, orm::Error::DoesNotExist { model: "Book" }), "{err:?}");
        let err = Book::objects().filter(|b| b.price.gt(100)).earliest(db, |b| b.price).unwrap_err();
        assert!(matches!(err, orm::Error::DoesNotExist { .. }), "{err:?}");
        Ok(())
    }

    fn latest_of_several_terms_reverses_each_of_them(db) {
        setup(db)?;
        seed(db)?;
        // Django: latest("price", "-isbn") orders by price DESC, isbn ASC.
        let captured = db.capture(|| Book::objects().latest(db, |b| (b.price, b.isbn.desc())))?;
        assert_eq!(captured.value.isbn, "d");
        assert!(captured.queries[0].sql.contains(r#"ORDER BY "wc_book"."price" DESC, "wc_book"."isbn" ASC"#));
        let two = Book::objects().filter(|b| b.price.eq(2));
        assert_eq!(two.latest(db, |b| (b.price, b.isbn.desc()))?.isbn, "b");
        assert_eq!(two.earliest(db, |b| (b.price, b.isbn.desc()))?.isbn, "c");
        Ok(())
    }

    fn latest_replaces_the_ordering_and_keeps_the_filter(db) {
        setup(db)?;
        seed(db)?;
        // Django: filter(price=2).order_by("title").latest("published") -> c.
        let qs = Book::objects().filter(|b| b.price.eq(2)).order_by(|b| b.title.asc());
        assert_eq!(qs.latest(db, |b| b.published)?.isbn, "c");
        assert_eq!(qs.earliest(db, |b| b.published)?.isbn, "b");
        Ok(())
    }

    fn latest_of_a_nullable_column_puts_nulls_where_the_database_does(db) {
        setup(db)?;
        seed(db)?;
        let latest = Book::objects().latest(db, |b| b.published)?.isbn;
        let earliest = Book::objects().earliest(db, |b| b.published)?.isbn;
        match db.backend() {
            // Django on SQLite: latest c, earliest a (NULLs sort first ascending).
            Backend::Sqlite => assert_eq!((latest.as_str(), earliest.as_str()), ("c", "a")),
            // Django on PostgreSQL: latest a, earliest b (NULLs sort last ascending).
            Backend::Postgres => assert_eq!((latest.as_str(), earliest.as_str()), ("a", "b")),
        }
        // Without the NULLs, the same on both.
        let dated = Book::objects().filter(|b| b.published.is_null(false));
        assert_eq!(dated.latest(db, |b| b.published)?.isbn, "c");
        assert_eq!(dated.earliest(db, |b| b.published)?.isbn, "b");
        Ok(())
    }

    fn latest_of_values_gives_the_values(db) {
        setup(db)?;
        seed(db)?;
        let (isbn, price): (String, i64) = Book::objects().values(|b| (b.isbn, b.price)).latest(db, |b| b.price)?;
        assert_eq!((isbn.as_str(), price), ("d", 3));
        Ok(())
    }

    fn latest_of_a_slice_or_of_no_field_is_an_error(db) {
        setup(db)?;
        seed(db)?;
        let before = db.query_count();
        // Django: TypeError "Cannot change a query once a slice has been taken."
        let err = Book::objects().slice(..2).latest(db, |b| b.price).unwrap_err();
        assert!(matches!(err, orm::Error::InvalidQuery { .. }), "{err:?}");
        // Django: ValueError "earliest() and latest() require either fields as positional
        // arguments or 'get_latest_by' in the model's Meta."
        let err = Book::objects().earliest(db, |_| ()).unwrap_err();
        assert!(matches!(err, orm::Error::InvalidQuery { .. }), "{err:?}");
        assert_eq!(db.query_count(), before);
        Ok(())
    }

    // defaults

    fn new_values_default_to_the_columns_defaults(db) {
        setup(db)?;
        let new = NewSetting::default();
        assert_eq!(
            (new.theme.as_str(), new.offset, new.ratio, new.scale, new.enabled, new.note.clone(), new.level),
            ("it's dark", -12, 1.5, 2.0, true, None, Some(3))
        );
        // The same values as the table's SQL DEFAULTs: a row inserted with none given.
        let created = Setting::objects().create(db, new)?;
        db.execute(r#"INSERT INTO "wc_setting" DEFAULT VALUES"#, &[])?;
        let by_database = Setting::objects().order_by(|s| s.id.desc()).first(db)?.expect("a row");
        assert_eq!(Setting { id: created.id, ..by_database }, created);
        // Struct update syntax takes the rest.
        let light = Setting::objects().create(db, NewSetting { theme: "light".into(), ..Default::default() })?;
        assert_eq!((light.theme.as_str(), light.level), ("light", Some(3)));
        Ok(())
    }
}

/// `auto_now` and `auto_now_add` (chrono types: `cargo test --features chrono --test
/// write_conveniences`).
#[cfg(feature = "chrono")]
mod timestamps {
    use super::*;
    use orm::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

    #[derive(Model, Debug, Clone, PartialEq)]
    #[orm(table = "wc_post")]
    pub struct Post {
        pub id: i64,
        pub title: String,
        #[orm(auto_now_add)]
        pub created: DateTime<Utc>,
        #[orm(auto_now)]
        pub updated: NaiveDateTime,
        #[orm(auto_now)]
        pub day: Option<NaiveDate>,
    }

    fn setup(db: &Db) -> orm::Result<()> {
        db.create_tables::<(Post,)>()
    }

    fn stored(db: &Db, id: i64) -> orm::Result<Post> {
        Post::objects().get(db, |p| p.id.eq(id))
    }

    fn wait() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }

    backend_tests! {
        fn auto_times_are_filled_on_create_and_are_the_instances(db) {
            setup(db)?;
            let before = Utc::now();
            // NewPost has no field for them: only the title is given.
            let post = Post::objects().create(db, NewPost { title: "a".into() })?;
            assert!(post.created >= before - orm::chrono::Duration::milliseconds(1) && post.created <= Utc::now());
            assert_eq!(post.updated, post.created.naive_utc(), "one time per statement");
            assert_eq!(post.day, Some(post.created.date_naive()));
            assert_eq!(stored(db, post.id)?, post, "the instance holds what the row holds");
            Ok(())
        }

        fn bulk_create_fills_every_row(db) {
            setup(db)?;
            let posts = Post::objects().bulk_create(db, ["a", "b"].map(|t| NewPost { title: t.into() }))?;
            for post in &posts {
                assert_eq!(&stored(db, post.id)?, post);
            }
            Post::objects().bulk_insert(db, [NewPost { title: "c".into() }])?;
            let c = Post::objects().get(db, |p| p.title.eq("c"))?;
            assert!(c.created >= posts[0].created);
            Ok(())
        }

        fn save_writes_the_time_into_auto_now_columns_only(db) {
            setup(db)?;
            let post = Post::objects().create(db, NewPost { title: "a".into() })?;
            wait();
            post.save(db)?;
            let row = stored(db, post.id)?;
            assert_eq!(row.created, post.created, "auto_now_add keeps the time of the insert");
            assert!(row.updated > post.updated, "auto_now takes the time of the save");
            // save(&self) cannot change the instance: it is read again to see the time.
            let mut post = post;
            post.refresh_from_db(db)?;
            assert_eq!(post, row);
            Ok(())
        }

        fn save_fields_naming_an_auto_now_field_writes_the_time(db) {
            setup(db)?;
            let mut post = Post::objects().create(db, NewPost { title: "a".into() })?;
            wait();
            post.title = "b".into();
            // Django: save(update_fields=["title"]) leaves `updated`; naming it writes now.
            post.save_fields(db, |p| p.title)?;
            assert_eq!(stored(db, post.id)?.updated, post.updated);
            post.save_fields(db, |p| (p.title, p.updated))?;
            let row = stored(db, post.id)?;
            assert!(row.updated > post.updated);
            assert_eq!((row.title.as_str(), row.created), ("b", post.created));
            Ok(())
        }

        fn update_or_create_updates_auto_now_on_the_instance_and_the_row(db) {
            setup(db)?;
            let post = Post::objects().create(db, NewPost { title: "a".into() })?;
            wait();
            let (updated, created) =
                Post::objects().update_or_create(db, |p| p.title.eq("a"), NewPost { title: "a".into() })?;
            assert!(!created);
            assert!(updated.updated > post.updated);
            assert_eq!(updated.created, post.created);
            assert_eq!(stored(db, post.id)?, updated);
            Ok(())
        }

        fn a_filter_on_an_auto_time_column(db) {
            setup(db)?;
            let post = Post::objects().create(db, NewPost { title: "a".into() })?;
            assert_eq!(Post::objects().filter(|p| p.created.eq(post.created)).count(db)?, 1);
            Ok(())
        }
    }
}
