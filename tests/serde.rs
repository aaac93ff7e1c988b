//! serde for models (feature `serde`, `#[orm(serde)]`): a model serializes as a map of its fields, a
//! ForeignKey as its key or, with `#[orm(serde = "nested")]`, as the instance a loader
//! read; a loaded reverse or many-to-many set as a list; a relation not loaded is an
//! error naming the loader. `New*` values deserialize, a ForeignKey from its key.
//!
//! Run with `cargo test --features serde,json,chrono --test serde` (CI runs it); without
//! the features this file is empty, as `tests/feature_types.rs` is.
#![cfg(all(feature = "serde", feature = "json", feature = "chrono"))]

#[path = "support/backends.rs"]
mod backends;

use orm::chrono::{TimeZone, Utc};
use orm::prelude::*;
use orm::serde_json::{self, json};

#[derive(Model, Debug, Clone)]
#[orm(serde)]
struct Company {
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone)]
#[orm(serde)]
#[orm(ordering = "name")]
struct Skill {
    id: i64,
    name: String,
    #[orm(related = "skills", serde = "skip")]
    developers: ManyToMany<Developer>,
}

/// The articles' `DeveloperSerializer {name, company, skills}`, as a derive.
#[derive(Model, Debug, Clone)]
#[orm(serde)]
struct Developer {
    id: i64,
    name: String,
    #[orm(serde = "nested")]
    company: ForeignKey<Company>,
    mentor: Option<ForeignKey<Developer>>,
    skills: ManyToMany<Skill>,
    last_login: Option<orm::DateTime>,
    #[orm(serde = "skip")]
    password_hash: String,
}

#[derive(Model, Debug, Clone)]
#[orm(serde)]
struct Author {
    id: i64,
    name: String,
    #[orm(related = "author")]
    books: HasMany<Book>,
}

#[derive(Model, Debug, Clone)]
#[orm(serde)]
#[orm(ordering = "id")]
struct Book {
    id: i64,
    title: String,
    author: ForeignKey<Author>,
    pages: Option<i32>,
    #[orm(auto_now_add, serde = "skip")]
    added: orm::DateTime,
}

#[derive(Model, Debug, Clone)]
#[orm(serde)]
#[orm(ordering = "id")]
struct Review {
    id: i64,
    text: String,
    #[orm(serde = "nested")]
    publisher: Option<ForeignKey<Company>>,
}

fn shop(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Company, Skill, Developer, Author, Book, Review)>()?;
    let hooli = Company::objects().create(db, NewCompany { name: "Hooli".into() })?;
    let skills = Skill::objects().bulk_create(db, ["Rust", "SQL", "Go"].map(|n| NewSkill { name: n.into() }))?;
    let login = Utc.with_ymd_and_hms(2024, 5, 2, 12, 0, 0).unwrap();
    let ada = Developer::objects().create(
        db,
        NewDeveloper {
            name: "Ada".into(),
            company: (&hooli).into(),
            mentor: None,
            last_login: Some(login),
            password_hash: "secret".into(),
        },
    )?;
    let bob = Developer::objects().create(
        db,
        NewDeveloper {
            name: "Bob".into(),
            company: (&hooli).into(),
            mentor: Some((&ada).into()),
            last_login: None,
            password_hash: "secret".into(),
        },
    )?;
    ada.skills().add(db, [&skills[0], &skills[1]])?;
    bob.skills().add(db, [&skills[2]])?;
    let orwell = Author::objects().create(db, NewAuthor { name: "George Orwell".into() })?;
    Author::objects().create(db, NewAuthor { name: "Jane Austen".into() })?;
    for (title, pages) in [("1984", Some(328)), ("Animal Farm", None)] {
        Book::objects().create(db, NewBook { title: title.into(), author: (&orwell).into(), pages })?;
    }
    Review::objects().create(db, NewReview { text: "Bleak".into(), publisher: Some((&hooli).into()) })?;
    Review::objects().create(db, NewReview { text: "Short".into(), publisher: None })?;
    Ok(())
}

