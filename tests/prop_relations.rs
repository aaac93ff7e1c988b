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

// ---------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Cmp<V> {
    Eq(V),
    Ne(V),
    In(Vec<V>),
    IsNull(bool),
    Gt(V),
    Gte(V),
    Lt(V),
    Lte(V),
    Range(V, V),
}

impl<V: Clone + Nullish> Cmp<V> {
    /// `ne(v)` is built as `!eq(v)`.
    fn ne_as_eq(&self) -> Option<Self> {
        match self {
            Cmp::Ne(v) => Some(Cmp::Eq(v.clone())),
            _ => None,
        }
    }

    /// `is_in` of nothing but NULLs is `Q::none()`.
    fn is_nothing(&self) -> bool {
        matches!(self, Cmp::In(vs) if vs.iter().all(Nullish::is_null))
    }

    fn map<W>(&self, f: impl Fn(&V) -> W) -> Cmp<W> {
        match self {
            Cmp::Eq(v) => Cmp::Eq(f(v)),
            Cmp::Ne(v) => Cmp::Ne(f(v)),
            Cmp::In(vs) => Cmp::In(vs.iter().map(f).collect()),
            Cmp::IsNull(b) => Cmp::IsNull(*b),
            Cmp::Gt(v) => Cmp::Gt(f(v)),
            Cmp::Gte(v) => Cmp::Gte(f(v)),
            Cmp::Lt(v) => Cmp::Lt(f(v)),
            Cmp::Lte(v) => Cmp::Lte(f(v)),
            Cmp::Range(lo, hi) => Cmp::Range(f(lo), f(hi)),
        }
    }
}

/// A lookup on a (non-null) text column.
#[derive(Debug, Clone)]
enum Text {
    Cmp(Cmp<String>),
    Contains(String),
    IContains(String),
    StartsWith(String),
    IEndsWith(String),
    IExact(String),
}

impl Text {
    fn ne_as_eq(&self) -> Option<Self> {
        match self {
            Text::Cmp(c) => c.ne_as_eq().map(Text::Cmp),
            _ => None,
        }
    }

    fn is_nothing(&self) -> bool {
        matches!(self, Text::Cmp(c) if c.is_nothing())
    }
}

