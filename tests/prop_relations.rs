//! Property tests: random filter trees that follow relations, run through the ORM
//! against SQLite and PostgreSQL, must give what a plain-Rust reference evaluator with
//! Django's semantics gives over the same rows.
//!
//! (a) Book -> Author, a nullable ForeignKey (single-valued): a lookup on the related
//!     author is false when there is no author, except `is_null(true)`; negation is
//!     two-valued.
//! (b) Author -> books, the reverse side (many-valued): the conditions of one
//!     `filter` call refer to the same joined book (an author without books joins one
//!     all-NULL book); separate calls join separately; a negation of a condition that
//!     follows `books` means "no (author, book) pair satisfies it" (a subquery).
//!
//! The reference mirrors how `Q` is built (`ne(v)` is `!eq(v)`, `!!q` is `q`, as
//! `~~Q(..)` is `Q(..)` in Django, and `Q::all()`/`Q::none()` are absorbed), then
//! evaluates the resulting tree.

#[path = "support/backends.rs"]
mod backends;
use backends::{Backend, TestDb};
use orm::prelude::*;
use orm::{ForeignKey, HasMany, Operand, OrderedColumn};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::cmp::Ordering;
use std::fmt::Debug;

#[derive(Model, Debug, Clone)]
#[orm(table = "p_author")]
struct PAuthor {
    id: i64,
    name: String,
    born: Option<i32>,
    #[orm(related = "author")]
    books: HasMany<PBook>,
}

#[derive(Model, Debug, Clone)]
#[orm(table = "p_book")]
struct PBook {
    id: i64,
    title: String,
    year: i32,
    author: Option<ForeignKey<PAuthor>>,
}

#[path = "prop_relations/reference.rs"]
mod reference;
#[path = "prop_relations/strategies.rs"]
mod strategies;
use reference::*;
use strategies::*;

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct World {
    authors: Vec<(String, Option<i32>)>,
    /// `(title, year, index of the author)`; the index is taken modulo the number of
    /// authors, and is `None` without authors.
    books: Vec<(String, i32, Option<usize>)>,
}

#[derive(Debug, Clone)]
struct AuthorRow {
    id: i64,
    name: String,
    born: Option<i32>,
}

#[derive(Debug, Clone)]
struct BookRow {
    id: i64,
    title: String,
    year: i32,
    author: Option<i64>,
}

fn fail(what: &str) -> impl Fn(orm::Error) -> TestCaseError + '_ {
    move |e| TestCaseError::fail(format!("{what}: {e}"))
}

/// `fail` for an error of the queryset whose SELECT is `sql`.
fn fail_sql<'a>(what: &'a str, sql: &'a orm::Sql) -> impl Fn(orm::Error) -> TestCaseError + 'a {
    move |e| TestCaseError::fail(format!("{what}: {e}\nSQL: {sql}"))
}

/// Empties the tables for a new case, keys starting again at 1 as in a new database
/// (one database serves every case of a property: on PostgreSQL a schema per case
/// would cost a CREATE SCHEMA each).
fn reset(db: &TestDb) -> orm::Result<()> {
    match db.backend() {
        Backend::Sqlite => {
            db.execute("DELETE FROM \"p_book\"", &[])?;
            db.execute("DELETE FROM \"p_author\"", &[])?;
            db.execute("DELETE FROM sqlite_sequence", &[])?;
        }
        Backend::Postgres => {
            db.execute("TRUNCATE \"p_book\", \"p_author\" RESTART IDENTITY", &[])?;
        }
    }
    Ok(())
}

fn load(db: &TestDb, world: &World) -> Result<(Vec<AuthorRow>, Vec<BookRow>), TestCaseError> {
    reset(db).map_err(fail("reset"))?;
    let authors = PAuthor::objects()
        .bulk_create(
            db,
            world.authors.iter().map(|(name, born)| NewPAuthor { name: name.clone(), born: *born }).collect::<Vec<_>>(),
        )
        .map_err(fail("bulk_create authors"))?;
    let ids: Vec<i64> = authors.iter().map(|a| a.id).collect();
    let books = PBook::objects()
        .bulk_create(
            db,
            world
                .books
                .iter()
                .map(|(title, year, author)| NewPBook {
                    title: title.clone(),
                    year: *year,
                    author: author.filter(|_| !ids.is_empty()).map(|i| ForeignKey::new(ids[i % ids.len()])),
                })
                .collect::<Vec<_>>(),
        )
        .map_err(fail("bulk_create books"))?;
    let authors = authors.into_iter().map(|a| AuthorRow { id: a.id, name: a.name, born: a.born }).collect();
    let books = books
        .into_iter()
        .map(|b| BookRow { id: b.id, title: b.title, year: b.year, author: b.author.as_ref().map(|k| *k.id()) })
        .collect();
    Ok((authors, books))
}

