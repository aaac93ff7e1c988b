//! Answers checked against Django 5.2 on the same data: reads through nullable and
//! many-valued relations, aggregates in values(), annotate and filter, orderings, and
//! loaders that meet. Each test says what Django does.

#[path = "support/backends.rs"]
mod backends;
#[path = "common/shop.rs"]
mod shop;
use backends::Backend;
use orm::prelude::*;
use shop::*;

backend_tests! {
    fn values_through_a_nullable_or_many_valued_relation_are_options(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Book.editor is a nullable ForeignKey: Django returns None for a book without one.
        let editors: Vec<(String, Option<String>)> =
            Book::objects().order_by(|b| b.title.asc()).values(|b| (b.title, b.editor().name)).all(db)?;
        assert_eq!(editors[0], ("1984".to_owned(), None));
        assert_eq!(editors[3], ("Homage to Catalonia".to_owned(), Some("Aldous Huxley".to_owned())));
        // A nullable column through a nullable relation is one Option, not two.
        let births: Vec<Option<i32>> =
            Book::objects().order_by(|b| b.title.asc()).values(|b| b.editor().birth_year).all(db)?;
        assert_eq!(births, [None, None, None, Some(1894)]);
        // A many-valued relation: Zola has no books, and is kept with None.
        let titles: Vec<(String, Option<String>)> =
            Author::objects().filter(|a| a.name.eq("Émile Zola")).values(|a| (a.name, a.books().title)).all(db)?;
        assert_eq!(titles, [("Émile Zola".to_owned(), None)]);
        // Grouped by a nullable path: the books without an editor form the None group.
        let mut per_editor: Vec<(Option<String>, i64)> =
            Book::objects().values(|b| b.editor().name).annotate(|b| b.id.count()).all(db)?;
        per_editor.sort();
        assert_eq!(per_editor, [(None, 3), (Some("Aldous Huxley".to_owned()), 1)]);
        // A required ForeignKey still reads as the plain type.
        let authors: Vec<String> = Book::objects().values(|b| b.author().name).distinct().all(db)?;
        assert_eq!(authors.len(), 4, "the default ordering's column joins the DISTINCT list, as in Django");
        Ok(())
    }

    fn an_aggregate_in_values_groups_per_instance_as_django_does(db) {
        // Django: values_list("name", Count("skills", distinct=True)) is GROUP BY the key:
        // one row per developer (even two of one name), zero counts kept.
        shop_setup(db)?;
        let acme = Company::objects().create(db, NewCompany { name: "Acme".into() })?;
        let dev = |name: &str| NewDeveloper { name: name.into(), years_experience: 1, company: (&acme).into() };
        let devs = Developer::objects().bulk_create(db, [dev("zero"), dev("one"), dev("two"), dev("two")])?;
        let skills = Skill::objects().bulk_create(db, [NewSkill { name: "C".into() }, NewSkill { name: "Go".into() }])?;
        devs[1].skills().add(db, &skills[..1])?;
        devs[2].skills().add(db, &skills)?;
        devs[3].skills().add(db, &skills)?;
        let rows: Vec<(String, i64)> = orm::assert_num_queries!(db, 1, {
            Developer::objects().order_by(|d| d.id.asc()).values(|d| (d.name, d.skills().id.count_distinct())).all(db)?
        });
        let expected: Vec<(String, i64)> =
            [("zero", 0), ("one", 1), ("two", 2), ("two", 2)].map(|(n, c)| (n.to_owned(), c)).into();
        assert_eq!(rows, expected);
        // values(..).annotate(..) groups by the values themselves: one row per name.
        let mut by_name: Vec<(String, i64)> =
            Developer::objects().values(|d| d.name).annotate(|d| d.skills().id.count_distinct()).all(db)?;
        by_name.sort();
        assert_eq!(by_name.len(), 3);
        Ok(())
    }
}

mod ordering {
    use orm::prelude::*;
    use orm::ForeignKey;

    #[derive(Model, Debug, Clone)]
    #[orm(ordering = "text")]
    pub struct Note {
        pub id: i64,
        pub text: String,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(ordering = "-note")]
    pub struct Item {
        pub id: i64,
        pub name: String,
        pub note: ForeignKey<Note>,
    }