/// A comparison between two columns (Django's `F()`).
#[derive(Debug, Clone, Copy)]
enum FOp {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

trait Nullish {
    fn is_null(&self) -> bool;
}
impl Nullish for i32 {
    fn is_null(&self) -> bool {
        false
    }
}
impl Nullish for i64 {
    fn is_null(&self) -> bool {
        false
    }
}
impl Nullish for String {
    fn is_null(&self) -> bool {
        false
    }
}
impl<T> Nullish for Option<T> {
    fn is_null(&self) -> bool {
        self.is_none()
    }
}

// ---------------------------------------------------------------------------
// Filter trees and the reference's view of them
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Node<L> {
    Leaf(L),
    And(Box<Node<L>>, Box<Node<L>>),
    Or(Box<Node<L>>, Box<Node<L>>),
    Not(Box<Node<L>>),
}

/// A leaf of a filter tree.
trait Atom: Clone {
    /// `Some(eq)` when the leaf is built as `!eq`.
    fn ne_as_eq(&self) -> Option<Self>;
    /// `Some(true)` for `Q::all()`, `Some(false)` for `Q::none()` (or what builds it).
    fn constant(&self) -> Option<bool>;
    /// Whether the leaf follows a many-valued relation.
    fn many(&self) -> bool;
}

/// A condition as `Q` builds it.
#[derive(Debug, Clone)]
enum R<L> {
    Atom(L),
    And(Vec<R<L>>),
    Or(Vec<R<L>>),
    Not(Box<R<L>>),
    All,
    Nothing,
}

fn r_and<L>(a: R<L>, b: R<L>) -> R<L> {
    match (a, b) {
        (R::Nothing, _) | (_, R::Nothing) => R::Nothing,
        (R::All, c) | (c, R::All) => c,
        (R::And(mut a), R::And(b)) => {
            a.extend(b);
            R::And(a)
        }
        (R::And(mut a), c) => {
            a.push(c);
            R::And(a)
        }
        (a, b) => R::And(vec![a, b]),
    }
}

fn r_or<L>(a: R<L>, b: R<L>) -> R<L> {
    match (a, b) {
        (R::All, _) | (_, R::All) => R::All,
        (R::Nothing, c) | (c, R::Nothing) => c,
        (R::Or(mut a), R::Or(b)) => {
            a.extend(b);
            R::Or(a)
        }
        (R::Or(mut a), c) => {
            a.push(c);
            R::Or(a)
        }
        (a, b) => R::Or(vec![a, b]),
    }
}

fn r_not<L>(a: R<L>) -> R<L> {
    match a {
        R::Nothing => R::All,
        R::All => R::Nothing,
        R::Not(inner) => *inner,
        c => R::Not(Box::new(c)),
    }
}

fn lower<L: Atom>(node: &Node<L>) -> R<L> {
    match node {
        Node::Leaf(l) => match (l.constant(), l.ne_as_eq()) {
            (Some(true), _) => R::All,
            (Some(false), _) => R::Nothing,
            (None, Some(eq)) => r_not(R::Atom(eq)),
            (None, None) => R::Atom(l.clone()),
        },
        Node::And(a, b) => r_and(lower(a), lower(b)),
        Node::Or(a, b) => r_or(lower(a), lower(b)),
        Node::Not(a) => r_not(lower(a)),
    }
}

/// One `filter` (`false`) or `exclude` (`true`) call, as the reference sees it.
fn lower_call<L: Atom>((exclude, node): &(bool, Node<L>)) -> R<L> {
    let r = lower(node);
    if *exclude {
        r_not(r)
    } else {
        r
    }
}

/// Whether the condition follows a many-valued relation anywhere.
fn touches_many<L: Atom>(r: &R<L>) -> bool {
    match r {
        R::Atom(l) => l.many(),
        R::And(v) | R::Or(v) => v.iter().any(touches_many),
        R::Not(a) => touches_many(a),
        R::All | R::Nothing => false,
    }
}

/// Whether the main query joins the many-valued relation for this condition: some
/// lookup follows it outside a negation (a negation of such a lookup is a subquery).
fn joins_many<L: Atom>(r: &R<L>) -> bool {
    match r {
        R::Atom(l) => l.many(),
        R::And(v) | R::Or(v) => v.iter().any(joins_many),
        R::Not(_) | R::All | R::Nothing => false,
    }
}

// ---------------------------------------------------------------------------
// Lookup evaluation (Django's semantics: a lookup against NULL is false)
// ---------------------------------------------------------------------------

trait AsOpt<K> {
    fn as_opt(&self) -> Option<&K>;
}
impl<K> AsOpt<K> for K {
    fn as_opt(&self) -> Option<&K> {
        Some(self)
    }
}
impl<K> AsOpt<K> for Option<K> {
    fn as_opt(&self) -> Option<&K> {
        self.as_ref()
    }
}

fn eval_cmp<K: Ord, V: AsOpt<K>>(col: Option<&K>, l: &Cmp<V>) -> bool {
    let both = |v: &V, pred: fn(Ordering) -> bool| match (col, v.as_opt()) {
        (Some(c), Some(v)) => pred(c.cmp(v)),
        _ => false,
    };
    let eq = |v: &V| match v.as_opt() {
        None => col.is_none(),
        Some(v) => col == Some(v),
    };
    match l {
        Cmp::Eq(v) => eq(v),
        Cmp::Ne(v) => !eq(v),
        Cmp::In(vs) => col.is_some_and(|c| vs.iter().any(|v| v.as_opt() == Some(c))),
        Cmp::IsNull(b) => col.is_none() == *b,
        Cmp::Gt(v) => both(v, Ordering::is_gt),
        Cmp::Gte(v) => both(v, Ordering::is_ge),
        Cmp::Lt(v) => both(v, Ordering::is_lt),
        Cmp::Lte(v) => both(v, Ordering::is_le),
        Cmp::Range(lo, hi) => match (col, lo.as_opt(), hi.as_opt()) {
            (Some(c), Some(lo), Some(hi)) => lo <= c && c <= hi,
            _ => false,
        },
    }
}

fn eval_text(col: Option<&String>, l: &Text) -> bool {
    let fold = |s: &str| s.to_lowercase();
    match l {
        Text::Cmp(c) => eval_cmp(col, c),
        Text::Contains(n) => col.is_some_and(|h| h.contains(n.as_str())),
        Text::IContains(n) => col.is_some_and(|h| fold(h).contains(&fold(n))),
        Text::StartsWith(n) => col.is_some_and(|h| h.starts_with(n.as_str())),
        Text::IEndsWith(n) => col.is_some_and(|h| fold(h).ends_with(&fold(n))),
        Text::IExact(n) => col.is_some_and(|h| fold(h) == fold(n)),
    }
}

fn eval_fop(a: Option<i32>, op: FOp, b: Option<i32>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return matches!(op, FOp::Ne);
    };
    match op {
        FOp::Eq => a == b,
        FOp::Ne => a != b,
        FOp::Gt => a > b,
        FOp::Gte => a >= b,
        FOp::Lt => a < b,
        FOp::Lte => a <= b,
    }
}