// ---------------------------------------------------------------------------
// (a) Book -> Author: a nullable ForeignKey
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum BookLeaf {
    Title(Text),
    Year(Cmp<i32>),
    /// The key column itself, `b.author`.
    Fk(Cmp<Option<i64>>),
    AuthorId(Cmp<i64>),
    AuthorName(Text),
    AuthorBorn(Cmp<Option<i32>>),
    /// `b.year <op> b.author().born`
    YearVsBorn(FOp),
    All,
    Nothing,
}

impl Atom for BookLeaf {
    fn ne_as_eq(&self) -> Option<Self> {
        match self {
            BookLeaf::Title(t) => t.ne_as_eq().map(BookLeaf::Title),
            BookLeaf::Year(c) => c.ne_as_eq().map(BookLeaf::Year),
            BookLeaf::Fk(c) => c.ne_as_eq().map(BookLeaf::Fk),
            BookLeaf::AuthorId(c) => c.ne_as_eq().map(BookLeaf::AuthorId),
            BookLeaf::AuthorName(t) => t.ne_as_eq().map(BookLeaf::AuthorName),
            BookLeaf::AuthorBorn(c) => c.ne_as_eq().map(BookLeaf::AuthorBorn),
            BookLeaf::YearVsBorn(FOp::Ne) => Some(BookLeaf::YearVsBorn(FOp::Eq)),
            BookLeaf::YearVsBorn(_) | BookLeaf::All | BookLeaf::Nothing => None,
        }
    }

    fn constant(&self) -> Option<bool> {
        match self {
            BookLeaf::All => Some(true),
            BookLeaf::Nothing => Some(false),
            BookLeaf::Title(t) | BookLeaf::AuthorName(t) => t.is_nothing().then_some(false),
            BookLeaf::Year(c) => c.is_nothing().then_some(false),
            BookLeaf::Fk(c) => c.is_nothing().then_some(false),
            BookLeaf::AuthorId(c) => c.is_nothing().then_some(false),
            BookLeaf::AuthorBorn(c) => c.is_nothing().then_some(false),
            BookLeaf::YearVsBorn(_) => None,
        }
    }

    fn many(&self) -> bool {
        false
    }
}

fn book_leaf_q(f: PBookFields, l: &BookLeaf) -> Q {
    match l {
        BookLeaf::Title(t) => text_q(f.title, t),
        BookLeaf::Year(c) => cmp_q(f.year, c),
        BookLeaf::Fk(c) => cmp_q(f.author, &c.map(fk)),
        BookLeaf::AuthorId(c) => cmp_q(f.author().id, c),
        BookLeaf::AuthorName(t) => text_q(f.author().name, t),
        BookLeaf::AuthorBorn(c) => cmp_q(f.author().born, c),
        BookLeaf::YearVsBorn(op) => fop_q(f.year, *op, f.author().born),
        BookLeaf::All => Q::all(),
        BookLeaf::Nothing => Q::none(),
    }
}

fn eval_book_leaf(b: &BookRow, a: Option<&AuthorRow>, l: &BookLeaf) -> bool {
    match l {
        BookLeaf::Title(t) => eval_text(Some(&b.title), t),
        BookLeaf::Year(c) => eval_cmp(Some(&b.year), c),
        BookLeaf::Fk(c) => eval_cmp(b.author.as_ref(), c),
        BookLeaf::AuthorId(c) => eval_cmp(a.map(|a| &a.id), c),
        BookLeaf::AuthorName(t) => eval_text(a.map(|a| &a.name), t),
        BookLeaf::AuthorBorn(c) => eval_cmp(a.and_then(|a| a.born.as_ref()), c),
        BookLeaf::YearVsBorn(op) => eval_fop(Some(b.year), *op, a.and_then(|a| a.born)),
        BookLeaf::All => true,
        BookLeaf::Nothing => false,
    }
}

