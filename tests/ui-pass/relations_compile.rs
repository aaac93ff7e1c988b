// Every relation kind and option that should compile, and the loaders over them.
use orm::prelude::*;
use orm::{ForeignKey, HasMany, HasOne, ManyToMany, OneToOne};

#[derive(Model, Debug, Clone)]
pub struct Publisher {
    pub id: i64,
    pub name: String,
    // Bare `related`: the one ForeignKey<Publisher> on Book.
    #[orm(related)]
    pub books: HasMany<Book>,
}

#[derive(Model, Debug, Clone)]
pub struct Author {
    pub id: i64,
    pub name: String,
    #[orm(related = "author")]
    pub books: HasMany<Book>,
    // A second reverse side over the same ForeignKey (a target for prefetch_with).
    #[orm(related = "author")]
    pub recent_books: HasMany<Book>,
    #[orm(related = "editor")]
    pub edited: HasMany<Book>,
    #[orm(related)]
    pub profile: HasOne<Profile>,
}

#[derive(Model, Debug, Clone)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub year: i32,
    #[orm(on_delete = "cascade")]
    pub author: ForeignKey<Author>,
    #[orm(on_delete = "set_null")]
    pub editor: Option<ForeignKey<Author>>,
    #[orm(on_delete = "protect")]
    pub publisher: ForeignKey<Publisher>,
    pub tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone)]
pub struct Profile {
    pub id: i64,
    #[orm(on_delete = "restrict")]
    pub author: OneToOne<Author>,
    pub bio: String,
}

#[derive(Model, Debug, Clone)]
pub struct Tag {
    pub id: i64,
    pub name: String,
    // The reverse side of Book.tags.
    #[orm(related = "tags")]
    pub books: ManyToMany<Book>,
}

#[derive(Model, Debug, Clone)]
pub struct Category {
    pub id: i64,
    pub name: String,
    #[orm(on_delete = "do_nothing")]
    pub parent: Option<ForeignKey<Category>>,
    #[orm(related = "parent")]
    pub children: HasMany<Category>,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Publisher, Author, Book, Profile, Tag, Category)>()?;

    let penguin = Publisher::objects().create(&db, NewPublisher { name: "Penguin".into() })?;
    let orwell = Author::objects().create(&db, NewAuthor { name: "Orwell".into() })?;
    let huxley = Author::objects().create(&db, NewAuthor { name: "Huxley".into() })?;
    Profile::objects().create(&db, NewProfile { author: (&orwell).into(), bio: "essays".into() })?;
    let new = |title: &str, year, editor: Option<&Author>| NewBook {
        title: title.into(),
        year,
        author: (&orwell).into(),
        editor: editor.map(Into::into),
        publisher: (&penguin).into(),
    };
    let books = Book::objects().bulk_create(&db, [new("1984", 1949, Some(&huxley)), new("Animal Farm", 1945, None)])?;
    let classic = Tag::objects().create(&db, NewTag { name: "classic".into() })?;
    books[0].tags().add(&db, [&classic])?;
    let root = Category::objects().create(&db, NewCategory { name: "root".into(), parent: None })?;
    Category::objects().create(&db, NewCategory { name: "leaf".into(), parent: Some((&root).into()) })?;

    // Lookups across relations, and a key compared with an instance or a raw key.
    assert_eq!(Book::objects().filter(|b| b.author().name.eq("Orwell")).count(&db)?, 2);
    assert_eq!(Book::objects().filter(|b| b.author.eq(&orwell)).count(&db)?, 2);
    assert_eq!(Book::objects().filter(|b| b.editor.eq(huxley.id)).count(&db)?, 1);
    assert_eq!(Author::objects().filter(|a| a.books().title.eq("1984")).count(&db)?, 1);

    // select_related, nested over single-valued relations (ForeignKey, nullable, HasOne).
    let loaded = Book::objects()
        .select_related(|b| b.author().profile())
        .select_related(|b| b.editor())
        .select_related(|b| b.publisher())
        .order_by(|b| b.year)
        .all(&db)?;
    assert_eq!(loaded[0].author.get()?.name, "Orwell");
    assert_eq!(loaded[0].author.get()?.profile.get()?.map(|p| p.bio.as_str()), Some("essays"));
    assert!(loaded[0].editor.is_none());
    assert_eq!(loaded[1].editor.as_ref().map(|e| e.get().map(|a| a.name.clone())).transpose()?.as_deref(), Some("Huxley"));
    let leaves = Category::objects().select_related(|c| c.parent().parent()).filter(|c| c.name.eq("leaf")).all(&db)?;
    assert_eq!(leaves[0].parent.as_ref().map(|p| p.get().map(|c| c.name.clone())).transpose()?.as_deref(), Some("root"));

    // prefetch_related, nested, over many-valued relations (HasMany, ManyToMany, reverse).
    let authors = Author::objects()
        .prefetch_related(|a| a.books().tags())
        .prefetch_related(|a| a.edited())
        .filter(|a| a.id.eq(orwell.id))
        .all(&db)?;
    assert_eq!(authors[0].books.get()?.len(), 2);
    let tagged: usize = authors[0].books.get()?.iter().map(|b| b.tags.get().map(<[Tag]>::len)).sum::<orm::Result<_>>()?;
    assert_eq!(tagged, 1);
    let tags = Tag::objects().prefetch_related(|t| t.books().author()).all(&db)?;
    assert_eq!(tags[0].books.get()?[0].author.get()?.name, "Orwell");
    let roots = Category::objects().prefetch_related(|c| c.children()).filter(|c| c.parent.is_null(true)).all(&db)?;
    assert_eq!(roots[0].children.get()?.len(), 1);

    // prefetch_with: a filtered QuerySet for the last relation, into a second reverse side.
    let authors = Author::objects()
        .prefetch_with(|a| a.recent_books(), Book::objects().filter(|b| b.year.gt(1946)).select_related(|b| b.publisher()))
        .filter(|a| a.id.eq(orwell.id))
        .all(&db)?;
    let recent = authors[0].recent_books.get()?;
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].publisher.get()?.name, "Penguin");
    assert!(!authors[0].books.is_loaded());
    Ok(())
}
