//! Relations: lookups across them, the loaders and their query counts, reading.

#[path = "support/backends.rs"]
mod backends;
#[path = "common/shop.rs"]
mod shop;
use backends::Backend;
use orm::prelude::*;
use orm::{Error, Value};
use shop::*;

fn titles(books: &[Book]) -> Vec<&str> {
    books.iter().map(|b| b.title.as_str()).collect()
}

fn names(authors: &[Author]) -> Vec<&str> {
    authors.iter().map(|a| a.name.as_str()).collect()
}

/// Acme (Ada: Python+Rust, Grace: Rust), Initech (Linus: C, Guido: Python).
fn seed_developers(db: &Db) -> orm::Result<(Company, Company, Vec<Developer>, Vec<Skill>)> {
    let acme = Company::objects().create(db, NewCompany { name: "Acme".into() })?;
    let initech = Company::objects().create(db, NewCompany { name: "Initech".into() })?;
    let skills =
        Skill::objects().bulk_create(db, ["Python", "Rust", "C"].map(|name| NewSkill { name: name.into() }))?;
    let dev = |name: &str, company: &Company| NewDeveloper {
        name: name.into(),
        years_experience: 3,
        company: company.into(),
    };
    let devs = Developer::objects()
        .bulk_create(db, [dev("Ada", &acme), dev("Grace", &acme), dev("Linus", &initech), dev("Guido", &initech)])?;
    devs[0].skills().add(db, [&skills[0], &skills[1]])?;
    devs[1].skills().add(db, [&skills[1]])?;
    devs[2].skills().add(db, [&skills[2]])?;
    devs[3].skills().add(db, [&skills[0]])?;
    Ok((acme, initech, devs, skills))
}

#[derive(Model, Debug, Clone)]
struct Country {
    #[orm(primary_key, max_length = 2)]
    code: String,
    name: String,
    #[orm(related)]
    cities: orm::HasMany<City>,
}

#[derive(Model, Debug, Clone)]
struct City {
    id: i64,
    name: String,
    country: orm::ForeignKey<Country>,
}