/// Single-valued relations only: plain two-valued logic on (book, its author or none).
fn eval_book(b: &BookRow, a: Option<&AuthorRow>, r: &R<BookLeaf>) -> bool {
    match r {
        R::Atom(l) => eval_book_leaf(b, a, l),
        R::And(v) => v.iter().all(|r| eval_book(b, a, r)),
        R::Or(v) => v.iter().any(|r| eval_book(b, a, r)),
        R::Not(r) => !eval_book(b, a, r),
        R::All => true,
        R::Nothing => false,
    }
}

#[derive(Debug, Clone)]
struct BookCase {
    world: World,
    calls: Vec<(bool, Node<BookLeaf>)>,
}

fn build_books(case: &BookCase) -> QuerySet<PBook> {
    let mut qs = PBook::objects();
    for (exclude, node) in &case.calls {
        let q = |f: PBookFields| tree_q(node, &|l| book_leaf_q(f, l));
        qs = if *exclude { qs.exclude(q) } else { qs.filter(q) };
    }
    qs.order_by(|b| b.id.asc())
}

fn run_books(db: &TestDb, case: &BookCase) -> Result<(), TestCaseError> {
    let (authors, books) = load(db, &case.world)?;
    let calls: Vec<R<BookLeaf>> = case.calls.iter().map(lower_call).collect();
    let expected: Vec<i64> = books
        .iter()
        .filter(|b| {
            let a = authors.iter().find(|a| Some(a.id) == b.author);
            calls.iter().all(|r| eval_book(b, a, r))
        })
        .map(|b| b.id)
        .collect();

    let qs = build_books(case);
    let sql = qs.sql_for(db);
    let got: Vec<i64> = qs.all(db).map_err(fail_sql("all", &sql))?.iter().map(|b| b.id).collect();
    prop_assert_eq!(&got, &expected, "all() differs\nSQL: {}", sql);
    let count = qs.count(db).map_err(fail_sql("count", &sql))?;
    prop_assert_eq!(count, expected.len() as i64, "count() differs\nSQL: {}", sql);
    let exists = qs.exists(db).map_err(fail_sql("exists", &sql))?;
    prop_assert_eq!(exists, !expected.is_empty(), "exists() differs\nSQL: {}", sql);
    Ok(())
}

// ---------------------------------------------------------------------------
// (b) Author -> books: the reverse side, many-valued
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum AuthorLeaf {
    Name(Text),
    Born(Cmp<Option<i32>>),
    BookId(Cmp<i64>),
    BookTitle(Text),
    BookYear(Cmp<i32>),
    /// `a.books().author`: the key column of the joined book.
    BookFk(Cmp<Option<i64>>),
    /// `a.books().author().name`: back to the author through the joined book.
    BookAuthorName(Text),
    /// `a.born <op> a.books().year`
    BornVsYear(FOp),
    All,
    Nothing,
}

impl Atom for AuthorLeaf {
    fn ne_as_eq(&self) -> Option<Self> {
        match self {
            AuthorLeaf::Name(t) => t.ne_as_eq().map(AuthorLeaf::Name),
            AuthorLeaf::Born(c) => c.ne_as_eq().map(AuthorLeaf::Born),
            AuthorLeaf::BookId(c) => c.ne_as_eq().map(AuthorLeaf::BookId),
            AuthorLeaf::BookTitle(t) => t.ne_as_eq().map(AuthorLeaf::BookTitle),
            AuthorLeaf::BookYear(c) => c.ne_as_eq().map(AuthorLeaf::BookYear),
            AuthorLeaf::BookFk(c) => c.ne_as_eq().map(AuthorLeaf::BookFk),
            AuthorLeaf::BookAuthorName(t) => t.ne_as_eq().map(AuthorLeaf::BookAuthorName),
            AuthorLeaf::BornVsYear(FOp::Ne) => Some(AuthorLeaf::BornVsYear(FOp::Eq)),
            AuthorLeaf::BornVsYear(_) | AuthorLeaf::All | AuthorLeaf::Nothing => None,
        }
    }