backend_tests! {
    fn the_nested_serializer_is_a_derive_and_two_queries(db) {
        shop(db)?;
        let devs = orm::assert_num_queries!(db, 2, {
            Developer::objects()
                .select_related(|d| d.company())
                .prefetch_related(|d| d.skills())
                .order_by(|d| d.name.asc())
                .all(&db)?
        });
        // Serializing runs no query: everything it writes was loaded.
        let value = orm::assert_num_queries!(db, 0, { serde_json::to_value(&devs).expect("serializes") });
        let company = json!({"id": 1, "name": "Hooli"});
        assert_eq!(
            value,
            json!([
                {
                    "id": 1, "name": "Ada", "company": company, "mentor": null,
                    "skills": [{"id": 1, "name": "Rust"}, {"id": 2, "name": "SQL"}],
                    "last_login": "2024-05-02T12:00:00Z",
                },
                {
                    "id": 2, "name": "Bob", "company": company, "mentor": 1,
                    "skills": [{"id": 3, "name": "Go"}],
                    "last_login": null,
                },
            ])
        );
        Ok(())
    }

    fn a_foreign_key_is_its_key_and_a_reverse_set_a_list(db) {
        shop(db)?;
        let authors = Author::objects().prefetch_related(|a| a.books()).order_by(|a| a.id.asc()).all(&db)?;
        assert_eq!(
            serde_json::to_value(&authors).expect("serializes"),
            json!([
                {"id": 1, "name": "George Orwell", "books": [
                    {"id": 1, "title": "1984", "author": 1, "pages": 328},
                    {"id": 2, "title": "Animal Farm", "author": 1, "pages": null},
                ]},
                {"id": 2, "name": "Jane Austen", "books": []},
            ])
        );
        Ok(())
    }

    fn a_nullable_nested_key_is_the_instance_or_null(db) {
        shop(db)?;
        let reviews = Review::objects().select_related(|r| r.publisher()).all(&db)?;
        assert_eq!(
            serde_json::to_value(&reviews).expect("serializes"),
            json!([
                {"id": 1, "text": "Bleak", "publisher": {"id": 1, "name": "Hooli"}},
                {"id": 2, "text": "Short", "publisher": null},
            ])
        );
        Ok(())
    }

    fn a_relation_not_loaded_is_an_error_naming_the_loader(db) {
        shop(db)?;
        // No silent key, null or query where the type says an instance or a list.
        let devs = Developer::objects().prefetch_related(|d| d.skills()).all(&db)?;
        let err = orm::assert_num_queries!(db, 0, { serde_json::to_value(&devs).unwrap_err() }).to_string();
        assert!(err.contains("Developer.company") && err.contains("select_related"), "{err}");
        let authors = Author::objects().all(&db)?;
        let err = serde_json::to_value(&authors).unwrap_err().to_string();
        assert!(err.contains("Author.books") && err.contains("prefetch_related"), "{err}");
        Ok(())
    }

    fn a_new_value_deserializes_with_its_keys(db) {
        shop(db)?;
        // A request body: the ForeignKey as its key, a nullable column left out.
        let new: NewBook = serde_json::from_value(json!({"title": "Emma", "author": 2})).expect("deserializes");
        assert_eq!((new.author.id(), new.pages), (&2, None));
        let emma = Book::objects().create(&db, new)?;
        let back = Book::objects().select_related(|b| b.author()).get(&db, |b| b.id.eq(emma.id))?;
        assert_eq!((back.title.as_str(), back.author.get()?.name.as_str(), back.pages), ("Emma", "Jane Austen", None));
        // A key to no row is the database's ForeignKey error when it is written...
        let dangling: NewBook = serde_json::from_value(json!({"title": "Lost", "author": 99})).expect("deserializes");
        let err = Book::objects().create(&db, dangling).unwrap_err();
        assert!(matches!(err, orm::Error::Integrity { .. }), "{err}");
        // ...and input of the wrong shape a serde error naming the field, not a panic.
        let err = serde_json::from_value::<NewBook>(json!({"title": "Emma", "author": "two"})).err().expect("refused");
        assert!(err.to_string().contains("invalid type"), "{err}");
        let err = serde_json::from_value::<NewBook>(json!({"title": "Emma"})).err().expect("refused");
        assert!(err.to_string().contains("missing field `author`"), "{err}");
        assert_eq!(Book::objects().count(&db)?, 3, "nothing half-written");
        Ok(())
    }
}