    #[derive(Model, Debug, Clone)]
    pub struct Plain {
        pub id: i64,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(ordering = "plain")]
    pub struct ByPlain {
        pub id: i64,
        pub plain: ForeignKey<Plain>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(ordering = "parent")]
    pub struct Node {
        pub id: i64,
        pub parent: Option<ForeignKey<Node>>,
    }
}

backend_tests! {
    fn a_foreign_key_in_meta_ordering_sorts_by_the_related_models_ordering(db) {
        use ordering::*;
        db.create_tables::<(Note, Item, Plain, ByPlain, Node)>()?;
        let notes = Note::objects().bulk_create(db, ["b", "c", "a"].map(|t| NewNote { text: t.into() }))?;
        Item::objects()
            .bulk_create(db, notes.iter().map(|n| NewItem { name: format!("on {}", n.text), note: n.into() }))?;
        // Django: ORDER BY "note"."text" DESC, through an INNER JOIN (not by note_id).
        let qs = Item::objects();
        assert!(
            qs.sql().text.ends_with(
                "INNER JOIN \"note\" ON (\"item\".\"note_id\" = \"note\".\"id\") ORDER BY \"note\".\"text\" DESC"
            ),
            "{}",
            qs.sql()
        );
        let names: Vec<String> = qs.values(|i| i.name).all(db)?;
        assert_eq!(names, ["on c", "on b", "on a"]);
        // order_by(relation) and its desc(): Django's order_by("note") and order_by("-note").
        let asc: Vec<String> = Item::objects().order_by(|i| i.note()).values(|i| i.name).all(db)?;
        assert_eq!(asc, ["on a", "on b", "on c"]);
        let desc: Vec<String> = Item::objects().order_by(|i| (i.note().desc(), i.id.asc())).values(|i| i.name).all(db)?;
        assert_eq!(desc, ["on c", "on b", "on a"]);
        // A target without an ordering: Django orders by the key column itself, no join.
        assert!(
            ByPlain::objects().sql().text.ends_with("FROM \"by_plain\" ORDER BY \"by_plain\".\"plain_id\" ASC"),
            "{}",
            ByPlain::objects().sql()
        );
        // An ordering that loops back (a self-reference ordered by its parent): Django's
        // FieldError "Infinite loop caused by ordering.", before anything is sent.
        let before = db.query_count();
        let err = Node::objects().all(db).unwrap_err();
        assert!(err.to_string().contains("Infinite loop caused by ordering"), "{err}");
        assert_eq!(db.query_count(), before);
        // Counting drops the ordering, as in Django; so does an explicit order_by.
        assert_eq!(Node::objects().count(db)?, 0);
        assert!(Node::objects().order_by(|n| n.id.asc()).all(db)?.is_empty());
        Ok(())
    }

    fn distinct_counts_drop_the_default_ordering_unless_sliced(db) {
        // Django's count() clears the ordering first (unless sliced): values("x").distinct()
        // counts 3 here, while listing it gives 5 rows (the ordering's y joins the DISTINCT).
        #[derive(Model, Debug, Clone)]
        #[orm(ordering = "y")]
        struct Thing {
            id: i64,
            x: i64,
            y: i64,
        }
        db.create_tables::<(Thing,)>()?;
        Thing::objects().bulk_insert(db, [(1, 1), (1, 2), (2, 3), (2, 4), (3, 5)].map(|(x, y)| NewThing { x, y }))?;
        let xs = Thing::objects().values(|t| t.x).distinct();
        assert_eq!(xs.count(db)?, 3);
        assert_eq!(xs.all(db)?.len(), 5);
        assert_eq!(Thing::objects().distinct().count(db)?, 5);
        // Sliced, the ordering stays (and so does y): the first two rows are x = 1 twice.
        assert_eq!(xs.clone().slice(..2).count(db)?, 2);
        assert_eq!(xs.clone().slice(..10).count(db)?, 5);
        assert_eq!(xs.clone().order_by(|_| ()).all(db)?.len(), 3);
        Ok(())
    }
}

mod annotations {
    use orm::prelude::*;
    use orm::{ForeignKey, HasMany};