    fn constant(&self) -> Option<bool> {
        match self {
            AuthorLeaf::All => Some(true),
            AuthorLeaf::Nothing => Some(false),
            AuthorLeaf::Name(t) | AuthorLeaf::BookTitle(t) | AuthorLeaf::BookAuthorName(t) => {
                t.is_nothing().then_some(false)
            }
            AuthorLeaf::Born(c) => c.is_nothing().then_some(false),
            AuthorLeaf::BookId(c) => c.is_nothing().then_some(false),
            AuthorLeaf::BookYear(c) => c.is_nothing().then_some(false),
            AuthorLeaf::BookFk(c) => c.is_nothing().then_some(false),
            AuthorLeaf::BornVsYear(_) => None,
        }
    }

    fn many(&self) -> bool {
        !matches!(self, AuthorLeaf::Name(_) | AuthorLeaf::Born(_) | AuthorLeaf::All | AuthorLeaf::Nothing)
    }
}

fn author_leaf_q(f: PAuthorFields, l: &AuthorLeaf) -> Q {
    match l {
        AuthorLeaf::Name(t) => text_q(f.name, t),
        AuthorLeaf::Born(c) => cmp_q(f.born, c),
        AuthorLeaf::BookId(c) => cmp_q(f.books().id, c),
        AuthorLeaf::BookTitle(t) => text_q(f.books().title, t),
        AuthorLeaf::BookYear(c) => cmp_q(f.books().year, c),
        AuthorLeaf::BookFk(c) => cmp_q(f.books().author, &c.map(fk)),
        AuthorLeaf::BookAuthorName(t) => text_q(f.books().author().name, t),
        AuthorLeaf::BornVsYear(op) => fop_q(f.born, *op, f.books().year),
        AuthorLeaf::All => Q::all(),
        AuthorLeaf::Nothing => Q::none(),
    }
}

/// `p` is the joined book of this author, `None` for the all-NULL row an author
/// without books joins.
fn eval_author_leaf(a: &AuthorRow, p: Option<&BookRow>, l: &AuthorLeaf) -> bool {
    match l {
        AuthorLeaf::Name(t) => eval_text(Some(&a.name), t),
        AuthorLeaf::Born(c) => eval_cmp(a.born.as_ref(), c),
        AuthorLeaf::BookId(c) => eval_cmp(p.map(|b| &b.id), c),
        AuthorLeaf::BookTitle(t) => eval_text(p.map(|b| &b.title), t),
        AuthorLeaf::BookYear(c) => eval_cmp(p.map(|b| &b.year), c),
        AuthorLeaf::BookFk(c) => eval_cmp(p.and_then(|b| b.author.as_ref()), c),
        // A book of `a` has `a` as its author.
        AuthorLeaf::BookAuthorName(t) => eval_text(p.map(|_| &a.name), t),
        AuthorLeaf::BornVsYear(op) => eval_fop(a.born, *op, p.map(|b| b.year)),
        AuthorLeaf::All => true,
        AuthorLeaf::Nothing => false,
    }
}

/// The (author, book) pairs a join of `books` gives: one per book, or one all-NULL
/// book for an author without books.
fn pairs<'a>(books: &[&'a BookRow]) -> Vec<Option<&'a BookRow>> {
    if books.is_empty() {
        vec![None]
    } else {
        books.iter().copied().map(Some).collect()
    }
}

fn eval_author(a: &AuthorRow, p: Option<&BookRow>, books: &[&BookRow], r: &R<AuthorLeaf>) -> bool {
    match r {
        R::Atom(l) => eval_author_leaf(a, p, l),
        R::And(v) => v.iter().all(|r| eval_author(a, p, books, r)),
        R::Or(v) => v.iter().any(|r| eval_author(a, p, books, r)),
        // `NOT (id IN (SELECT id FROM author JOIN book .. WHERE inner))`: no pair of
        // this author satisfies `inner`. The subquery's join follows the same planner
        // rules, so an author without books is in it when `inner` holds for the
        // all-NULL book (`exclude(name = "x" | books.year = 1)` drops a bookless "x").
        R::Not(inner) if touches_many(inner) => !pairs(books).into_iter().any(|q| eval_author(a, q, books, inner)),
        R::Not(inner) => !eval_author(a, p, books, inner),
        R::All => true,
        R::Nothing => false,
    }
}

