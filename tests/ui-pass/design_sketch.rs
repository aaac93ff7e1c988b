//! The code of ../shared/DESIGN.md, as written there (without the chrono field), compiles and
//! runs with the query counts it states.
use orm::prelude::*;

#[derive(Model, Debug, Clone)]
pub struct Author {
    pub id: i64,
    pub name: String,
    pub birth_year: Option<i32>,
    #[orm(related = "author")]
    pub books: HasMany<Book>,
}

#[derive(Model, Debug, Clone)]
#[orm(table = "book", ordering = "-published_year")]
pub struct Book {
    pub id: i64,
    #[orm(max_length = 200, index)]
    pub title: String,
    #[orm(on_delete = "cascade")]
    pub author: ForeignKey<Author>,
    pub published_year: i32,
    pub price_cents: i64,
}

#[derive(Model, Debug, Clone)]
pub struct Company {
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone)]
pub struct Skill {
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone)]
pub struct Developer {
    pub id: i64,
    pub name: String,
    pub years_experience: i32,
    pub last_login: Option<i64>,
    pub company: ForeignKey<Company>,
    pub skills: ManyToMany<Skill>,
}

fn days_ago(days: i64) -> i64 {
    1_000_000 - days * 86_400
}

#[orm::queryset(Developer)]
pub trait DeveloperQuerySet {
    fn active(self) -> Self { self.filter(|d| d.last_login.gte(days_ago(30))) }
    fn senior(self) -> Self { self.filter(|d| d.years_experience.gte(5)) }
    fn by_skill(self, skill: &str) -> Self { self.filter(|d| d.skills().name.eq(skill)) }
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Author, Book, Company, Skill, Developer)>()?;

    let orwell = Author::objects().create(&db, NewAuthor { name: "George Orwell".into(), birth_year: Some(1903) })?;
    let mut book = Book::objects().create(&db, NewBook { title: "1984".into(), author: (&orwell).into(), published_year: 1949, price_cents: 899 })?;
    book.published_year = 1950;
    book.save(&db)?;
    Book::objects().filter(|b| b.published_year.lt(1990)).update(&db, |b| b.price_cents.set(b.price_cents * 2))?;
    let new_books = vec![NewBook { title: "Animal Farm".into(), author: (&orwell).into(), published_year: 2021, price_cents: 599 }];
    Book::objects().bulk_create(&db, new_books)?;
    let defaults = NewAuthor { name: "New".into(), birth_year: None };
    let (_author, created) = Author::objects().get_or_create(&db, |a| a.name.eq("New"), defaults)?;
    assert!(created);
    db.atomic(|_tx| Ok(()))?;

    let before = db.query_count();
    let recent = Book::objects()
        .filter(|b| b.published_year.gte(2020))
        .exclude(|b| b.title.icontains("draft"))
        .order_by(|b| (b.published_year.desc(), b.title.asc()));
    assert_eq!(db.query_count(), before);
    let books: Vec<Book> = recent.all(&db)?;
    assert_eq!(books.len(), 1);
    println!("{}", recent.sql());

    Book::objects().filter(|b| b.author().name.eq("George Orwell"));
    Author::objects().filter(|a| a.books().published_year.lt(2000)).distinct();
    Developer::objects().filter(|d| (d.name.startswith("A") | d.years_experience.gte(10)) & !d.company().name.eq("Initech"));
    Book::objects().filter(|b| b.published_year.gt(b.author().birth_year + 30));
    Book::objects().order_by(|b| b.title.asc()).slice(5..10);
    let pairs: Vec<(String, String)> = Book::objects().values(|b| (b.author().name, b.title)).all(&db)?;
    assert_eq!(pairs.len(), 2);
    let ids = vec![1_i64, 2];
    Book::objects().filter(|b| b.id.is_in(ids)).filter(|b| b.author().birth_year.is_null(false));
    Book::objects().count(&db)?;
    Book::objects().exists(&db)?;
    let (avg, max): (Option<f64>, Option<i32>) = Book::objects().aggregate(&db, |b| (b.price_cents.avg(), b.published_year.max()))?;
    assert!(avg.is_some() && max == Some(2021));
    let counted: Vec<(Author, i64)> = Author::objects()
        .annotate(|a| a.books().count())
        .order_by(|(a, n)| (n.desc(), a.name.asc()))
        .all(&db)?;
    assert_eq!((counted[0].0.name.as_str(), counted[0].1), ("George Orwell", 2));
    assert_eq!(counted[1].1, 0);
    let grouped: Vec<(String, i64, Option<i64>)> = Book::objects()
        .values(|b| b.author().name)
        .annotate(|b| (b.id.count(), b.price_cents.sum()))
        .all(&db)?;
    assert_eq!(grouped, [("George Orwell".to_string(), 2, Some(1798 + 599))]);
    let one = Book::objects().get(&db, |b| b.id.eq(1))?;
    assert_eq!(one.title, "1984");

    for book in Book::objects().all(&db)? {
        let _author = book.author.fetch(&db)?;
    }
    for book in Book::objects().select_related(|b| b.author()).all(&db)? {
        println!("{}", book.author.get()?.name);
    }
    orm::assert_num_queries!(db, 2, {
        let authors = Author::objects().prefetch_related(|a| a.books()).all(&db)?;
        for author in &authors {
            for _book in author.books.get()? {}
        }
    });
    Author::objects().prefetch_with(|a| a.books(), Book::objects().filter(|b| b.published_year.gte(2000)).order_by(|b| b.title.asc()));
    let captured = db.capture(|| Book::objects().all(&db))?;
    assert_eq!(captured.queries.len(), 1);

    let devs = Developer::objects().active().senior().by_skill("Python").select_related(|d| d.company()).all(&db)?;
    assert!(devs.is_empty());
    let (total, _per_model) = Author::objects().filter(|a| a.name.eq("X")).delete(&db)?;
    assert_eq!(total, 0);
    Ok(())
}