    #[derive(Model, Debug, Clone)]
    pub struct Writer {
        pub id: i64,
        pub name: String,
        #[orm(related = "writer")]
        pub posts: HasMany<Post>,
        #[orm(related = "writer")]
        pub volumes: HasMany<Volume>,
    }

    #[derive(Model, Debug, Clone)]
    pub struct Post {
        pub id: i64,
        pub writer: ForeignKey<Writer>,
        pub published: bool,
    }

    #[derive(Model, Debug, Clone)]
    pub struct Volume {
        pub id: i64,
        pub writer: ForeignKey<Writer>,
        pub price: i64,
    }

    /// Django's data: Alice has 2 published posts and 1 draft, Bob 1 draft; volumes at
    /// Alice 3000, 5000; Bob 1000, 2000, 9000; Ann 3500; Carl none.
    pub fn setup(db: &Db) -> orm::Result<()> {
        db.create_tables::<(Writer, Post, Volume)>()?;
        let w =
            Writer::objects().bulk_create(db, ["Alice", "Bob", "Ann", "Carl"].map(|n| NewWriter { name: n.into() }))?;
        let post = |w: &Writer, published| NewPost { writer: w.into(), published };
        Post::objects()
            .bulk_create(db, [post(&w[0], true), post(&w[0], true), post(&w[0], false), post(&w[1], false)])?;
        let vol = |w: &Writer, price| NewVolume { writer: w.into(), price };
        Volume::objects().bulk_create(
            db,
            [
                vol(&w[0], 3000),
                vol(&w[0], 5000),
                vol(&w[1], 1000),
                vol(&w[1], 2000),
                vol(&w[1], 9000),
                vol(&w[2], 3500),
            ],
        )?;
        Ok(())
    }
}

backend_tests! {
    fn a_filter_after_annotate_does_not_restrict_what_was_counted(db) {
        use annotations::*;
        setup(db)?;
        let rows = |qs: orm::QuerySet<Writer, orm::Annotated<orm::Aggregate<i64>>>| -> orm::Result<Vec<(String, i64)>> {
            Ok(qs.order_by(|(w, _)| w.id.asc()).all(db)?.into_iter().map(|(w, n)| (w.name, n)).collect())
        };
        // (a) Django: annotate, then filter: the filter gets its own join; Alice counts
        // 3 posts x 2 published rows = 6.
        let a = rows(Writer::objects().annotate(|w| w.posts().count()).filter(|(w, _)| w.posts().published.eq(true)))?;
        assert_eq!(a, [("Alice".to_owned(), 6)]);
        // (b) filter, then annotate: the annotation counts the filtered join: 2.
        let b = rows(Writer::objects().filter(|w| w.posts().published.eq(true)).annotate(|w| w.posts().count()))?;
        assert_eq!(b, [("Alice".to_owned(), 2)]);
        // (c) two filters after: each its own join, 3 x 2 x 1.
        let c = rows(
            Writer::objects()
                .annotate(|w| w.posts().count())
                .filter(|(w, _)| w.posts().published.eq(true))
                .filter(|(w, _)| w.posts().published.eq(false)),
        )?;
        assert_eq!(c, [("Alice".to_owned(), 6)]);
        // (c2) both filters before: the count is over the last one's join.
        let c2 = rows(
            Writer::objects()
                .filter(|w| w.posts().published.eq(true))
                .filter(|w| w.posts().published.eq(false))
                .annotate(|w| w.posts().count()),
        )?;
        assert_eq!(c2, [("Alice".to_owned(), 2)]);
        Ok(())
    }

    fn a_filter_mixing_an_aggregate_and_a_plain_condition_is_split_as_django_splits_it(db) {
        use annotations::*;
        setup(db)?;
        let sorted = |mut v: Vec<(Writer, i64)>| {
            v.sort_by_key(|(w, n)| (w.id, *n));
            v.into_iter().map(|(w, n)| (w.name, n)).collect::<Vec<_>>()
        };
        // (d) `n > 1 AND volumes.price < 4000`: HAVING COUNT > 1, WHERE price < 4000 on its
        // own join: Alice 2 x 1, Bob 3 x 2.
        let qs = Writer::objects().annotate(|w| w.volumes().count()).filter(|(w, n)| n.gt(1) & w.volumes().price.lt(4000));
        let sql = qs.sql().text;
        assert!(sql.contains(" WHERE ") && sql.contains(" HAVING "), "{sql}");
        assert_eq!(sorted(qs.all(db)?), [("Alice".to_owned(), 2), ("Bob".to_owned(), 6)]);
        // (e) with `|`: the whole condition is a HAVING, and the plain column joins the
        // GROUP BY, so rows repeat as in Django: Alice twice, Bob three times, Ann once.
        let qs = Writer::objects().annotate(|w| w.volumes().count()).filter(|(w, n)| n.gt(1) | w.volumes().price.lt(4000));
        let got = sorted(qs.all(db)?);
        let expected: Vec<(String, i64)> = [("Alice", 2), ("Alice", 2), ("Ann", 1), ("Bob", 3), ("Bob", 3), ("Bob", 3)]
            .map(|(n, c)| (n.to_owned(), c))
            .into();
        let mut got_by_name = got.clone();
        got_by_name.sort();
        assert_eq!(got_by_name, expected);
        // (f) a plain condition on the model itself goes to WHERE.
        let qs = Writer::objects().annotate(|w| w.volumes().count()).filter(|(w, n)| n.gt(1) & w.name.startswith("A"));
        assert_eq!(sorted(qs.all(db)?), [("Alice".to_owned(), 2)]);
        // exclude() on an aggregate is a NOT in HAVING, never a subquery.
        let qs = Writer::objects().annotate(|w| w.volumes().count()).exclude(|(_, n)| n.gt(1));
        assert_eq!(sorted(qs.all(db)?), [("Ann".to_owned(), 1), ("Carl".to_owned(), 0)]);
        Ok(())
    }
}