// ---------------------------------------------------------------------------
// Building Q
// ---------------------------------------------------------------------------

fn cmp_q<T, V>(f: impl Lookups<T>, l: &Cmp<V>) -> Q
where
    T: OrderedColumn,
    V: Operand<T> + Clone,
{
    match l {
        Cmp::Eq(v) => f.eq(v.clone()),
        Cmp::Ne(v) => f.ne(v.clone()),
        Cmp::In(vs) => f.is_in(vs.clone()),
        Cmp::IsNull(b) => f.is_null(*b),
        Cmp::Gt(v) => f.gt(v.clone()),
        Cmp::Gte(v) => f.gte(v.clone()),
        Cmp::Lt(v) => f.lt(v.clone()),
        Cmp::Lte(v) => f.lte(v.clone()),
        Cmp::Range(lo, hi) => f.range(lo.clone(), hi.clone()),
    }
}

fn text_q(f: impl Lookups<String>, l: &Text) -> Q {
    match l {
        Text::Cmp(c) => cmp_q(f, c),
        Text::Contains(v) => f.contains(v.as_str()),
        Text::IContains(v) => f.icontains(v.as_str()),
        Text::StartsWith(v) => f.startswith(v.as_str()),
        Text::IEndsWith(v) => f.iendswith(v.as_str()),
        Text::IExact(v) => f.iexact(v.as_str()),
    }
}

fn fop_q<T: OrderedColumn>(lhs: impl Lookups<T>, op: FOp, rhs: impl Operand<T>) -> Q {
    match op {
        FOp::Eq => lhs.eq(rhs),
        FOp::Ne => lhs.ne(rhs),
        FOp::Gt => lhs.gt(rhs),
        FOp::Gte => lhs.gte(rhs),
        FOp::Lt => lhs.lt(rhs),
        FOp::Lte => lhs.lte(rhs),
    }
}

fn fk(v: &Option<i64>) -> Option<ForeignKey<PAuthor>> {
    v.map(ForeignKey::new)
}

fn tree_q<L>(node: &Node<L>, leaf: &impl Fn(&L) -> Q) -> Q {
    match node {
        Node::Leaf(l) => leaf(l),
        Node::And(a, b) => tree_q(a, leaf) & tree_q(b, leaf),
        Node::Or(a, b) => tree_q(a, leaf) | tree_q(b, leaf),
        Node::Not(a) => !tree_q(a, leaf),
    }
}

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
// Strategies
// ---------------------------------------------------------------------------

const ALPHABET: &[&str] = &["a", "A", "é"];

fn text(max_len: usize) -> impl Strategy<Value = String> + Clone {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..=max_len).prop_map(|v| v.concat())
}

fn int() -> impl Strategy<Value = i32> + Clone {
    0..4i32
}

fn key() -> impl Strategy<Value = i64> + Clone {
    0..8i64
}