backend_tests! {
    fn smoke_lookup_across_foreign_key(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        let qs = Book::objects().filter(|b| b.author().name.eq("George Orwell"));
        println!("{}", qs.sql());
        assert_eq!(titles(&qs.all(&db)?), ["1984", "Animal Farm", "Homage to Catalonia"]);
        Ok(())
    }

    fn reverse_lookups_repeat_rows_and_distinct_removes_them(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        // Orwell has two books before 1950 after 1940: he appears once per matching book.
        let qs = Author::objects().filter(|a| a.books().published_year.gt(1940));
        assert_eq!(names(&qs.all(&db)?), ["George Orwell", "George Orwell"]);
        assert_eq!(qs.count(&db)?, 2);
        let distinct = qs.clone().distinct();
        assert_eq!(names(&distinct.all(&db)?), ["George Orwell"]);
        assert_eq!(distinct.count(&db)?, 1);
        assert!(qs.sql().text.contains("INNER JOIN \"book\" ON (\"author\".\"id\" = \"book\".\"author_id\")"));
        Ok(())
    }

    fn conditions_in_one_filter_call_refer_to_the_same_related_row(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        // No single Orwell book is both from 1949 and titled "Animal Farm"...
        let same = Author::objects()
            .filter(|a| a.books().published_year.eq(1949) & a.books().title.eq("Animal Farm"))
            .distinct()
            .all(&db)?;
        assert!(same.is_empty());
        // ...but he has one book from 1949 and another titled "Animal Farm".
        let separate = Author::objects()
            .filter(|a| a.books().published_year.eq(1949))
            .filter(|a| a.books().title.eq("Animal Farm"))
            .distinct()
            .all(&db)?;
        assert_eq!(names(&separate), ["George Orwell"]);
        Ok(())
    }

    fn exclude_across_a_many_valued_relation_excludes_any_match(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        // Orwell has a book before 1940 (Homage, 1938); Huxley too (1932); Zola has none.
        let kept = Author::objects().exclude(|a| a.books().published_year.lt(1940)).all(&db)?;
        assert_eq!(names(&kept), ["Émile Zola"]);
        let kept = Author::objects().filter(|a| !a.books().published_year.lt(1935)).all(&db)?;
        assert_eq!(names(&kept), ["George Orwell", "Émile Zola"]);
        Ok(())
    }

    fn is_null_across_a_reverse_relation_finds_rows_without_related_rows(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        let lonely = Author::objects().filter(|a| a.books().id.is_null(true)).all(&db)?;
        assert_eq!(names(&lonely), ["Émile Zola"]);
        let sql = Author::objects().filter(|a| a.books().id.is_null(true)).sql().text;
        assert!(sql.contains("LEFT OUTER JOIN \"book\""), "{sql}");
        let with_books = Author::objects().filter(|a| a.books().id.is_null(false)).distinct().count(&db)?;
        assert_eq!(with_books, 2);
        Ok(())
    }

    fn lookups_follow_relations_to_any_depth(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        let reviews = Review::objects().filter(|r| r.book().author().name.startswith("George")).all(&db)?;
        assert_eq!(reviews.len(), 2);
        let authors = Author::objects().filter(|a| a.books().reviews().stars.gte(4)).distinct().all(&db)?;
        assert_eq!(names(&authors), ["George Orwell"]);
        // A nullable ForeignKey: books without an editor never match a lookup on it...
        let edited = Book::objects().filter(|b| b.editor().name.eq("Aldous Huxley")).all(&db)?;
        assert_eq!(titles(&edited), ["Homage to Catalonia"]);
        // ...and is_null across it finds them.
        assert_eq!(Book::objects().filter(|b| b.editor().id.is_null(true)).count(&db)?, 3);
        // Excluding across a nullable key keeps the rows without one, as in Django.
        assert_eq!(Book::objects().exclude(|b| b.editor().name.eq("Aldous Huxley")).count(&db)?, 3);
        Ok(())
    }

    fn or_across_a_relation_keeps_rows_without_a_related_match(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        let qs = Author::objects().filter(|a| a.books().published_year.eq(1932) | a.name.eq("Émile Zola"));
        let sql = qs.sql().text;
        assert!(sql.contains("LEFT OUTER JOIN \"book\""), "{sql}");
        assert_eq!(names(&qs.all(&db)?), ["Aldous Huxley", "Émile Zola"]);
        Ok(())
    }

    fn ordering_across_a_relation_uses_the_related_models_ordering(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        // Author's default ordering is by name: Huxley's book first.
        let books = Book::objects().order_by(|b| (b.author(), b.published_year.asc())).all(&db)?;
        assert_eq!(titles(&books), ["Brave New World", "Homage to Catalonia", "Animal Farm", "1984"]);
        let books = Book::objects().order_by(|b| (b.author().name.desc(), b.title.asc())).all(&db)?;
        assert_eq!(titles(&books), ["1984", "Animal Farm", "Homage to Catalonia", "Brave New World"]);
        Ok(())
    }

    fn values_and_aggregates_across_relations(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        let pairs: Vec<(String, String)> =
            Book::objects().order_by(|b| b.title.asc()).values(|b| (b.author().name, b.title)).all(&db)?;
        assert_eq!(pairs[0], ("George Orwell".to_string(), "1984".to_string()));
        let (n, newest) = Author::objects()
            .filter(|a| a.name.eq("George Orwell"))
            .aggregate(&db, |a| (a.books().id.count(), a.books().published_year.max()))?;
        assert_eq!((n, newest), (3, Some(1949)));
        let stars = Book::objects().filter(|b| b.title.eq("1984")).aggregate(&db, |b| b.reviews().stars.avg())?;
        assert_eq!(stars, Some(4.5));
        Ok(())
    }

    fn lookups_across_many_to_many_in_both_directions(db) {
        shop_setup(db)?;
        seed_developers(&db)?;
        let rustaceans = Developer::objects().filter(|d| d.skills().name.eq("Rust")).all(&db)?;
        assert_eq!(rustaceans.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["Ada", "Grace"]);
        let used: Vec<String> = Skill::objects().filter(|s| s.developers().name.eq("Ada")).values(|s| s.name).all(&db)?;
        assert_eq!(used, ["Python", "Rust"]);
        // Duplicates across a ManyToMany appear as in Django; distinct removes them.
        let qs = Developer::objects().filter(|d| d.skills().name.is_in(["Rust", "Python"]));
        assert_eq!(qs.count(&db)?, 4);
        assert_eq!(qs.distinct().count(&db)?, 3);
        // Excluding across it: developers with no Python at all.
        let no_python = Developer::objects().exclude(|d| d.skills().name.eq("Python")).values(|d| d.name).all(&db)?;
        assert_eq!(no_python, ["Grace", "Linus"]);
        Ok(())
    }

    fn select_related_loads_in_one_query_and_get_never_queries(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        let books = orm::assert_num_queries!(db, 1, { Book::objects().select_related(|b| b.author()).all(&db)? });
        orm::assert_num_queries!(db, 0, {
            for book in &books {
                assert!(!book.author.get()?.name.is_empty());
            }
        });
        assert_eq!(books[0].author.get()?.name, "George Orwell");
        assert_eq!(*books[0].author.id(), books[0].author.get()?.id);
        // Not selected: an error, never a silent query.
        let plain = Book::objects().first(&db)?.unwrap();
        let err = orm::assert_num_queries!(db, 0, { plain.author.get().unwrap_err() });
        assert!(matches!(err, Error::NotLoaded { model: "Author", .. }), "{err}");
        assert!(err.to_string().contains("select_related"));
        // fetch() is the explicit, counted load.
        let author = orm::assert_num_queries!(db, 1, { plain.author.fetch(&db)? });
        assert_eq!(author.name, "George Orwell");
        Ok(())
    }

    fn select_related_nested_nullable_additive_and_reverse_one_to_one(db) {
        shop_setup(db)?;
        let (orwell, huxley, _) = seed_books(&db)?;
        Profile::objects().create(&db, NewProfile { author: (&orwell).into(), bio: "Eric Blair".into() })?;
        let reviews = orm::assert_num_queries!(db, 1, {
            Review::objects().select_related(|r| r.book().author()).order_by(|r| r.id.asc()).all(&db)?
        });
        assert_eq!(reviews[0].book.get()?.title, "1984");
        assert_eq!(reviews[0].book.get()?.author.get()?.name, "George Orwell");
        assert_eq!(reviews[2].book.get()?.author.get()?.name, "Aldous Huxley");
        // A nullable key: LEFT OUTER JOIN, None when absent. Two calls add up.
        let books = orm::assert_num_queries!(db, 1, {
            Book::objects()
                .select_related(|b| b.editor())
                .select_related(|b| b.author())
                .order_by(|b| b.id.asc())
                .all(&db)?
        });
        assert!(books[0].editor.is_none());
        assert_eq!(books[2].editor.as_ref().unwrap().get()?.name, huxley.name);
        assert_eq!(books[2].author.get()?.name, "George Orwell");
        // The reverse side of a OneToOne.
        let authors = orm::assert_num_queries!(db, 1, { Author::objects().select_related(|a| a.profile()).all(&db)? });
        let by_name = |n: &str| authors.iter().find(|a| a.name == n).unwrap();
        assert_eq!(by_name("George Orwell").profile.get()?.map(|p| p.bio.as_str()), Some("Eric Blair"));
        assert!(by_name("Aldous Huxley").profile.get()?.is_none());
        Ok(())
    }

    fn prefetch_related_is_one_query_per_level(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        let authors = orm::assert_num_queries!(db, 2, { Author::objects().prefetch_related(|a| a.books()).all(&db)? });
        orm::assert_num_queries!(db, 0, {
            let counts: Vec<(String, usize)> =
                authors.iter().map(|a| (a.name.clone(), a.books.get().unwrap().len())).collect();
            assert_eq!(counts, [("Aldous Huxley".into(), 1), ("George Orwell".into(), 3), ("Émile Zola".into(), 0)]);
        });
        // The related rows keep their model's ordering.
        let orwell = authors.iter().find(|a| a.name == "George Orwell").unwrap();
        assert_eq!(titles(orwell.books.get()?), ["1984", "Animal Farm", "Homage to Catalonia"]);
        // Nested: 3 queries in all.
        let authors =
            orm::assert_num_queries!(db, 3, { Author::objects().prefetch_related(|a| a.books().reviews()).all(&db)? });
        let orwell = authors.iter().find(|a| a.name == "George Orwell").unwrap();
        assert_eq!(orwell.books.get()?[0].reviews.get()?.len(), 2);
        // Paths with a common prefix share its query; no book has a publisher, so that
        // level has no keys and sends nothing (Django's `id__in=[]`).
        orm::assert_num_queries!(db, 3, {
            Author::objects()
                .prefetch_related(|a| a.books().reviews())
                .prefetch_related(|a| a.books().publisher())
                .prefetch_related(|a| a.books())
                .all(&db)?
        });
        // A forward ForeignKey prefetches too; the same author is shared by its books.
        let books = orm::assert_num_queries!(db, 2, { Book::objects().prefetch_related(|b| b.author()).all(&db)? });
        assert!(books.iter().all(|b| b.author.get().is_ok()));
        Ok(())
    }

    fn prefetch_related_over_many_to_many_both_ways(db) {
        shop_setup(db)?;
        seed_developers(&db)?;
        let devs = orm::assert_num_queries!(db, 2, {
            Developer::objects().prefetch_related(|d| d.skills()).order_by(|d| d.id.asc()).all(&db)?
        });
        let skills: Vec<Vec<&str>> =
            devs.iter().map(|d| d.skills.get().unwrap().iter().map(|s| s.name.as_str()).collect()).collect();
        assert_eq!(skills, [vec!["Python", "Rust"], vec!["Rust"], vec!["C"], vec!["Python"]]);
        let captured = db.capture(|| Skill::objects().prefetch_related(|s| s.developers()).all(&db))?;
        assert_eq!(captured.queries.len(), 2);
        assert!(captured.queries[1].sql.contains("INNER JOIN \"developer_skills\""), "{}", captured.queries[1].sql);
        let rust = captured.value.iter().find(|s| s.name == "Rust").unwrap();
        let mut who: Vec<&str> = rust.developers.get()?.iter().map(|d| d.name.as_str()).collect();
        who.sort();
        assert_eq!(who, ["Ada", "Grace"]);
        // select_related and prefetch_related together: the articles' optimized list.
        let devs = orm::assert_num_queries!(db, 2, {
            Developer::objects().select_related(|d| d.company()).prefetch_related(|d| d.skills()).all(&db)?
        });
        assert!(devs.iter().all(|d| d.company.get().is_ok() && d.skills.get().is_ok()));
        Ok(())
    }

    fn prefetch_with_a_filtered_ordered_queryset_into_a_second_field(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        let authors = orm::assert_num_queries!(db, 3, {
            Author::objects()
                .prefetch_related(|a| a.books())
                .prefetch_with(
                    |a| a.recent_books(),
                    Book::objects().filter(|b| b.published_year.gte(1940)).order_by(|b| b.title.desc()),
                )
                .all(&db)?
        });
        let orwell = authors.iter().find(|a| a.name == "George Orwell").unwrap();
        assert_eq!(orwell.books.get()?.len(), 3);
        assert_eq!(titles(orwell.recent_books.get()?), ["Animal Farm", "1984"]);
        let huxley = authors.iter().find(|a| a.name == "Aldous Huxley").unwrap();
        assert!(huxley.recent_books.get()?.is_empty());
        // The prefetch queryset may select_related and prefetch further.
        let authors = orm::assert_num_queries!(db, 3, {
            Author::objects()
                .prefetch_with(
                    |a| a.books(),
                    Book::objects().select_related(|b| b.author()).prefetch_related(|b| b.reviews()),
                )
                .all(&db)?
        });
        let orwell = authors.iter().find(|a| a.name == "George Orwell").unwrap();
        assert_eq!(orwell.books.get()?[0].author.get()?.name, "George Orwell");
        assert_eq!(orwell.books.get()?[0].reviews.get()?.len(), 2);
        Ok(())
    }

    fn prefetch_sends_nothing_without_parent_rows(db) {
        shop_setup(db)?;
        let authors =
            orm::assert_num_queries!(db, 1, { Author::objects().prefetch_related(|a| a.books().reviews()).all(&db)? });
        assert!(authors.is_empty());
        seed_books(&db)?;
        // Parents without children: the nested level has no keys and sends nothing.
        let authors = orm::assert_num_queries!(db, 2, {
            Author::objects().filter(|a| a.name.eq("Émile Zola")).prefetch_related(|a| a.books().reviews()).all(&db)?
        });
        assert!(authors[0].books.get()?.is_empty());
        Ok(())
    }

    fn prefetch_handles_more_parents_than_sqlites_parameter_limit(db) {
        shop_setup(db)?;
        let n = 40_000;
        db.atomic(|db| {
            Author::objects().bulk_insert(db, (0..n).map(|i| NewAuthor { name: format!("a{i}"), birth_year: None }))?;
            let orwell = Author::objects().get(db, |a| a.name.eq("a39999"))?;
            Book::objects().create(db, book("Last", &orwell, 2000))?;
            Ok(())
        })?;
        let captured = db.capture(|| Author::objects().prefetch_related(|a| a.books()).all(&db))?;
        assert_eq!(captured.queries.len(), 2);
        // Past 1024 keys, one parameter holds every key: a JSON array read by
        // `json_each` on SQLite, an array for `= ANY($1)` on PostgreSQL (which takes one
        // array parameter for any number of keys).
        assert_eq!(captured.queries[1].params.len(), 1);
        let key_list = match db.backend() {
            Backend::Sqlite => "json_each(?)",
            Backend::Postgres => "= ANY($1)",
        };
        assert!(captured.queries[1].sql.contains(key_list), "{}", captured.queries[1].sql);
        let with_books: Vec<&Author> = captured.value.iter().filter(|a| !a.books.get().unwrap().is_empty()).collect();
        assert_eq!(with_books.len(), 1);
        assert_eq!(with_books[0].name, "a39999");
        Ok(())
    }

    fn prefetch_lists_keys_padded_to_a_power_of_two(db) {
        shop_setup(db)?;
        let mut authors = Vec::new();
        for i in 0..5 {
            let author = Author::objects().create(&db, NewAuthor { name: format!("a{i}"), birth_year: None })?;
            Book::objects().create(&db, book(&format!("b{i}"), &author, 2000 + i))?;
            authors.push(author);
        }
        let captured = db.capture(|| Author::objects().prefetch_related(|a| a.books()).all(&db))?;
        // SQLite: five keys fill eight slots, the last key repeated: batches of 5 to 8
        // parents share one cached statement. PostgreSQL: one array parameter of the
        // five keys, `= ANY($1)`, one statement text for every batch size.
        let prefetch = &captured.queries[1];
        match db.backend() {
            Backend::Sqlite => {
                assert!(prefetch.sql.contains("IN (?, ?, ?, ?, ?, ?, ?, ?)"), "{}", prefetch.sql);
                assert_eq!(
                    prefetch.params[4..],
                    [
                        prefetch.params[4].clone(),
                        prefetch.params[4].clone(),
                        prefetch.params[4].clone(),
                        prefetch.params[4].clone()
                    ]
                );
            }
            Backend::Postgres => {
                assert!(prefetch.sql.contains("= ANY($1)"), "{}", prefetch.sql);
                let keys: Vec<Value> = authors.iter().map(|a| Value::Integer(a.id)).collect();
                assert_eq!(prefetch.params, [Value::Array(keys)]);
            }
        }
        for author in &captured.value {
            let books = author.books.get()?;
            assert_eq!(books.len(), 1, "{}", author.name);
            assert_eq!(books[0].title, author.name.replace('a', "b"));
        }
        // Eight keys use the same statement text.
        for i in 5..8 {
            Author::objects().create(&db, NewAuthor { name: format!("a{i}"), birth_year: None })?;
        }
        let again = db.capture(|| Author::objects().prefetch_related(|a| a.books()).all(&db))?;
        assert_eq!(again.queries[1].sql, prefetch.sql);
        assert_eq!(again.value.iter().filter(|a| a.books.get().unwrap().is_empty()).count(), 3);
        Ok(())
    }

    fn select_related_rows_share_the_instance_of_one_related_row(db) {
        shop_setup(db)?;
        let (orwell, huxley, _) = seed_books(&db)?;
        let books = Book::objects().select_related(|b| b.author()).order_by(|b| b.id).all(&db)?;
        let by = |name: &str| -> Vec<&Book> { books.iter().filter(|b| b.author.get().unwrap().name == name).collect() };
        let orwells = by(&orwell.name);
        assert_eq!(orwells.len(), 3);
        // One decoded Author for Orwell's three books, as a prefetch would share it.
        assert!(std::ptr::eq(orwells[0].author.get()?, orwells[1].author.get()?));
        assert!(std::ptr::eq(orwells[0].author.get()?, orwells[2].author.get()?));
        assert_eq!(by(&huxley.name)[0].author.get()?.birth_year, Some(1894));
        Ok(())
    }

    fn reverse_accessors_are_querysets_and_the_fields_hold_what_was_loaded(db) {
        shop_setup(db)?;
        let (orwell, huxley, zola) = seed_books(&db)?;
        // `author.books()` is Django's `author.books.all()`: lazy, chainable, counted.
        let recent = orwell.books().filter(|b| b.published_year.gt(1940));
        let titles_of =
            |qs: &QuerySet<Book>| -> orm::Result<Vec<String>> { Ok(qs.all(&db)?.into_iter().map(|b| b.title).collect()) };
        assert_eq!(orm::assert_num_queries!(db, 1, { titles_of(&recent)? }), ["1984", "Animal Farm"]);
        assert_eq!(huxley.books().count(&db)?, 1);
        assert_eq!(zola.books().count(&db)?, 0);
        // The one-to-one reverse side: at most one row.
        assert!(orwell.profile().first(&db)?.is_none());
        // The fields stay unloaded until a loader fills them.
        assert!(!orwell.books.is_loaded());
        assert!(matches!(
            orwell.profile.get(),
            Err(Error::NotLoaded { model: "Profile", relation: "HasOne", owner: Some("Author"), field: Some("profile") })
        ));
        Ok(())
    }

    fn reading_relations_explicitly_counts_each_query(db) {
        shop_setup(db)?;
        let (orwell, ..) = seed_books(&db)?;
        let books = Book::objects().all(&db)?;
        // The N+1 is visible: one counted query per book.
        orm::assert_num_queries!(db, 4, {
            for book in &books {
                book.author.fetch(&db)?;
            }
        });
        let mine = orm::assert_num_queries!(db, 1, { orwell.books().all(&db)? });
        assert_eq!(mine.len(), 3);
        assert_eq!(orwell.books().filter(|b| b.published_year.lt(1940)).count(&db)?, 1);
        let err = orwell.books.get().unwrap_err();
        assert!(matches!(err, Error::NotLoaded { model: "Book", relation: "HasMany", .. }));
        // Filter by a ForeignKey column with an instance or a key.
        assert_eq!(Book::objects().filter(|b| b.author.eq(&orwell)).count(&db)?, 3);
        assert_eq!(Book::objects().filter(|b| b.author.eq(orwell.id)).count(&db)?, 3);
        Ok(())
    }

    fn many_to_many_add_remove_set_clear(db) {
        shop_setup(db)?;
        let (_, _, devs, skills) = seed_developers(&db)?;
        let ada = &devs[0];
        let names = |d: &Developer| -> orm::Result<Vec<String>> { d.skills().objects().values(|s| s.name).all(&db) };
        assert_eq!(names(ada)?, ["Python", "Rust"]);
        // Adding an existing link keeps it once; Django's add(): BEGIN, INSERT OR IGNORE
        // (SQLite) or INSERT .. ON CONFLICT DO NOTHING (PostgreSQL), COMMIT.
        let captured = db.capture(|| ada.skills().add(&db, [&skills[1], &skills[2]]))?;
        assert_eq!(captured.queries.len(), 3);
        let insert = &captured.queries[1].sql;
        match db.backend() {
            Backend::Sqlite => assert!(insert.starts_with("INSERT OR IGNORE INTO \"developer_skills\""), "{insert}"),
            Backend::Postgres => assert!(
                insert.starts_with("INSERT INTO \"developer_skills\"") && insert.ends_with(" ON CONFLICT DO NOTHING"),
                "{insert}"
            ),
        }
        assert_eq!(names(ada)?, ["C", "Python", "Rust"]);
        assert_eq!(ada.skills().remove(&db, [&skills[0]])?, 1);
        assert_eq!(names(ada)?, ["C", "Rust"]);
        ada.skills().set(&db, [&skills[0], &skills[2]])?;
        assert_eq!(names(ada)?, ["C", "Python"]);
        assert_eq!(ada.skills().clear(&db)?, 2);
        assert!(names(ada)?.is_empty());
        // The reverse side sees the same links.
        assert_eq!(skills[1].developers().all(&db)?.len(), 1);
        Ok(())
    }

    fn self_referential_relations(db) {
        shop_setup(db)?;
        let root = Category::objects().create(&db, NewCategory { name: "Books".into(), parent: None })?;
        let fiction =
            Category::objects().create(&db, NewCategory { name: "Fiction".into(), parent: Some((&root).into()) })?;
        Category::objects().create(&db, NewCategory { name: "Sci-fi".into(), parent: Some((&fiction).into()) })?;
        let leaf = Category::objects().select_related(|c| c.parent().parent()).get(&db, |c| c.name.eq("Sci-fi"))?;
        let parent = leaf.parent.as_ref().unwrap().get()?;
        assert_eq!(parent.name, "Fiction");
        assert_eq!(parent.parent.as_ref().unwrap().get()?.name, "Books");
        let tree = Category::objects()
            .filter(|c| c.parent.is_null(true))
            .prefetch_related(|c| c.children().children())
            .all(&db)?;
        assert_eq!(tree[0].children.get()?[0].children.get()?[0].name, "Sci-fi");
        let under_books =
            Category::objects().filter(|c| c.parent().parent().name.eq("Books")).values(|c| c.name).all(&db)?;
        assert_eq!(under_books, ["Sci-fi"]);
        Ok(())
    }

    fn foreign_keys_are_enforced_and_tables_created_in_dependency_order(db) {
        // Listed child first: created after its targets all the same.
        let captured = db.capture(|| db.create_tables::<(Review, Book, Publisher, Author, Profile)>())?;
        let creates: Vec<&str> = captured
            .queries
            .iter()
            .filter(|q| q.sql.starts_with("CREATE TABLE"))
            .map(|q| q.sql.split('"').nth(1).unwrap())
            .collect();
        assert_eq!(creates, ["publisher", "author", "book", "review", "profile"]);
        let ghost = Book::objects().create(
            &db,
            NewBook {
                title: "x".into(),
                author: orm::ForeignKey::new(42),
                editor: None,
                publisher: None,
                published_year: 1,
                price_cents: 1,
            },
        );
        assert!(matches!(ghost, Err(Error::Integrity { kind: orm::ConstraintKind::ForeignKey, .. })), "{ghost:?}");
        Ok(())
    }

    fn prefetch_fills_every_copy_of_a_repeated_parent(db) {
        shop_setup(db)?;
        seed_books(&db)?;
        // Orwell appears twice (two matching books); both copies get his books.
        let authors =
            Author::objects().filter(|a| a.books().published_year.gt(1940)).prefetch_related(|a| a.books()).all(&db)?;
        assert_eq!(authors.len(), 2);
        assert!(authors.iter().all(|a| a.books.get().unwrap().len() == 3));
        Ok(())
    }

    fn prefetch_and_select_related_over_text_keys(db) {
        db.create_tables::<(Country, City)>()?;
        for (code, name) in [("fr", "France"), ("it", "Italy"), ("es", "Spain")] {
            Country::objects().create(&db, NewCountry { code: code.into(), name: name.into() })?;
        }
        for (name, code) in [("Paris", "fr"), ("Lyon", "fr"), ("Rome", "it")] {
            City::objects().create(&db, NewCity { name: name.into(), country: orm::ForeignKey::new(code.to_owned()) })?;
        }
        let countries = orm::assert_num_queries!(db, 2, {
            Country::objects().order_by(|c| c.code).prefetch_related(|c| c.cities()).all(&db)?
        });
        let cities = |c: &Country| -> Vec<String> { c.cities.get().unwrap().iter().map(|x| x.name.clone()).collect() };
        assert_eq!(countries.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["es", "fr", "it"]);
        assert_eq!(cities(&countries[0]), Vec::<String>::new());
        assert_eq!(cities(&countries[1]), ["Paris", "Lyon"]);
        assert_eq!(cities(&countries[2]), ["Rome"]);
        // The forward side, both loaders: the instance is found by its text key.
        let by_prefetch = City::objects().order_by(|c| c.id).prefetch_related(|c| c.country()).all(&db)?;
        let by_join = City::objects().order_by(|c| c.id).select_related(|c| c.country()).all(&db)?;
        for rows in [&by_prefetch, &by_join] {
            let names: Vec<&str> = rows.iter().map(|c| c.country.get().unwrap().name.as_str()).collect();
            assert_eq!(names, ["France", "France", "Italy"]);
        }
        Ok(())
    }

    fn select_related_over_mostly_distinct_rows_stays_correct(db) {
        // More distinct related rows than the identity map's trial: it switches itself
        // off, and every row still gets its own related instance.
        shop_setup(db)?;
        let n = 1500;
        db.atomic(|db| {
            Author::objects()
                .bulk_insert(db, (0..n).map(|i| NewAuthor { name: format!("a{i:04}"), birth_year: Some(i) }))?;
            let authors = Author::objects().order_by(|a| a.id).all(db)?;
            Book::objects()
                .bulk_insert(db, authors.iter().map(|a| book(&format!("b{}", a.birth_year.unwrap()), a, 2000)))?;
            Ok(())
        })?;
        let books = Book::objects().select_related(|b| b.author()).order_by(|b| b.id).all(&db)?;
        assert_eq!(books.len(), n as usize);
        for book in &books {
            let author = book.author.get()?;
            assert_eq!(*book.author.id(), author.id);
            assert_eq!(book.title, format!("b{}", author.birth_year.unwrap()));
        }
        Ok(())
    }
}