mod loaders {
    use orm::prelude::*;
    use orm::{ForeignKey, HasMany, ManyToMany};

    #[derive(Model, Debug, Clone)]
    pub struct Reader {
        pub id: i64,
        pub name: String,
    }

    #[derive(Model, Debug, Clone)]
    pub struct Volume {
        pub id: i64,
        pub title: String,
        pub read_by: ManyToMany<Reader>,
    }

    #[derive(Model, Debug, Clone)]
    pub struct Fan {
        pub id: i64,
        pub name: String,
        pub first_book: Option<ForeignKey<Volume>>,
    }

    #[derive(Model, Debug, Clone)]
    pub struct Employee {
        pub id: i64,
        pub name: String,
        pub boss: Option<ForeignKey<Employee>>,
        #[orm(related = "boss")]
        pub serfs: HasMany<Employee>,
    }
}

backend_tests! {
    fn select_related_then_prefetch_through_it_does_not_fetch_the_level_twice(db) {
        use loaders::*;
        db.create_tables::<(Reader, Volume, Fan, Employee)>()?;
        let readers = Reader::objects().bulk_create(db, ["r1", "r2"].map(|n| NewReader { name: n.into() }))?;
        let books = Volume::objects().bulk_create(db, ["B1", "B2"].map(|t| NewVolume { title: t.into() }))?;
        books[0].read_by().add(db, &readers)?;
        books[1].read_by().add(db, &readers[1..])?;
        let fan = |name: &str, book: Option<&Volume>| NewFan { name: name.into(), first_book: book.map(Into::into) };
        Fan::objects().bulk_create(
            db,
            [fan("a1", Some(&books[0])), fan("a2", Some(&books[0])), fan("a3", Some(&books[1])), fan("a4", None)],
        )?;
        // Django: 2 queries (the JOIN, then the readers of both books), not 3.
        let fans = orm::assert_num_queries!(db, 2, {
            Fan::objects()
                .select_related(|f| f.first_book())
                .prefetch_related(|f| f.first_book().read_by())
                .order_by(|f| f.id.asc())
                .all(db)?
        });
        let readers_of = |f: &Fan| -> orm::Result<Vec<String>> {
            Ok(f.first_book.as_ref().unwrap().get()?.read_by.get()?.iter().map(|r| r.name.clone()).collect())
        };
        assert_eq!(readers_of(&fans[0])?, ["r1", "r2"]);
        assert_eq!(readers_of(&fans[1])?, ["r1", "r2"], "both fans of B1 are filled, as in Django");
        assert_eq!(readers_of(&fans[2])?, ["r2"]);
        assert!(fans[3].first_book.is_none());
        // A nullable self-reference: select_related(boss), then prefetch boss().serfs().
        let boss = Employee::objects().create(db, NewEmployee { name: "boss".into(), boss: None })?;
        let mid = Employee::objects().create(db, NewEmployee { name: "mid".into(), boss: Some((&boss).into()) })?;
        Employee::objects().create(db, NewEmployee { name: "low".into(), boss: Some((&mid).into()) })?;
        let staff = orm::assert_num_queries!(db, 2, {
            Employee::objects()
                .select_related(|e| e.boss())
                .prefetch_related(|e| e.boss().serfs())
                .order_by(|e| e.id.asc())
                .all(db)?
        });
        let low_boss = staff[2].boss.as_ref().unwrap().get()?;
        assert_eq!(low_boss.name, "mid");
        assert_eq!(low_boss.serfs.get()?.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["low"]);
        Ok(())
    }

    fn not_loaded_names_the_field_and_the_loader_that_fits_it(db) {
        shop_setup(db)?;
        let (orwell, ..) = seed_books(db)?;
        let book = Book::objects().filter(|b| b.title.eq("1984")).first(db)?.expect("seeded");
        let err = book.author.get().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`Book.author` (ForeignKey<Author>) was not loaded: add `select_related(|x| x.author())` (one JOIN) or \
             `prefetch_related(|x| x.author())` to the query that read this row (reading a relation never queries)"
        );
        // A many-valued field suggests prefetch_related only, and two reverse fields over
        // one key are told apart by name.
        let author = Author::objects().get(db, |a| a.id.eq(orwell.id))?;
        let books = author.books.get().unwrap_err().to_string();
        let recent = author.recent_books.get().unwrap_err().to_string();
        assert!(
            books.starts_with("`Author.books` (HasMany<Book>) was not loaded: add `prefetch_related(|x| x.books())`"),
            "{books}"
        );
        assert!(recent.starts_with("`Author.recent_books` (HasMany<Book>)"), "{recent}");
        assert!(!books.contains("select_related("), "{books}");
        assert!(matches!(
            author.profile.get(),
            Err(orm::Error::NotLoaded { relation: "HasOne", owner: Some("Author"), field: Some("profile"), .. })
        ));
        // A field built by hand does not know its name, and says what it is.
        let by_hand: orm::HasMany<Book> = orm::HasMany::new();
        assert!(by_hand.get().unwrap_err().to_string().starts_with("HasMany<Book> was not loaded: add `prefetch_related`"));
        // The same once loaded: the names go, the rows come.
        let loaded = Author::objects().prefetch_related(|a| a.books()).get(db, |a| a.id.eq(orwell.id))?;
        assert_eq!(loaded.books.get()?.len(), 3);
        Ok(())
    }

    fn a_failed_aggregate_decode_names_the_expression(db) {
        shop_setup(db)?;
        seed_books(db)?;
        // Division by zero: NULL on SQLite, which the i64 cannot hold; PostgreSQL refuses
        // it (SQLSTATE 22012, Django's DataError there).
        let err = Book::objects().values(|b| b.price_cents / 0).all(db).unwrap_err();
        match db.backend() {
            Backend::Sqlite => assert!(
                err.to_string().starts_with("cannot decode (Book.price_cents / 0): expected i64, found NULL"),
                "{err}"
            ),
            Backend::Postgres => {
                assert!(matches!(&err, orm::Error::Database { code: Some(code), .. } if code == "22012"), "{err}")
            }
        }
        // A text where the integer should be. PostgreSQL's bigint column cannot hold one:
        // there the column becomes text first.
        if db.backend() == Backend::Postgres {
            db.execute("ALTER TABLE book ALTER COLUMN price_cents TYPE text", &[])?;
        }
        db.execute("UPDATE book SET price_cents = 'lots' WHERE title = '1984'", &[])?;
        let err = Book::objects().aggregate(db, |b| b.price_cents.max()).unwrap_err();
        assert!(err.to_string().starts_with("cannot decode MAX(Book.price_cents): expected"), "{err}");
        Ok(())
    }
}