fn cmp_s<V: Clone + Debug + 'static>(v: impl Strategy<Value = V> + Clone + 'static) -> BoxedStrategy<Cmp<V>> {
    prop_oneof![
        3 => v.clone().prop_map(Cmp::Eq),
        2 => v.clone().prop_map(Cmp::Ne),
        2 => prop::collection::vec(v.clone(), 0..4).prop_map(Cmp::In),
        3 => any::<bool>().prop_map(Cmp::IsNull),
        1 => v.clone().prop_map(Cmp::Gt),
        1 => v.clone().prop_map(Cmp::Gte),
        1 => v.clone().prop_map(Cmp::Lt),
        1 => v.clone().prop_map(Cmp::Lte),
        1 => (v.clone(), v).prop_map(|(lo, hi)| Cmp::Range(lo, hi)),
    ]
    .boxed()
}

fn text_s() -> BoxedStrategy<Text> {
    prop_oneof![
        4 => cmp_s(text(1)).prop_map(Text::Cmp),
        1 => text(1).prop_map(Text::Contains),
        1 => text(1).prop_map(Text::IContains),
        1 => text(1).prop_map(Text::StartsWith),
        1 => text(1).prop_map(Text::IEndsWith),
        1 => text(1).prop_map(Text::IExact),
    ]
    .boxed()
}

fn fop_s() -> impl Strategy<Value = FOp> {
    prop::sample::select(vec![FOp::Eq, FOp::Ne, FOp::Gt, FOp::Gte, FOp::Lt, FOp::Lte])
}

fn opt<V: Clone + Debug>(v: impl Strategy<Value = V> + Clone) -> impl Strategy<Value = Option<V>> + Clone {
    prop::option::weighted(0.8, v)
}

fn tree<L: Clone + Debug + 'static>(leaf: BoxedStrategy<L>) -> impl Strategy<Value = Node<L>> {
    leaf.prop_map(Node::Leaf).prop_recursive(3, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Node::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Node::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Node::Not(Box::new(a))),
        ]
    })
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec((text(1), prop::option::weighted(0.7, int())), 0..6),
        prop::collection::vec((text(1), int(), prop::option::weighted(0.8, 0..6usize)), 0..15),
    )
        .prop_map(|(authors, books)| World { authors, books })
}

fn book_leaf() -> BoxedStrategy<BookLeaf> {
    prop_oneof![
        2 => text_s().prop_map(BookLeaf::Title),
        2 => cmp_s(int()).prop_map(BookLeaf::Year),
        2 => cmp_s(opt(key())).prop_map(BookLeaf::Fk),
        2 => cmp_s(key()).prop_map(BookLeaf::AuthorId),
        3 => text_s().prop_map(BookLeaf::AuthorName),
        3 => cmp_s(opt(int())).prop_map(BookLeaf::AuthorBorn),
        2 => fop_s().prop_map(BookLeaf::YearVsBorn),
        1 => Just(BookLeaf::All),
        1 => Just(BookLeaf::Nothing),
    ]
    .boxed()
}

fn author_leaf() -> BoxedStrategy<AuthorLeaf> {
    prop_oneof![
        2 => text_s().prop_map(AuthorLeaf::Name),
        2 => cmp_s(opt(int())).prop_map(AuthorLeaf::Born),
        2 => cmp_s(0..17i64).prop_map(AuthorLeaf::BookId),
        2 => text_s().prop_map(AuthorLeaf::BookTitle),
        4 => cmp_s(int()).prop_map(AuthorLeaf::BookYear),
        1 => cmp_s(opt(key())).prop_map(AuthorLeaf::BookFk),
        1 => text_s().prop_map(AuthorLeaf::BookAuthorName),
        2 => fop_s().prop_map(AuthorLeaf::BornVsYear),
        1 => Just(AuthorLeaf::All),
        1 => Just(AuthorLeaf::Nothing),
    ]
    .boxed()
}

fn book_case() -> impl Strategy<Value = BookCase> {
    (world(), prop::collection::vec((any::<bool>(), tree(book_leaf())), 1..=2))
        .prop_map(|(world, calls)| BookCase { world, calls })
}

fn author_case() -> impl Strategy<Value = AuthorCase> {
    (world(), prop::collection::vec((any::<bool>(), tree(author_leaf())), 1..=2))
        .prop_map(|(world, calls)| AuthorCase { world, calls })
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