/// How many rows the query without `distinct()` gives for this author: each call that
/// joins `books` multiplies by the number of its pairs satisfying the call's condition.
fn author_rows(a: &AuthorRow, books: &[&BookRow], calls: &[R<AuthorLeaf>]) -> usize {
    calls
        .iter()
        .map(|r| {
            let matching = pairs(books).into_iter().filter(|p| eval_author(a, *p, books, r)).count();
            if joins_many(r) {
                matching
            } else {
                usize::from(matching > 0)
            }
        })
        .product()
}

#[derive(Debug, Clone)]
struct AuthorCase {
    world: World,
    calls: Vec<(bool, Node<AuthorLeaf>)>,
}

fn build_authors(case: &AuthorCase) -> QuerySet<PAuthor> {
    let mut qs = PAuthor::objects();
    for (exclude, node) in &case.calls {
        let q = |f: PAuthorFields| tree_q(node, &|l| author_leaf_q(f, l));
        qs = if *exclude { qs.exclude(q) } else { qs.filter(q) };
    }
    qs.order_by(|a| a.id.asc())
}

fn run_authors(db: &TestDb, case: &AuthorCase) -> Result<(), TestCaseError> {
    let (authors, books) = load(db, &case.world)?;
    let calls: Vec<R<AuthorLeaf>> = case.calls.iter().map(lower_call).collect();
    let mut expected_all: Vec<i64> = Vec::new();
    for a in &authors {
        let own: Vec<&BookRow> = books.iter().filter(|b| b.author == Some(a.id)).collect();
        expected_all.extend(std::iter::repeat_n(a.id, author_rows(a, &own, &calls)));
    }
    let mut expected = expected_all.clone();
    expected.dedup();

    // distinct(): each matching author once.
    let qs = build_authors(case).distinct();
    let sql = qs.sql_for(db);
    let got: Vec<i64> = qs.all(db).map_err(fail_sql("all", &sql))?.iter().map(|a| a.id).collect();
    prop_assert_eq!(&got, &expected, "distinct all() differs\nSQL: {}", sql);
    let count = qs.count(db).map_err(fail_sql("count", &sql))?;
    prop_assert_eq!(count, expected.len() as i64, "distinct count() differs\nSQL: {}", sql);
    let exists = qs.exists(db).map_err(fail_sql("exists", &sql))?;
    prop_assert_eq!(exists, !expected.is_empty(), "distinct exists() differs\nSQL: {}", sql);

    // Without distinct(): one row per (author, joined books) combination.
    let qs = build_authors(case);
    let sql = qs.sql_for(db);
    let got: Vec<i64> = qs.all(db).map_err(fail_sql("all", &sql))?.iter().map(|a| a.id).collect();
    prop_assert_eq!(&got, &expected_all, "all() without distinct differs\nSQL: {}", sql);
    let count = qs.count(db).map_err(fail_sql("count", &sql))?;
    prop_assert_eq!(count, expected_all.len() as i64, "count() without distinct differs\nSQL: {}", sql);
    Ok(())
}

// ---------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------

/// Runs `test` over 256 random cases of `strategy` on the test's database, as
/// `proptest!` runs a property (the same configuration, the same failure report).
fn check<S: Strategy>(
    db: &TestDb,
    strategy: S,
    test: fn(&TestDb, &S::Value) -> Result<(), TestCaseError>,
) -> orm::Result<()> {
    db.create_tables::<(PAuthor, PBook)>()?;
    let mut config = ProptestConfig::with_cases(256);
    config.source_file = Some(file!());
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, |case| test(db, &case)) {
        panic!("{e}\n{runner}");
    }
    Ok(())
}

backend_tests! {
    fn forward_foreign_key_lookups_match_reference(db) {
        check(db, book_case(), run_books)
    }

    fn reverse_foreign_key_lookups_match_reference(db) {
        check(db, author_case(), run_authors)
    }
}
