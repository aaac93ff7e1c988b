//! Property test: random filter trees, orderings and slices run through the ORM
//! against each backend must give exactly what a plain-Rust reference evaluator gives
//! over the same rows (Django's lookup semantics, with two-valued negation).

#[path = "support/backends.rs"]
mod backends;

use backends::{Backend, TestDb};
use orm::prelude::*;
use orm::{Operand, OrderBy, OrderedColumn, TextColumn};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::cmp::Ordering;
use std::fmt::Debug;

#[derive(Model, Debug, Clone, PartialEq)]
struct Item {
    id: i64,
    n: i32,
    m: Option<i32>,
    s: String,
    t: Option<String>,
    flag: bool,
}

// ---------------------------------------------------------------------------
// The filter language
// ---------------------------------------------------------------------------

/// A lookup shared by every ordered column; `V` is the operand type (`i32`,
/// `Option<i32>`, `String`, `Option<String>`).
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

/// A lookup on a text column. The pattern lookups take text (a `None` there does not
/// compile, as Django refuses it); `iexact(None)` is `IS NULL`.
#[derive(Debug, Clone)]
enum Text<V> {
    Cmp(Cmp<V>),
    Contains(String),
    IContains(String),
    StartsWith(String),
    IStartsWith(String),
    EndsWith(String),
    IEndsWith(String),
    IExact(V),
}

/// A lookup on the (unordered) bool column.
#[derive(Debug, Clone)]
enum FlagL {
    Eq(bool),
    Ne(bool),
    In(Vec<bool>),
    IsNull(bool),
}

#[derive(Debug, Clone)]
enum Leaf {
    N(Cmp<i32>),
    M(Cmp<Option<i32>>),
    S(Text<String>),
    T(Text<Option<String>>),
    Flag(FlagL),
    All,
    Nothing,
}

