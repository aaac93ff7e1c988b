//! Deletes that follow relations, as Django's collector does.

#[path = "support/backends.rs"]
mod backends;
#[path = "common/shop.rs"]
mod shop;
use backends::Backend;
use orm::prelude::*;
use orm::{Error, ForeignKey, HasMany};
use shop::*;

#[derive(Model, Debug, Clone)]
struct Writer {
    id: i64,
    name: String,
    #[orm(related)]
    essays: HasMany<Essay>,
}

#[derive(Model, Debug, Clone)]
struct Essay {
    id: i64,
    title: String,
    writer: ForeignKey<Writer>,
}

#[derive(Model, Debug, Clone)]
struct Team {
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone)]
struct Member {
    id: i64,
    team: ForeignKey<Team>,
}

#[derive(Model, Debug, Clone)]
struct Badge {
    id: i64,
    member: ForeignKey<Member>,
    #[orm(on_delete = "restrict")]
    team: ForeignKey<Team>,
}

fn sql_of(queries: &[orm::CapturedQuery]) -> Vec<String> {
    queries.iter().map(|q| q.sql.clone()).collect()
}

backend_tests! {
    fn instance_delete_cascades_in_a_transaction_like_django(db) {
        db.create_tables::<(Writer, Essay)>()?;
        let w = Writer::objects().create(&db, NewWriter { name: "X".into() })?;
        Essay::objects().bulk_create(&db, (0..2).map(|i| NewEssay { title: format!("e{i}"), writer: (&w).into() }))?;
        let captured = db.capture(|| w.delete(&db))?;
        // The keys as the backend lists them: `IN (?)` on SQLite, one array parameter
        // (`= ANY($1)`) on PostgreSQL.
        let keys = match db.backend() {
            Backend::Sqlite => "IN (?)",
            Backend::Postgres => "= ANY($1)",
        };
        assert_eq!(
            sql_of(&captured.queries),
            [
                "BEGIN".to_owned(),
                format!("DELETE FROM \"essay\" WHERE \"essay\".\"writer_id\" {keys}"),
                format!("DELETE FROM \"writer\" WHERE \"writer\".\"id\" {keys}"),
                "COMMIT".to_owned()
            ]
        );
        let (total, per_model) = captured.value;
        assert_eq!(total, 3);
        assert_eq!(per_model.into_iter().collect::<Vec<_>>(), [("Essay".to_string(), 2), ("Writer".to_string(), 1)]);
        // Without dependents the same delete is one statement and models with no rows are
        // left out of the counts.
        let lonely = Writer::objects().create(&db, NewWriter { name: "Y".into() })?;
        let captured = db.capture(|| lonely.delete(&db))?;
        assert_eq!(captured.queries.len(), 4);
        assert_eq!(captured.value.1.into_iter().collect::<Vec<_>>(), [("Writer".to_string(), 1)]);
        Ok(())
    }

    fn queryset_delete_reads_keys_first_then_deletes_in_a_transaction(db) {
        db.create_tables::<(Writer, Essay)>()?;
        let w = Writer::objects().create(&db, NewWriter { name: "X".into() })?;
        Essay::objects().bulk_create(&db, (0..2).map(|i| NewEssay { title: format!("e{i}"), writer: (&w).into() }))?;
        let captured = db.capture(|| Writer::objects().filter(|w| w.name.eq("X")).delete(&db))?;
        let sql = sql_of(&captured.queries);
        assert_eq!(sql.len(), 5, "{sql:?}");
        assert!(sql[0].starts_with("SELECT \"writer\".\"id\" FROM \"writer\" WHERE"));
        assert_eq!((sql[1].as_str(), sql[4].as_str()), ("BEGIN", "COMMIT"));
        assert_eq!(captured.value.0, 3);
        assert_eq!(Essay::objects().count(&db)?, 0);
        // A model nothing points at is deleted without reading keys: BEGIN, DELETE, COMMIT.
        Essay::objects().create(
            &db,
            NewEssay {
                title: "t".into(),
                writer: (&Writer::objects().create(&db, NewWriter { name: "Z".into() })?).into(),
            },
        )?;
        let captured = db.capture(|| Essay::objects().delete(&db))?;
        assert_eq!(sql_of(&captured.queries), ["BEGIN", "DELETE FROM \"essay\"", "COMMIT"]);
        Ok(())
    }

    fn cascade_set_null_and_one_to_one_through_the_shop(db) {
        shop_setup(db)?;
        let (orwell, huxley, _) = seed_books(&db)?;
        Profile::objects().create(&db, NewProfile { author: (&huxley).into(), bio: "b".into() })?;
        // Huxley wrote one book (one review) and edited Orwell's Homage to Catalonia.
        let (total, per_model) = huxley.delete(&db)?;
        assert_eq!(total, 4);
        assert_eq!(per_model.get("Author"), Some(&1));
        assert_eq!(per_model.get("Book"), Some(&1));
        assert_eq!(per_model.get("Review"), Some(&1));
        assert_eq!(per_model.get("Profile"), Some(&1));
        let homage = Book::objects().get(&db, |b| b.title.eq("Homage to Catalonia"))?;
        assert!(homage.editor.is_none(), "set_null unlinks the edited book");
        let (total, per_model) = orwell.delete(&db)?;
        assert_eq!((total, per_model.get("Book"), per_model.get("Review")), (6, Some(&3), Some(&2)));
        assert_eq!(Book::objects().count(&db)? + Review::objects().count(&db)?, 0);
        Ok(())
    }

    fn protect_refuses_and_leaves_everything_in_place(db) {
        shop_setup(db)?;
        let (orwell, ..) = seed_books(&db)?;
        let penguin = Publisher::objects().create(&db, NewPublisher { name: "Penguin".into() })?;
        Book::objects()
            .filter(|b| b.author.eq(&orwell))
            .update(&db, |b| b.publisher.set(Some(orm::ForeignKey::new(penguin.id))))?;
        let err = penguin.delete(&db).unwrap_err();
        assert!(
            matches!(err, Error::Protected { model: "Publisher", ref referenced_by } if referenced_by == "Book.publisher"),
            "{err}"
        );
        // Deleting the author deletes the protected books first, then the publisher can go.
        let err = Publisher::objects().delete(&db).unwrap_err();
        assert!(matches!(err, Error::Protected { .. }));
        assert_eq!(Publisher::objects().count(&db)?, 1);
        assert!(!db.in_transaction());
        orwell.delete(&db)?;
        assert_eq!(penguin.delete(&db)?.0, 1);
        Ok(())
    }

    fn restrict_allows_only_rows_the_same_delete_removes(db) {
        db.create_tables::<(Team, Member, Badge)>()?;
        let red = Team::objects().create(&db, NewTeam { name: "red".into() })?;
        let blue = Team::objects().create(&db, NewTeam { name: "blue".into() })?;
        let alice = Member::objects().create(&db, NewMember { team: (&red).into() })?;
        let bob = Member::objects().create(&db, NewMember { team: (&blue).into() })?;
        // Alice's badge points at red: deleting red cascades to Alice and so her badge.
        Badge::objects().create(&db, NewBadge { member: (&alice).into(), team: (&red).into() })?;
        // Bob's badge points at red too, but Bob is on blue: red cannot go.
        let bobs = Badge::objects().create(&db, NewBadge { member: (&bob).into(), team: (&red).into() })?;
        let err = red.delete(&db).unwrap_err();
        assert!(
            matches!(err, Error::Restricted { model: "Team", ref referenced_by } if referenced_by == "Badge.team"),
            "{err}"
        );
        assert_eq!(Badge::objects().count(&db)?, 2);
        bobs.delete(&db)?;
        let (total, per_model) = red.delete(&db)?;
        assert_eq!(total, 3);
        assert_eq!(per_model.get("Badge"), Some(&1));
        Ok(())
    }

    fn self_referential_cascade_and_many_to_many_links(db) {
        shop_setup(db)?;
        let root = Category::objects().create(&db, NewCategory { name: "a".into(), parent: None })?;
        let child = Category::objects().create(&db, NewCategory { name: "b".into(), parent: Some((&root).into()) })?;
        Category::objects().create(&db, NewCategory { name: "c".into(), parent: Some((&child).into()) })?;
        let (total, per_model) = root.delete(&db)?;
        assert_eq!((total, per_model.get("Category")), (3, Some(&3)));

        let acme = Company::objects().create(&db, NewCompany { name: "Acme".into() })?;
        let rust = Skill::objects().create(&db, NewSkill { name: "Rust".into() })?;
        let c = Skill::objects().create(&db, NewSkill { name: "C".into() })?;
        let ada = Developer::objects()
            .create(&db, NewDeveloper { name: "Ada".into(), years_experience: 1, company: (&acme).into() })?;
        ada.skills().add(&db, [&rust, &c])?;
        let (total, per_model) = ada.delete(&db)?;
        assert_eq!(total, 3);
        assert_eq!(per_model.get("Developer_skills"), Some(&2));
        assert_eq!(rust.developers().all(&db)?.len(), 0);
        // Deleting a company cascades to its developers and their links.
        let grace = Developer::objects()
            .create(&db, NewDeveloper { name: "Grace".into(), years_experience: 1, company: (&acme).into() })?;
        grace.skills().add(&db, [&rust])?;
        let (total, per_model) = acme.delete(&db)?;
        assert_eq!((total, per_model.get("Developer"), per_model.get("Developer_skills")), (3, Some(&1), Some(&1)));
        assert_eq!(Skill::objects().count(&db)?, 2);
        Ok(())
    }

    fn declared_reverse_sides_find_dependents_without_registration(db) {
        // The rows are written through one connection and deleted through a second one
        // that never saw create_tables: SQLite needs a file for that (an in-memory
        // database is private to its connection), PostgreSQL opens the test's schema
        // again by its URL.
        let path = std::env::temp_dir().join(format!("orm-deletes-{}.sqlite3", std::process::id()));
        let writer = match db.backend() {
            Backend::Sqlite => {
                let _ = std::fs::remove_file(&path);
                Db::open(&path)?
            }
            Backend::Postgres => Db::connect(&db.url().expect("a schema URL"))?,
        };
        writer.create_tables::<(Writer, Essay)>()?;
        let w = Writer::objects().create(&writer, NewWriter { name: "X".into() })?;
        Essay::objects().create(&writer, NewEssay { title: "t".into(), writer: (&w).into() })?;
        drop(writer);
        let reader = match db.backend() {
            Backend::Sqlite => Db::open(&path)?,
            Backend::Postgres => Db::connect(&db.url().expect("a schema URL"))?,
        };
        // A new connection to an existing database: no create_tables, nothing
        // registered. The collector still finds Essay through Writer's declared reverse
        // side `essays`.
        let w = Writer::objects().get(&reader, |w| w.name.eq("X"))?;
        let (_, per_model) = w.delete(&reader)?;
        assert_eq!(per_model.get("Essay"), Some(&1));
        assert_eq!(Essay::objects().count(&reader)?, 0);
        drop(reader);
        if db.backend() == Backend::Sqlite {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        Ok(())
    }
}