#[derive(Debug, Clone)]
enum Node {
    Leaf(Leaf),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

#[derive(Debug, Clone, Copy)]
enum Key {
    N,
    M,
    S,
    T,
    Flag,
}

#[derive(Debug, Clone, Copy)]
enum SliceSpec {
    From(usize),
    To(usize),
    Range(usize, usize),
    Inclusive(usize, usize),
}

/// A row to insert (`NewItem` derives neither `Debug` nor `Clone`).
#[derive(Debug, Clone)]
struct Row {
    n: i32,
    m: Option<i32>,
    s: String,
    t: Option<String>,
    flag: bool,
}

#[derive(Debug, Clone)]
struct Case {
    rows: Vec<Row>,
    /// Top-level calls, chained: `true` is `exclude`, `false` is `filter`.
    filters: Vec<(bool, Node)>,
    order: Vec<(Key, bool)>,
    slice: Option<SliceSpec>,
}

// ---------------------------------------------------------------------------
// Tree -> Q
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

fn text_q<T, V>(f: impl Lookups<T>, l: &Text<V>) -> Q
where
    T: OrderedColumn + TextColumn,
    V: Operand<T> + Clone,
{
    match l {
        Text::Cmp(c) => cmp_q(f, c),
        Text::Contains(v) => f.contains(v.clone()),
        Text::IContains(v) => f.icontains(v.clone()),
        Text::StartsWith(v) => f.startswith(v.clone()),
        Text::IStartsWith(v) => f.istartswith(v.clone()),
        Text::EndsWith(v) => f.endswith(v.clone()),
        Text::IEndsWith(v) => f.iendswith(v.clone()),
        Text::IExact(v) => f.iexact(v.clone()),
    }
}

fn to_q(f: ItemFields, node: &Node) -> Q {
    match node {
        Node::Leaf(leaf) => match leaf {
            Leaf::N(l) => cmp_q(f.n, l),
            Leaf::M(l) => cmp_q(f.m, l),
            Leaf::S(l) => text_q(f.s, l),
            Leaf::T(l) => text_q(f.t, l),
            Leaf::Flag(l) => match l {
                FlagL::Eq(b) => f.flag.eq(*b),
                FlagL::Ne(b) => f.flag.ne(*b),
                FlagL::In(bs) => f.flag.is_in(bs.clone()),
                FlagL::IsNull(b) => f.flag.is_null(*b),
            },
            Leaf::All => Q::all(),
            Leaf::Nothing => Q::none(),
        },
        Node::And(a, b) => to_q(f, a) & to_q(f, b),
        Node::Or(a, b) => to_q(f, a) | to_q(f, b),
        Node::Not(a) => !to_q(f, a),
    }
}

fn order_term(f: ItemFields, (key, desc): (Key, bool)) -> OrderBy {
    match (key, desc) {
        (Key::N, false) => f.n.asc().into(),
        (Key::N, true) => f.n.desc().into(),
        (Key::M, false) => f.m.asc().into(),
        (Key::M, true) => f.m.desc().into(),
        (Key::S, false) => f.s.asc().into(),
        (Key::S, true) => f.s.desc().into(),
        (Key::T, false) => f.t.asc().into(),
        (Key::T, true) => f.t.desc().into(),
        (Key::Flag, false) => f.flag.asc().into(),
        (Key::Flag, true) => f.flag.desc().into(),
    }
}

fn build(case: &Case) -> QuerySet<Item> {
    let mut qs = Item::objects();
    for (exclude, node) in &case.filters {
        qs = if *exclude { qs.exclude(|f| to_q(f, node)) } else { qs.filter(|f| to_q(f, node)) };
    }
    let order = case.order.clone();
    qs = match order.as_slice() {
        [a] => qs.order_by(|f| (order_term(f, *a), f.id.asc())),
        [a, b] => qs.order_by(|f| (order_term(f, *a), order_term(f, *b), f.id.asc())),
        _ => unreachable!("one or two ordering keys"),
    };
    match case.slice {
        None => qs,
        Some(SliceSpec::From(a)) => qs.slice(a..),
        Some(SliceSpec::To(b)) => qs.slice(..b),
        Some(SliceSpec::Range(a, b)) => qs.slice(a..b),
        Some(SliceSpec::Inclusive(a, b)) => qs.slice(a..=b),
    }
}

// ---------------------------------------------------------------------------
// Reference evaluator
// ---------------------------------------------------------------------------

/// An operand as a possibly-NULL value.
trait AsOpt<K> {
    fn as_opt(&self) -> Option<&K>;
}
impl AsOpt<i32> for i32 {
    fn as_opt(&self) -> Option<&i32> {
        Some(self)
    }
}
impl AsOpt<i32> for Option<i32> {
    fn as_opt(&self) -> Option<&i32> {
        self.as_ref()
    }
}
impl AsOpt<String> for String {
    fn as_opt(&self) -> Option<&String> {
        Some(self)
    }
}
impl AsOpt<String> for Option<String> {
    fn as_opt(&self) -> Option<&String> {
        self.as_ref()
    }
}

/// `eq`: `eq(None)` is `IS NULL`; otherwise a NULL column is not equal.
fn eval_eq<K: PartialEq>(col: Option<&K>, v: Option<&K>) -> bool {
    match v {
        None => col.is_none(),
        Some(v) => col == Some(v),
    }
}

/// Two-valued: any comparison with a NULL is false.
fn eval_cmp<K: Ord, V: AsOpt<K>>(col: Option<&K>, l: &Cmp<V>) -> bool {
    let both = |v: &V, pred: fn(Ordering) -> bool| match (col, v.as_opt()) {
        (Some(c), Some(v)) => pred(c.cmp(v)),
        _ => false,
    };
    match l {
        Cmp::Eq(v) => eval_eq(col, v.as_opt()),
        // `ne(v)` is exactly `!eq(v)`.
        Cmp::Ne(v) => !eval_eq(col, v.as_opt()),
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

/// The case folding of the `i` lookups: Rust's `to_lowercase` in SQLite's functions,
/// `UPPER()` on both sides on PostgreSQL (as Django writes them there). They differ on
/// a final sigma: `"aΣ".to_lowercase()` is `"aς"`, which does not end with `"σ"`.
fn folder(backend: Backend) -> fn(&str) -> String {
    match backend {
        Backend::Sqlite => str::to_lowercase,
        Backend::Postgres => str::to_uppercase,
    }
}

fn eval_text<V: AsOpt<String>>(col: Option<&String>, l: &Text<V>, backend: Backend) -> bool {
    let fold = folder(backend);
    let pat = |v: &String, m: &dyn Fn(&str, &str) -> bool| col.is_some_and(|h| m(h, v));
    match l {
        Text::Cmp(c) => eval_cmp(col, c),
        Text::Contains(v) => pat(v, &|h, n| h.contains(n)),
        Text::IContains(v) => pat(v, &|h, n| fold(h).contains(&fold(n))),
        Text::StartsWith(v) => pat(v, &|h, n| h.starts_with(n)),
        Text::IStartsWith(v) => pat(v, &|h, n| fold(h).starts_with(&fold(n))),
        Text::EndsWith(v) => pat(v, &|h, n| h.ends_with(n)),
        Text::IEndsWith(v) => pat(v, &|h, n| fold(h).ends_with(&fold(n))),
        // Documented: `iexact(None)` is `IS NULL`, as in Django.
        Text::IExact(v) => match v.as_opt() {
            None => col.is_none(),
            Some(n) => pat(n, &|h, n| fold(h) == fold(n)),
        },
    }
}

fn eval(row: &Item, node: &Node, backend: Backend) -> bool {
    match node {
        Node::Leaf(leaf) => match leaf {
            Leaf::N(l) => eval_cmp(Some(&row.n), l),
            Leaf::M(l) => eval_cmp(row.m.as_ref(), l),
            Leaf::S(l) => eval_text(Some(&row.s), l, backend),
            Leaf::T(l) => eval_text(row.t.as_ref(), l, backend),
            Leaf::Flag(l) => match l {
                FlagL::Eq(b) => row.flag == *b,
                FlagL::Ne(b) => row.flag != *b,
                FlagL::In(bs) => bs.contains(&row.flag),
                FlagL::IsNull(b) => !*b,
            },
            Leaf::All => true,
            Leaf::Nothing => false,
        },
        Node::And(a, b) => eval(row, a, backend) && eval(row, b, backend),
        Node::Or(a, b) => eval(row, a, backend) || eval(row, b, backend),
        Node::Not(a) => !eval(row, a, backend),
    }
}

/// `a` against `b` where NULL sorts below every value (SQLite) or above it
/// (PostgreSQL); Django leaves each backend's NULL order as it is.
fn cmp_nullable<K: Ord>(a: Option<K>, b: Option<K>, backend: Backend) -> Ordering {
    let nulls = match backend {
        Backend::Sqlite => a.cmp(&b), // None < Some
        Backend::Postgres => a.is_none().cmp(&b.is_none()),
    };
    nulls.then_with(|| a.cmp(&b))
}

/// The backend's order: SQLite puts NULLs first ascending (so last descending),
/// PostgreSQL last ascending (so first descending). Text by bytes: SQLite's BINARY
/// collation, and the C collation PostgreSQL's test database has (checked in the test).
fn cmp_key(a: &Item, b: &Item, key: Key, backend: Backend) -> Ordering {
    match key {
        Key::N => a.n.cmp(&b.n),
        Key::M => cmp_nullable(a.m, b.m, backend),
        Key::S => a.s.as_bytes().cmp(b.s.as_bytes()),
        Key::T => cmp_nullable(a.t.as_ref().map(String::as_bytes), b.t.as_ref().map(String::as_bytes), backend),
        Key::Flag => a.flag.cmp(&b.flag),
    }
}

fn reference(rows: &[Item], case: &Case, backend: Backend) -> Vec<Item> {
    let mut out: Vec<Item> = rows
        .iter()
        .filter(|r| case.filters.iter().all(|(exclude, node)| eval(r, node, backend) != *exclude))
        .cloned()
        .collect();
    out.sort_by(|a, b| {
        case.order
            .iter()
            .map(|&(key, desc)| {
                let o = cmp_key(a, b, key, backend);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            })
            .fold(Ordering::Equal, Ordering::then)
            .then(a.id.cmp(&b.id))
    });
    let (low, take) = match case.slice {
        None => (0, usize::MAX),
        Some(SliceSpec::From(a)) => (a, usize::MAX),
        Some(SliceSpec::To(b)) => (0, b),
        Some(SliceSpec::Range(a, b)) => (a, b.saturating_sub(a)),
        Some(SliceSpec::Inclusive(a, b)) => (a, (b + 1).saturating_sub(a)),
    };
    out.into_iter().skip(low).take(take).collect()
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

const ALPHABET: &[&str] = &["a", "A", "é", "É", "%", "_", "\\", "Σ"];

fn text(max_len: usize) -> impl Strategy<Value = String> + Clone {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..=max_len).prop_map(|v| v.concat())
}

fn int() -> impl Strategy<Value = i32> + Clone {
    -1..4i32
}

fn cmp_strategy<V: Clone + Debug + 'static>(v: impl Strategy<Value = V> + Clone + 'static) -> BoxedStrategy<Cmp<V>> {
    prop_oneof![
        3 => v.clone().prop_map(Cmp::Eq),
        2 => v.clone().prop_map(Cmp::Ne),
        2 => prop::collection::vec(v.clone(), 0..4).prop_map(Cmp::In),
        1 => any::<bool>().prop_map(Cmp::IsNull),
        1 => v.clone().prop_map(Cmp::Gt),
        1 => v.clone().prop_map(Cmp::Gte),
        1 => v.clone().prop_map(Cmp::Lt),
        1 => v.clone().prop_map(Cmp::Lte),
        2 => (v.clone(), v).prop_map(|(lo, hi)| Cmp::Range(lo, hi)),
    ]
    .boxed()
}

fn text_strategy<V: Clone + Debug + 'static>(v: impl Strategy<Value = V> + Clone + 'static) -> BoxedStrategy<Text<V>> {
    prop_oneof![
        4 => cmp_strategy(v.clone()).prop_map(Text::Cmp),
        1 => text(2).prop_map(Text::Contains),
        1 => text(2).prop_map(Text::IContains),
        1 => text(2).prop_map(Text::StartsWith),
        1 => text(2).prop_map(Text::IStartsWith),
        1 => text(2).prop_map(Text::EndsWith),
        1 => text(2).prop_map(Text::IEndsWith),
        1 => v.prop_map(Text::IExact),
    ]
    .boxed()
}

fn leaf() -> impl Strategy<Value = Leaf> {
    prop_oneof![
        3 => cmp_strategy(int()).prop_map(Leaf::N),
        3 => cmp_strategy(prop::option::weighted(0.8, int())).prop_map(Leaf::M),
        3 => text_strategy(text(2)).prop_map(Leaf::S),
        3 => text_strategy(prop::option::weighted(0.8, text(2))).prop_map(Leaf::T),
        2 => prop_oneof![
            any::<bool>().prop_map(FlagL::Eq),
            any::<bool>().prop_map(FlagL::Ne),
            prop::collection::vec(any::<bool>(), 0..3).prop_map(FlagL::In),
            any::<bool>().prop_map(FlagL::IsNull),
        ]
        .prop_map(Leaf::Flag),
        1 => Just(Leaf::All),
        1 => Just(Leaf::Nothing),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    leaf().prop_map(Node::Leaf).prop_recursive(4, 32, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Node::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Node::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Node::Not(Box::new(a))),
        ]
    })
}

fn row() -> impl Strategy<Value = Row> {
    (int(), prop::option::weighted(0.7, int()), text(3), prop::option::weighted(0.7, text(3)), any::<bool>())
        .prop_map(|(n, m, s, t, flag)| Row { n, m, s, t, flag })
}

fn key() -> impl Strategy<Value = (Key, bool)> {
    (prop::sample::select(vec![Key::N, Key::M, Key::S, Key::T, Key::Flag]), any::<bool>())
}

fn slice() -> impl Strategy<Value = Option<SliceSpec>> {
    prop::option::weighted(
        0.5,
        prop_oneof![
            (0..8usize).prop_map(SliceSpec::From),
            (0..12usize).prop_map(SliceSpec::To),
            (0..8usize, 0..14usize).prop_map(|(a, b)| SliceSpec::Range(a, b)),
            (0..8usize, 0..14usize).prop_map(|(a, b)| SliceSpec::Inclusive(a, b)),
        ],
    )
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(row(), 0..25),
        prop::collection::vec((any::<bool>(), node()), 1..=2),
        prop::collection::vec(key(), 1..=2),
        slice(),
    )
        .prop_map(|(rows, filters, order, slice)| Case { rows, filters, order, slice })
}

// ---------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------

/// One case on `db`, whose `item` table exists: its rows replace the last case's.
fn run(db: &TestDb, case: &Case) -> Result<(), TestCaseError> {
    db.execute("DELETE FROM item", &[]).map_err(|e| TestCaseError::fail(format!("delete: {e}")))?;
    let inserted = Item::objects()
        .bulk_create(db, case.rows.iter().cloned().map(|Row { n, m, s, t, flag }| NewItem { n, m, s, t, flag }))
        .map_err(|e| TestCaseError::fail(format!("bulk_create: {e}")))?;
    prop_assert_eq!(inserted.len(), case.rows.len());

    let qs = build(case);
    let sql = qs.sql_for(db);
    let expected = reference(&inserted, case, db.backend());

    let got = qs.all(db).map_err(|e| TestCaseError::fail(format!("all: {e}\nSQL: {sql}")))?;
    prop_assert_eq!(&got, &expected, "all() differs\nSQL: {}", sql);

    let count = qs.count(db).map_err(|e| TestCaseError::fail(format!("count: {e}\nSQL: {sql}")))?;
    prop_assert_eq!(count, expected.len() as i64, "count() differs\nSQL: {}", sql);

    let exists = qs.exists(db).map_err(|e| TestCaseError::fail(format!("exists: {e}\nSQL: {sql}")))?;
    prop_assert_eq!(exists, !expected.is_empty(), "exists() differs\nSQL: {}", sql);
    Ok(())
}

backend_tests! {
    /// 256 random cases on one table of one database (a database per case would cost a
    /// PostgreSQL schema each); failures shrink and are saved as `proptest!` saves them.
    fn filters_order_and_slice_match_reference(db) {
        db.create_tables::<(Item,)>()?;
        if db.backend() == Backend::Postgres {
            // The reference orders text by bytes: the database's collation must be C.
            db.execute(
                "DO $$ BEGIN IF (SELECT datcollate FROM pg_database WHERE datname = current_database()) \
                 NOT IN ('C', 'POSIX', 'C.UTF-8', 'C.utf8') THEN \
                 RAISE EXCEPTION 'prop_filters needs a database with the C collation'; END IF; END $$",
                &[],
            )?;
        }
        let config = ProptestConfig { source_file: Some(file!()), ..ProptestConfig::with_cases(256) };
        if let Err(failure) = TestRunner::new(config).run(&case(), |case| run(db, &case)) {
            panic!("{failure}");
        }
        Ok(())
    }
}
